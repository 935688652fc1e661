"""The law-enforcement API (tips, investigations, prosecutions) and the bridge (referrals,
certification requests).

Who may: LE roles on LE records (restricted investigations: their team and LE supervisors), the
coordinator on tips (read and write) and unrestricted investigations and prosecutions (read);
everyone else 404 on every LE route, collections included. Referrals: the sending and receiving
agencies (payload), the coordinator (envelope). Certification requests: the requesting VS agency
(with the case) and the certifying LE agency (without it).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import Consent
from referrals.models import CertificationRequest, Investigation, Referral, Suspect, Tip
from taskforce.models import AuditEvent
from tests.world import World, local_today

pytestmark = pytest.mark.django_db

NOBODY_ON_LE = (
    "alpha.case_manager",
    "alpha.vs_supervisor",
    "alpha.other_agency_cm",
    "alpha.tenant_admin",
    "alpha.analyst",
    "beta.investigator",
    "beta.le_supervisor",
    "beta.coordinator",
)


def url(name: str, tf: str = "alpha", **kwargs: Any) -> str:
    return reverse(f"api:{name}", kwargs={"task_force": tf, **kwargs})


def today() -> dt.date:
    return local_today()


def audits(action: str, **filters: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, **filters).order_by("seq"))


def post(world: World, key: str, name: str, body: Any = None, expect: int = 200, **kwargs: Any) -> Any:
    response = world.api(key).post(url(name, tf=world.slug(key), **kwargs), body or {}, format="json")
    assert response.status_code == expect, response.content
    return response.json()


def create_tip(world: World, key: str = "alpha.investigator", **extra: Any) -> dict:
    body = {
        "narrative": "TIP-MARKER seen at the motel",
        "trafficking_type": "sex",
        "source": "hotline",
        **extra,
    }
    return post(world, key, "tip-list", body, expect=201)


def create_investigation(world: World, key: str = "alpha.investigator", **extra: Any) -> dict:
    body = {"title": "Operation Marker", "trafficking_type": "labor", **extra}
    return post(world, key, "investigation-list", body, expect=201)


def create_case(world: World, key: str = "alpha.case_manager") -> dict:
    body = {"client": {"first_name": "Ana", "last_name": "Client"}, "trafficking_type": "labor"}
    return post(world, key, "case-list", body, expect=201)


def create_consent(
    world: World, case_id: str, agency: str = "alpha.da", key: str = "alpha.case_manager"
) -> dict:
    body = {
        "recipient_agency": str(world.agencies[agency].pk),
        "scope": ["identity", "case_summary", "contact"],
        "purpose": "Report to law enforcement",
        "signed_by": "Ana",
    }
    return post(world, key, "case-consents", body, expect=201, pk=case_id)


# =============================================================================================== tips


def test_no_credentials_is_401(world: World) -> None:
    for name in ("tip-list", "investigation-list", "prosecution-list", "referral-list", "certification-list"):
        assert APIClient().get(url(name)).status_code == 401


def test_tip_create_read_list_is_audited_and_ignores_placing_fields(world: World) -> None:
    beta = world.task_forces["beta"]
    tip = create_tip(
        world,
        task_force=str(beta.pk),
        entered_by=str(world.users["alpha.detective"].pk),
        status="closed",
        via_public_form=True,
    )
    stored = Tip.objects.get(pk=tip["id"])
    assert stored.task_force_id == world.task_forces["alpha"].pk
    assert stored.entered_by_id == world.users["alpha.investigator"].pk
    assert tip["status"] == "new"
    assert tip["via_public_form"] is False
    assert tip["source"] == "hotline"
    uuid.UUID(tip["id"])

    api = world.api("alpha.detective")
    listed = api.get(url("tip-list"))
    assert listed.status_code == 200
    assert set(listed.json()) >= {"results", "next"}
    assert [row["id"] for row in listed.json()["results"]] == [tip["id"]]
    assert audits("tip.listed")[-1].detail == {"count": 1}
    detail = api.get(url("tip-detail", pk=tip["id"]))
    assert detail.status_code == 200
    assert detail.json()["narrative"] == "TIP-MARKER seen at the motel"
    assert audits("tip.viewed")[-1].target_id == tip["id"]


def test_tip_create_validation(world: World) -> None:
    api = world.api("alpha.investigator")
    response = api.post(url("tip-list"), {"narrative": "", "source": "nowhere"}, format="json")
    assert response.status_code == 400
    assert {"narrative", "source"} <= set(response.json())
    future = (timezone.now() + dt.timedelta(days=2)).isoformat()
    response = api.post(
        url("tip-list"), {"narrative": "x", "source": "hotline", "received_at": future}, format="json"
    )
    assert response.status_code == 400
    assert "received_at" in response.json()
    assert not Tip.objects.exists()


def test_tip_patch_facts_and_triage_only(world: World) -> None:
    tip = create_tip(world)
    api = world.api("alpha.investigator")
    response = api.patch(
        url("tip-detail", pk=tip["id"]), {"city": "Martinez", "status": "triaged"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["city"] == "Martinez"
    assert response.json()["status"] == "triaged"
    response = api.patch(url("tip-detail", pk=tip["id"]), {"status": "closed"}, format="json")
    assert response.status_code == 400
    assert Tip.objects.get(pk=tip["id"]).status == "triaged"
    assert api.put(url("tip-detail", pk=tip["id"]), {}, format="json").status_code == 405
    assert api.delete(url("tip-detail", pk=tip["id"])).status_code == 405


def test_tip_assign_close_merge(world: World) -> None:
    tip = create_tip(world)
    detective = world.users["alpha.detective"]
    assigned = post(world, "alpha.investigator", "tip-assign", {"user": str(detective.pk)}, pk=tip["id"])
    assert assigned["status"] == "assigned"
    assert assigned["assigned_to"] == str(detective.pk)
    # Not an LE member, another task force's user, a random id, garbage: 400.
    for user in (
        world.users["alpha.case_manager"].pk,
        world.users["beta.investigator"].pk,
        uuid.uuid4(),
        "x",
    ):
        post(world, "alpha.investigator", "tip-assign", {"user": str(user)}, expect=400, pk=tip["id"])

    closed = post(world, "alpha.investigator", "tip-close", {"close_reason": "insufficient"}, pk=tip["id"])
    assert closed["status"] == "closed"
    assert closed["close_reason"] == "insufficient"
    post(world, "alpha.investigator", "tip-close", {"close_reason": "other"}, expect=400, pk=tip["id"])
    response = world.api("alpha.investigator").patch(
        url("tip-detail", pk=tip["id"]), {"city": "X"}, format="json"
    )
    assert response.status_code == 400

    first, duplicate = create_tip(world), create_tip(world)
    post(world, "alpha.investigator", "tip-merge", {"into": duplicate["id"]}, expect=400, pk=duplicate["id"])
    beta_tip = create_tip(world, "beta.investigator")
    body = post(
        world, "alpha.investigator", "tip-merge", {"into": beta_tip["id"]}, expect=400, pk=duplicate["id"]
    )
    assert "does not exist" in json.dumps(body)
    merged = post(world, "alpha.investigator", "tip-merge", {"into": first["id"]}, pk=duplicate["id"])
    assert merged["status"] == "merged"
    assert merged["merged_into"] == first["id"]


def test_tip_convert_new_and_existing(world: World) -> None:
    tip = create_tip(world)
    investigation = post(
        world, "alpha.investigator", "tip-convert", {"title": "From a tip"}, expect=201, pk=tip["id"]
    )
    assert investigation["title"] == "From a tip"
    assert investigation["trafficking_type"] == "sex"
    assert investigation["lead_agency"]["id"] == str(world.agencies["alpha.da"].pk)
    assert Tip.objects.get(pk=tip["id"]).status == "converted"

    other = create_tip(world)
    linked = post(
        world, "alpha.investigator", "tip-convert", {"investigation": investigation["id"]}, pk=other["id"]
    )
    assert linked["id"] == investigation["id"]
    assert Tip.objects.get(pk=other["id"]).investigation_id == uuid.UUID(investigation["id"])


def test_coordinator_works_tips_but_not_investigation_internals(world: World) -> None:
    tip = create_tip(world, "alpha.coordinator")
    response = world.api("alpha.coordinator").patch(
        url("tip-detail", pk=tip["id"]), {"status": "triaged"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "triaged"
    post(world, "alpha.coordinator", "tip-convert", {}, expect=403, pk=tip["id"])
    assert Tip.objects.get(pk=tip["id"]).status == "triaged"

    investigation = create_investigation(world)
    post(
        world,
        "alpha.investigator",
        "investigation-suspects",
        {"full_name": "Sus Pect"},
        expect=201,
        pk=investigation["id"],
    )
    coordinator = world.api("alpha.coordinator")
    detail = coordinator.get(url("investigation-detail", pk=investigation["id"]))
    assert detail.status_code == 200
    assert "team" not in detail.json()
    assert b"Sus Pect" not in detail.content
    response = coordinator.patch(
        url("investigation-detail", pk=investigation["id"]), {"title": "x"}, format="json"
    )
    assert response.status_code == 403
    assert Investigation.objects.get(pk=investigation["id"]).title == "Operation Marker"
    for name in (
        "investigation-suspects",
        "investigation-victims",
        "investigation-arrests",
        "investigation-team",
    ):
        assert coordinator.get(url(name, pk=investigation["id"])).status_code == 404, name
        assert coordinator.post(url(name, pk=investigation["id"]), {}, format="json").status_code == 404
    post(world, "alpha.coordinator", "investigation-list", {"title": "mine"}, expect=403)


@pytest.mark.parametrize("key", NOBODY_ON_LE)
def test_le_routes_are_404_for_everyone_else(world: World, key: str) -> None:
    tip = create_tip(world)
    investigation = create_investigation(world)
    prosecution = post(
        world,
        "alpha.prosecutor",
        "prosecution-list",
        {"investigation": investigation["id"], "court": "Superior Court", "court_case_number": "CR-1"},
        expect=201,
    )
    api = world.api(key)
    gets = [
        url("tip-list"),
        url("tip-detail", pk=tip["id"]),
        url("investigation-list"),
        url("investigation-detail", pk=investigation["id"]),
        url("investigation-suspects", pk=investigation["id"]),
        url("investigation-team", pk=investigation["id"]),
        url("prosecution-list"),
        url("prosecution-detail", pk=prosecution["id"]),
        url("prosecution-defendants", pk=prosecution["id"]),
    ]
    for target in gets:
        response = api.get(target)
        assert response.status_code == 404, (target, response.status_code)
        assert b"TIP-MARKER" not in response.content
    posts = [
        url("tip-list"),
        url("tip-assign", pk=tip["id"]),
        url("tip-close", pk=tip["id"]),
        url("tip-convert", pk=tip["id"]),
        url("investigation-list"),
        url("investigation-suspects", pk=investigation["id"]),
        url("prosecution-list"),
    ]
    for target in posts:
        body = {"narrative": "x", "source": "hotline", "close_reason": "other"}
        assert api.post(target, body, format="json").status_code == 404, target
    assert api.patch(url("tip-detail", pk=tip["id"]), {"city": "x"}, format="json").status_code == 404
    assert Tip.objects.get(pk=tip["id"]).status == "new"
    assert Tip.objects.count() == 1


def test_superuser_without_membership_gets_404(world: World) -> None:
    tip = create_tip(world)
    api = APIClient()
    api.force_authenticate(world.users["superuser"])
    assert api.get(url("tip-list")).status_code == 404
    assert api.get(url("tip-detail", pk=tip["id"])).status_code == 404


# ================================================================================ investigations


def test_restricted_investigation_team_and_supervisor(world: World) -> None:
    restricted = create_investigation(world, "alpha.le_supervisor", restricted=True, title="Hidden op")
    assert restricted["restricted"] is True
    investigator = world.api("alpha.investigator")
    assert investigator.get(url("investigation-detail", pk=restricted["id"])).status_code == 404
    assert investigator.get(url("investigation-suspects", pk=restricted["id"])).status_code == 404
    listed = investigator.get(url("investigation-list")).json()["results"]
    assert restricted["id"] not in [row["id"] for row in listed]
    # Not on the team: cannot add themselves either (it does not exist for them).
    membership = str(world.memberships["alpha.investigator"].pk)
    post(
        world,
        "alpha.investigator",
        "investigation-team",
        {"membership": membership},
        expect=404,
        pk=restricted["id"],
    )

    supervisor = world.api("alpha.le_supervisor")
    detail = supervisor.get(url("investigation-detail", pk=restricted["id"]))
    assert detail.status_code == 200
    assert detail.json()["team"] == [str(world.memberships["alpha.le_supervisor"].pk)]
    team = post(
        world, "alpha.le_supervisor", "investigation-team", {"membership": membership}, pk=restricted["id"]
    )
    assert membership in [row["id"] for row in team]
    assert investigator.get(url("investigation-detail", pk=restricted["id"])).status_code == 200
    assert audits("investigation.team_added")

    # A VS member cannot join; a beta membership does not exist here.
    vs = str(world.memberships["alpha.case_manager"].pk)
    post(
        world,
        "alpha.le_supervisor",
        "investigation-team",
        {"membership": vs},
        expect=400,
        pk=restricted["id"],
    )
    beta = str(world.memberships["beta.investigator"].pk)
    post(
        world,
        "alpha.le_supervisor",
        "investigation-team",
        {"membership": beta},
        expect=400,
        pk=restricted["id"],
    )

    post(
        world,
        "alpha.le_supervisor",
        "investigation-team-remove",
        {"membership": membership},
        pk=restricted["id"],
    )
    assert investigator.get(url("investigation-detail", pk=restricted["id"])).status_code == 404
    # The coordinator never sees restricted ones.
    assert (
        world.api("alpha.coordinator").get(url("investigation-detail", pk=restricted["id"])).status_code
        == 404
    )


def test_investigation_create_with_team_and_patch(world: World) -> None:
    detective = str(world.memberships["alpha.detective"].pk)
    investigation = create_investigation(
        world, restricted=True, team=[detective], lead_agency=str(world.agencies["alpha.pd"].pk)
    )
    assert investigation["lead_agency"]["id"] == str(world.agencies["alpha.da"].pk)
    assert detective in investigation["team"]
    assert (
        world.api("alpha.detective").get(url("investigation-detail", pk=investigation["id"])).status_code
        == 200
    )
    response = world.api("alpha.detective").patch(
        url("investigation-detail", pk=investigation["id"]), {"status": "closed"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "closed"
    assert response.json()["closed_on"] == today().isoformat()
    response = world.api("alpha.detective").patch(
        url("investigation-detail", pk=investigation["id"]), {"restricted": "maybe"}, format="json"
    )
    assert response.status_code == 400


def test_suspect_deconfliction_names_only_the_lead_agency(world: World) -> None:
    hidden = create_investigation(world, "alpha.le_supervisor", restricted=True, title="SECRET-TITLE")
    post(
        world,
        "alpha.le_supervisor",
        "investigation-suspects",
        {"full_name": "John Marker", "phones": ["(925) 555-0101"]},
        expect=201,
        pk=hidden["id"],
    )
    mine = create_investigation(world, "alpha.detective", title="PD op")
    body = post(
        world,
        "alpha.detective",
        "investigation-suspects",
        {"full_name": "john  marker", "phones": ["925-555-0101"], "plates": ["7abc123"]},
        expect=201,
        pk=mine["id"],
    )
    assert body["suspect"]["full_name"] == "john  marker"
    assert body["suspect"]["phones"] == ["9255550101"]
    assert body["deconfliction"]
    for message in body["deconfliction"]:
        assert message.endswith("led by District Attorney; contact its lead.")
    text = json.dumps(body)
    assert "SECRET-TITLE" not in text
    assert hidden["case_number"] not in text
    assert hidden["id"] not in text

    listed = world.api("alpha.detective").get(url("investigation-suspects", pk=mine["id"]))
    assert [row["id"] for row in listed.json()["results"]] == [body["suspect"]["id"]]
    assert audits("suspect.listed")[-1].detail == {"count": 1}


def test_victims_and_arrests(world: World) -> None:
    investigation = create_investigation(world)
    suspect = post(
        world,
        "alpha.investigator",
        "investigation-suspects",
        {"full_name": "A B"},
        expect=201,
        pk=investigation["id"],
    )["suspect"]
    victim = post(
        world,
        "alpha.investigator",
        "investigation-victims",
        {"name_or_alias": "V", "age_group": "adult"},
        expect=201,
        pk=investigation["id"],
    )
    assert victim["age_group"] == "adult"
    arrest = post(
        world,
        "alpha.investigator",
        "investigation-arrests",
        {"suspect": suspect["id"], "arrested_on": today().isoformat()},
        expect=201,
        pk=investigation["id"],
    )
    assert arrest["arresting_agency"]["id"] == str(world.agencies["alpha.da"].pk)
    api = world.api("alpha.investigator")
    assert len(api.get(url("investigation-victims", pk=investigation["id"])).json()["results"]) == 1
    assert len(api.get(url("investigation-arrests", pk=investigation["id"])).json()["results"]) == 1
    # A suspect of another investigation: 400.
    other = create_investigation(world, title="Other")
    post(
        world,
        "alpha.investigator",
        "investigation-arrests",
        {"suspect": suspect["id"], "arrested_on": today().isoformat()},
        expect=400,
        pk=other["id"],
    )


# ================================================================================== prosecutions


def test_prosecution_defendants_charges_disposition(world: World) -> None:
    investigation = create_investigation(world)
    suspect = post(
        world,
        "alpha.investigator",
        "investigation-suspects",
        {"full_name": "Def Endant"},
        expect=201,
        pk=investigation["id"],
    )["suspect"]
    body = {
        "investigation": investigation["id"],
        "court": "Superior Court",
        "court_case_number": "CR-22-1",
        "venue": "state",
        "filed_on": today().isoformat(),
        "created_by": str(world.users["alpha.investigator"].pk),
    }
    post(world, "alpha.investigator", "prosecution-list", body, expect=403)
    prosecution = post(world, "alpha.prosecutor", "prosecution-list", body, expect=201)
    assert prosecution["investigation"] == investigation["id"]
    assert prosecution["stage"] == "filed"

    patched = world.api("alpha.prosecutor").patch(
        url("prosecution-detail", pk=prosecution["id"]), {"stage": "trial"}, format="json"
    )
    assert patched.status_code == 200
    assert patched.json()["stage"] == "trial"
    response = world.api("alpha.investigator").patch(
        url("prosecution-detail", pk=prosecution["id"]), {"stage": "closed"}, format="json"
    )
    assert response.status_code == 403

    defendant = post(
        world,
        "alpha.prosecutor",
        "prosecution-defendants",
        {"suspect": suspect["id"]},
        expect=201,
        pk=prosecution["id"],
    )
    assert defendant["full_name"] == "Def Endant"
    assert defendant["charges"] == []
    post(
        world,
        "alpha.prosecutor",
        "prosecution-defendants",
        {"suspect": suspect["id"]},
        expect=400,
        pk=prosecution["id"],
    )
    charge = post(
        world,
        "alpha.prosecutor",
        "prosecution-defendant-charges",
        {"statute": "PC 236.1", "counts": 2},
        expect=201,
        pk=prosecution["id"],
        defendant_id=defendant["id"],
    )
    assert charge["is_trafficking"] is True
    post(
        world,
        "alpha.investigator",
        "prosecution-defendant-charges",
        {"statute": "PC 266h"},
        expect=403,
        pk=prosecution["id"],
        defendant_id=defendant["id"],
    )
    post(
        world,
        "alpha.prosecutor",
        "prosecution-defendant-charges",
        {"statute": "PC 266h"},
        expect=404,
        pk=prosecution["id"],
        defendant_id=uuid.uuid4(),
    )
    disposed = post(
        world,
        "alpha.prosecutor",
        "prosecution-defendant-disposition",
        {"disposition": "plea", "sentence": "8 years"},
        pk=prosecution["id"],
        defendant_id=defendant["id"],
    )
    assert disposed["disposition"] == "plea"
    assert [c["statute"] for c in disposed["charges"]] == ["PC 236.1"]

    listed = world.api("alpha.investigator").get(url("prosecution-defendants", pk=prosecution["id"]))
    assert listed.status_code == 200
    assert listed.json()["results"][0]["charges"][0]["counts"] == 2
    coordinator = world.api("alpha.coordinator")
    assert coordinator.get(url("prosecution-detail", pk=prosecution["id"])).status_code == 200
    assert coordinator.get(url("prosecution-defendants", pk=prosecution["id"])).status_code == 404
    assert audits("prosecution.viewed")


# ===================================================================================== referrals


def le_referral(world: World, key: str = "alpha.investigator", **extra: Any) -> dict:
    body = {
        "to_agency": str(world.agencies["alpha.vs"].pk),
        "kind": "le_to_vs",
        "summary": "REF-PAYLOAD needs shelter tonight",
        "name_or_alias": "Rosa",
        "language": "Spanish",
        "needs": ["emergency_shelter"],
        "urgency": "high",
        **extra,
    }
    return post(world, key, "referral-list", body, expect=201)


def test_le_to_vs_referral_accept_opens_a_visible_case(world: World) -> None:
    investigation = create_investigation(world)
    referral = le_referral(
        world, investigation=investigation["id"], from_agency=str(world.agencies["alpha.pd"].pk)
    )
    assert referral["kind"] == "le_to_vs"
    assert referral["status"] == "sent"
    assert referral["from_agency"] == {
        "id": str(world.agencies["alpha.da"].pk),
        "name": "District Attorney",
        "side": "law_enforcement",
    }
    assert referral["investigation"] == investigation["id"]
    assert referral["summary"].startswith("REF-PAYLOAD")

    cm = world.api("alpha.case_manager")
    seen = cm.get(url("referral-detail", pk=referral["id"]))
    assert seen.status_code == 200
    assert seen.json()["summary"].startswith("REF-PAYLOAD")
    assert {"investigation", "case", "consent"}.isdisjoint(seen.json())
    assert audits("referral.viewed")[-1].target_id == referral["id"]

    post(world, "alpha.investigator", "referral-accept", expect=403, pk=referral["id"])
    accepted = post(world, "alpha.case_manager", "referral-accept", pk=referral["id"])
    assert accepted["status"] == "accepted"
    assert accepted["decided_at"]
    case_response = cm.get(url("case-detail", pk=accepted["resulting_case"]))
    assert case_response.status_code == 200
    assert case_response.json()["client"]["first_name"] == "Rosa"
    # The sender never learns the VS case.
    sender_view = world.api("alpha.investigator").get(url("referral-detail", pk=referral["id"])).json()
    assert "resulting_case" not in sender_view
    assert sender_view["status"] == "accepted"

    post(world, "alpha.case_manager", "referral-accept", expect=409, pk=referral["id"])
    post(world, "alpha.case_manager", "referral-decline", {"reason": "full"}, expect=409, pk=referral["id"])
    post(world, "alpha.investigator", "referral-withdraw", expect=409, pk=referral["id"])
    completed = post(world, "alpha.case_manager", "referral-complete", pk=referral["id"])
    assert completed["status"] == "completed"
    post(world, "alpha.case_manager", "referral-complete", expect=409, pk=referral["id"])


def test_decline_withdraw_and_other_agencies(world: World) -> None:
    referral = le_referral(world)
    # Another VS agency does not see it at all.
    assert (
        world.api("alpha.other_agency_cm").get(url("referral-detail", pk=referral["id"])).status_code == 404
    )
    post(world, "alpha.other_agency_cm", "referral-accept", expect=404, pk=referral["id"])
    post(world, "alpha.vs_supervisor", "referral-decline", {}, expect=400, pk=referral["id"])
    declined = post(
        world, "alpha.vs_supervisor", "referral-decline", {"reason": "No beds"}, pk=referral["id"]
    )
    assert declined["status"] == "declined"
    assert declined["decline_reason"] == "No beds"
    post(world, "alpha.vs_supervisor", "referral-accept", expect=409, pk=referral["id"])

    other = le_referral(world)
    post(world, "alpha.case_manager", "referral-withdraw", expect=403, pk=other["id"])
    assert post(world, "alpha.investigator", "referral-withdraw", pk=other["id"])["status"] == "withdrawn"


def test_coordinator_sees_envelopes_only(world: World) -> None:
    referral = le_referral(world)
    coordinator = world.api("alpha.coordinator")
    detail = coordinator.get(url("referral-detail", pk=referral["id"]))
    assert detail.status_code == 200
    body = detail.json()
    assert {"id", "kind", "from_agency", "to_agency", "status", "urgency", "created_at", "decided_at"} <= set(
        body
    )
    assert {"summary", "name_or_alias", "language", "safe_contact", "needs"}.isdisjoint(body)
    assert {"case", "investigation", "consent", "resulting_case"}.isdisjoint(body)
    assert b"REF-PAYLOAD" not in detail.content
    listed = coordinator.get(url("referral-list"))
    assert b"REF-PAYLOAD" not in listed.content
    assert listed.json()["results"][0]["id"] == referral["id"]
    post(world, "alpha.coordinator", "referral-accept", expect=403, pk=referral["id"])


@pytest.mark.parametrize(
    "key", ["alpha.tenant_admin", "alpha.analyst", "beta.coordinator", "beta.case_manager"]
)
def test_referrals_are_404_for_admins_analysts_and_other_task_forces(world: World, key: str) -> None:
    referral = le_referral(world)
    api = world.api(key)
    if world.slug(key) == "alpha":
        assert api.get(url("referral-list")).status_code == 404
    assert api.get(url("referral-detail", pk=referral["id"])).status_code == 404
    assert api.post(url("referral-accept", pk=referral["id"])).status_code == 404


def test_referral_to_another_task_forces_agency_and_kind_mismatch(world: World) -> None:
    body = {"to_agency": str(world.agencies["beta.vs"].pk), "summary": "x"}
    response = world.api("alpha.investigator").post(url("referral-list"), body, format="json")
    assert response.status_code == 400
    assert "does not exist" in json.dumps(response.json()["to_agency"])

    body = {"to_agency": str(world.agencies["alpha.vs"].pk), "summary": "x", "kind": "vs_to_le"}
    response = world.api("alpha.investigator").post(url("referral-list"), body, format="json")
    assert response.status_code == 400
    assert "kind" in response.json()
    # LE to LE is not a referral.
    body = {"to_agency": str(world.agencies["alpha.pd"].pk), "summary": "x"}
    assert world.api("alpha.investigator").post(url("referral-list"), body, format="json").status_code == 400
    assert not Referral.objects.exists()
    assert not audits("referral.sent")


def vs_body(world: World, case_id: str, consent_id: str | None, **extra: Any) -> dict:
    body = {
        "to_agency": str(world.agencies["alpha.da"].pk),
        "kind": "vs_to_le",
        "summary": "VS-PAYLOAD client wishes to report",
        "name_or_alias": "Ana",
        "case": case_id,
        **extra,
    }
    if consent_id:
        body["consent"] = consent_id
    return body


def test_vs_to_le_needs_a_current_consent_for_that_agency(world: World) -> None:
    case = create_case(world)
    api = world.api("alpha.case_manager")
    # No consent.
    response = api.post(url("referral-list"), vs_body(world, case["id"], None), format="json")
    assert response.status_code == 400
    assert "consent" in response.json()
    # A consent naming another agency.
    wrong = create_consent(world, case["id"], agency="alpha.pd")
    response = api.post(url("referral-list"), vs_body(world, case["id"], wrong["id"]), format="json")
    assert response.status_code == 400
    # Expired.
    expired = create_consent(world, case["id"])
    Consent.objects.filter(pk=expired["id"]).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = api.post(url("referral-list"), vs_body(world, case["id"], expired["id"]), format="json")
    assert response.status_code == 400
    # Revoked.
    revoked = create_consent(world, case["id"])
    post(world, "alpha.case_manager", "consent-revoke", {}, pk=revoked["id"])
    response = api.post(url("referral-list"), vs_body(world, case["id"], revoked["id"]), format="json")
    assert response.status_code == 400
    # Kind mismatch with a valid consent.
    valid = create_consent(world, case["id"])
    response = api.post(
        url("referral-list"), vs_body(world, case["id"], valid["id"], kind="vs_to_vs"), format="json"
    )
    assert response.status_code == 400
    assert "kind" in response.json()
    # Another case manager's case does not exist for this one.
    response = world.api("alpha.other_agency_cm").post(
        url("referral-list"), vs_body(world, case["id"], valid["id"]), format="json"
    )
    assert response.status_code == 400
    assert not Referral.objects.exists()
    assert not audits("referral.sent")


def test_vs_to_le_receiver_loses_it_when_the_consent_is_revoked(world: World) -> None:
    case = create_case(world)
    consent = create_consent(world, case["id"])
    referral = post(
        world, "alpha.case_manager", "referral-list", vs_body(world, case["id"], consent["id"]), expect=201
    )
    assert referral["kind"] == "vs_to_le"
    assert referral["case"] == case["id"]
    assert referral["consent"] == consent["id"]

    investigator = world.api("alpha.investigator")
    seen = investigator.get(url("referral-detail", pk=referral["id"]))
    assert seen.status_code == 200
    assert seen.json()["summary"].startswith("VS-PAYLOAD")
    assert {"case", "consent", "investigation", "resulting_case"}.isdisjoint(seen.json())
    assert case["id"].encode() not in seen.content
    assert world.api("alpha.detective").get(url("referral-detail", pk=referral["id"])).status_code == 404

    post(world, "alpha.case_manager", "consent-revoke", {}, pk=consent["id"])
    assert investigator.get(url("referral-detail", pk=referral["id"])).status_code == 404
    assert referral["id"] not in [r["id"] for r in investigator.get(url("referral-list")).json()["results"]]
    assert investigator.post(url("referral-accept", pk=referral["id"])).status_code == 404
    # The sender still sees their own referral.
    assert world.api("alpha.case_manager").get(url("referral-detail", pk=referral["id"])).status_code == 200


def test_vs_to_le_accept_opens_no_case(world: World) -> None:
    case = create_case(world)
    consent = create_consent(world, case["id"])
    referral = post(
        world, "alpha.case_manager", "referral-list", vs_body(world, case["id"], consent["id"]), expect=201
    )
    accepted = post(world, "alpha.le_supervisor", "referral-accept", pk=referral["id"])
    assert accepted["status"] == "accepted"
    assert "resulting_case" not in accepted


# ======================================================================== certification requests


def test_certification_request_review_sign(world: World) -> None:
    case = create_case(world)
    body = {
        "case": case["id"],
        "kind": "t_visa",
        "certifying_agency": str(world.agencies["alpha.da"].pk),
        "due_on": (today() + dt.timedelta(days=30)).isoformat(),
        "requesting_agency": str(world.agencies["alpha.vs2"].pk),
    }
    post(
        world, "alpha.investigator", "certification-list", body, expect=400
    )  # the case does not exist for LE
    request = post(world, "alpha.case_manager", "certification-list", body, expect=201)
    assert request["case"] == case["id"]
    assert request["status"] == "requested"
    assert request["requesting_agency"]["id"] == str(world.agencies["alpha.vs"].pk)

    investigator = world.api("alpha.investigator")
    seen = investigator.get(url("certification-detail", pk=request["id"]))
    assert seen.status_code == 200
    assert "case" not in seen.json()
    assert case["id"].encode() not in seen.content
    assert {
        "kind",
        "requesting_agency",
        "certifying_agency",
        "status",
        "requested_on",
        "due_on",
        "decided_on",
        "reference",
    } <= set(seen.json())
    listed = investigator.get(url("certification-list"))
    assert case["id"].encode() not in listed.content
    assert audits("certification.listed")[-1].detail == {"count": 1}
    # Another LE agency, the coordinator: 404.
    assert world.api("alpha.detective").get(url("certification-detail", pk=request["id"])).status_code == 404
    assert world.api("alpha.coordinator").get(url("certification-list")).status_code == 404

    review = post(
        world, "alpha.investigator", "certification-status", {"status": "under_review"}, pk=request["id"]
    )
    assert review["status"] == "under_review"
    post(
        world,
        "alpha.investigator",
        "certification-status",
        {"status": "signed"},
        expect=403,
        pk=request["id"],
    )
    post(
        world,
        "alpha.prosecutor",
        "certification-status",
        {"status": "requested"},
        expect=400,
        pk=request["id"],
    )
    signed = post(
        world,
        "alpha.prosecutor",
        "certification-status",
        {"status": "signed", "reference": "DA-77"},
        pk=request["id"],
    )
    assert signed["status"] == "signed"
    assert signed["reference"] == "DA-77"
    assert signed["decided_on"] == today().isoformat()
    post(
        world,
        "alpha.prosecutor",
        "certification-status",
        {"status": "declined"},
        expect=409,
        pk=request["id"],
    )
    assert CertificationRequest.objects.get(pk=request["id"]).status == "signed"
    post(
        world,
        "alpha.case_manager",
        "certification-status",
        {"status": "signed"},
        expect=403,
        pk=request["id"],
    )

    vs_view = world.api("alpha.case_manager").get(url("certification-detail", pk=request["id"])).json()
    assert vs_view["case"] == case["id"]
    assert vs_view["status"] == "signed"


# ================================================================================ query budgets


def _queries(api: APIClient, target: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = api.get(target)
    assert response.status_code == 200
    return len(captured)


def test_tip_and_referral_lists_cost_the_same_at_any_page_size(world: World) -> None:
    task_force = world.task_forces["alpha"]
    now = timezone.now()
    Tip.objects.bulk_create(
        Tip(
            task_force=task_force,
            received_at=now,
            source="hotline",
            narrative=f"tip {i}",
            assigned_to=world.users["alpha.detective"],
            entered_by=world.users["alpha.investigator"],
        )
        for i in range(110)
    )
    Referral.objects.bulk_create(
        Referral(
            task_force=task_force,
            kind="le_to_vs",
            from_agency=world.agencies["alpha.da" if i % 2 else "alpha.pd"],
            to_agency=world.agencies["alpha.vs" if i % 3 else "alpha.vs2"],
            summary=f"referral {i}",
            sent_by=world.users["alpha.investigator"],
        )
        for i in range(110)
    )
    api = world.api("alpha.investigator")
    small = _queries(api, url("tip-list") + "?page_size=25")
    large = _queries(api, url("tip-list") + "?page_size=100")
    assert small == large
    assert len(api.get(url("tip-list") + "?page_size=100").json()["results"]) == 100

    cm = world.api("alpha.case_manager")
    small = _queries(cm, url("referral-list") + "?page_size=25")
    large = _queries(cm, url("referral-list") + "?page_size=100")
    assert small == large
    coordinator = world.api("alpha.coordinator")
    assert _queries(coordinator, url("referral-list") + "?page_size=25") == _queries(
        coordinator, url("referral-list") + "?page_size=100"
    )


def test_next_page_follows(world: World) -> None:
    for i in range(3):
        create_tip(world, narrative=f"tip {i}")
    api = world.api("alpha.investigator")
    first = api.get(url("tip-list") + "?page_size=2").json()
    assert len(first["results"]) == 2
    assert first["next"]
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 1
    assert second["next"] is None


# ================================================================================== bad input


def test_bad_input_is_400_or_404_never_500(world: World) -> None:
    tip = create_tip(world)
    investigation = create_investigation(world)
    api = world.api("alpha.investigator")
    for target in (url("tip-list"), url("investigation-list"), url("referral-list"), url("prosecution-list")):
        response = api.post(target, data="{not json", content_type="application/json")
        assert response.status_code == 400, target
        response = api.post(target, data="[1, 2]", content_type="application/json")
        assert response.status_code == 400, target
    wrong_types = [
        (url("tip-list"), {"narrative": ["a"], "source": 5, "potential_victims": "many"}),
        (url("tip-merge", pk=tip["id"]), {"into": "not-a-uuid"}),
        (url("tip-merge", pk=tip["id"]), {"into": 12}),
        (url("tip-assign", pk=tip["id"]), {"user": {"id": 1}}),
        (url("tip-convert", pk=tip["id"]), {"investigation": "nope"}),
        (url("investigation-list"), {"opened_on": "yesterday", "restricted": "perhaps"}),
        (url("investigation-suspects", pk=investigation["id"]), {"full_name": "x", "phones": "555"}),
        (url("investigation-team", pk=investigation["id"]), {"membership": "zzz"}),
        (url("referral-list"), {"to_agency": "zzz", "summary": 3, "needs": ["spaceship"]}),
        (
            url("prosecution-list"),
            {"investigation": str(uuid.uuid4()), "court": "x", "court_case_number": "y"},
        ),
        (url("certification-list"), {"case": "x", "kind": "z", "certifying_agency": None}),
    ]
    for target, body in wrong_types:
        response = api.post(target, body, format="json")
        assert response.status_code == 400, (target, response.status_code, response.content)
    response = api.patch(url("tip-detail", pk=tip["id"]), {"potential_victims": -1}, format="json")
    assert response.status_code == 400
    huge = {"narrative": "x" * 10001, "source": "hotline"}
    assert api.post(url("tip-list"), huge, format="json").status_code == 400
    # Malformed ids in the path, random ids, forged cursors: 404.
    for target in (
        f"/api/v1/tf/alpha/tips/{'1' * 5}/",
        "/api/v1/tf/alpha/tips/../../",
        url("tip-detail", pk=uuid.uuid4()),
        url("investigation-detail", pk=uuid.uuid4()),
        url("referral-detail", pk=uuid.uuid4()),
        url("certification-detail", pk=uuid.uuid4()),
        url("tip-list") + "?cursor=garbage",
        url("tip-list") + "?cursor=cD0yMDI0LTEzLTQ1",
    ):
        assert api.get(target).status_code == 404, target
    assert Tip.objects.count() == 1
    assert not Suspect.objects.exists()
