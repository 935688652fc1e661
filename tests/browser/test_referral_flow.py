"""The bridge in a real browser: an investigator logs a tip, the coordinator triages it and
refers the victim to a shelter, the shelter's case manager accepts and opens the new case."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import PASSWORD
from tests.world import world_time_zone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def foxtrot(live_server) -> None:
    from taskforce.access import Role, Side
    from taskforce.models import Agency, Membership, TaskForce, User
    from taskforce.rls import task_force_scope

    task_force = TaskForce.objects.create(
        slug="foxtrot", name="Foxtrot County Task Force", time_zone=world_time_zone()
    )
    with task_force_scope(task_force.pk):
        da = Agency.objects.create(task_force=task_force, name="Foxtrot DA", side=Side.LAW_ENFORCEMENT)
        office = Agency.objects.create(
            task_force=task_force, name="Foxtrot TF Office", side=Side.COORDINATION
        )
        shelter = Agency.objects.create(
            task_force=task_force, name="Foxtrot STAND", side=Side.VICTIM_SERVICES
        )
        for email, agency, role in (
            ("inv@fox.test", da, Role.LE_INVESTIGATOR),
            ("coord@fox.test", office, Role.COORDINATOR),
            ("cm@fox.test", shelter, Role.VS_CASE_MANAGER),
        ):
            user = User.objects.create_user(
                email=email, password=PASSWORD, full_name=email.split("@")[0].title()
            )
            Membership.objects.create(task_force=task_force, user=user, agency=agency, role=role)


def _sign_in(page, email: str) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill('input[name="username"]', email)
    page.fill('input[name="password"]', PASSWORD)
    with page.expect_navigation():
        page.click('button[type="submit"]')


def test_tip_to_referral_to_case(page, foxtrot) -> None:
    # The investigator logs a tip.
    _sign_in(page, "inv@fox.test")
    page.goto("/tf/foxtrot/tips/new/")
    page.select_option('select[name="source"]', "hotline")
    page.select_option('select[name="trafficking_type"]', "labor")
    page.fill('[name="narrative"]', "Workers sleeping at the nursery, pay withheld")
    with page.expect_navigation():
        page.click('main button[type="submit"]')
    assert re.search(r"/tf/foxtrot/tips/[0-9a-f-]{36}/$", page.url), page.url
    tip_url = page.url

    # The coordinator triages it and refers the victim to the shelter.
    _sign_in(page, "coord@fox.test")
    page.goto(tip_url)
    with page.expect_navigation():
        page.click("text=Mark triaged")
    assert "Triaged" in page.inner_text("main")
    page.goto("/tf/foxtrot/referrals/new/")
    page.select_option('select[name="to_agency"]', label="Foxtrot STAND")
    page.fill('[name="name_or_alias"]', "Maria")
    page.fill('[name="language"]', "Spanish")
    page.fill('[name="summary"]', "Worker identified at a nursery needs shelter and legal help")
    with page.expect_navigation():
        page.click('main button[type="submit"]')
    assert re.search(r"/tf/foxtrot/referrals/[0-9a-f-]{36}/$", page.url), page.url
    referral_url = page.url

    # The case manager accepts it from the inbox and lands on the new case.
    _sign_in(page, "cm@fox.test")
    page.goto("/tf/foxtrot/referrals/")
    assert "Foxtrot TF Office" in page.inner_text("main")
    page.goto(referral_url)
    assert "Worker identified at a nursery" in page.inner_text("main")
    with page.expect_navigation():
        page.click("text=Accept")
    with page.expect_navigation():
        page.click("text=Open the case")
    assert re.search(r"/tf/foxtrot/cases/[0-9a-f-]{36}/$", page.url), page.url
    assert "Maria" in page.inner_text("main")
    assert page.console_errors == []
