"""The coordinator's morning in a real browser: the home page says which tips are past the
triage target, and the inbox puts the twelve-day-old "immediate danger, minors" tip first, with
its age, above newer ordinary ones."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser.conftest import PASSWORD
from tests.world import world_time_zone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def hotel(live_server) -> None:
    from django.utils import timezone

    from referrals import services
    from taskforce.access import Actor, Role, Side
    from taskforce.models import Agency, Membership, TaskForce, User
    from taskforce.rls import task_force_scope

    task_force = TaskForce.objects.create(
        slug="hotel", name="Hotel County Task Force", time_zone=world_time_zone()
    )
    with task_force_scope(task_force.pk):
        office = Agency.objects.create(task_force=task_force, name="Hotel TF Office", side=Side.COORDINATION)
        user = User.objects.create_user(email="coord@hotel.test", password=PASSWORD, full_name="Coord")
        membership = Membership.objects.create(
            task_force=task_force, user=user, agency=office, role=Role.COORDINATOR
        )
    now = timezone.now()
    with task_force_scope(task_force.pk):
        actor = Actor.from_membership(membership)
        for hours, urgency, city in (
            (2, "normal", "Concord"),
            (5, "high", "Richmond"),
            (30, "low", "Antioch"),
        ):
            services.tip_create(
                actor=actor,
                data={"source": "hotline", "narrative": "ordinary", "urgency": urgency, "city": city,
                      "received_at": now - dt.timedelta(hours=hours)},
            )  # fmt: skip
        services.tip_create(
            actor=actor,
            data={"source": "school", "narrative": "girls kept at a house", "urgency": "immediate",
                  "minors_involved": True, "city": "Pittsburg", "received_at": now - dt.timedelta(days=12)},
        )  # fmt: skip


def test_danger_first_and_overdue_on_the_home_page(page, hotel) -> None:
    page.goto("/accounts/login/")
    page.fill('input[name="username"]', "coord@hotel.test")
    page.fill('input[name="password"]', PASSWORD)
    with page.expect_navigation():
        page.click('button[type="submit"]')
    page.goto("/tf/hotel/")
    overdue = page.inner_text(".overdue-tips")
    assert "1 tip past the triage target" in overdue
    assert "Immediate danger" in overdue
    assert "waiting 12 days" in overdue

    with page.expect_navigation():
        page.click(".overdue-tips >> text=Open the inbox")
    first = page.locator("table.tip-table tbody tr").first
    text = first.inner_text()
    assert "Immediate danger" in text
    assert "12 days" in text
    assert "past triage target" in text
    assert "overdue" in (first.get_attribute("class") or "")
    cities = page.locator("table.tip-table tbody td[data-label='Where']").all_inner_texts()
    assert [c.split("\n")[0] for c in cities] == ["Pittsburg", "Richmond", "Concord", "Antioch"]
    assert page.console_errors == []
