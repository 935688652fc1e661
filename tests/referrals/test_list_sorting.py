"""Tips, investigations and prosecutions: sortable columns and keyset pages (taskforce.listing)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals import policies, services
from referrals.models import OPEN_TIP_STATUSES, Investigation, Prosecution, Tip
from tests.listing import assert_orders, assert_refuses_bad_input, walk
from tests.world import World, local_today

pytestmark = pytest.mark.django_db

RANK = {"immediate": 0, "high": 1, "normal": 2, "low": 3}
URGENCIES = list(RANK)


def url(name: str, tf: str = "alpha") -> str:
    return reverse(name, kwargs={"task_force": tf})


def _tips(world: World, key: str, count: int) -> list[Tip]:
    moment = timezone.now() - dt.timedelta(days=3)
    return [
        services.tip_create(
            actor=world.actor(key),
            data={
                "source": "hotline",
                "narrative": f"sorting tip {n}",
                "urgency": URGENCIES[n % 4],
                # Pairs received at the same instant: only the id orders them.
                "received_at": moment + dt.timedelta(hours=n // 2),
            },
        )
        for n in range(count)
    ]


def _investigations(world: World, key: str, count: int, **data: object) -> list[Investigation]:
    today = local_today(world.slug(key))
    return [
        services.investigation_create(
            actor=world.actor(key),
            data={"title": f"Sorting {n}", "opened_on": today - dt.timedelta(days=n // 3), **data},
        )
        for n in range(count)
    ]


def _prosecutions(world: World, investigations: list[Investigation], key: str) -> list[Prosecution]:
    today = local_today(world.slug(key))
    return [
        services.prosecution_create(
            actor=world.actor(key),
            investigation=investigation,
            data={
                "court": "Superior Court",
                "court_case_number": f"05-{n % 7:02d}-{n:05d}",
                "venue": "state",
                "filed_on": today - dt.timedelta(days=n // 4),
            },
        )
        for n, investigation in enumerate(investigations)
    ]


def test_tips_sort_and_page_through_every_visible_tip_once(world: World) -> None:
    tips = _tips(world, "alpha.investigator", 22)
    services.tip_close(actor=world.actor("alpha.investigator"), tip=tips[0], reason="no_indicators")
    _tips(world, "beta.investigator", 3)  # another task force's: never listed
    client = world.client("alpha.coordinator")
    visible = list(policies.visible_tips(world.actor("alpha.coordinator")))
    assert len(visible) == 22
    orders = {
        "received": lambda t: t.received_at,
        # A closed tip ranks after every open one, whatever its urgency (the inbox's rank).
        "urgency": lambda t: (RANK[t.urgency] if t.status in OPEN_TIP_STATUSES else 4, t.received_at),
        "status": lambda t: t.status,
    }
    assert_orders(client, url("tip-list"), visible, orders, status="all")


def test_the_inbox_keeps_its_order_until_a_column_is_chosen(world: World) -> None:
    tips = _tips(world, "alpha.investigator", 12)
    client = world.client("alpha.investigator")
    inbox = walk(client, url("tip-list"), size=10)
    assert inbox == [t.pk for t in sorted(tips, key=lambda t: (RANK[t.urgency], t.received_at, t.pk))]
    body = client.get(url("tip-list")).content.decode()
    assert "aria-sort" not in body  # no column claims the inbox's own order
    newest = client.get(url("tip-list"), {"sort": "-received"})
    assert 'aria-sort="descending"' in newest.content.decode()
    days = [row["tip"].received_at for row in newest.context["rows"]]
    assert days == sorted(days, reverse=True)


def test_investigations_sort_and_page_without_restricted_ones(world: World) -> None:
    mine = _investigations(world, "alpha.investigator", 14)
    hidden = _investigations(world, "alpha.investigator", 2, restricted=True)
    _investigations(world, "beta.investigator", 2)
    services.investigation_update(
        actor=world.actor("alpha.investigator"), investigation=mine[1], data={"status": "suspended"}
    )
    detective = world.actor("alpha.detective")
    visible = list(policies.visible_investigations(detective))
    assert {i.pk for i in visible} == {i.pk for i in mine}
    assert not {i.pk for i in hidden} & {i.pk for i in visible}
    orders = {
        "number": lambda i: i.case_number,
        "opened": lambda i: i.opened_on,
        "status": lambda i: i.status,
    }
    assert_orders(world.client("alpha.detective"), url("investigation-list"), visible, orders, status="all")


def test_prosecutions_sort_and_page_without_restricted_ones(world: World) -> None:
    open_ones = _investigations(world, "alpha.investigator", 12)
    restricted = _investigations(world, "alpha.investigator", 2, restricted=True)
    made = _prosecutions(world, open_ones + restricted, "alpha.le_supervisor")
    detective = world.actor("alpha.detective")
    visible = list(policies.visible_prosecutions(detective))
    assert {p.pk for p in visible} == {p.pk for p in made[:12]}
    orders = {
        "docket": lambda p: p.court_case_number,
        "filed": lambda p: p.filed_on,
        "stage": lambda p: p.stage,
    }
    assert_orders(world.client("alpha.detective"), url("prosecution-list"), visible, orders, stage="all")


@pytest.mark.parametrize(
    ("name", "sort", "key"),
    [("tip-list", "received", "alpha.investigator"), ("investigation-list", "opened", "alpha.investigator")],
)
def test_le_lists_refuse_a_bad_sort_cursor_or_size(world: World, name: str, sort: str, key: str) -> None:
    _tips(world, "alpha.investigator", 12)
    _investigations(world, "alpha.investigator", 12)
    assert_refuses_bad_input(world.client(key), url(name), sort=sort)


def test_prosecutions_refuse_a_bad_sort_cursor_or_size(world: World) -> None:
    _prosecutions(world, _investigations(world, "alpha.investigator", 12), "alpha.le_supervisor")
    assert_refuses_bad_input(world.client("alpha.prosecutor"), url("prosecution-list"), sort="filed")


@pytest.mark.parametrize(("count", "size"), [(3, 10), (30, 100)])
def test_le_list_queries_are_bounded(
    world: World, django_assert_max_num_queries, count: int, size: int
) -> None:
    investigations = _investigations(world, "alpha.investigator", count)
    _tips(world, "alpha.investigator", count)
    _prosecutions(world, investigations, "alpha.le_supervisor")
    client = world.client("alpha.le_supervisor")
    for name, sort in (
        ("tip-list", "-received"),
        ("investigation-list", "number"),
        ("prosecution-list", "stage"),
    ):
        client.get(url(name))
        with django_assert_max_num_queries(22):
            response = client.get(url(name), {"sort": sort, "size": size})
        assert len(response.context["rows"]) == min(count, size), name
