"""Sorting and paging the case list in a real browser, by keyboard-reachable links only."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser.conftest import PASSWORD
from tests.world import world_time_zone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def supervisor(live_server) -> dict[str, str]:
    from cases import services
    from taskforce.access import Actor, Role, Side
    from taskforce.models import Agency, Membership, TaskForce, User
    from taskforce.rls import task_force_scope

    task_force = TaskForce.objects.create(slug="golf", name="Golf Task Force", time_zone=world_time_zone())
    with task_force_scope(task_force.pk):
        shelter = Agency.objects.create(task_force=task_force, name="Golf Shelter", side=Side.VICTIM_SERVICES)
        user = User.objects.create_user(email="sup@golf.test", password=PASSWORD, full_name="Sam Golf")
        membership = Membership.objects.create(
            task_force=task_force, user=user, agency=shelter, role=Role.VS_SUPERVISOR
        )
        actor = Actor.from_membership(membership)
        today = services.today_for(actor)
        for n in range(12):
            services.intake_create(
                actor=actor,
                client={"first_name": f"Client{n:02d}", "last_name": "Golf"},
                case={"opened_on": today - dt.timedelta(days=n * 2)},
            )
    return {"email": "sup@golf.test", "oldest": (today - dt.timedelta(days=22)).isoformat()}


def test_sort_by_a_header_then_page_on(page, supervisor) -> None:
    page.goto("/accounts/login/")
    page.fill('input[name="username"]', supervisor["email"])
    page.fill('input[name="password"]', PASSWORD)
    with page.expect_navigation():
        page.click('button[type="submit"]')
    page.goto("/tf/golf/cases/?size=10")

    opened = page.locator("th", has_text="Opened")
    assert opened.get_attribute("aria-sort") is None
    # The header is a link: reachable and followed from the keyboard.
    opened.locator("a").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "sort=-opened" in page.url
    assert page.locator("th", has_text="Opened").get_attribute("aria-sort") == "descending"
    with page.expect_navigation():
        page.locator("th", has_text="Opened").locator("a").click()
    assert "sort=opened" in page.url
    assert page.locator("th[aria-sort=ascending]").inner_text().startswith("Opened")
    first_cells = page.locator('td[data-label="Opened"]').all_inner_texts()
    assert len(first_cells) == 10
    assert first_cells == sorted(first_cells)
    assert first_cells[0] == supervisor["oldest"]

    with page.expect_navigation():
        page.click("text=Next page")
    second = page.locator('td[data-label="Opened"]').all_inner_texts()
    assert len(second) == 2
    assert second[0] > first_cells[-1]
    assert page.locator("th[aria-sort=ascending]").count() == 1  # the order survives paging
    with page.expect_navigation():
        page.click("text=Previous page")
    assert page.locator('td[data-label="Opened"]').all_inner_texts() == first_cells
    assert page.console_errors == []
