"""Running an MDT meeting in a real browser: plan, attendance, start, a decision and an
action item on a presented review, minutes, finish, print view."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest

from tests.browser.conftest import PASSWORD
from tests.world import local_today, world_time_zone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def golf(live_server) -> dict[str, str]:
    from cases import services as case_services
    from mdt import services
    from taskforce.access import Actor, Role, Side
    from taskforce.models import Agency, Membership, TaskForce, User
    from taskforce.rls import task_force_scope

    task_force = TaskForce.objects.create(
        slug="golf", name="Golf County Task Force", time_zone=world_time_zone()
    )
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
            case={"opened_on": local_today("golf") - dt.timedelta(days=20)},
        )
    return {"team_id": str(team.pk)}


def _sign_in(page, email: str) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill('input[name="username"]', email)
    page.fill('input[name="password"]', PASSWORD)
    with page.expect_navigation():
        page.click('button[type="submit"]')


def _local_now(slug: str) -> dt.datetime:
    from taskforce.models import TaskForce

    return dt.datetime.now(zoneinfo.ZoneInfo(TaskForce.objects.get(slug=slug).time_zone))


def test_coordinator_runs_a_meeting(page, golf) -> None:
    # The coordinator plans today's meeting (a meeting is started on its day, not before).
    _sign_in(page, "coord@golf.test")
    page.goto(f"/tf/golf/mdt/teams/{golf['team_id']}/meetings/new/")
    page.fill('input[name="starts_at"]', _local_now("golf").strftime("%Y-%m-%dT%H:%M"))
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

    # The coordinator runs it: start, then decisions and minutes typed before attendance.
    _sign_in(page, "coord@golf.test")
    page.goto(meeting_url)
    with page.expect_navigation():
        page.click("text=Start meeting")
    page.locator('.quick-decisions textarea[name$="decisions"]').first.fill("Refer to transitional housing")
    page.locator('textarea[name="minutes"]').fill("Quorum present. One case reviewed.")
    assert page.locator("[data-unsaved-note]").is_visible()

    # Leaving now asks first; staying keeps every word.
    dialogs: list[str] = []

    def stay(dialog) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.click("text=Print view")
    page.wait_for_timeout(500)
    page.remove_listener("dialog", stay)
    assert dialogs == ["beforeunload"]
    assert page.url == meeting_url
    assert page.locator('textarea[name="minutes"]').input_value() == "Quorum present. One case reviewed."

    # "Mark all present" ticks everyone in place; the investigator did not come.
    page.click("text=Mark all present")
    radios = page.locator('.attendance-form input[type="radio"][value="present"]')
    assert radios.count() == 3
    assert all(radio.is_checked() for radio in radios.all())
    page.locator('.attendance-form fieldset:has-text("Inv") input[value="absent"]').check()

    # "Save attendance" saves the decisions and minutes typed meanwhile too.
    with page.expect_navigation():
        page.click("text=Save attendance")
    page.goto(meeting_url)
    assert page.locator('.quick-decisions textarea[name$="decisions"]').first.input_value() == (
        "Refer to transitional housing"
    )
    assert page.locator('textarea[name="minutes"]').input_value() == "Quorum present. One case reviewed."
    assert page.locator('.attendance-form fieldset:has-text("Inv") input[value="absent"]').is_checked()
    assert page.locator('.attendance-form fieldset:has-text("Coord") input[value="present"]').is_checked()
    assert not page.locator("[data-unsaved-note]").is_visible()

    page.locator("details.quick-action summary").first.click()
    action = page.locator("form.action-form").first
    action.locator('[name$="description"]').fill("Call the housing program")
    action.locator('select[name$="owner"]').select_option(index=1)
    due = (local_today("golf") + dt.timedelta(days=14)).isoformat()
    action.locator('input[name$="due_on"]').fill(due)
    with page.expect_navigation():
        action.locator("button").click()
    with page.expect_navigation():
        page.click("text=Finish meeting")
    body = page.inner_text("main")
    assert "Call the housing program" in body
    decisions = page.locator('.quick-decisions textarea[name$="decisions"]')
    assert decisions.count() == 0 or decisions.first.input_value() == "Refer to transitional housing"
    assert "Held" in body

    page.goto(meeting_url + "print/")
    printed = page.inner_text("body")
    assert printed.count("Confidential: California Penal Code 13753") >= 2
    assert "Quorum present" in printed
    assert "Refer to transitional housing" in printed
    assert page.console_errors == []
