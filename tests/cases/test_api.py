"""The victim-services API: cases, services, notes, consents, screenings, plan, assignment.

Who may: the agency's VS supervisors and the assigned case managers; everyone else gets 404 on
every record route (403 only for an action refused on a case the caller sees).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from cases import services
from cases.models import Case, CaseNote, Client, ClientIdentity, Consent, PlanItem, Screening, ServiceDelivery
from taskforce.access import VS_ROLES
from taskforce.models import AuditEvent
from tests.world import World, local_today

pytestmark = pytest.mark.django_db

CLIENT = {"first_name": "Ana", "last_name": "Marker-Lastname", "date_of_birth": "1990-02-03"}


def url(name: str, tf: str = "alpha", **kwargs: Any) -> str:
    return reverse(f"api:{name}", kwargs={"task_force": tf, **kwargs})


def today() -> dt.date:
    return local_today()


def create_case(world: World, key: str = "alpha.case_manager", **extra: Any) -> dict:
    body = {"client": dict(CLIENT), "trafficking_type": "labor", **extra}
    response = world.api(key).post(url("case-list", tf=world.slug(key)), body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def audits(action: str, **filters: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, **filters).order_by("seq"))


@pytest.fixture
def case(world: World) -> dict:
    return create_case(world)


def consent_body(world: World, **extra: Any) -> dict:
    return {
        "recipient_agency": str(world.agencies["alpha.vs2"].pk),
        "scope": ["identity", "case_summary"],
        "purpose": "Housing referral",
        "signed_by": "Ana",
        **extra,
    }


# --- cases --------------------------------------------------------------------------------------


def test_no_credentials_is_401(world: World) -> None:
    assert APIClient().get(url("case-list")).status_code == 401
    assert APIClient().post(url("case-list"), {"client": CLIENT}, format="json").status_code == 401


def test_create_case_is_owned_by_the_callers_agency_and_assigned(world: World) -> None:
    beta = world.task_forces["beta"]
    body = {
        "client": {
            **CLIENT,
            "safe_contact": "Text after 6pm",
            "unsafe_channels": ["voicemail"],
            "address_confidential": True,
            "agency": str(world.agencies["alpha.vs2"].pk),
            "id": str(uuid.uuid4()),
        },
        "trafficking_type": "sex",
        "referral_source": "hotline",
        # Every field that would place the record: ignored.
        "agency": str(world.agencies["alpha.vs2"].pk),
        "task_force": str(beta.pk),
        "status": "closed",
        "created_by": str(world.users["alpha.investigator"].pk),
        "id": str(uuid.uuid4()),
        "assigned": [str(world.memberships["alpha.case_manager_2"].pk)],
    }
    response = world.api("alpha.case_manager").post(url("case-list"), body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["id"] != body["id"]
    assert data["status"] == "intake"
    assert data["trafficking_type"] == "sex"
    assert data["referral_source"] == "hotline"
    assert data["assigned"] == [str(world.memberships["alpha.case_manager"].pk)]
    assert data["client"]["first_name"] == "Ana"
    assert data["client"]["age_group_at_intake"] == "adult"
    assert data["client"]["unsafe_channels"] == ["voicemail"]
    assert data["client"]["address_confidential"] is True
    case = Case.objects.get(pk=data["id"])
    assert case.agency_id == world.agencies["alpha.vs"].pk
    assert case.task_force_id == world.task_forces["alpha"].pk
    assert case.client.agency_id == world.agencies["alpha.vs"].pk
    assert str(case.client_id) == data["client"]["id"] != body["client"]["id"]
    assert audits("case.created", target_id=str(case.pk))


def test_supervisor_creates_a_case_without_assignment(world: World) -> None:
    data = create_case(world, "alpha.vs_supervisor")
    assert data["assigned"] == []
    assert world.api("alpha.case_manager").get(url("case-detail", pk=data["id"])).status_code == 404


def test_only_vs_roles_take_intake(world: World) -> None:
    before = Case.objects.count()
    for key in ("alpha.investigator", "alpha.coordinator", "alpha.tenant_admin", "alpha.analyst"):
        response = world.api(key).post(url("case-list"), {"client": CLIENT}, format="json")
        assert response.status_code == 404, key
    for key in ("beta.case_manager", "beta.vs_supervisor"):
        response = world.api(key).post(url("case-list"), {"client": CLIENT}, format="json")
        assert response.status_code == 404, key
    client = APIClient()
    client.force_authenticate(world.users["superuser"])
    assert client.post(url("case-list"), {"client": CLIENT}, format="json").status_code == 404
    assert Case.objects.count() == before


def test_create_case_validation(world: World) -> None:
    api = world.api("alpha.case_manager")
    before = (Case.objects.count(), Client.objects.count(), ClientIdentity.objects.count())
    future = (today() + dt.timedelta(days=2)).isoformat()
    response = api.post(url("case-list"), {"client": {**CLIENT, "date_of_birth": future}}, format="json")
    assert response.status_code == 400
    assert "date_of_birth" in response.json()["client"]
    response = api.post(url("case-list"), {"client": {"first_name": "Ana"}}, format="json")
    assert response.status_code == 400
    assert "last_name" in response.json()["client"]
    response = api.post(url("case-list"), {"trafficking_type": "sex"}, format="json")
    assert response.status_code == 400
    assert "client" in response.json()
    response = api.post(url("case-list"), {"client": CLIENT, "trafficking_type": "piracy"}, format="json")
    assert response.status_code == 400
    assert "trafficking_type" in response.json()
    response = api.post(url("case-list"), {"client": {**CLIENT, "gender": "robot"}}, format="json")
    assert response.status_code == 400
    response = api.post(url("case-list"), {"client": CLIENT, "opened_on": future}, format="json")
    assert response.status_code == 400
    assert "opened_on" in response.json()
    response = api.post(
        url("case-list"), {"client": CLIENT, "answers": {"no_such_question": "yes"}}, format="json"
    )
    assert response.status_code == 400
    assert (Case.objects.count(), Client.objects.count(), ClientIdentity.objects.count()) == before


def test_intake_with_short_screening(world: World) -> None:
    data = create_case(world, answers={"control_leave": "yes", "threat_harm": "declined"})
    screenings = world.api("alpha.case_manager").get(url("case-screenings", pk=data["id"])).json()["results"]
    assert len(screenings) == 1
    assert screenings[0]["form"] == "short"
    assert screenings[0]["flagged"] is True


def test_minor_by_date_of_birth(world: World) -> None:
    born = today().replace(year=today().year - 10, day=1).isoformat()
    data = create_case(world, client={**CLIENT, "date_of_birth": born})
    assert data["minor_at_intake"] is True
    assert data["client"]["age_group_at_intake"] == "minor"


def test_get_and_list_cases_are_audited(world: World, case: dict) -> None:
    api = world.api("alpha.case_manager")
    response = api.get(url("case-detail", pk=case["id"]))
    assert response.status_code == 200
    data = response.json()
    for field in (
        "id",
        "status",
        "closure_reason",
        "trafficking_type",
        "referral_source",
        "minor_at_intake",
        "opened_on",
        "closed_on",
        "last_contact_on",
        "client",
        "assigned",
    ):
        assert field in data, field
    for field in ("first_name", "last_name", "preferred_name", "date_of_birth", "safe_contact", "gender"):
        assert field in data["client"], field
    assert audits("case.viewed", target_id=case["id"])

    response = api.get(url("case-list"))
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"results", "next"}
    assert [row["id"] for row in body["results"]] == [case["id"]]
    assert "assigned" not in body["results"][0]
    assert body["results"][0]["client"]["last_name"] == CLIENT["last_name"]
    listed = audits("case.listed", user_id=world.users["alpha.case_manager"].pk)
    assert listed[-1].detail == {"count": 1}


def test_case_list_filters(world: World, case: dict) -> None:
    api = world.api("alpha.case_manager")
    assert len(api.get(url("case-list"), {"status": "intake"}).json()["results"]) == 1
    assert len(api.get(url("case-list"), {"status": "closed"}).json()["results"]) == 0
    # Names are encrypted: search matches whole names and name words (blind index), not substrings.
    assert len(api.get(url("case-list"), {"search": "marker-lastname"}).json()["results"]) == 1
    assert len(api.get(url("case-list"), {"search": "Lastname"}).json()["results"]) == 1
    assert len(api.get(url("case-list"), {"search": "marker-last"}).json()["results"]) == 0
    assert len(api.get(url("case-list"), {"search": "nobody"}).json()["results"]) == 0
    # Unknown filter values are ignored, never a 500.
    assert api.get(url("case-list"), {"status": "bogus", "page_size": "abc"}).status_code == 200


def test_patch_case_and_close_and_reopen(world: World, case: dict) -> None:
    api = world.api("alpha.case_manager")
    detail = url("case-detail", pk=case["id"])
    response = api.patch(
        detail,
        {
            "trafficking_type": "both",
            "referral_source": "school",
            "agency": str(world.agencies["alpha.vs2"].pk),
            "task_force": str(world.task_forces["beta"].pk),
            "opened_on": "2001-01-01",
            "minor_at_intake": True,
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["trafficking_type"] == "both"
    stored = Case.objects.get(pk=case["id"])
    assert (stored.trafficking_type, stored.referral_source) == ("both", "school")
    assert stored.agency_id == world.agencies["alpha.vs"].pk
    assert stored.task_force_id == world.task_forces["alpha"].pk
    assert stored.opened_on == today()
    assert stored.minor_at_intake is False

    assert api.patch(detail, {"trafficking_type": "piracy"}, format="json").status_code == 400
    assert api.patch(detail, {"status": "archived"}, format="json").status_code == 400

    response = api.patch(detail, {"status": "closed"}, format="json")
    assert response.status_code == 400
    assert "closure_reason" in response.json()
    assert Case.objects.get(pk=case["id"]).status == "intake"

    response = api.patch(detail, {"status": "closed", "closure_reason": "goals_met"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closed"
    assert response.json()["closure_reason"] == "goals_met"
    assert response.json()["closed_on"] == today().isoformat()
    assert audits("case.closed", target_id=case["id"])

    response = api.patch(detail, {"status": "open"}, format="json")
    assert response.status_code == 400
    response = api.patch(detail, {"status": "open", "reopen_reason": "Client returned"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "open"
    assert response.json()["closed_on"] is None


def test_no_delete_or_put(world: World, case: dict) -> None:
    api = world.api("alpha.case_manager")
    assert api.delete(url("case-detail", pk=case["id"])).status_code == 405
    assert api.put(url("case-detail", pk=case["id"]), {}, format="json").status_code == 405
    assert Case.objects.filter(pk=case["id"]).exists()


# --- services, notes, screenings, plan -------------------------------------------------------


def test_services(world: World, case: dict) -> None:
    from tests.cases.test_services import refer_under_release

    # Provided by another agency: only one the client was referred to under a current release.
    refer_under_release(world, Case.objects.get(pk=case["id"]), "alpha.vs2")
    api = world.api("alpha.case_manager")
    services_url = url("case-services", pk=case["id"])
    response = api.post(
        services_url,
        {
            "service_type": "legal_immigration",
            "delivered_on": today().isoformat(),
            "units": "2.5",
            "providing_agency": str(world.agencies["alpha.vs2"].pk),
            "note": "T visa consult",
            # Placement fields: ignored.
            "client": str(uuid.uuid4()),
            "agency": str(world.agencies["alpha.vs2"].pk),
            "recorded_by": str(world.users["alpha.investigator"].pk),
            "case": str(uuid.uuid4()),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["service_type"] == "legal_immigration"
    assert data["providing_agency"] == str(world.agencies["alpha.vs2"].pk)
    service = ServiceDelivery.objects.get(pk=data["id"])
    stored_case = Case.objects.get(pk=case["id"])
    assert service.case_id == stored_case.pk
    assert service.client_id == stored_case.client_id
    assert service.agency_id == world.agencies["alpha.vs"].pk
    assert service.recorded_by_id == world.users["alpha.case_manager"].pk
    assert stored_case.status == "open"
    assert stored_case.last_contact_on == today()

    response = api.get(services_url)
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [data["id"]]
    assert audits("service.listed", target_id=case["id"])[-1].detail == {"count": 1}


def test_service_validation(world: World, case: dict) -> None:
    api = world.api("alpha.case_manager")
    services_url = url("case-services", pk=case["id"])
    yesterday = (today() - dt.timedelta(days=1)).isoformat()
    response = api.post(services_url, {"service_type": "medical", "delivered_on": yesterday}, format="json")
    assert response.status_code == 400
    assert "delivered_on" in response.json()
    response = api.post(
        services_url, {"service_type": "haircut", "delivered_on": today().isoformat()}, format="json"
    )
    assert response.status_code == 400
    response = api.post(
        services_url,
        {
            "service_type": "medical",
            "delivered_on": today().isoformat(),
            "providing_agency": str(world.agencies["beta.vs"].pk),
        },
        format="json",
    )
    assert response.status_code == 400
    assert "does not exist" in str(response.json()["providing_agency"])
    for units in ("abc", -1, 5000):
        response = api.post(
            services_url,
            {"service_type": "medical", "delivered_on": today().isoformat(), "units": units},
            format="json",
        )
        assert response.status_code == 400, units
    assert not ServiceDelivery.objects.exists()


def test_notes_and_privilege(world: World, case: dict) -> None:
    author = world.api("alpha.case_manager")
    notes_url = url("case-notes", pk=case["id"])
    response = author.post(notes_url, {"text": "Ordinary note", "author": "someone"}, format="json")
    assert response.status_code == 201
    plain = response.json()
    assert plain["author"] == world.users["alpha.case_manager"].email
    assert plain["privileged"] is False
    response = author.post(notes_url, {"text": "PRIVILEGED-MARKER", "privileged": True}, format="json")
    assert response.status_code == 201
    privileged = response.json()
    assert privileged["privileged"] is True
    assert CaseNote.objects.get(pk=privileged["id"]).author_id == world.users["alpha.case_manager"].pk
    assert {n["id"] for n in author.get(notes_url).json()["results"]} == {plain["id"], privileged["id"]}

    # A second case manager of the agency: nothing before assignment, no privileged note after.
    second = world.api("alpha.case_manager_2")
    assert second.get(notes_url).status_code == 404
    supervisor = world.api("alpha.vs_supervisor")
    cm2 = str(world.memberships["alpha.case_manager_2"].pk)
    response = supervisor.post(url("case-assign", pk=case["id"]), {"membership": cm2}, format="json")
    assert response.status_code == 200, response.content
    assert cm2 in response.json()["assigned"]
    response = second.get(notes_url)
    assert response.status_code == 200
    assert [n["id"] for n in response.json()["results"]] == [plain["id"]]
    assert "PRIVILEGED-MARKER" not in response.content.decode()
    # The second case manager writes on the case, sees their own privileged note only.
    response = second.post(notes_url, {"text": "cm2 privileged", "privileged": True}, format="json")
    assert response.status_code == 201
    own = response.json()["id"]
    assert {n["id"] for n in second.get(notes_url).json()["results"]} == {plain["id"], own}
    assert {n["id"] for n in author.get(notes_url).json()["results"]} == {plain["id"], privileged["id"]}

    # The agency's supervisor sees every note.
    response = supervisor.get(notes_url)
    assert {n["id"] for n in response.json()["results"]} == {plain["id"], privileged["id"], own}
    assert audits("note.listed", target_id=case["id"])

    # Unassigned again: 404 on the next request.
    response = supervisor.post(url("case-unassign", pk=case["id"]), {"membership": cm2}, format="json")
    assert response.status_code == 200
    assert cm2 not in response.json()["assigned"]
    assert second.get(notes_url).status_code == 404
    assert second.get(url("case-detail", pk=case["id"])).status_code == 404


def test_note_validation(world: World, case: dict) -> None:
    api = world.api("alpha.case_manager")
    notes_url = url("case-notes", pk=case["id"])
    assert api.post(notes_url, {"text": "   "}, format="json").status_code == 400
    assert api.post(notes_url, {}, format="json").status_code == 400
    assert api.post(notes_url, {"text": "x", "privileged": "maybe"}, format="json").status_code == 400
    assert api.post(notes_url, {"text": "x" * 20001}, format="json").status_code == 400
    assert api.post(notes_url, {"text": ["a list"]}, format="json").status_code == 400
    assert not CaseNote.objects.exists()


def test_assignment_is_for_supervisors(world: World, case: dict) -> None:
    cm2 = str(world.memberships["alpha.case_manager_2"].pk)
    api = world.api("alpha.case_manager")
    assert api.post(url("case-assign", pk=case["id"]), {"membership": cm2}, format="json").status_code == 403
    assert (
        api.post(url("case-unassign", pk=case["id"]), {"membership": cm2}, format="json").status_code == 403
    )
    supervisor = world.api("alpha.vs_supervisor")
    # Not a case manager of the agency, or of another task force: 400.
    for key in ("alpha.other_agency_cm", "alpha.investigator", "alpha.vs_supervisor"):
        membership = str(world.memberships[key].pk)
        response = supervisor.post(
            url("case-assign", pk=case["id"]), {"membership": membership}, format="json"
        )
        assert response.status_code == 400, key
    response = supervisor.post(
        url("case-assign", pk=case["id"]),
        {"membership": str(world.memberships["beta.case_manager"].pk)},
        format="json",
    )
    assert response.status_code == 400
    assert "does not exist" in str(response.json()["membership"])
    assert (
        supervisor.post(url("case-assign", pk=case["id"]), {"membership": "nope"}, format="json").status_code
        == 400
    )
    assert supervisor.post(url("case-assign", pk=case["id"]), {}, format="json").status_code == 400


def test_screenings_and_plan_items(world: World, case: dict) -> None:
    api = world.api("alpha.case_manager")
    screenings_url = url("case-screenings", pk=case["id"])
    response = api.post(
        screenings_url,
        {"form": "long", "answers": {"recruit_debt": "yes", "work_unpaid": "yes"}, "screened_by": "x"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["flagged"] is True
    assert (
        Screening.objects.get(pk=response.json()["id"]).screened_by_id == world.users["alpha.case_manager"].pk
    )
    assert (
        api.post(
            screenings_url, {"form": "short", "answers": {"recruit_debt": "yes"}}, format="json"
        ).status_code
        == 400
    )
    assert (
        api.post(
            screenings_url, {"form": "long", "answers": {"recruit_debt": "perhaps"}}, format="json"
        ).status_code
        == 400
    )
    assert api.post(screenings_url, {"form": "long", "answers": ["yes"]}, format="json").status_code == 400
    assert api.post(screenings_url, {"form": "huge", "answers": {}}, format="json").status_code == 400
    future = (today() + dt.timedelta(days=3)).isoformat()
    assert (
        api.post(
            screenings_url, {"form": "long", "answers": {}, "screened_on": future}, format="json"
        ).status_code
        == 400
    )
    assert len(api.get(screenings_url).json()["results"]) == 1

    plan_url = url("case-plan-items", pk=case["id"])
    response = api.post(
        plan_url, {"need": "emergency_shelter", "goal": "Safe bed tonight", "status": "met"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "open"
    assert api.post(plan_url, {"need": "yachts", "goal": "x"}, format="json").status_code == 400
    assert api.post(plan_url, {"need": "medical"}, format="json").status_code == 400
    assert [p["id"] for p in api.get(plan_url).json()["results"]] == [response.json()["id"]]
    assert PlanItem.objects.count() == 1


# --- consents --------------------------------------------------------------------------------


def test_consent_record_read_and_revoke(world: World, case: dict) -> None:
    api = world.api("alpha.case_manager")
    consents_url = url("case-consents", pk=case["id"])
    body = consent_body(
        world,
        expires_on=(today() + dt.timedelta(days=60)).isoformat(),
        agency=str(world.agencies["alpha.vs2"].pk),
        recorded_by=str(world.users["alpha.investigator"].pk),
        revoked_at="2020-01-01T00:00:00Z",
    )
    response = api.post(consents_url, body, format="json")
    assert response.status_code == 201, response.content
    consent = response.json()
    assert consent["state"] == "active"
    assert consent["revoked_at"] is None
    assert consent["recipient_agency"] == str(world.agencies["alpha.vs2"].pk)
    assert consent["signed_on"] == today().isoformat()
    stored = Consent.objects.get(pk=consent["id"])
    assert stored.agency_id == world.agencies["alpha.vs"].pk
    assert stored.recorded_by_id == world.users["alpha.case_manager"].pk

    response = api.get(consents_url)
    assert [c["id"] for c in response.json()["results"]] == [consent["id"]]
    assert audits("consent.listed", target_id=case["id"])[-1].detail == {"count": 1}

    detail = url("consent-detail", pk=consent["id"])
    response = api.get(detail)
    assert response.status_code == 200
    assert response.json()["state"] == "active"
    assert audits("consent.viewed", target_id=consent["id"])

    response = api.post(url("consent-revoke", pk=consent["id"]), {"note": "client asked"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "revoked"
    assert api.get(detail).json()["state"] == "revoked"
    response = api.post(url("consent-revoke", pk=consent["id"]), {}, format="json")
    assert response.status_code == 400


def test_consent_default_expiry_and_expiring_state(world: World, case: dict) -> None:
    api = world.api("alpha.case_manager")
    consents_url = url("case-consents", pk=case["id"])
    response = api.post(consents_url, consent_body(world), format="json")
    assert response.status_code == 201
    assert response.json()["expires_on"] == (today() + dt.timedelta(days=90)).isoformat()
    soon = (today() + dt.timedelta(days=5)).isoformat()
    response = api.post(consents_url, consent_body(world, expires_on=soon), format="json")
    assert response.json()["state"] == "expiring"


def test_consent_validation(world: World, case: dict) -> None:
    api = world.api("alpha.case_manager")
    consents_url = url("case-consents", pk=case["id"])
    signed = today() - dt.timedelta(days=10)
    cases = [
        (
            {"signed_on": signed.isoformat(), "expires_on": (signed - dt.timedelta(days=1)).isoformat()},
            "expires_on",
        ),
        (
            {"signed_on": signed.isoformat(), "expires_on": (signed + dt.timedelta(days=366)).isoformat()},
            "expires_on",
        ),
        ({"signed_on": (today() + dt.timedelta(days=1)).isoformat()}, "signed_on"),
        ({"recipient_agency": str(world.agencies["beta.vs2"].pk)}, "recipient_agency"),
        ({"recipient_agency": str(uuid.uuid4())}, "recipient_agency"),
        ({"recipient_agency": "not-a-uuid"}, "recipient_agency"),
        ({"recipient_agency": str(world.agencies["alpha.vs"].pk)}, "recipient_agency"),
        ({"scope": []}, "scope"),
        ({"scope": ["everything"]}, "scope"),
        ({"scope": "everything,identity"}, "scope"),
        ({"purpose": ""}, "purpose"),
        ({"signed_by": "  "}, "signed_by"),
        ({"expires_on": "next tuesday"}, "expires_on"),
    ]
    for extra, field in cases:
        response = api.post(consents_url, consent_body(world, **extra), format="json")
        assert response.status_code == 400, extra
        assert field in response.json(), (extra, response.json())
    foreign = api.post(
        consents_url, consent_body(world, recipient_agency=str(world.agencies["beta.vs2"].pk)), format="json"
    )
    assert "does not exist" in str(foreign.json()["recipient_agency"])
    assert not Consent.objects.exists()


def test_minor_consent_needs_a_guardian(world: World) -> None:
    # A minor: no adult birth date to contradict the flag (intake refuses a contradiction).
    minor = create_case(world, minor_at_intake=True, client={**CLIENT, "date_of_birth": "2012-06-15"})
    api = world.api("alpha.case_manager")
    consents_url = url("case-consents", pk=minor["id"])
    response = api.post(consents_url, consent_body(world), format="json")
    assert response.status_code == 400
    assert {"guardian_name", "guardian_not_suspect"} <= set(response.json())
    response = api.post(consents_url, consent_body(world, guardian_name="Aunt May"), format="json")
    assert response.status_code == 400
    assert "guardian_not_suspect" in response.json()
    assert not Consent.objects.exists()
    response = api.post(
        consents_url,
        consent_body(
            world, guardian_name="Aunt May", guardian_relationship="aunt", guardian_not_suspect=True
        ),
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["guardian_name"] == "Aunt May"


# --- the wall ----------------------------------------------------------------------------------

OUTSIDERS_SAME_TF = (
    "alpha.case_manager_2",
    "alpha.other_agency_cm",
    "alpha.superuser_member",
    "alpha.investigator",
    "alpha.detective",
    "alpha.prosecutor",
    "alpha.le_supervisor",
    "alpha.coordinator",
    "alpha.tenant_admin",
    "alpha.analyst",
)
OUTSIDERS_OTHER_TF = ("beta.case_manager", "beta.vs_supervisor", "beta.tenant_admin", "beta.investigator")


def _outsider_client(world: World, key: str) -> APIClient:
    if key == "superuser":
        client = APIClient()
        client.force_authenticate(world.users["superuser"])
        return client
    return world.api(key)


@pytest.fixture
def full_case(world: World, case: dict) -> dict[str, Any]:
    api = world.api("alpha.case_manager")
    pk = case["id"]
    api.post(
        url("case-services", pk=pk),
        {"service_type": "medical", "delivered_on": today().isoformat()},
        format="json",
    )
    api.post(url("case-notes", pk=pk), {"text": "NOTE-MARKER"}, format="json")
    consent = api.post(url("case-consents", pk=pk), consent_body(world), format="json").json()
    api.post(
        url("case-screenings", pk=pk), {"form": "short", "answers": {"control_leave": "no"}}, format="json"
    )
    api.post(url("case-plan-items", pk=pk), {"need": "medical", "goal": "Checkup"}, format="json")
    return {"case": pk, "consent": consent["id"]}


def _counts() -> tuple[int, ...]:
    return (
        Case.objects.count(),
        ServiceDelivery.objects.count(),
        CaseNote.objects.count(),
        Consent.objects.count(),
        Screening.objects.count(),
        PlanItem.objects.count(),
        Consent.objects.filter(revoked_at__isnull=False).count(),
    )


@pytest.mark.parametrize("key", [*OUTSIDERS_SAME_TF, *OUTSIDERS_OTHER_TF, "superuser"])
def test_every_case_route_is_404_for_outsiders(world: World, full_case: dict, key: str) -> None:
    client = _outsider_client(world, key)
    pk, consent = full_case["case"], full_case["consent"]
    before = _counts()
    membership = {"membership": str(world.memberships["alpha.case_manager_2"].pk)}
    reads = [
        url("case-detail", pk=pk),
        url("case-services", pk=pk),
        url("case-notes", pk=pk),
        url("case-consents", pk=pk),
        url("case-screenings", pk=pk),
        url("case-plan-items", pk=pk),
        url("consent-detail", pk=consent),
    ]
    for address in reads:
        response = client.get(address)
        assert response.status_code == 404, (key, address)
        assert "Marker-Lastname" not in response.content.decode()
    writes = [
        (url("case-services", pk=pk), {"service_type": "medical", "delivered_on": today().isoformat()}),
        (url("case-notes", pk=pk), {"text": "intruder"}),
        (url("case-consents", pk=pk), consent_body(world)),
        (url("case-screenings", pk=pk), {"form": "short", "answers": {}}),
        (url("case-plan-items", pk=pk), {"need": "medical", "goal": "x"}),
        (url("case-assign", pk=pk), membership),
        (url("case-unassign", pk=pk), membership),
        (url("consent-revoke", pk=consent), {}),
    ]
    for address, body in writes:
        assert client.post(address, body, format="json").status_code == 404, (key, address)
    response = client.patch(
        url("case-detail", pk=pk), {"status": "closed", "closure_reason": "other"}, format="json"
    )
    assert response.status_code == 404
    assert _counts() == before
    assert Case.objects.get(pk=pk).status != "closed"

    # The collection: an empty list for victim-services members of the task force; for everyone
    # else it does not exist (404), as in HTML.
    response = client.get(url("case-list"))
    if key.startswith("alpha.") and world.actor(key).role in VS_ROLES:
        assert response.status_code == 200
        assert response.json()["results"] == []
    else:
        assert response.status_code == 404


def test_other_task_force_sees_its_own_cases_only(world: World, case: dict) -> None:
    """Beta's own VS supervisor sees beta's cases (none of alpha's) under the beta slug."""
    beta_case = create_case(world, "beta.case_manager")
    response = world.api("beta.vs_supervisor").get(url("case-list", tf="beta"))
    assert [row["id"] for row in response.json()["results"]] == [beta_case["id"]]
    response = world.api("beta.vs_supervisor").get(url("case-detail", tf="beta", pk=case["id"]))
    assert response.status_code == 404


def test_supervisor_sees_the_agencys_cases(world: World, full_case: dict) -> None:
    supervisor = world.api("alpha.vs_supervisor")
    pk = full_case["case"]
    assert supervisor.get(url("case-detail", pk=pk)).status_code == 200
    for name in ("case-services", "case-notes", "case-consents", "case-screenings", "case-plan-items"):
        response = supervisor.get(url(name, pk=pk))
        assert response.status_code == 200, name
        assert len(response.json()["results"]) == 1, name
    assert supervisor.get(url("consent-detail", pk=full_case["consent"])).status_code == 200


def test_foreign_id_is_like_a_random_id(world: World, full_case: dict) -> None:
    beta_case = create_case(world, "beta.case_manager")
    api = world.api("alpha.case_manager")
    foreign = api.get(url("case-detail", pk=beta_case["id"]))
    random = api.get(url("case-detail", pk=uuid.uuid4()))
    assert foreign.status_code == random.status_code == 404
    assert foreign.content == random.content


# --- bad input -----------------------------------------------------------------------------------


def test_malformed_json_and_wrong_types_are_400(world: World, case: dict) -> None:
    api = world.api("alpha.case_manager")
    pk = case["id"]
    targets = [
        ("POST", url("case-list")),
        ("PATCH", url("case-detail", pk=pk)),
        ("POST", url("case-services", pk=pk)),
        ("POST", url("case-notes", pk=pk)),
        ("POST", url("case-consents", pk=pk)),
        ("POST", url("case-screenings", pk=pk)),
        ("POST", url("case-plan-items", pk=pk)),
        ("POST", url("case-assign", pk=pk)),
    ]
    before = _counts()
    for method, address in targets:
        for raw in (b'{"client": ', b"not json", b"\xff\xfe\x00", b"[1, 2]", b'"text"', b"null", b"42"):
            response = api.generic(method, address, raw, content_type="application/json")
            assert response.status_code == 400, (method, address, raw)
    wrong_types = [
        (url("case-list"), {"client": "Ana"}),
        (url("case-list"), {"client": {**CLIENT, "date_of_birth": 19900203}}),
        (url("case-list"), {"client": {**CLIENT, "first_name": {"$gt": ""}}}),
        (url("case-list"), {"client": {**CLIENT, "unsafe_channels": "voicemail,text"}}),
        (url("case-list"), {"client": {**CLIENT, "email": "not-an-email"}}),
        (url("case-list"), {"client": CLIENT, "minor_at_intake": "perhaps"}),
        (url("case-list"), {"client": CLIENT, "answers": "yes"}),
        (url("case-services", pk=pk), {"service_type": ["medical"], "delivered_on": "2024-13-45"}),
        (url("case-consents", pk=pk), {"recipient_agency": {"id": 1}, "scope": [1], "purpose": None}),
        (url("case-screenings", pk=pk), {"form": None, "answers": None}),
        (url("case-plan-items", pk=pk), {"need": 7, "goal": ["x"], "target_on": True}),
    ]
    for address, body in wrong_types:
        response = api.post(address, body, format="json")
        assert response.status_code == 400, (address, body)
    response = api.patch(
        url("case-detail", pk=pk), {"status": ["closed"], "closure_reason": 3}, format="json"
    )
    assert response.status_code == 400
    assert _counts() == before


def test_invalid_uuid_in_path_is_404(world: World) -> None:
    api = world.api("alpha.case_manager")
    for address in (
        "/api/v1/tf/alpha/cases/not-a-uuid/",
        "/api/v1/tf/alpha/cases/123/notes/",
        "/api/v1/tf/alpha/cases/../services/",
        "/api/v1/tf/alpha/consents/zzz/",
        "/api/v1/tf/alpha/consents/1/revoke/",
    ):
        assert api.get(address).status_code == 404, address
        assert api.post(address, {}, format="json").status_code == 404, address


# --- performance ---------------------------------------------------------------------------------


def test_case_list_query_count_does_not_grow_with_the_page(world: World) -> None:
    actor = world.actor("alpha.vs_supervisor")
    for n in range(100):
        services.intake_create(
            actor=actor,
            client={"first_name": f"Client{n}", "last_name": "Load"},
            case={"trafficking_type": "labor"},
        )
    api = world.api("alpha.vs_supervisor")
    api.get(url("case-list"))  # warm-up: token and content types cached alike for both runs
    with CaptureQueriesContext(connection) as small:
        response = api.get(url("case-list"), {"page_size": 25})
    assert len(response.json()["results"]) == 25
    assert response.json()["next"]
    with CaptureQueriesContext(connection) as large:
        response = api.get(url("case-list"), {"page_size": 100})
    assert len(response.json()["results"]) == 100
    assert response.json()["results"][0]["client"]["last_name"] == "Load"
    assert len(small.captured_queries) == len(large.captured_queries), [
        q["sql"][:120] for q in large.captured_queries
    ]

    # The next page follows the cursor.
    first = api.get(url("case-list"), {"page_size": 60}).json()
    second = api.get(first["next"]).json()
    ids = [row["id"] for row in first["results"] + second["results"]]
    assert len(ids) == len(set(ids)) == 100


def test_consent_with_only_the_contract_fields(world: World, case: dict) -> None:
    """api.md names recipient_agency, scope, purpose and expires_on: that is enough."""
    api = world.api("alpha.case_manager")
    expires = (today() + dt.timedelta(days=30)).isoformat()
    for scope in (["case_summary"], "case_summary"):
        response = api.post(
            url("case-consents", pk=case["id"]),
            {
                "recipient_agency": str(world.agencies["alpha.vs2"].pk),
                "scope": scope,
                "purpose": "Legal help",
                "expires_on": expires,
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
        assert response.json()["state"] in ("active", "expiring")


def test_a_case_page_builds_its_nested_client_serializer_once(world: World, monkeypatch: Any) -> None:
    """Building the client's serializer (its fields) for every row was half of a page's time."""
    from cases.api import serializers as case_serializers

    for n in range(3):
        services.intake_create(
            actor=world.actor("alpha.vs_supervisor"),
            client={"first_name": f"Row{n}", "last_name": "Test"},
            case={"trafficking_type": "labor"},
        )
    built = []
    original = case_serializers.ClientOut.__init__

    def counting(self: Any, *args: Any, **kwargs: Any) -> None:
        built.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(case_serializers.ClientOut, "__init__", counting)
    response = world.api("alpha.vs_supervisor").get("/api/v1/tf/alpha/cases/")
    assert response.status_code == 200
    assert len(response.json()["results"]) >= 3
    assert all(row["client"]["first_name"] for row in response.json()["results"])
    assert len(built) == 1
