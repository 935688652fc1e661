"""Hostile probes against the domain apps (cases, referrals, MDT, reporting): each test is an
attack and passes when the attack fails. The foundation's probes live in test_hostile.py.

Vectors: foreign ids in write payloads, IDOR through nested routes, privileged notes leaking,
consent expiry and revocation on the bridge, the coordinator reaching LE identity, VS roles
reaching LE data, MDT names without consent, report scoping, mass assignment of status fields,
XSS in free text, audit rows without content, the public tip form, malformed input.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from django.core.cache import cache
from django.utils import timezone

from cases import services as case_services
from cases.models import Case, CaseNote, Client, Consent, PlanItem
from mdt import services as mdt_services
from mdt.models import ActionItem, CaseReview
from referrals import services as ref_services
from referrals.models import CertificationRequest, Defendant, Referral, Tip
from taskforce.models import AuditEvent, TaskForce
from tests.wall.case_world import add_cases
from tests.wall.le_world import add_le_records
from tests.wall.mdt_world import add_mdt_records
from tests.world import World, local_today

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script>'
XSS_ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
API = "/api/v1/tf/alpha"
HTML = "/tf/alpha"


@pytest.fixture
def full(world: World) -> World:
    add_cases(world)
    add_le_records(world)
    add_mdt_records(world)
    return world


def _today() -> dt.date:
    return local_today()


def _vs_to_le_referral(world: World, scope: list[str] | None = None) -> tuple[Referral, Consent]:
    cm = world.actor("alpha.case_manager")
    case = world.records["alpha.case"]
    consent = case_services.consent_record(
        actor=cm,
        case=case,
        recipient_agency=world.agencies["alpha.da"],
        scope=scope or ["identity", "case_summary"],
        purpose="report",
        signed_by="Client",
    )
    referral = ref_services.referral_send(
        actor=cm,
        to_agency=world.agencies["alpha.da"],
        payload={"summary": "VSREFPAYLOAD", "name_or_alias": "VSREFNAME"},
        case=case,
        consent=consent,
    )
    return referral, consent


# ----------------------------------------------------------------------------- MDT name leaks


def _mdt_off_roster_coordinator(world: World) -> tuple[CaseReview, str]:
    """A team whose roster is the VS agency and the DA; the coordinator facilitates without
    being on it. The client consented to identity for the DA only."""
    admin = world.actor("alpha.tenant_admin")
    coordinator = world.actor("alpha.coordinator")
    cm = world.actor("alpha.case_manager")
    team = mdt_services.team_create(actor=admin, name="Off-roster team")
    for key in ("case_manager", "investigator"):
        row = mdt_services.roster_add(actor=admin, team=team, membership=world.memberships[f"alpha.{key}"])
        mdt_services.agreement_sign(actor=admin, row=row)
    meeting = mdt_services.meeting_create(
        actor=coordinator, team=team, data={"starts_at": timezone.now() + dt.timedelta(days=3)}
    )
    case = world.records["alpha.case"]
    case_services.consent_record(
        actor=cm,
        case=case,
        recipient_agency=world.agencies["alpha.da"],
        scope=["identity"],
        purpose="MDT",
        signed_by="Client",
    )
    review = mdt_services.review_add(actor=cm, meeting=meeting, data={"summary": "s"}, case=case)
    name = case.client.identity.display_name
    return review, name


def test_mdt_client_name_never_reaches_a_coordinator_the_consent_does_not_name(full: World) -> None:
    review, name = _mdt_off_roster_coordinator(full)
    # The name is shown to everyone who reads the meeting, or to nobody: as long as the
    # coordinator's office (which reads every meeting) is not named, not even the DA sees it.
    investigator = full.client("alpha.investigator")
    assert name not in investigator.get(f"{HTML}/mdt/reviews/{review.pk}/").content.decode()
    coordinator = full.client("alpha.coordinator")
    pages = [
        f"{HTML}/mdt/meetings/{review.meeting_id}/",
        f"{HTML}/mdt/meetings/{review.meeting_id}/print/",
        f"{HTML}/mdt/reviews/{review.pk}/",
    ]
    for url in pages:
        response = coordinator.get(url)
        assert response.status_code == 200, url
        assert name not in response.content.decode(), url
    api = full.api("alpha.coordinator")
    body = api.get(f"{API}/mdt/reviews/{review.pk}/").json()
    assert body.get("client_name") in (None, ""), body
    listed = api.get(f"{API}/mdt/reviews/").json()["results"]
    assert all(row.get("client_name") in (None, "") for row in listed)

    # Once the client also names the coordinator's office, the agenda may carry the name.
    case_services.consent_record(
        actor=full.actor("alpha.case_manager"),
        case=full.records["alpha.case"],
        recipient_agency=full.agencies["alpha.coord"],
        scope=["identity"],
        purpose="MDT",
        signed_by="Client",
    )
    assert name in investigator.get(f"{HTML}/mdt/reviews/{review.pk}/").content.decode()
    assert name in coordinator.get(f"{HTML}/mdt/reviews/{review.pk}/").content.decode()


def test_mdt_agenda_without_consent_shows_codes_only(full: World) -> None:
    review = full.records["alpha.mdt_review"]
    # Attach the case without any consent naming the DA or the coordinator.
    CaseReview.objects.filter(pk=review.pk).update(case=full.records["alpha.case"])
    for key in ("alpha.coordinator", "alpha.investigator"):
        client = full.client(key)
        for url in (
            f"{HTML}/mdt/meetings/{review.meeting_id}/",
            f"{HTML}/mdt/meetings/{review.meeting_id}/print/",
            f"{HTML}/mdt/reviews/{review.pk}/",
            f"{HTML}/",
        ):
            assert "VSCLIENTalpha" not in client.get(url).content.decode(), (key, url)
        body = json.dumps(full.api(key).get(f"{API}/mdt/reviews/{review.pk}/").json())
        assert "VSCLIENTalpha" not in body
        assert str(full.records["alpha.case"].pk) not in body


def test_mdt_expired_agreement_and_tenant_admin_see_no_meeting(full: World) -> None:
    from mdt.models import Agreement

    meeting = full.records["alpha.mdt_meeting"]
    review = full.records["alpha.mdt_review"]
    item = full.records["alpha.mdt_item"]
    Agreement.objects.filter(roster_member__membership=full.memberships["alpha.investigator"]).update(
        signed_on=_today() - dt.timedelta(days=400), expires_on=_today() - dt.timedelta(days=1)
    )
    # The tenant admin manages the roster, and may even be put on it with an agreement.
    admin = full.actor("alpha.tenant_admin")
    row = mdt_services.roster_add(
        actor=admin, team=full.records["alpha.mdt_team"], membership=full.memberships["alpha.tenant_admin"]
    )
    mdt_services.agreement_sign(actor=admin, row=row)
    for key in ("alpha.investigator", "alpha.tenant_admin", "alpha.analyst", "alpha.other_agency_cm"):
        client = full.client(key)
        for url in (
            f"{HTML}/mdt/meetings/{meeting.pk}/",
            f"{HTML}/mdt/meetings/{meeting.pk}/print/",
            f"{HTML}/mdt/reviews/{review.pk}/",
        ):
            assert client.get(url).status_code == 404, (key, url)
        for url in ("/", f"{HTML}/", f"{HTML}/mdt/my-items/"):
            page = client.get(url).content.decode()
            assert "MDTREVIEW-alpha" not in page, (key, url)
            assert "MDTITEM-alpha" not in page, (key, url)
        api = full.api(key)
        assert api.get(f"{API}/mdt/meetings/{meeting.pk}/").status_code == 404
        for url in (f"{API}/mdt/meetings/", f"{API}/mdt/reviews/", f"{API}/mdt/action-items/"):
            response = api.get(url)
            assert response.status_code in (200, 404), url
            if response.status_code == 200:
                assert response.json()["results"] == [], (key, url)
        assert api.get(f"{API}/mdt/action-items/{item.pk}/").status_code == 404


# ------------------------------------------------------------------- VS-to-VS attribute copy


def test_accepting_a_vs_referral_copies_nothing_the_consent_does_not_cover(full: World) -> None:
    """The receiver's new client must not learn the sender's coded attributes (citizenship is
    immigration status) when the consent covers only a case summary."""
    cm = full.actor("alpha.case_manager")
    case = full.records["alpha.case"]
    Client.objects.filter(pk=case.client_id).update(citizenship="foreign_national", gender="female")
    Case.objects.filter(pk=case.pk).update(minor_at_intake=False, trafficking_type="sex")
    consent = case_services.consent_record(
        actor=cm,
        case=case,
        recipient_agency=full.agencies["alpha.vs2"],
        scope=["case_summary"],
        purpose="services",
        signed_by="Client",
    )
    referral = ref_services.referral_send(
        actor=cm,
        to_agency=full.agencies["alpha.vs2"],
        payload={"summary": "needs legal help"},
        case=case,
        consent=consent,
    )
    response = full.api("alpha.other_agency_cm").post(f"{API}/referrals/{referral.pk}/accept/")
    assert response.status_code == 200
    new_case = Case.objects.get(pk=response.json()["resulting_case"])
    assert new_case.client.citizenship != "foreign_national", "immigration status crossed without consent"


# --------------------------------------------------------------- consent expiry / revocation


@pytest.mark.parametrize("how", ["revoked", "expired_now"])
def test_receiver_loses_a_vs_referral_the_moment_its_consent_ends(full: World, how: str) -> None:
    referral, consent = _vs_to_le_referral(full)
    investigator = full.api("alpha.investigator")
    assert investigator.get(f"{API}/referrals/{referral.pk}/").status_code == 200
    if how == "revoked":
        case_services.consent_revoke(actor=full.actor("alpha.case_manager"), consent=consent)
    else:
        Consent.objects.filter(pk=consent.pk).update(expires_at=timezone.now())
    assert investigator.get(f"{API}/referrals/{referral.pk}/").status_code == 404
    ids = [row["id"] for row in investigator.get(f"{API}/referrals/").json()["results"]]
    assert str(referral.pk) not in ids
    assert investigator.post(f"{API}/referrals/{referral.pk}/accept/").status_code == 404
    assert investigator.post(f"{API}/referrals/{referral.pk}/decline/", {"reason": "x"}).status_code == 404
    html = full.client("alpha.investigator")
    assert html.get(f"{HTML}/referrals/{referral.pk}/").status_code == 404
    assert "VSREFPAYLOAD" not in html.get(f"{HTML}/referrals/").content.decode()
    assert html.post(f"{HTML}/referrals/{referral.pk}/accept/").status_code == 404
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT
    # The coordinator's envelope never carries the payload either way.
    body = json.dumps(full.api("alpha.coordinator").get(f"{API}/referrals/").json())
    assert "VSREFPAYLOAD" not in body
    assert "VSREFNAME" not in body


def test_referral_send_refuses_a_consent_for_another_agency_or_case(full: World) -> None:
    cm = full.api("alpha.case_manager")
    before = Referral.objects.count()
    # The world's consent names vs2, not the DA.
    response = cm.post(
        f"{API}/referrals/",
        {
            "to_agency": str(full.agencies["alpha.da"].pk),
            "summary": "x",
            "case": str(full.records["alpha.case"].pk),
            "consent": str(full.records["alpha.consent"].pk),
        },
        format="json",
    )
    assert response.status_code == 400
    # Beta's consent and case: not even visible.
    response = cm.post(
        f"{API}/referrals/",
        {
            "to_agency": str(full.agencies["alpha.vs2"].pk),
            "summary": "x",
            "case": str(full.records["beta.case"].pk),
            "consent": str(full.records["beta.consent"].pk),
        },
        format="json",
    )
    assert response.status_code == 400
    # A kind forged to look like LE->VS (no consent needed) is refused.
    response = cm.post(
        f"{API}/referrals/",
        {"to_agency": str(full.agencies["alpha.vs2"].pk), "summary": "x", "kind": "le_to_vs"},
        format="json",
    )
    assert response.status_code == 400
    assert Referral.objects.count() == before


# ------------------------------------------------------------------- foreign ids in payloads


def test_foreign_ids_in_every_api_write_are_400_and_write_nothing(full: World) -> None:
    beta = {k: full.records[f"beta.{k}"] for k in ("case", "investigation", "suspect", "mdt_meeting")}
    counts = (Referral.objects.count(), CertificationRequest.objects.count(), CaseReview.objects.count())
    cases = {
        "alpha.case_manager": [
            (
                f"cases/{full.records['alpha.case'].pk}/services/",
                {
                    "service_type": "case_management",
                    "delivered_on": str(_today()),
                    "providing_agency": str(full.agencies["beta.vs"].pk),
                },
            ),
            (
                f"cases/{full.records['alpha.case'].pk}/consents/",
                {
                    "recipient_agency": str(full.agencies["beta.da"].pk),
                    "scope": ["identity"],
                    "purpose": "p",
                    "signed_by": "c",
                },
            ),
            (
                "certifications/",
                {
                    "case": str(beta["case"].pk),
                    "kind": "u_visa",
                    "certifying_agency": str(full.agencies["alpha.da"].pk),
                },
            ),
            (
                "certifications/",
                {
                    "case": str(full.records["alpha.case"].pk),
                    "kind": "u_visa",
                    "certifying_agency": str(full.agencies["beta.da"].pk),
                },
            ),
            (
                "certifications/",
                {
                    "case": str(full.records["alpha.case"].pk),
                    "kind": "u_visa",
                    "certifying_agency": str(full.agencies["alpha.vs2"].pk),
                },
            ),
            (
                "mdt/reviews/",
                {
                    "meeting": str(full.records["alpha.mdt_meeting"].pk),
                    "summary": "s",
                    "risk_level": "low",
                    "investigation": str(full.records["alpha.investigation"].pk),
                },
            ),
            (
                "mdt/reviews/",
                {
                    "meeting": str(beta["mdt_meeting"].pk),
                    "summary": "s",
                    "risk_level": "low",
                },
            ),
        ],
        "alpha.vs_supervisor": [
            (
                f"cases/{full.records['alpha.case'].pk}/assign/",
                {"membership": str(full.memberships["beta.case_manager"].pk)},
            ),
            (
                f"cases/{full.records['alpha.case'].pk}/assign/",
                {"membership": str(full.memberships["alpha.other_agency_cm"].pk)},
            ),
            (
                f"cases/{full.records['alpha.case'].pk}/assign/",
                {"membership": str(full.memberships["alpha.investigator"].pk)},
            ),
        ],
        "alpha.investigator": [
            ("referrals/", {"to_agency": str(full.agencies["beta.vs"].pk), "summary": "x"}),
            ("referrals/", {"to_agency": str(full.agencies["alpha.pd"].pk), "summary": "x"}),
            (
                "referrals/",
                {
                    "to_agency": str(full.agencies["alpha.vs"].pk),
                    "summary": "x",
                    "investigation": str(beta["investigation"].pk),
                },
            ),
            (
                f"investigations/{full.records['alpha.investigation'].pk}/arrests/",
                {
                    "suspect": str(beta["suspect"].pk),
                    "arrested_on": str(_today()),
                },
            ),
            (
                f"investigations/{full.records['alpha.investigation'].pk}/team/",
                {"membership": str(full.memberships["alpha.case_manager"].pk)},
            ),
            (
                f"investigations/{full.records['alpha.investigation'].pk}/team/",
                {"membership": str(full.memberships["beta.investigator"].pk)},
            ),
            (f"tips/{full.records['alpha.tip'].pk}/merge/", {"into": str(full.records["beta.tip"].pk)}),
            (
                f"tips/{full.records['alpha.tip'].pk}/assign/",
                {"user": str(full.users["beta.investigator"].pk)},
            ),
            (
                f"tips/{full.records['alpha.tip'].pk}/assign/",
                {"user": str(full.users["alpha.case_manager"].pk)},
            ),
            (
                f"tips/{full.records['alpha.tip'].pk}/convert/",
                {"investigation": str(beta["investigation"].pk)},
            ),
        ],
        "alpha.prosecutor": [
            (
                "prosecutions/",
                {
                    "investigation": str(beta["investigation"].pk),
                    "court": "c",
                    "court_case_number": "n",
                },
            ),
            (
                f"prosecutions/{full.records['alpha.prosecution'].pk}/defendants/",
                {"suspect": str(beta["suspect"].pk)},
            ),
        ],
        "alpha.coordinator": [
            (
                "mdt/action-items/",
                {
                    "meeting": str(full.records["alpha.mdt_meeting"].pk),
                    "description": "d",
                    "due_on": str(_today()),
                    "owner_agency": str(full.agencies["beta.vs"].pk),
                },
            ),
            (
                "mdt/action-items/",
                {
                    "meeting": str(full.records["alpha.mdt_meeting"].pk),
                    "description": "d",
                    "due_on": str(_today()),
                    "owner_agency": str(full.agencies["alpha.partner"].pk),
                },
            ),
            (
                "mdt/action-items/",
                {
                    "meeting": str(full.records["alpha.mdt_meeting"].pk),
                    "description": "d",
                    "due_on": str(_today()),
                    "owner_member": str(uuid.uuid4()),
                },
            ),
            (
                "mdt/meetings/",
                {
                    "team": str(full.records["beta.mdt_team"].pk),
                    "starts_at": (timezone.now() + dt.timedelta(days=2)).isoformat(),
                },
            ),
        ],
    }
    tip_status = Tip.objects.get(pk=full.records["alpha.tip"].pk).status
    for key, probes in cases.items():
        api = full.api(key)
        for path, body in probes:
            response = api.post(f"{API}/{path}", body, format="json")
            assert response.status_code in (400, 404), (key, path, body, response.status_code)
    assert (
        Referral.objects.count(),
        CertificationRequest.objects.count(),
        CaseReview.objects.count(),
    ) == counts
    assert Tip.objects.get(pk=full.records["alpha.tip"].pk).status == tip_status
    assert not Defendant.objects.filter(
        suspect=beta["suspect"], prosecution=full.records["alpha.prosecution"]
    )


def test_action_item_owner_from_another_team_is_refused(full: World) -> None:
    coordinator = full.actor("alpha.coordinator")
    other_team = mdt_services.team_create(actor=coordinator, name="Second team")
    stranger = mdt_services.roster_add(
        actor=coordinator, team=other_team, membership=full.memberships["alpha.vs_supervisor"]
    )
    before = ActionItem.objects.count()
    response = full.api("alpha.coordinator").post(
        f"{API}/mdt/action-items/",
        {
            "meeting": str(full.records["alpha.mdt_meeting"].pk),
            "description": "d",
            "due_on": str(_today()),
            "owner_member": str(stranger.pk),
        },
        format="json",
    )
    assert response.status_code == 400
    assert ActionItem.objects.count() == before


# ---------------------------------------------------------------------------- nested IDOR


def test_nested_routes_refuse_a_child_of_another_parent(full: World) -> None:
    supervisor = full.actor("alpha.vs_supervisor")
    cm = full.actor("alpha.case_manager")
    other = case_services.intake_create(
        actor=cm,
        client={"first_name": "Second", "last_name": "Client"},
        case={"opened_on": _today() - dt.timedelta(days=5)},
    )
    item = case_services.plan_item_add(actor=cm, case=other, need="emergency_shelter", goal="g")
    consent = full.records["alpha.consent"]  # on alpha.case
    client = full.client("alpha.vs_supervisor")
    # A's consent revoked through B's URL; B's plan item changed through A's URL.
    response = client.post(f"{HTML}/cases/{other.pk}/consents/{consent.pk}/revoke/", {"note": ""})
    assert response.status_code == 404
    response = client.post(
        f"{HTML}/cases/{full.records['alpha.case'].pk}/plan/{item.pk}/status/", {"status": "met"}
    )
    assert response.status_code == 404
    consent.refresh_from_db()
    item.refresh_from_db()
    assert consent.revoked_at is None
    assert item.status != PlanItem.Status.MET
    assert supervisor  # the supervisor sees both cases: a real IDOR probe, not a visibility one

    # A defendant of one prosecution under another prosecution's URL.
    prosecutor = full.actor("alpha.prosecutor")
    inv2 = ref_services.investigation_create(actor=prosecutor, data={"title": "second"})
    suspect2, _ = ref_services.suspect_add(actor=prosecutor, investigation=inv2, data={"full_name": "Zed"})
    pros2 = ref_services.prosecution_create(
        actor=prosecutor, investigation=inv2, data={"court": "c", "court_case_number": "n2"}
    )
    defendant = ref_services.defendant_add(actor=prosecutor, prosecution=pros2, suspect=suspect2)
    pros1 = full.records["alpha.prosecution"]
    api = full.api("alpha.prosecutor")
    response = api.post(
        f"{API}/prosecutions/{pros1.pk}/defendants/{defendant.pk}/charges/",
        {"statute": "PC 236.1"},
        format="json",
    )
    assert response.status_code == 404
    response = api.post(
        f"{API}/prosecutions/{pros1.pk}/defendants/{defendant.pk}/disposition/",
        {"disposition": "convicted"},
        format="json",
    )
    assert response.status_code == 404
    html = full.client("alpha.prosecutor")
    assert (
        html.post(
            f"{HTML}/prosecutions/{pros1.pk}/defendants/{defendant.pk}/charges/new/", {"statute": "PC 236.1"}
        ).status_code
        == 404
    )
    defendant.refresh_from_db()
    assert defendant.disposition == "pending"

    # A roster row of one team under another team's URL.
    coordinator = full.actor("alpha.coordinator")
    team2 = mdt_services.team_create(actor=coordinator, name="Team two")
    row2 = mdt_services.roster_add(
        actor=coordinator, team=team2, membership=full.memberships["alpha.detective"]
    )
    team1 = full.records["alpha.mdt_team"]
    admin = full.client("alpha.tenant_admin")
    assert admin.post(f"{HTML}/mdt/teams/{team1.pk}/roster/{row2.pk}/remove/").status_code == 404
    assert admin.post(f"{HTML}/mdt/teams/{team1.pk}/roster/{row2.pk}/agreement/", {}).status_code == 404
    row2.refresh_from_db()
    assert row2.is_active


# ------------------------------------------------------------------------- privileged notes


def test_privileged_note_reaches_only_author_and_supervisor(full: World) -> None:
    case = full.records["alpha.case"]
    case_services.case_assign(
        actor=full.actor("alpha.vs_supervisor"),
        case=case,
        membership=full.memberships["alpha.case_manager_2"],
    )
    other = full.client("alpha.case_manager_2")
    assert other.get(f"{HTML}/cases/{case.pk}/").status_code == 200
    assert "VSPRIVILEGED-alpha" not in other.get(f"{HTML}/cases/{case.pk}/").content.decode()
    api = full.api("alpha.case_manager_2")
    assert "VSPRIVILEGED-alpha" not in json.dumps(api.get(f"{API}/cases/{case.pk}/notes/").json())
    assert "VSPRIVILEGED-alpha" not in json.dumps(api.get(f"{API}/cases/{case.pk}/").json())
    # The supervisor reads it; nothing downstream carries it.
    assert (
        "VSPRIVILEGED-alpha"
        in full.client("alpha.vs_supervisor").get(f"{HTML}/cases/{case.pk}/").content.decode()
    )
    referral, _ = _vs_to_le_referral(full)
    for key in ("alpha.investigator", "alpha.coordinator", "alpha.case_manager"):
        body = json.dumps(full.api(key).get(f"{API}/referrals/{referral.pk}/").json())
        assert "VSPRIVILEGED-alpha" not in body
    review = full.records["alpha.mdt_review"]
    for key in ("alpha.coordinator", "alpha.investigator", "alpha.case_manager"):
        assert "VSPRIVILEGED-alpha" not in json.dumps(
            full.api(key).get(f"{API}/mdt/reviews/{review.pk}/").json()
        )
    assert not any(
        "VSPRIVILEGED" in json.dumps(d) for d in AuditEvent.objects.values_list("detail", flat=True)
    )


# --------------------------------------------------------- coordinator and LE identity


def test_coordinator_never_sees_suspects_victims_or_defendants(full: World) -> None:
    investigator = full.actor("alpha.investigator")
    investigation = full.records["alpha.investigation"]
    ref_services.victim_identify(
        actor=investigator, investigation=investigation, data={"name_or_alias": "LEVICTIM-x"}
    )
    prosecutor = full.actor("alpha.prosecutor")
    ref_services.defendant_add(
        actor=prosecutor, prosecution=full.records["alpha.prosecution"], suspect=full.records["alpha.suspect"]
    )
    secrets = ("LESUSPECT-alpha", "LEVICTIM-x")
    client = full.client("alpha.coordinator")
    pages = [
        "/",
        f"{HTML}/",
        f"{HTML}/investigations/",
        f"{HTML}/investigations/{investigation.pk}/",
        f"{HTML}/prosecutions/",
        f"{HTML}/prosecutions/{full.records['alpha.prosecution'].pk}/",
        f"{HTML}/tips/",
        f"{HTML}/tips/{full.records['alpha.tip'].pk}/",
        f"{HTML}/referrals/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code in (200, 302, 404), url
        page = response.content.decode()
        assert not any(s in page for s in secrets), url
        assert "LERESTRICTED-alpha" not in page, url
    api = full.api("alpha.coordinator")
    for suffix in ("suspects/", "victims/", "arrests/", "team/"):
        assert api.get(f"{API}/investigations/{investigation.pk}/{suffix}").status_code == 404, suffix
    assert (
        api.get(f"{API}/prosecutions/{full.records['alpha.prosecution'].pk}/defendants/").status_code == 404
    )
    for url in (
        f"{API}/investigations/",
        f"{API}/prosecutions/",
        f"{API}/investigations/{investigation.pk}/",
    ):
        body = json.dumps(api.get(url).json())
        assert not any(s in body for s in secrets), url
        assert "LERESTRICTED" not in body, url


def test_vs_never_sees_le_source_or_case_details_across_the_bridge(full: World) -> None:
    investigation = full.records["alpha.investigation"]
    referral = ref_services.referral_send(
        actor=full.actor("alpha.investigator"),
        to_agency=full.agencies["alpha.vs"],
        payload={"summary": "needs shelter"},
        investigation=investigation,
    )
    for key in ("alpha.case_manager", "alpha.vs_supervisor"):
        body = json.dumps(full.api(key).get(f"{API}/referrals/{referral.pk}/").json())
        assert str(investigation.pk) not in body
        assert "LEINV-alpha" not in body
        assert "INV-alpha" not in body
        page = full.client(key).get(f"{HTML}/referrals/{referral.pk}/").content.decode()
        assert "LEINV-alpha" not in page
        assert "INV-alpha" not in page
        assert str(investigation.pk) not in page
        for url in (
            f"{API}/investigations/{investigation.pk}/",
            f"{API}/tips/{full.records['alpha.tip'].pk}/",
        ):
            assert full.api(key).get(url).status_code == 404
    # Certification: the certifier sees neither the client's name nor the case id.
    cert = full.records["alpha.certification"]
    for key in ("alpha.investigator", "alpha.prosecutor", "alpha.le_supervisor"):
        for url in (f"{HTML}/certifications/", f"{HTML}/certifications/{cert.pk}/"):
            page = full.client(key).get(url).content.decode()
            assert "CERTCLIENT" not in page, (key, url)
            assert str(cert.case_id) not in page, (key, url)
        for url in (f"{API}/certifications/", f"{API}/certifications/{cert.pk}/"):
            body = json.dumps(full.api(key).get(url).json())
            assert "CERTCLIENT" not in body, (key, url)
            assert str(cert.case_id) not in body, (key, url)


# --------------------------------------------------------------------------- mass assignment


def test_tip_status_and_placement_cannot_be_patched(full: World) -> None:
    tip = full.records["alpha.tip"]
    api = full.api("alpha.investigator")
    for status in ("converted", "closed", "merged", "assigned"):
        response = api.patch(f"{API}/tips/{tip.pk}/", {"status": status}, format="json")
        assert response.status_code == 400, status
    api.patch(
        f"{API}/tips/{tip.pk}/",
        {
            "task_force": str(full.task_forces["beta"].pk),
            "investigation": str(full.records["alpha.investigation"].pk),
            "assigned_to": str(full.users["alpha.investigator"].pk),
            "entered_by": str(full.users["alpha.detective"].pk),
            "via_public_form": True,
            "merged_into": str(full.records["beta.tip"].pk),
        },
        format="json",
    )
    fresh = Tip.objects.get(pk=tip.pk)
    assert fresh.status == Tip.Status.NEW
    assert fresh.task_force_id == full.task_forces["alpha"].pk
    assert fresh.investigation_id is None
    assert fresh.assigned_to_id is None
    assert fresh.merged_into_id is None
    assert not fresh.via_public_form


def test_referral_and_case_placement_fields_cannot_be_forged(full: World) -> None:
    referral = full.records["alpha.referral"]
    api = full.api("alpha.case_manager")
    for method in ("patch", "put"):
        response = getattr(api, method)(
            f"{API}/referrals/{referral.pk}/", {"status": "accepted"}, format="json"
        )
        assert response.status_code in (403, 404, 405)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT
    # A referral created with forged placement fields lands where the actor is.
    response = full.api("alpha.investigator").post(
        f"{API}/referrals/",
        {
            "to_agency": str(full.agencies["alpha.vs"].pk),
            "summary": "x",
            "from_agency": str(full.agencies["alpha.pd"].pk),
            "status": "accepted",
            "sent_by": str(full.users["alpha.detective"].pk),
            "task_force": str(full.task_forces["beta"].pk),
        },
        format="json",
    )
    assert response.status_code == 201
    created = Referral.objects.get(pk=response.json()["id"])
    assert created.from_agency_id == full.agencies["alpha.da"].pk
    assert created.status == Referral.Status.SENT
    assert created.sent_by_id == full.users["alpha.investigator"].pk
    # A case's agency and client cannot be moved by PATCH.
    case = full.records["alpha.case"]
    full.api("alpha.case_manager").patch(
        f"{API}/cases/{case.pk}/",
        {"agency": str(full.agencies["alpha.vs2"].pk), "client": str(uuid.uuid4()), "status": "bogus"},
        format="json",
    )
    case.refresh_from_db()
    assert case.agency_id == full.agencies["alpha.vs"].pk
    # A note's author and privilege cannot be forged to hide it from / pin it on someone.
    response = full.api("alpha.case_manager").post(
        f"{API}/cases/{case.pk}/notes/",
        {
            "text": "plain",
            "author": str(full.users["alpha.vs_supervisor"].pk),
            "agency": str(full.agencies["alpha.vs2"].pk),
        },
        format="json",
    )
    assert response.status_code == 201
    note = CaseNote.objects.get(pk=response.json()["id"])
    assert note.author_id == full.users["alpha.case_manager"].pk
    assert note.agency_id == case.agency_id


# -------------------------------------------------------------------------------------- XSS


def test_free_text_is_escaped_on_every_page(full: World) -> None:
    cm = full.actor("alpha.case_manager")
    case = full.records["alpha.case"]
    case_services.note_add(actor=cm, case=case, text=XSS)
    case_services.plan_item_add(actor=cm, case=case, need="emergency_shelter", goal=XSS)
    investigator = full.actor("alpha.investigator")
    tip = ref_services.tip_create(
        actor=investigator, data={"narrative": XSS, "source": "hotline", "city": XSS}
    )
    inv = ref_services.investigation_create(actor=investigator, data={"title": XSS, "summary": XSS})
    ref_services.suspect_add(actor=investigator, investigation=inv, data={"full_name": XSS, "aliases": XSS})
    referral = ref_services.referral_send(
        actor=investigator,
        to_agency=full.agencies["alpha.vs"],
        payload={"summary": XSS, "name_or_alias": XSS, "safe_contact": XSS, "language": XSS},
    )
    coordinator = full.actor("alpha.coordinator")
    meeting = full.records["alpha.mdt_meeting"]
    mdt_services.meeting_update(actor=coordinator, meeting=meeting, data={"minutes": XSS, "place": XSS})
    review = mdt_services.review_add(actor=cm, meeting=meeting, data={"summary": XSS, "needs_barriers": XSS})
    mdt_services.review_update(
        actor=coordinator, review=review, data={"decisions": XSS, "recommendations": XSS}
    )
    mdt_services.guest_sign(actor=coordinator, meeting=meeting, guest_name=XSS, guest_organization=XSS)
    probes = {
        "alpha.case_manager": [
            f"{HTML}/cases/{case.pk}/",
            f"{HTML}/referrals/{referral.pk}/",
            f"{HTML}/referrals/",
        ],
        "alpha.investigator": [
            f"{HTML}/tips/{tip.pk}/",
            f"{HTML}/tips/",
            f"{HTML}/investigations/{inv.pk}/",
            f"{HTML}/investigations/",
            f"{HTML}/referrals/sent/",
            f"{HTML}/referrals/{referral.pk}/",
        ],
        "alpha.coordinator": [
            f"{HTML}/mdt/meetings/{meeting.pk}/",
            f"{HTML}/mdt/meetings/{meeting.pk}/print/",
            f"{HTML}/mdt/reviews/{review.pk}/",
            f"{HTML}/mdt/meetings/",
            f"{HTML}/",
        ],
    }
    for key, urls in probes.items():
        client = full.client(key)
        for url in urls:
            page = client.get(url).content.decode()
            assert XSS not in page, (key, url)


# ------------------------------------------------------------------------------------ audit


def test_domain_reads_are_audited_without_content(full: World) -> None:
    referral, _ = _vs_to_le_referral(full)
    reads = [
        ("alpha.case_manager", f"{HTML}/cases/{full.records['alpha.case'].pk}/", "case.viewed"),
        ("alpha.investigator", f"{HTML}/tips/{full.records['alpha.tip'].pk}/", "tip.viewed"),
        (
            "alpha.investigator",
            f"{HTML}/investigations/{full.records['alpha.investigation'].pk}/",
            "investigation.viewed",
        ),
        ("alpha.investigator", f"{HTML}/referrals/{referral.pk}/", "referral.viewed"),
        ("alpha.coordinator", f"{HTML}/mdt/reviews/{full.records['alpha.mdt_review'].pk}/", "review.viewed"),
        ("alpha.case_manager", f"{API}/cases/{full.records['alpha.case'].pk}/", "case.viewed"),
        ("alpha.investigator", f"{API}/tips/{full.records['alpha.tip'].pk}/", "tip.viewed"),
        (
            "alpha.investigator",
            f"{API}/investigations/{full.records['alpha.investigation'].pk}/",
            "investigation.viewed",
        ),
        ("alpha.investigator", f"{API}/referrals/{referral.pk}/", "referral.viewed"),
        ("alpha.coordinator", f"{API}/mdt/reviews/{full.records['alpha.mdt_review'].pk}/", "review.viewed"),
        (
            "alpha.investigator",
            f"{API}/certifications/{full.records['alpha.certification'].pk}/",
            "certification.viewed",
        ),
    ]
    for key, url, action in reads:
        before = AuditEvent.objects.filter(action=action, user_id=full.users[key].pk).count()
        getter = full.api(key) if url.startswith("/api/") else full.client(key)
        assert getter.get(url).status_code == 200, url
        assert AuditEvent.objects.filter(action=action, user_id=full.users[key].pk).count() == before + 1, url
    markers = (
        "VSCLIENT",
        "VSNOTE",
        "VSPRIVILEGED",
        "VSCONSENT",
        "VSSERVICE",
        "LETIP",
        "LEINV",
        "LESUSPECT",
        "REFPAYLOAD",
        "VSREFPAYLOAD",
        "VSREFNAME",
        "MDTREVIEW",
        "MDTITEM",
        "MDTPLACE",
        "CERTCLIENT",
        "Marker",
    )
    for detail in AuditEvent.objects.values_list("detail", flat=True):
        text = json.dumps(detail)
        assert not any(m in text for m in markers), text


# ------------------------------------------------------------------------------- reporting


def test_reports_and_exports_stay_in_scope(full: World) -> None:
    month = f"{_today():%Y-%m}"
    # A delivery in another VS agency this month must not reach the VS supervisor's figures.
    legal = full.actor("alpha.other_agency_cm")
    other_case = case_services.intake_create(
        actor=legal, client={"first_name": "L", "last_name": "A"}, case={"opened_on": _today().replace(day=1)}
    )
    for _ in range(3):
        case_services.service_record(
            actor=legal, case=other_case, service_type="legal_civil", delivered_on=_today().replace(day=1)
        )
    sup = full.api("alpha.vs_supervisor").get(f"{API}/reports/monthly/?month={month}").json()
    values = {row["code"]: row["value"] for row in sup["measures"]}
    assert values.get("services.legal_civil.deliveries", 0) == 0
    assert not any(code.startswith(("tips_", "investigations_", "training.")) for code in values)
    for key in ("alpha.case_manager", "alpha.tenant_admin", "beta.vs_supervisor"):
        api = full.api(key)
        assert api.get(f"{API}/reports/monthly/?month={month}").status_code == 404
        assert (
            api.post(f"{API}/exports/", {"month": month, "format": "csv"}, format="json").status_code == 404
        )
        assert full.client(key).get(f"{HTML}/reports/").status_code == 404
    # Another user's export (same task force, same role) is 404 on detail and download.
    from reporting import services as report_services

    export = report_services.export_request(
        actor=full.actor("alpha.analyst"), month=_today().replace(day=1), file_format="csv"
    )
    report_services.export_run(export_id=export.pk, task_force_id=full.task_forces["alpha"].pk)
    for key in ("alpha.coordinator", "alpha.investigator", "alpha.vs_supervisor"):
        api = full.api(key)
        assert api.get(f"{API}/exports/{export.pk}/").status_code == 404, key
        assert api.get(f"{API}/exports/{export.pk}/download/").status_code == 404, key
        assert full.client(key).get(f"{HTML}/reports/exports/{export.pk}/download/").status_code == 404, key


def test_training_titles_cannot_inject_formulas_into_exports(full: World) -> None:
    from reporting import exports

    rows = {"activity": [{"code": "=cmd|' /C calc'!A0", "label": "+SUM(A1)", "value": 1}]}
    text = exports.csv_bytes(rows, coalition=True).decode()
    assert "\n=cmd" not in text
    assert ",+SUM" not in text
    assert "<5" in text


# ----------------------------------------------------------------------------- public form


def test_public_tip_form_oracle_honeypot_and_reference(world: World) -> None:
    from django.test import Client

    cache.clear()
    unknown = Client().get("/public/no-such-task-force/tip/")
    disabled = Client().get("/public/alpha/tip/")
    assert unknown.status_code == disabled.status_code == 404
    assert unknown.content == disabled.content
    assert Client().post("/public/alpha/tip/", {"narrative": "x"}).status_code == 404
    TaskForce.objects.filter(slug="alpha").update(public_tip_form_enabled=True)
    before = Tip.objects.count()
    bot = Client().post("/public/alpha/tip/", {"narrative": "spam", "website": "http://x"})
    human = Client().post("/public/alpha/tip/", {"narrative": "I saw something", "city": XSS})
    assert bot.status_code == human.status_code == 200
    assert Tip.objects.count() == before + 1
    tip = Tip.objects.latest("created_at")
    assert str(tip.pk) not in human.content.decode()
    assert str(tip.pk)[:8] not in human.content.decode()
    # The throttle counts per address and cannot be reset by forwarded headers.
    statuses = [
        Client(HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
        .post("/public/alpha/tip/", {"narrative": f"t{n}"})
        .status_code
        for n in range(8)
    ]
    assert 429 in statuses
    cache.clear()


# --------------------------------------------------------------------------- malformed input


def test_period_report_months_with_a_non_ascii_digit_is_400_not_500(full: World) -> None:
    """``"\u00b2".isdigit()`` is true but ``int("\u00b2")`` raises: the period report answers 500."""
    api = full.api("alpha.vs_supervisor")
    response = api.get(f"{API}/reports/period/?from=2024-10&months=%C2%B2")
    assert response.status_code == 400


def test_malformed_input_is_400_or_404_never_500(full: World) -> None:
    case = full.records["alpha.case"]
    huge = "x" * 200_000
    api_probes = [
        ("alpha.vs_supervisor", "get", f"{API}/reports/monthly/?month=2024-13", None),
        ("alpha.vs_supervisor", "get", f"{API}/reports/monthly/?month=%00", None),
        (
            "alpha.vs_supervisor",
            "get",
            f"{API}/reports/period/?from=2024-10&months=99999999999999999999999",
            None,
        ),
        ("alpha.analyst", "post", f"{API}/exports/", {"month": "24-1", "format": "csv"}),
        ("alpha.analyst", "post", f"{API}/exports/", {"month": ["2024-01"], "format": {"a": 1}}),
        (
            "alpha.case_manager",
            "post",
            f"{API}/cases/{case.pk}/services/",
            {"service_type": "legal_civil", "delivered_on": "2024-02-30"},
        ),
        (
            "alpha.case_manager",
            "post",
            f"{API}/cases/{case.pk}/services/",
            {"service_type": "legal_civil", "delivered_on": "99999-01-01"},
        ),
        ("alpha.case_manager", "post", f"{API}/cases/{case.pk}/notes/", {"text": huge}),
        ("alpha.case_manager", "post", f"{API}/cases/{case.pk}/notes/", {"text": ["a", "b"]}),
        (
            "alpha.case_manager",
            "post",
            f"{API}/cases/{case.pk}/consents/",
            {"recipient_agency": "not-a-uuid", "scope": "identity"},
        ),
        (
            "alpha.case_manager",
            "post",
            f"{API}/cases/{case.pk}/screenings/",
            {"form": "short", "answers": ["yes"]},
        ),
        ("alpha.case_manager", "post", f"{API}/cases/", {"client": "bob"}),
        (
            "alpha.case_manager",
            "post",
            f"{API}/cases/",
            {"client": {"first_name": "a", "last_name": "b", "date_of_birth": "0000-00-00"}},
        ),
        ("alpha.case_manager", "patch", f"{API}/cases/{case.pk}/", {"status": ["closed"]}),
        ("alpha.case_manager", "post", f"{API}/referrals/", {"to_agency": 12, "summary": None}),
        (
            "alpha.investigator",
            "post",
            f"{API}/tips/",
            {"narrative": "x", "source": "hotline", "received_at": "yesterday"},
        ),
        (
            "alpha.investigator",
            "post",
            f"{API}/tips/",
            {"narrative": "x", "source": "hotline", "potential_victims": 10**30},
        ),
        ("alpha.investigator", "post", f"{API}/investigations/", {"team": "all"}),
        ("alpha.investigator", "post", f"{API}/investigations/", {"case_number": "\x00"}),
        (
            "alpha.investigator",
            "post",
            f"{API}/investigations/{full.records['alpha.investigation'].pk}/suspects/",
            {"full_name": "a", "phones": "123"},
        ),
        (
            "alpha.coordinator",
            "post",
            f"{API}/mdt/meetings/",
            {"team": str(full.records["alpha.mdt_team"].pk), "starts_at": "not a time"},
        ),
        (
            "alpha.coordinator",
            "patch",
            f"{API}/mdt/meetings/{full.records['alpha.mdt_meeting'].pk}/",
            {"minutes": huge},
        ),
        (
            "alpha.coordinator",
            "post",
            f"{API}/mdt/action-items/",
            {"meeting": "../..", "description": "d", "due_on": "x"},
        ),
    ]
    for key, method, url, body in api_probes:
        api = full.api(key)
        response = (
            getattr(api, method)(url, body, format="json") if body is not None else getattr(api, method)(url)
        )
        assert response.status_code in (400, 404, 405, 413), (key, method, url, response.status_code)
    # List filters may be ignored, never crash.
    for url in (f"{API}/mdt/meetings/?team=not-a-uuid", f"{API}/mdt/reviews/?meeting=%ZZ&status=%00"):
        assert full.api("alpha.coordinator").get(url).status_code < 500, url
    for key, url in [
        ("alpha.case_manager", f"{API}/cases/not-a-uuid/"),
        ("alpha.case_manager", f"{API}/consents/123/"),
        ("alpha.investigator", f"{API}/referrals/00000000-0000-0000-0000-00000000000g/"),
        ("alpha.coordinator", f"{API}/mdt/reviews/{'1' * 40}/"),
    ]:
        assert full.api(key).get(url).status_code == 404, url
    html_probes = [
        ("alpha.case_manager", f"{HTML}/cases/?before=not-a-date"),
        ("alpha.case_manager", f"{HTML}/cases/?before=9999-12-31T23:59:59%2B14:00"),
        ("alpha.vs_supervisor", f"{HTML}/cases/?manager=not-a-uuid"),
        ("alpha.vs_supervisor", f"{HTML}/cases/?manager={uuid.uuid4()}"),
        ("alpha.case_manager", f"{HTML}/cases/?manager={full.memberships['alpha.case_manager'].pk}"),
        ("alpha.investigator", f"{HTML}/tips/?before=9999-99-99_x"),
        ("alpha.investigator", f"{HTML}/referrals/?page=0"),
        ("alpha.investigator", f"{HTML}/referrals/?page=99999999999999999999"),
        ("alpha.vs_supervisor", f"{HTML}/reports/?month=2024-00"),
        ("alpha.vs_supervisor", f"{HTML}/reports/?month=9999-12"),
        ("alpha.coordinator", f"{HTML}/training/?before=2024-01-01_zz"),
        ("alpha.coordinator", f"{HTML}/outreach/?before=0000-01-01_{uuid.uuid4()}"),
        ("alpha.case_manager", f"{HTML}/cases/{case.pk}/screenings/new/?form=../../etc"),
    ]
    for key, url in html_probes:
        response = full.client(key).get(url)
        assert response.status_code in (200, 400, 403, 404), (key, url, response.status_code)
