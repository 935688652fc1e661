"""A referral hand-off in a real browser keeps the survivor safe: the shelter marks "never
text", "never home visit" and the address confidentiality program; after the legal aid agency
accepts, its new case shows the same safety profile, and the alias stays an alias."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import PASSWORD
from tests.world import world_time_zone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def golf(live_server) -> None:
    from taskforce.access import Role, Side
    from taskforce.models import Agency, Membership, TaskForce, User
    from taskforce.rls import task_force_scope

    task_force = TaskForce.objects.create(
        slug="golf", name="Golf County Task Force", time_zone=world_time_zone()
    )
    with task_force_scope(task_force.pk):
        shelter = Agency.objects.create(task_force=task_force, name="Golf Shelter", side=Side.VICTIM_SERVICES)
        legal = Agency.objects.create(task_force=task_force, name="Golf Legal Aid", side=Side.VICTIM_SERVICES)
        for email, agency in (("cm@golf.test", shelter), ("legal@golf.test", legal)):
            user = User.objects.create_user(email=email, password=PASSWORD, full_name=email.split("@")[0])
            Membership.objects.create(
                task_force=task_force, user=user, agency=agency, role=Role.VS_CASE_MANAGER
            )


def _sign_in(page, email: str) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill('input[name="username"]', email)
    page.fill('input[name="password"]', PASSWORD)
    with page.expect_navigation():
        page.click('button[type="submit"]')


def test_safety_profile_and_names_survive_the_hand_off(page, golf) -> None:
    _sign_in(page, "cm@golf.test")
    page.goto("/tf/golf/cases/intake/")
    page.fill('input[name="first_name"]', "Luz")
    page.fill('input[name="last_name"]', "Marin")
    page.fill('input[name="aliases"]', "Lu")
    page.fill("[name=safe_contact]", "Weekdays 10-12 through her counselor")
    page.check('input[name="unsafe_channels"][value="text"]')
    page.check('input[name="unsafe_channels"][value="home_visit"]')
    page.check('input[name="address_confidential"]')
    page.select_option('select[name="trafficking_type"]', "sex")
    with page.expect_navigation():
        page.click("text=Save intake")
    case_url = page.url

    # A release to the legal aid agency covering the name and the summary (not contact).
    page.click("text=Record a release")
    page.select_option('select[name="recipient_agency"]', label="Golf Legal Aid")
    page.check('input[name="scope"][value="identity"]')
    page.check('input[name="scope"][value="case_summary"]')
    page.fill('input[name="purpose"]', "T visa legal help")
    page.fill('input[name="signed_by"]', "Luz Marin")
    with page.expect_navigation():
        page.click('main button[type="submit"]')
    assert page.url.startswith(case_url)

    page.goto(case_url + "refer/")
    carried = page.inner_text(".safety-carried")
    assert "Never contact by text message" in carried
    assert "Address confidentiality program" in carried
    page.select_option('select[name="to_agency"]', label="Golf Legal Aid (victim services)")
    page.check('input[name="consent"]')
    page.fill('[name="name_or_alias"]', "Lu")
    page.fill('[name="summary"]', "Needs an attorney for a T visa")
    with page.expect_navigation():
        page.click("text=Send referral")
    assert re.search(r"/tf/golf/referrals/[0-9a-f-]{36}/$", page.url), page.url
    referral_url = page.url

    _sign_in(page, "legal@golf.test")
    page.goto(referral_url)
    payload = page.inner_text(".payload")
    assert "Do not use: Text message" in payload
    assert "Address confidentiality program" in payload
    with page.expect_navigation():
        page.click("text=Accept")
    with page.expect_navigation():
        page.click("text=Open the case")
    assert re.search(r"/tf/golf/cases/[0-9a-f-]{36}/$", page.url), page.url
    safety = page.inner_text(".safety")
    assert "Do not use: Text message" in safety
    assert "Do not use: Home visit" in safety
    assert "No channel marked unsafe" not in safety
    assert "Address confidentiality program" in safety
    assert "Weekdays 10-12 through her counselor" in safety
    facts = page.inner_text("main")
    assert "Luz Marin" in facts  # the legal name, in the legal name's place
    assert re.search(r"Other names\s+Lu\b", facts), facts
    assert page.console_errors == []
