"""A case manager's day in a real browser: intake, a service, a release of information."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import PASSWORD
from tests.world import world_time_zone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shelter(live_server) -> dict[str, str]:
    from taskforce.access import Role, Side
    from taskforce.models import Agency, Membership, TaskForce, User
    from taskforce.rls import task_force_scope

    task_force = TaskForce.objects.create(
        slug="echo", name="Echo County Task Force", time_zone=world_time_zone()
    )
    with task_force_scope(task_force.pk):
        shelter = Agency.objects.create(task_force=task_force, name="Echo Shelter", side=Side.VICTIM_SERVICES)
        Agency.objects.create(task_force=task_force, name="Echo Legal Aid", side=Side.VICTIM_SERVICES)
        user = User.objects.create_user(email="cm@echo.test", password=PASSWORD, full_name="Morgan Echo")
        Membership.objects.create(task_force=task_force, user=user, agency=shelter, role=Role.VS_CASE_MANAGER)
    return {"email": "cm@echo.test"}


def test_case_manager_takes_in_a_client_records_a_service_and_a_release(page, shelter) -> None:
    page.goto("/accounts/login/")
    page.fill('input[name="username"]', shelter["email"])
    page.fill('input[name="password"]', PASSWORD)
    with page.expect_navigation():
        page.click('button[type="submit"]')

    page.click("nav >> text=Cases")
    page.wait_for_url(re.compile(r"/tf/echo/cases/$"))
    page.goto("/tf/echo/cases/intake/")
    page.fill('input[name="first_name"]', "Rosa")
    page.fill('input[name="last_name"]', "Example")
    page.fill('input[name="date_of_birth"]', "1994-03-02")
    page.fill("[name=safe_contact]", "Text only, weekdays after 6pm")
    page.check('input[name="unsafe_channels"][value="voicemail"]')
    page.select_option('select[name="trafficking_type"]', "labor")
    page.select_option('select[name="referral_source"]', "hotline")
    page.check('input[name="q_control_documents"][value="yes"]')
    with page.expect_navigation():
        page.click("text=Save intake")
    assert re.search(r"/tf/echo/cases/[0-9a-f-]{36}/$", page.url), page.url
    case_url = page.url
    body = page.inner_text("main")
    assert "Rosa" in body
    assert "Text only, weekdays after 6pm" in body
    assert "Voicemail" in body  # never-use channel shown before anyone calls

    # Quick service entry from the case page.
    page.select_option(
        'form[aria-label="Record a service"] select[name="service_type"]', "crisis_intervention"
    )
    with page.expect_navigation():
        page.click('form[aria-label="Record a service"] button[type="submit"]')
    assert page.url.startswith(case_url)
    assert "Crisis intervention" in page.inner_text("#timeline")

    # A release of information to the legal aid agency.
    page.click("text=Record a release")
    page.select_option('select[name="recipient_agency"]', label="Echo Legal Aid")
    page.check('input[name="scope"][value="identity"]')
    page.check('input[name="scope"][value="case_summary"]')
    page.fill('input[name="purpose"]', "Immigration legal help")
    page.fill('input[name="signed_by"]', "Rosa Example")
    with page.expect_navigation():
        page.click('main button[type="submit"]')
    assert page.url.startswith(case_url)
    releases = page.inner_text("main")
    assert "Echo Legal Aid" in releases
    assert page.console_errors == []
