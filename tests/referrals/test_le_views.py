"""The law-enforcement screens through the browser's eyes: the tip inbox and triage, converting,
merging, investigations with suspects and deconfliction, prosecutions with defendants, charges
and dispositions, and the public tip form (honeypot, throttle, disabled). Who may see what (404),
who may do what (403), and every read audited."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from referrals import services
from referrals.models import Charge, Defendant, IdentifiedVictim, Investigation, Prosecution, Suspect, Tip
from taskforce.models import AuditEvent
from tests.world import World, local_today

pytestmark = pytest.mark.django_db

TIP = {
    "received_at": "2025-03-01T14:30",
    "channel": "phone",
    "source": "hotline",
    "trafficking_type": "labor",
    "city": "Concord",
    "venue_type": "restaurant",
    "narrative": "Kitchen workers sleep on site and never leave. TIP-MARKER-5521",
    "potential_victims": "4",
    "minors_involved": "on",
    "urgency": "high",
}


def url(name: str, tf: str = "alpha", **kwargs: object) -> str:
    return reverse(name, kwargs={"task_force": tf, **kwargs})


def public_url(slug: str = "alpha") -> str:
    return reverse("public-tip", kwargs={"task_force_slug": slug})


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


def _tip(world: World, key: str = "alpha.investigator", **data: object) -> Tip:
    return services.tip_create(
        actor=world.actor(key),
        data={
            "source": "hotline",
            "narrative": "Seen at a motel. TIP-MARKER-5521",
            "city": "Richmond",
            **data,
        },
    )


def _investigation(world: World, key: str = "alpha.investigator", **data: object) -> Investigation:
    return services.investigation_create(
        actor=world.actor(key), data={"title": "Harbor restaurant", "trafficking_type": "labor", **data}
    )


def _audited(action: str, **detail: object) -> list[AuditEvent]:
    events = list(AuditEvent.objects.filter(action=action))
    return [e for e in events if all(e.detail.get(k) == v for k, v in detail.items())]


# ----------------------------------------------------------------------------------------- tips


def test_investigator_logs_a_tip_and_reads_it(world: World) -> None:
    client = world.client("alpha.investigator")
    assert client.get(url("tip-create")).status_code == 200
    response = client.post(url("tip-create"), TIP)
    tip = Tip.objects.get(narrative__contains="TIP-MARKER-5521")
    assert response.status_code == 302
    assert response["Location"] == url("tip-detail", tip_id=tip.pk)
    assert tip.status == Tip.Status.NEW
    assert tip.minors_involved
    assert tip.potential_victims == 4
    assert tip.urgency == "high"
    assert tip.entered_by_id == world.users["alpha.investigator"].pk
    # Entered as the task force's local time, stored as an instant: 14:30 there, whatever UTC says.
    zone = zoneinfo.ZoneInfo(world.task_forces["alpha"].time_zone)
    assert tip.received_at == dt.datetime(2025, 3, 1, 14, 30, tzinfo=zone)

    page = client.get(url("tip-detail", tip_id=tip.pk))
    assert page.status_code == 200
    assert "TIP-MARKER-5521" in page.content.decode()
    assert _audited("tip.viewed")

    inbox = client.get(url("tip-list"))
    assert inbox.status_code == 200
    assert "Concord" in inbox.content.decode()
    assert _audited("tip.listed", count=1)


def test_tip_form_errors_are_400_and_save_nothing(world: World) -> None:
    client = world.client("alpha.coordinator")
    response = client.post(url("tip-create"), {**TIP, "narrative": "", "source": "martians"})
    assert response.status_code == 400
    assert not Tip.objects.exists()
    future = (timezone.now() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url("tip-create"), {**TIP, "received_at": future})
    assert response.status_code == 400
    assert "future" in response.content.decode()
    assert not Tip.objects.exists()
    # An empty POST is a bound form with errors, not a fresh page.
    assert client.post(url("tip-create"), {}).status_code == 400


def test_coordinator_triages_assigns_and_closes(world: World) -> None:
    client = world.client("alpha.coordinator")
    tip = _tip(world, "alpha.coordinator")
    detail = url("tip-detail", tip_id=tip.pk)

    response = client.post(url("tip-triage", tip_id=tip.pk), {"urgency": "immediate"})
    assert response.status_code == 302
    assert response["Location"] == detail
    tip.refresh_from_db()
    assert tip.status == Tip.Status.TRIAGED
    assert tip.urgency == "immediate"

    investigator = world.users["alpha.investigator"]
    response = client.post(url("tip-assign", tip_id=tip.pk), {"user": str(investigator.pk), "next": "list"})
    assert response.status_code == 302
    assert response["Location"] == url("tip-list")
    tip.refresh_from_db()
    assert tip.status == Tip.Status.ASSIGNED
    assert tip.assigned_to_id == investigator.pk

    # The investigator finds it under "assigned to me".
    mine = world.client("alpha.investigator").get(url("tip-list") + "?mine=1")
    assert str(tip.pk) in mine.content.decode()
    other = world.client("alpha.detective").get(url("tip-list") + "?mine=1")
    assert str(tip.pk) not in other.content.decode()

    # Not an LE member (a case manager, another task force's investigator): a form error.
    for outsider in ("alpha.case_manager", "beta.investigator"):
        response = client.post(url("tip-assign", tip_id=tip.pk), {"user": str(world.users[outsider].pk)})
        assert response.status_code == 400
    tip.refresh_from_db()
    assert tip.assigned_to_id == investigator.pk

    assert client.get(url("tip-close", tip_id=tip.pk)).status_code == 200
    assert client.post(url("tip-close", tip_id=tip.pk), {"close_reason": "bogus"}).status_code == 400
    response = client.post(url("tip-close", tip_id=tip.pk), {"close_reason": "no_indicators"})
    assert response.status_code == 302
    tip.refresh_from_db()
    assert tip.status == Tip.Status.CLOSED
    assert tip.close_reason == "no_indicators"

    # Closed is final: further triage is a 400 with the reason, and nothing changes.
    response = client.post(url("tip-triage", tip_id=tip.pk), {})
    assert response.status_code == 400
    assert "already closed" in response.content.decode()
    # Closed tips leave the default (open) inbox, and show under their status.
    assert str(tip.pk) not in client.get(url("tip-list")).content.decode()
    assert str(tip.pk) in client.get(url("tip-list") + "?status=closed").content.decode()


def test_tip_list_filters_and_bad_filters(world: World) -> None:
    client = world.client("alpha.investigator")
    high = _tip(world, urgency="high", source="school")
    low = _tip(world, urgency="low")
    body = client.get(url("tip-list") + "?urgency=high").content.decode()
    assert str(high.pk) in body
    assert str(low.pk) not in body
    body = client.get(url("tip-list") + "?source=school").content.decode()
    assert str(high.pk) in body
    assert str(low.pk) not in body
    assert client.get(url("tip-list") + "?status=nope").status_code == 400
    assert client.get(url("tip-list") + "?cursor=garbage").status_code == 400


def test_tip_list_keyset_pages(world: World) -> None:
    actor = world.actor("alpha.investigator")
    same_moment = timezone.now() - dt.timedelta(hours=1)
    tips = [
        services.tip_create(
            actor=actor, data={"source": "hotline", "narrative": f"n{i}", "received_at": same_moment}
        )
        for i in range(53)
    ]
    client = world.client("alpha.investigator")
    first = client.get(url("tip-list"))
    assert first.status_code == 200
    cursor = first.context["listing"].next_cursor
    assert cursor
    second = client.get(url("tip-list"), {"cursor": cursor})
    ids = {row["tip"].pk for row in first.context["rows"]} | {row["tip"].pk for row in second.context["rows"]}
    assert len(first.context["rows"]) == 50
    assert len(second.context["rows"]) == 3
    assert ids == {t.pk for t in tips}
    assert second.context["listing"].next_cursor is None


def test_investigator_converts_a_tip(world: World) -> None:
    client = world.client("alpha.investigator")
    tip = _tip(world, "alpha.coordinator", trafficking_type="sex")
    assert client.get(url("tip-convert", tip_id=tip.pk)).status_code == 200
    response = client.post(
        url("tip-convert", tip_id=tip.pk),
        {"case_number": "HT-2025-001", "title": "Motel on 4th", "restricted": ""},
    )
    assert response.status_code == 302
    investigation = Investigation.objects.get(case_number="HT-2025-001")
    assert response["Location"] == url("investigation-detail", investigation_id=investigation.pk)
    tip.refresh_from_db()
    assert tip.status == Tip.Status.CONVERTED
    assert tip.investigation_id == investigation.pk
    assert investigation.trafficking_type == "sex"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert url("tip-detail", tip_id=tip.pk) in page.content.decode()  # linked tips

    # A second tip linked to the existing investigation.
    other = _tip(world)
    response = client.post(url("tip-convert", tip_id=other.pk), {"investigation": str(investigation.pk)})
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.investigation_id == investigation.pk

    # The coordinator sees tips but cannot convert (403); a taken case number is a 400.
    third = _tip(world)
    assert world.client("alpha.coordinator").get(url("tip-convert", tip_id=third.pk)).status_code == 403
    response = client.post(url("tip-convert", tip_id=third.pk), {"case_number": "HT-2025-001"})
    assert response.status_code == 400
    assert "already in use" in response.content.decode()


def test_merge_duplicate_tips(world: World) -> None:
    client = world.client("alpha.coordinator")
    keep = _tip(world, city="Antioch")
    dupe = _tip(world, city="Antioch")
    page = client.get(url("tip-merge", tip_id=dupe.pk))
    assert page.status_code == 200
    assert str(keep.pk) in page.content.decode()
    assert client.post(url("tip-merge", tip_id=dupe.pk), {"into": str(dupe.pk)}).status_code == 400
    beta_tip = _tip(world, "beta.investigator")
    world.use("alpha")
    assert client.post(url("tip-merge", tip_id=dupe.pk), {"into": str(beta_tip.pk)}).status_code == 400
    response = client.post(url("tip-merge", tip_id=dupe.pk), {"into": str(keep.pk)})
    assert response.status_code == 302
    assert response["Location"] == url("tip-detail", tip_id=keep.pk)
    dupe.refresh_from_db()
    assert dupe.status == Tip.Status.MERGED
    assert dupe.merged_into_id == keep.pk
    assert url("tip-detail", tip_id=dupe.pk) in client.get(response["Location"]).content.decode()


# ------------------------------------------------------------------------------ investigations


def test_investigation_create_edit_team_victims_arrests(world: World) -> None:
    client = world.client("alpha.investigator")
    assert client.get(url("investigation-create")).status_code == 200
    response = client.post(
        url("investigation-create"),
        {
            "case_number": "HT-7",
            "title": "Nail salon",
            "lead_agency": str(world.agencies["alpha.da"].pk),
            "trafficking_type": "labor",
            "opened_on": "2025-02-01",
            "summary": "",
        },
    )
    assert response.status_code == 302
    investigation = Investigation.objects.get(case_number="HT-7")
    # A VS agency or another task force's agency cannot lead: a form error.
    for bad in (world.agencies["alpha.vs"], world.agencies["beta.da"]):
        bad_post = {
            "title": "x",
            "lead_agency": str(bad.pk),
            "trafficking_type": "sex",
            "opened_on": "2025-02-01",
        }
        assert client.post(url("investigation-create"), bad_post).status_code == 400

    response = client.post(
        url("investigation-edit", investigation_id=investigation.pk),
        {"title": "Nail salon chain", "trafficking_type": "labor", "status": "open", "summary": "Two sites."},
    )
    assert response.status_code == 302
    investigation.refresh_from_db()
    assert investigation.title == "Nail salon chain"

    detective = world.memberships["alpha.detective"]
    response = client.post(
        url("investigation-team-add", investigation_id=investigation.pk), {"membership": str(detective.pk)}
    )
    assert response.status_code == 302
    page = client.get(url("investigation-detail", investigation_id=investigation.pk)).content.decode()
    assert "detective" in page
    # A case manager can never join an LE team.
    cm = world.memberships["alpha.case_manager"]
    response = client.post(
        url("investigation-team-add", investigation_id=investigation.pk), {"membership": str(cm.pk)}
    )
    assert response.status_code == 400
    response = client.post(
        url("investigation-team-remove", investigation_id=investigation.pk), {"membership": str(detective.pk)}
    )
    assert response.status_code == 302

    response = client.post(
        url("victim-add", investigation_id=investigation.pk),
        {
            "name_or_alias": "VICTIM-ALIAS-1",
            "age_group": "minor",
            "gender": "female",
            "trafficking_type": "labor",
            "identified_on": "2025-02-02",
        },
    )
    assert response.status_code == 302
    assert IdentifiedVictim.objects.filter(investigation=investigation).count() == 1

    suspect, _ = services.suspect_add(
        actor=world.actor("alpha.investigator"),
        investigation=investigation,
        data={"full_name": "Arrested Person"},
    )
    assert client.get(url("arrest-add", investigation_id=investigation.pk)).status_code == 200
    response = client.post(
        url("arrest-add", investigation_id=investigation.pk),
        {"suspect": str(suspect.pk), "arrested_on": "2025-02-03", "agency": ""},
    )
    assert response.status_code == 302
    page = client.get(url("investigation-detail", investigation_id=investigation.pk)).content.decode()
    assert "VICTIM-ALIAS-1" in page
    assert "Arrested Person" in page
    assert "2025-02-03" in page
    assert _audited("investigation.viewed")
    listing = client.get(url("investigation-list"))
    assert "HT-7" in listing.content.decode()
    assert _audited("investigation.listed", count=1)


def test_suspect_deconfliction_names_only_the_lead_agency(world: World) -> None:
    # A restricted investigation led by the city police, with a suspect's phone.
    restricted = _investigation(
        world,
        "alpha.detective",
        case_number="SECRET-CASE-991",
        title="SECRET-TITLE-991",
        restricted=True,
        lead_agency=world.agencies["alpha.pd"],
    )
    services.suspect_add(
        actor=world.actor("alpha.detective"),
        investigation=restricted,
        data={"full_name": "Hidden Person", "phones": ["(925) 555-0199"]},
    )
    # Another investigation by a DA investigator who is not on that team.
    mine = _investigation(world, "alpha.investigator", case_number="HT-OPEN-1")
    client = world.client("alpha.investigator")
    assert client.get(url("investigation-detail", investigation_id=restricted.pk)).status_code == 404

    response = client.post(
        url("suspect-add", investigation_id=mine.pk),
        {"full_name": "Someone Else", "aliases": "", "phones": "925.555.0199", "plates": "", "handles": ""},
        follow=True,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Phone number matches an investigation led by City Police; contact its lead." in body
    assert "SECRET-CASE-991" not in body
    assert "SECRET-TITLE-991" not in body
    assert "Hidden Person" not in body
    assert str(restricted.pk) not in body
    messages = list(response.context["messages"])
    assert any(m.level_tag == "warning" and "City Police" in m.message for m in messages)
    assert ["9255550199"] in [s.phones for s in Suspect.objects.filter(investigation=mine)]

    # The home page lists the match the same way.
    home = client.get(url("tf-home")).content.decode()
    assert "City Police" in home
    assert "SECRET-CASE-991" not in home

    # Bad phone input is a 400 and records nothing.
    response = client.post(
        url("suspect-add", investigation_id=mine.pk), {"full_name": "X", "phones": "call me"}
    )
    assert response.status_code == 400
    assert "X" not in [s.full_name for s in Suspect.objects.all()]


def test_restricted_investigation_visibility(world: World) -> None:
    restricted = _investigation(world, "alpha.investigator", case_number="R-1", restricted=True)
    route = url("investigation-detail", investigation_id=restricted.pk)
    assert world.client("alpha.investigator").get(route).status_code == 200
    assert world.client("alpha.le_supervisor").get(route).status_code == 200
    for outsider in ("alpha.detective", "alpha.prosecutor", "alpha.coordinator", "beta.le_supervisor"):
        assert world.client(outsider).get(route).status_code == 404, outsider
        assert (
            world.client(outsider).get(url("suspect-add", investigation_id=restricted.pk)).status_code == 404
        )
    listing = world.client("alpha.detective").get(url("investigation-list")).content.decode()
    assert "R-1" not in listing
    # The supervisor adds the detective to the team: now visible.
    world.client("alpha.le_supervisor").post(
        url("investigation-team-add", investigation_id=restricted.pk),
        {"membership": str(world.memberships["alpha.detective"].pk)},
    )
    assert world.client("alpha.detective").get(route).status_code == 200


def test_coordinator_reads_investigations_but_not_suspects(world: World) -> None:
    investigation = _investigation(world)
    services.suspect_add(
        actor=world.actor("alpha.investigator"),
        investigation=investigation,
        data={"full_name": "SUSPECT-NAME-77"},
    )
    client = world.client("alpha.coordinator")
    page = client.get(url("investigation-detail", investigation_id=investigation.pk))
    assert page.status_code == 200
    assert "SUSPECT-NAME-77" not in page.content.decode()
    assert client.get(url("investigation-edit", investigation_id=investigation.pk)).status_code == 403
    assert client.get(url("investigation-create")).status_code == 403
    for name in ("suspect-add", "victim-add", "arrest-add"):
        assert client.get(url(name, investigation_id=investigation.pk)).status_code == 404, name
    assert client.get(url("prosecution-create", investigation_id=investigation.pk)).status_code == 403
    # The team is managed by LE supervisors and the team itself.
    response = client.post(
        url("investigation-team-add", investigation_id=investigation.pk),
        {"membership": str(world.memberships["alpha.detective"].pk)},
    )
    assert response.status_code == 403


# -------------------------------------------------------------------------------- prosecutions


def test_prosecution_with_defendant_charge_and_disposition(world: World) -> None:
    investigation = _investigation(world)
    suspect, _ = services.suspect_add(
        actor=world.actor("alpha.investigator"),
        investigation=investigation,
        data={"full_name": "DEF-NAME-42"},
    )
    client = world.client("alpha.prosecutor")
    create = url("prosecution-create", investigation_id=investigation.pk)
    assert client.get(create).status_code == 200
    response = client.post(
        create,
        {
            "court": "Superior Court",
            "court_case_number": "05-25-00001",
            "venue": "state",
            "filed_on": "2025-03-01",
            "next_court_date": "",
        },
    )
    assert response.status_code == 302
    prosecution = Prosecution.objects.get(court_case_number="05-25-00001")
    detail = url("prosecution-detail", prosecution_id=prosecution.pk)
    assert response["Location"] == detail

    # An investigator reads it but may not file or change (403).
    investigator = world.client("alpha.investigator")
    assert investigator.get(detail).status_code == 200
    assert investigator.get(create).status_code == 403
    assert investigator.get(url("defendant-add", prosecution_id=prosecution.pk)).status_code == 403

    response = client.post(url("defendant-add", prosecution_id=prosecution.pk), {"suspect": str(suspect.pk)})
    assert response.status_code == 302
    defendant = Defendant.objects.get(prosecution=prosecution)
    # A suspect of another investigation is not a choice (form error).
    elsewhere = _investigation(world, case_number="HT-OTHER")
    stranger, _ = services.suspect_add(
        actor=world.actor("alpha.investigator"), investigation=elsewhere, data={"full_name": "Stranger"}
    )
    assert (
        client.post(
            url("defendant-add", prosecution_id=prosecution.pk), {"suspect": str(stranger.pk)}
        ).status_code
        == 400
    )

    charge_url = url("charge-add", prosecution_id=prosecution.pk, defendant_id=defendant.pk)
    assert client.get(charge_url).status_code == 200
    response = client.post(charge_url, {"statute": "PC 236.1", "description": "", "counts": "2"})
    assert response.status_code == 302
    response = client.post(charge_url, {"statute": "PC 647(b)", "description": "", "counts": "1"})
    assert response.status_code == 302
    charges = {c.statute: c for c in Charge.objects.filter(defendant=defendant)}
    assert charges["PC 236.1"].is_trafficking
    assert charges["PC 236.1"].counts == 2
    assert not charges["PC 647(b)"].is_trafficking

    dispose_url = url("defendant-dispose", prosecution_id=prosecution.pk, defendant_id=defendant.pk)
    assert client.post(dispose_url, {"disposition": "nope"}).status_code == 400
    response = client.post(
        dispose_url,
        {"disposition": "plea", "disposition_on": "2025-04-01", "sentence": "8 years state prison"},
    )
    assert response.status_code == 302
    defendant.refresh_from_db()
    assert defendant.disposition == "plea"
    assert defendant.sentence == "8 years state prison"

    response = client.post(
        url("prosecution-edit", prosecution_id=prosecution.pk),
        {
            "court": "Superior Court",
            "court_case_number": "05-25-00001",
            "venue": "state",
            "stage": "sentencing",
            "next_court_date": (local_today() + dt.timedelta(days=10)).isoformat(),
        },
    )
    assert response.status_code == 302
    page = client.get(detail).content.decode()
    assert "DEF-NAME-42" in page
    assert "PC 236.1" in page
    assert "trafficking charge" in page
    assert "Plea" in page
    assert _audited("prosecution.viewed")
    assert "05-25-00001" in client.get(url("prosecution-list")).content.decode()
    assert _audited("prosecution.listed", count=1)
    home = client.get(url("tf-home")).content.decode()
    assert "05-25-00001" in home  # upcoming court date

    # The coordinator reads the prosecution, without the defendant's identity.
    coordinator = world.client("alpha.coordinator").get(detail)
    assert coordinator.status_code == 200
    assert "DEF-NAME-42" not in coordinator.content.decode()
    assert world.client("alpha.coordinator").get(dispose_url).status_code == 404  # defendants are LE-only
    # A defendant of another prosecution, under this one's URL: 404.
    other = services.prosecution_create(
        actor=world.actor("alpha.prosecutor"),
        investigation=elsewhere,
        data={"court": "C", "court_case_number": "9"},
    )
    assert (
        client.get(url("charge-add", prosecution_id=other.pk, defendant_id=defendant.pk)).status_code == 404
    )


# -------------------------------------------------------------------------------------- the wall


def _routes(world: World) -> list[str]:
    tip = _tip(world)
    investigation = _investigation(world)
    suspect, _ = services.suspect_add(
        actor=world.actor("alpha.investigator"),
        investigation=investigation,
        data={"full_name": "Wall Suspect"},
    )
    prosecution = services.prosecution_create(
        actor=world.actor("alpha.prosecutor"),
        investigation=investigation,
        data={"court": "C", "court_case_number": "1"},
    )
    defendant = services.defendant_add(
        actor=world.actor("alpha.prosecutor"), prosecution=prosecution, suspect=suspect
    )
    inv = {"investigation_id": investigation.pk}
    pros = {"prosecution_id": prosecution.pk}
    return [
        url("tip-list"),
        url("tip-create"),
        url("tip-detail", tip_id=tip.pk),
        url("tip-triage", tip_id=tip.pk),
        url("tip-assign", tip_id=tip.pk),
        url("tip-close", tip_id=tip.pk),
        url("tip-merge", tip_id=tip.pk),
        url("tip-convert", tip_id=tip.pk),
        url("investigation-list"),
        url("investigation-create"),
        url("investigation-detail", **inv),
        url("investigation-edit", **inv),
        url("investigation-team-add", **inv),
        url("investigation-team-remove", **inv),
        url("suspect-add", **inv),
        url("victim-add", **inv),
        url("arrest-add", **inv),
        url("prosecution-create", **inv),
        url("prosecution-list"),
        url("prosecution-detail", **pros),
        url("prosecution-edit", **pros),
        url("defendant-add", **pros),
        url("charge-add", defendant_id=defendant.pk, **pros),
        url("defendant-dispose", defendant_id=defendant.pk, **pros),
    ]


@pytest.mark.parametrize(
    "key",
    [
        "alpha.case_manager",
        "alpha.vs_supervisor",
        "alpha.tenant_admin",
        "alpha.analyst",
        "beta.investigator",
        "beta.coordinator",
        "alpha.superuser_member",
    ],
)
def test_outsiders_get_404_everywhere(world: World, key: str) -> None:
    client = world.client(key)
    for route in _routes(world):
        post_only = route.endswith(("/triage/", "/assign/", "/team/add/", "/team/remove/"))
        get_only = re.fullmatch(r"/tf/alpha/(tips|investigations|prosecutions)/([0-9a-f-]{36}/)?", route)
        if not post_only:
            assert client.get(route).status_code == 404, route
        if not get_only:
            assert client.post(route, {}).status_code == 404, route
    assert Tip.objects.count() == 1


def test_unknown_and_malformed_ids_are_404(world: World) -> None:
    client = world.client("alpha.le_supervisor")
    assert client.get("/tf/alpha/tips/not-a-uuid/").status_code == 404
    assert client.get(url("tip-detail", tip_id="6f1f6a56-0000-4000-8000-000000000000")).status_code == 404
    beta_tip = _tip(world, "beta.investigator")
    assert client.get(url("tip-detail", tip_id=beta_tip.pk)).status_code == 404
    assert client.post(url("tip-close", tip_id=beta_tip.pk), {"close_reason": "other"}).status_code == 404
    beta_tip.refresh_from_db()
    assert beta_tip.status == Tip.Status.NEW


def test_xss_in_narrative_is_inert(world: World) -> None:
    tip = _tip(world, narrative="<script>alert(1)</script> XSS-5")
    body = world.client("alpha.investigator").get(url("tip-detail", tip_id=tip.pk)).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body


def test_nav_and_home_panels(world: World) -> None:
    _tip(world, "alpha.coordinator")
    coordinator = world.client("alpha.coordinator").get(url("tf-home")).content.decode()
    assert "Tips to triage" in coordinator
    assert url("tip-list") in coordinator
    investigator = world.client("alpha.investigator").get(url("tf-home")).content.decode()
    for text in ("Tips assigned to me", "My investigations", "Deconfliction matches"):
        assert text in investigator
    assert url("investigation-list") in investigator
    assert url("prosecution-list") in investigator
    prosecutor = world.client("alpha.prosecutor").get(url("tf-home")).content.decode()
    assert "Prosecutions by stage" in prosecutor
    assert "Upcoming court dates" in prosecutor
    case_manager = world.client("alpha.case_manager").get(url("tf-home")).content.decode()
    assert url("tip-list") not in case_manager
    assert "Tips to triage" not in case_manager


# ---------------------------------------------------------------------------------- public form


PUBLIC = {
    "narrative": "Young girls brought to a house on Elm St every night. PUBLIC-MARKER-1",
    "city": "Pittsburg",
    "trafficking_type": "sex",
    "minors_involved": "on",
    "contact": "",
    "website": "",
}


@pytest.fixture
def public_world(world: World) -> World:
    alpha = world.task_forces["alpha"]
    alpha.public_tip_form_enabled = True
    alpha.save(update_fields=["public_tip_form_enabled"])
    return world


def test_public_tip_lands_as_new_for_the_coordinator(public_world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    form = client.get(public_url())
    assert form.status_code == 200
    body = form.content.decode()
    assert "csrfmiddlewaretoken" in body
    assert 'name="website"' in body
    assert "Leave this empty" in body
    assert "main-nav" not in body
    assert "Sign out" not in body
    token = form.cookies["csrftoken"].value
    response = client.post(public_url(), {**PUBLIC, "csrfmiddlewaretoken": token})
    assert response.status_code == 200
    thanks = response.content.decode()
    assert "Thank you" in thanks
    tip = Tip.objects.get(narrative__contains="PUBLIC-MARKER-1")
    assert tip.status == Tip.Status.NEW
    assert tip.via_public_form
    assert tip.source == "anonymous"
    assert tip.minors_involved
    assert tip.trafficking_type == "sex"
    assert tip.channel == "web_form"
    # No number, no id: nothing that reveals volume.
    assert str(tip.pk) not in thanks
    text = re.sub(r"<[^>]+>", " ", thanks.split("<main", 1)[1].split("</main>", 1)[0]).replace("911", "")
    assert not re.search(r"\d", text), text
    assert _audited("tip.public_submitted")
    coordinator = world_client_body(public_world, "alpha.coordinator", url("tip-list") + "?status=new")
    assert str(tip.pk) in coordinator

    # With a contact: not anonymous.
    client.post(
        public_url(),
        {**PUBLIC, "narrative": "Second", "contact": "text 555-0100", "csrfmiddlewaretoken": token},
    )
    second = Tip.objects.get(narrative__startswith="Second")
    assert second.source == "public"
    assert "555-0100" in second.narrative


def world_client_body(world: World, key: str, route: str) -> str:
    return world.client(key).get(route).content.decode()


def test_public_form_validation_and_csrf(public_world: World) -> None:
    client = Client()
    assert client.post(public_url(), {**PUBLIC, "narrative": ""}).status_code == 400
    assert client.post(public_url(), {**PUBLIC, "narrative": "x" * 5001}).status_code == 400
    assert not Tip.objects.exists()
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(public_url(), PUBLIC).status_code == 403
    assert not Tip.objects.exists()


def test_public_honeypot_saves_nothing(public_world: World) -> None:
    client = Client()
    response = client.post(public_url(), {**PUBLIC, "website": "http://spam.example"})
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    assert not Tip.objects.exists()


def test_public_throttle_per_address(public_world: World) -> None:
    client = Client()
    for i in range(5):
        response = client.post(
            public_url(), {**PUBLIC, "narrative": f"report {i}"}, REMOTE_ADDR="203.0.113.7"
        )
        assert response.status_code == 200, i
    assert Tip.objects.count() == 5
    response = client.post(public_url(), {**PUBLIC, "narrative": "report 6"}, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 429
    assert "not sent" in response.content.decode()
    assert Tip.objects.count() == 5
    # Honeypot posts count too, and another address is not affected.
    assert client.post(public_url(), {**PUBLIC, "website": "x"}, REMOTE_ADDR="203.0.113.7").status_code == 429
    assert client.post(public_url(), PUBLIC, REMOTE_ADDR="198.51.100.2").status_code == 200
    assert Tip.objects.count() == 6


def test_public_form_disabled_or_unknown_is_404(world: World) -> None:
    client = Client()
    disabled = client.get(public_url("alpha"))
    unknown = client.get(public_url("no-such-task-force"))
    assert disabled.status_code == 404
    assert unknown.status_code == 404
    assert disabled.content == unknown.content
    assert client.post(public_url("alpha"), PUBLIC).status_code == 404
    assert not Tip.objects.exists()
