"""Smoke tests of the case management screens: the happy paths, 400 on bad input, 404/403."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cases.models import Case, CaseNote, Consent, ServiceDelivery
from cases.policies import visible_cases
from cases.views import today_for
from taskforce.models import AuditEvent
from tests.world import World

pytestmark = pytest.mark.django_db

INTAKE = {
    "first_name": "Ana",
    "last_name": "Example",
    "preferred_name": "",
    "aliases": "",
    "date_of_birth": "1990-04-02",
    "phone": "555-0100",
    "email": "",
    "address": "1 Main St",
    "preferred_language": "Spanish",
    "immigration_status": "",
    "safe_contact": "Weekdays after 6pm, text first",
    "unsafe_channels": ["voicemail", "home_visit"],
    "age_group_at_intake": "not_reported",
    "gender": "female",
    "citizenship": "foreign_national",
    "race_ethnicity": "not_reported",
    "trafficking_type": "labor",
    "referral_source": "hotline",
    "opened_on": "2025-01-10",
    "q_control_leave": "yes",
    "q_control_documents": "yes",
}


def url(name: str, tf: str = "alpha", **kwargs: object) -> str:
    return reverse(name, kwargs={"task_force": tf, **kwargs})


def _intake(world: World, key: str = "alpha.case_manager", **overrides: object) -> Case:
    response = world.client(key).post(url("case-intake"), {**INTAKE, **overrides})
    assert response.status_code == 302, response.content.decode()[:2000]
    return visible_cases(world.actor(key)).order_by("-created_at").first()


def test_case_manager_intake_to_closing(world: World) -> None:
    cm = world.client("alpha.case_manager")
    case = _intake(world)
    assert case is not None
    detail = url("case-detail", case_id=case.pk)
    assert world.client("alpha.case_manager").get(url("case-intake")).status_code == 200

    # Assigned to the case manager who took the intake, with the short screening recorded.
    page = cm.get(detail)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Ana Example" in body
    assert "Do not use: Voicemail" in body
    assert "case_manager" in body  # the assignee's name
    assert AuditEvent.objects.filter(action="case.viewed", target_id=str(case.pk)).exists()

    listing = cm.get(url("case-list"))
    assert listing.status_code == 200
    assert "Ana Example" in listing.content.decode()
    assert AuditEvent.objects.filter(action="case.listed", detail__count=1).exists()
    # Whole name words (names are encrypted; the search is a blind index, not a substring match).
    assert "Ana Example" in cm.get(url("case-list"), {"q": "example", "status": "intake"}).content.decode()

    today = today_for(world.actor("alpha.case_manager")).isoformat()
    response = cm.post(
        url("case-service-add", case_id=case.pk),
        {"delivered_on": today, "service_type": "case_management", "units": "1.5", "note": "first meeting"},
    )
    assert response.status_code == 302
    assert ServiceDelivery.objects.filter(case=case, units="1.5").exists()

    assert cm.post(url("case-note-add", case_id=case.pk), {"text": "Plain note"}).status_code == 302
    response = cm.post(
        url("case-note-add", case_id=case.pk), {"text": "Privileged words", "privileged": "on"}
    )
    assert response.status_code == 302
    assert [n.text for n in CaseNote.objects.filter(case=case, privileged=True)] == ["Privileged words"]
    # The other case manager is not assigned: 404 (a supervisor sees the privileged note).
    assert world.client("alpha.case_manager_2").get(detail).status_code == 404
    assert "Privileged words" in world.client("alpha.vs_supervisor").get(detail).content.decode()

    response = cm.post(
        url("case-consent-add", case_id=case.pk),
        {
            "recipient_agency": world.agencies["alpha.vs2"].pk,
            "scope": ["identity", "services"],
            "purpose": "Legal representation",
            "signed_by": "Ana Example",
            "signed_on": today,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    consent = Consent.objects.get(case=case)
    assert (consent.expires_on - consent.signed_on).days == 90
    response = cm.post(url("consent-revoke", case_id=case.pk, consent_id=consent.pk), {"note": "asked"})
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.revoked_at is not None

    assert cm.post(url("case-close", case_id=case.pk), {"closure_reason": "goals_met"}).status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert cm.post(url("case-reopen", case_id=case.pk), {"reason": "Came back"}).status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN


def test_screens_plan_family_screening(world: World) -> None:
    cm = world.client("alpha.case_manager")
    case = _intake(world)
    assert cm.get(url("case-screening-add", case_id=case.pk) + "?form=long").status_code == 200
    response = cm.post(
        url("case-screening-add", case_id=case.pk) + "?form=long",
        {
            "screened_on": today_for(world.actor("alpha.case_manager")).isoformat(),
            "q_control_money": "yes",
            "q_isolate_outside": "no",
        },
    )
    assert response.status_code == 302
    assert (
        cm.post(url("case-plan-add", case_id=case.pk), {"need": "medical", "goal": "Dentist"}).status_code
        == 302
    )
    assert (
        cm.post(
            url("case-family-add", case_id=case.pk),
            {
                "relationship": "child",
                "age_group": "minor",
                "served_from": today_for(world.actor("alpha.case_manager")).isoformat(),
            },
        ).status_code
        == 302
    )
    body = cm.get(url("case-detail", case_id=case.pk)).content.decode()
    for text in ("Dentist", "Child", "Long form"):
        assert text in body


def test_supervisor_assigns_and_unassigns(world: World) -> None:
    case = _intake(world, key="alpha.vs_supervisor")
    cm2 = world.memberships["alpha.case_manager_2"]
    detail = url("case-detail", case_id=case.pk)
    assert world.client("alpha.case_manager_2").get(detail).status_code == 404
    sup = world.client("alpha.vs_supervisor")
    assert sup.post(url("case-assign", case_id=case.pk), {"membership": cm2.pk}).status_code == 302
    assert world.client("alpha.case_manager_2").get(detail).status_code == 200
    # A case manager may not assign (visible, not allowed).
    cm2_client = world.client("alpha.case_manager_2")
    assert cm2_client.post(url("case-assign", case_id=case.pk), {"membership": cm2.pk}).status_code == 403
    # Another agency's case manager cannot be assigned.
    other = world.memberships["alpha.other_agency_cm"]
    assert sup.post(url("case-assign", case_id=case.pk), {"membership": other.pk}).status_code == 400
    assert sup.post(url("case-unassign", case_id=case.pk), {"membership": cm2.pk}).status_code == 302
    assert world.client("alpha.case_manager_2").get(detail).status_code == 404
    home = sup.get(url("tf-home")).content.decode()
    assert "Caseload by case manager" in home
    assert "Unassigned intakes" in home


def test_bad_input_is_400_and_writes_nothing(world: World) -> None:
    cm = world.client("alpha.case_manager")
    before = Case.objects.count()
    assert cm.post(url("case-intake"), {**INTAKE, "first_name": "", "opened_on": "nope"}).status_code == 400
    assert Case.objects.count() == before
    case = _intake(world)
    # Duplicate name inside the agency: warned, nothing written until confirmed.
    response = cm.post(url("case-intake"), INTAKE)
    assert response.status_code == 400
    assert "1 client(s) of your agency already have this name" in response.content.decode()
    assert Case.objects.count() == before + 1
    assert cm.post(url("case-intake"), {**INTAKE, "confirm_duplicate": "on"}).status_code == 302
    # The same name in another agency is not a duplicate.
    assert world.client("alpha.other_agency_cm").post(url("case-intake"), INTAKE).status_code == 302

    future = (today_for(world.actor("alpha.case_manager")) + dt.timedelta(days=3)).isoformat()
    bad_services = [
        {"delivered_on": future, "service_type": "medical", "units": "1"},
        {"delivered_on": "2025-01-11", "service_type": "not-a-service", "units": "1"},
        {"delivered_on": "2025-01-11", "service_type": "medical", "units": "-4"},
        {
            "delivered_on": "2025-01-11",
            "service_type": "medical",
            "units": "1",
            "providing_agency": world.agencies["beta.vs"].pk,
        },
    ]
    for data in bad_services:
        assert cm.post(url("case-service-add", case_id=case.pk), data).status_code == 400, data
    assert not ServiceDelivery.objects.filter(case=case).exists()
    assert cm.post(url("case-note-add", case_id=case.pk), {"text": "  "}).status_code == 400
    consent = {
        "recipient_agency": world.agencies["alpha.vs2"].pk,
        "scope": ["identity"],
        "purpose": "x",
        "signed_by": "Ana",
        "signed_on": "2025-02-01",
        "expires_on": "2026-06-01",
    }
    assert cm.post(url("case-consent-add", case_id=case.pk), consent).status_code == 400
    own = {**consent, "expires_on": "", "recipient_agency": world.agencies["alpha.vs"].pk}
    assert cm.post(url("case-consent-add", case_id=case.pk), own).status_code == 400
    assert not Consent.objects.filter(case=case).exists()
    assert cm.post(url("case-close", case_id=case.pk), {"closure_reason": "bogus"}).status_code == 400
    assert cm.get(url("case-list"), {"status": "bogus"}).status_code == 400
    assert cm.get(url("case-screening-add", case_id=case.pk), {"form": "medium"}).status_code == 400


def test_outsiders_get_404(world: World) -> None:
    case = _intake(world)
    detail = url("case-detail", case_id=case.pk)
    for key in ("alpha.case_manager_2", "alpha.other_agency_cm", "alpha.investigator", "alpha.tenant_admin"):
        assert world.client(key).get(detail).status_code == 404, key
        response = world.client(key).post(url("case-note-add", case_id=case.pk), {"text": "x"})
        assert response.status_code == 404, key
    assert (
        world.client("beta.vs_supervisor").get(url("case-detail", tf="beta", case_id=case.pk)).status_code
        == 404
    )
    assert world.client("alpha.investigator").get(url("case-list")).status_code == 404
    assert world.client("alpha.investigator").get(url("case-intake")).status_code == 404
    assert not CaseNote.objects.filter(case=case).exists()


def test_case_list_queries_do_not_grow_with_cases(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sup = world.client("alpha.vs_supervisor")
    _intake(world, key="alpha.vs_supervisor", first_name="One")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert sup.get(url("case-list")).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for name in ("Two", "Three", "Four"):
        _intake(world, key="alpha.vs_supervisor", first_name=name)
    assert count() == few
