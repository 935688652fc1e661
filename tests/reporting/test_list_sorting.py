"""Training and outreach logs: sortable columns and keyset pages (taskforce.listing)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from reporting import policies, services
from tests.listing import assert_orders, assert_refuses_bad_input
from tests.world import World, local_today

pytestmark = pytest.mark.django_db


def url(name: str, tf: str = "alpha") -> str:
    return reverse(name, kwargs={"task_force": tf})


def _log(world: World, kind: str, count: int, key: str = "alpha.coordinator") -> None:
    today = local_today(world.slug(key))
    for n in range(count):
        # Two a day and a title repeated every five: ties only the id can order.
        held_on, title = today - dt.timedelta(days=n // 2), f"Session {n % 5}"
        if kind == "training":
            services.training_record(
                actor=world.actor(key),
                data={"held_on": held_on, "title": title, "hours": 1, "attendees_community": 4},
            )
        else:
            services.outreach_record(
                actor=world.actor(key), data={"held_on": held_on, "kind": "media", "title": title}
            )


@pytest.mark.parametrize("kind", ["training", "outreach"])
def test_event_logs_sort_and_page_through_the_task_force_only(world: World, kind: str) -> None:
    _log(world, kind, 13)
    _log(world, kind, 3, key="beta.coordinator")  # another task force's: never listed
    actor = world.actor("alpha.analyst")
    visible = list(
        policies.visible_training(actor) if kind == "training" else policies.visible_outreach(actor)
    )
    assert len(visible) == 13
    orders = {"date": lambda e: e.held_on, "title": lambda e: e.title}
    assert_orders(world.client("alpha.analyst"), url(f"{kind}-list"), visible, orders)


@pytest.mark.parametrize("kind", ["training", "outreach"])
def test_event_logs_refuse_a_bad_sort_cursor_or_size(world: World, kind: str) -> None:
    _log(world, kind, 12)
    assert_refuses_bad_input(world.client("alpha.coordinator"), url(f"{kind}-list"), sort="date")


@pytest.mark.parametrize(("count", "size"), [(3, 10), (30, 100)])
def test_event_log_queries_are_bounded(
    world: World, django_assert_max_num_queries, count: int, size: int
) -> None:
    client = world.client("alpha.coordinator")
    for kind in ("training", "outreach"):
        _log(world, kind, count)
        client.get(url(f"{kind}-list"))
        with django_assert_max_num_queries(20):
            response = client.get(url(f"{kind}-list"), {"sort": "title", "size": size})
        assert len(response.context["rows"]) == min(count, size)


def test_exports_sort_and_page_through_the_callers_own(world: World) -> None:
    from reporting.models import ReportExport

    for n in range(12):
        services.export_request(
            actor=world.actor("alpha.analyst"), month=dt.date(2025, 1 + n % 6, 1), file_format="csv"
        )
    services.export_request(
        actor=world.actor("alpha.coordinator"), month=dt.date(2025, 1, 1), file_format="csv"
    )
    actor = world.actor("alpha.analyst")
    visible: list[ReportExport] = list(policies.visible_exports(actor))
    assert len(visible) == 12
    client = world.client("alpha.analyst")
    orders = {"month": lambda e: e.month, "requested": lambda e: e.created_at}
    assert_orders(client, url("export-list"), visible, orders)
    assert_refuses_bad_input(client, url("export-list"), sort="month")
