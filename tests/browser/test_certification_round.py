"""Issue 12, item 6 in a real browser: an investigator starts a U visa certification request
from an investigation; the certifying agency's prosecutor sees who it is for and which
investigation, cannot decline without a reason, signs it, and the USCIS filing deadline and the
signed form still to attach show on both sides."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import PASSWORD
from tests.world import world_time_zone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def golf(live_server) -> None:
    from referrals import services
    from taskforce.access import Actor, Role, Side
    from taskforce.models import Agency, Membership, TaskForce, User
    from taskforce.rls import task_force_scope

    task_force = TaskForce.objects.create(
        slug="golf", name="Golf County Task Force", time_zone=world_time_zone()
    )
    with task_force_scope(task_force.pk):
        pd = Agency.objects.create(task_force=task_force, name="Golf Police", side=Side.LAW_ENFORCEMENT)
        da = Agency.objects.create(task_force=task_force, name="Golf DA", side=Side.LAW_ENFORCEMENT)
        members = {}
        for email, name, agency, role in (
            ("det@golf.test", "Dana Detective", pd, Role.LE_INVESTIGATOR),
            ("dda@golf.test", "Pat Prosecutor", da, Role.PROSECUTOR),
        ):
            user = User.objects.create_user(email=email, password=PASSWORD, full_name=name)
            members[email] = Membership.objects.create(
                task_force=task_force, user=user, agency=agency, role=role
            )
        detective = Actor.from_membership(members["det@golf.test"])
        investigation = services.investigation_create(
            actor=detective, data={"title": "Nail salon ring", "case_number": "GPD-HT-7"}
        )
        services.victim_identify(
            actor=detective, investigation=investigation, data={"name_or_alias": "Lan V-2"}
        )


def _sign_in(page, email: str) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill('input[name="username"]', email)
    page.fill('input[name="password"]', PASSWORD)
    with page.expect_navigation():
        page.click('button[type="submit"]')


def test_an_investigator_asks_and_the_certifying_agency_decides(page, golf) -> None:
    # The detective starts the request from the investigation page.
    _sign_in(page, "det@golf.test")
    page.goto("/tf/golf/investigations/")
    with page.expect_navigation():
        page.click("text=GPD-HT-7")
    investigation_url = page.url
    with page.expect_navigation():
        page.click("#certifications >> text=Request certification")
    page.check('input[name="kind"][value="u_visa"]')
    page.select_option('select[name="certifying_agency"]', label="Golf DA")
    page.select_option('select[name="victim"]', index=1)
    with page.expect_navigation():
        page.click('main button[type="submit"]')
    assert re.search(r"/tf/golf/certifications/[0-9a-f-]{36}/$", page.url), page.url
    request_url = page.url
    main = page.inner_text("main")
    assert "Requested" in main
    assert "Lan V-2" in main
    page.goto(investigation_url)
    assert "U visa" in page.inner_text("#certifications")

    # The prosecutor at the DA sees who and which investigation, and decides.
    _sign_in(page, "dda@golf.test")
    page.goto("/tf/golf/certifications/")
    assert "Lan V-2" in page.inner_text("main")
    with page.expect_navigation():
        page.click("main table >> text=U visa")
    assert page.url == request_url
    main = page.inner_text("main")
    assert "GPD-HT-7" in main
    assert "Nail salon ring" in main
    page.check("#status-declined")
    with page.expect_navigation():
        page.click('main form[action$="/status/"] button[type="submit"]')
    assert "Say why the request is declined." in page.inner_text("main")
    page.check("#status-signed")
    page.fill('[name="signer_title"]', "Deputy District Attorney")
    page.fill('[name="reference"]', "DA-2026-118")
    with page.expect_navigation():
        page.click('main form[action$="/status/"] button[type="submit"]')
    assert page.url == request_url
    main = page.inner_text("main")
    assert "Signed" in main
    assert "Pat Prosecutor, Deputy District Attorney" in main
    assert "File the I-918 with USCIS by" in main
    assert "Signed form to be attached" in main
    assert page.locator('form[action$="/status/"]').count() == 0  # decided: no more choices

    # The detective sees the decision.
    _sign_in(page, "det@golf.test")
    page.goto(request_url)
    main = page.inner_text("main")
    assert "Signed" in main
    assert "DA-2026-118" in main
    assert "File the I-918 with USCIS by" in main
    assert page.console_errors == []
