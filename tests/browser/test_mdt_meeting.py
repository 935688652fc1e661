"""Running an MDT meeting in a real browser: plan, attendance, start, a decision and an
action item on a presented review, minutes, finish, print view."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.browser.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def golf(live_server) -> dict[str, str]:
    from cases import services as case_services
    from mdt import services
    from taskforce.access import Actor, Role, Side
    from taskforce.models import Agency, Membership, TaskForce, User
    from taskforce.rls import task_force_scope

    task_force = TaskForce.objects.create(slug="golf", name="Golf County Task Force")
    with task_force_scope(task_force.pk):
        office = Agency.objects.create(task_force=task_force, name="Golf TF Office", side=Side.COORDINATION)
        shelter = Agency.objects.create(task_force=task_force, name="Golf Shelter", side=Side.VICTIM_SERVICES)
        da = Agency.objects.create(task_force=task_force, name="Golf DA", side=Side.LAW_ENFORCEMENT)
        members = {}
        for email, agency, role in (
            ("coord@golf.test", office, Role.COORDINATOR),
            ("cm@golf.test", shelter, Role.VS_CASE_MANAGER),
            ("inv@golf.test", da, Role.LE_INVESTIGATOR),
        ):
            user = User.objects.create_user(
                email=email, password=PASSWORD, full_name=email.split("@")[0].title()
            )
            members[email] = Membership.objects.create(
                task_force=task_force, user=user, agency=agency, role=role
            )
        coordinator = Actor.from_membership(members["coord@golf.test"])
        team = services.team_create(actor=coordinator, name="Golf Adult MDT")
        for email in members:
            row = services.roster_add(
                actor=coordinator,
                team=team,
                membership=members[email],
                is_facilitator=email.startswith("coord"),
            )
            services.agreement_sign(actor=coordinator, row=row)
        case_manager = Actor.from_membership(members["cm@golf.test"])
        case_services.intake_create(
            actor=case_manager,
            client={"first_name": "Lucia", "last_name": "Hiddenname"},
            case={"opened_on": dt.date.today() - dt.timedelta(days=20)},  # noqa: DTZ011
        )
    return {"team_id": str(team.pk)}


def _sign_in(page, email: str) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill('input[name="username"]', email)
    page.fill('input[name="password"]', PASSWORD)
    with page.expect_navigation():
        page.click('button[type="submit"]')


def test_coordinator_runs_a_meeting(page, golf) -> None:
    # The coordinator plans next week's meeting.
    _sign_in(page, "coord@golf.test")
    page.goto(f"/tf/golf/mdt/teams/{golf['team_id']}/meetings/new/")
    starts = (dt.datetime.now() + dt.timedelta(days=7)).replace(hour=10, minute=0)  # noqa: DTZ005
    page.fill('input[name="starts_at"]', starts.strftime("%Y-%m-%dT%H:%M"))
    page.fill('input[name="place"]', "Family Justice Center, room 2")
    with page.expect_navigation():
        page.click('main button[type="submit"]')
    assert re.search(r"/tf/golf/mdt/meetings/[0-9a-f-]{36}/$", page.url), page.url
    meeting_url = page.url
    assert "Confidential: California Penal Code 13753" in page.inner_text("body")

    # The case manager presents a case: the agenda shows a code, never the client's name.
    _sign_in(page, "cm@golf.test")
    page.goto(meeting_url)
    page.click("text=Present a case")
    page.fill('[name="summary"]', "Young adult, labor exploitation at a nursery, needs housing")
    with page.expect_navigation():
        page.click('main button[type="submit"]')
    page.goto(meeting_url)
    agenda = page.inner_text("main")
    assert re.search(r"A-\d{4}-\d{3}", agenda)
    assert "Hiddenname" not in agenda

    # The coordinator runs it: start, attendance, a decision, an action item, minutes, finish.
    _sign_in(page, "coord@golf.test")
    page.goto(meeting_url)
    with page.expect_navigation():
        page.click("text=Start meeting")
    for radio in page.locator('.attendance-form input[type="radio"][value="present"]').all():
        radio.check()
    with page.expect_navigation():
        page.click("text=Save attendance")
    page.locator('form.quick-decisions textarea[name$="decisions"]').first.fill(
        "Refer to transitional housing"
    )
    with page.expect_navigation():
        page.locator("form.quick-decisions button").first.click()
    page.locator("details.quick-action summary").first.click()
    action = page.locator("form.action-form").first
    action.locator('[name$="description"]').fill("Call the housing program")
    action.locator('select[name$="owner"]').select_option(index=1)
    due = (dt.date.today() + dt.timedelta(days=14)).isoformat()  # noqa: DTZ011
    action.locator('input[name$="due_on"]').fill(due)
    with page.expect_navigation():
        action.locator("button").click()
    page.locator('textarea[name$="minutes"]').fill("Quorum present. One case reviewed.")
    with page.expect_navigation():
        page.click("text=Save minutes")
    with page.expect_navigation():
        page.click("text=Finish meeting")
    body = page.inner_text("main")
    assert "Call the housing program" in body
    decisions = page.locator('form.quick-decisions textarea[name$="decisions"]')
    assert decisions.count() == 0 or decisions.first.input_value() == "Refer to transitional housing"
    assert "Held" in body

    page.goto(meeting_url + "print/")
    printed = page.inner_text("body")
    assert printed.count("Confidential: California Penal Code 13753") >= 2
    assert "Quorum present" in printed
    assert "Refer to transitional housing" in printed
    assert page.console_errors == []
