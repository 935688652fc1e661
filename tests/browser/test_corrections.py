"""A case manager corrects what was entered, in a real browser: the client's phone and safety
profile after intake, and a service recorded by mistake is voided with a reason."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import PASSWORD
from tests.world import world_time_zone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shelter(live_server) -> dict[str, str]:
    from cases import services
    from cases.models import Case
    from taskforce.access import Actor, Role, Side
    from taskforce.models import Agency, Membership, TaskForce, User
    from taskforce.rls import task_force_scope

    task_force = TaskForce.objects.create(
        slug="foxtrot", name="Foxtrot Task Force", time_zone=world_time_zone()
    )
    with task_force_scope(task_force.pk):
        shelter = Agency.objects.create(
            task_force=task_force, name="Foxtrot Shelter", side=Side.VICTIM_SERVICES
        )
        user = User.objects.create_user(email="cm@foxtrot.test", password=PASSWORD, full_name="Robin Foxtrot")
        membership = Membership.objects.create(
            task_force=task_force, user=user, agency=shelter, role=Role.VS_CASE_MANAGER
        )
        actor = Actor.from_membership(membership)
        case: Case = services.intake_create(
            actor=actor,
            client={
                "first_name": "Lena",
                "last_name": "Example",
                "phone": "555-0100",
                "safe_contact": "Any time",
            },
            case={"trafficking_type": "labor"},
        )
        services.service_record(
            actor=actor, case=case, service_type="medical", delivered_on=services.today_for(actor)
        )
    return {"email": "cm@foxtrot.test", "case": str(case.pk)}


def test_case_manager_corrects_phone_and_safety_profile_and_voids_a_service(page, shelter) -> None:
    page.goto("/accounts/login/")
    page.fill('input[name="username"]', shelter["email"])
    page.fill('input[name="password"]', PASSWORD)
    with page.expect_navigation():
        page.click('button[type="submit"]')

    case_url = f"/tf/foxtrot/cases/{shelter['case']}/"
    page.goto(case_url)
    assert "555-0100" in page.inner_text("#h-contact >> xpath=ancestor::section")
    with page.expect_navigation():
        page.click("text=Edit client details")
    assert re.search(r"/client/edit/$", page.url), page.url

    page.fill('input[name="phone"]', "555-0142")
    page.fill('[name="safe_contact"]', "Only through the advocate, weekdays")
    page.check('input[name="unsafe_channels"][value="text"]')
    page.check('input[name="unsafe_channels"][value="home_visit"]')
    page.check('input[name="address_confidential"]')
    with page.expect_navigation():
        page.click("text=Save changes")
    assert page.url.endswith(case_url), page.url

    safety = page.inner_text("section.safety")
    assert "Only through the advocate, weekdays" in safety
    assert "Do not use: Text message" in safety
    assert "Address confidentiality program" in safety
    assert "555-0142" in page.inner_text("main")
    changes = page.inner_text("#changes")
    assert "Robin Foxtrot" in changes
    assert "phone" in changes
    assert "unsafe_channels" in changes
    assert "555-0142" not in changes  # names of fields, never values

    # Void the medical service recorded by mistake, with a reason.
    timeline = page.locator("#timeline")
    timeline.locator("details.void summary").first.click()
    timeline.locator('input[name="reason"]').first.fill("Recorded on the wrong client")
    with page.expect_navigation():
        timeline.locator("text=Void service").first.click()
    entry = page.inner_text("#timeline")
    assert "Voided" in entry
    assert "Recorded on the wrong client" in entry
    assert "Medical" in entry  # still listed, never deleted
    assert "service voided" in page.inner_text("#changes")
    assert page.console_errors == []
