"""MDT meetings and action items: sortable columns and keyset pages (taskforce.listing)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.services import today_for
from mdt import policies, services
from mdt.models import ActionItem, MdtMeeting
from mdt.selectors import OPEN_ITEMS
from tests.listing import assert_orders, assert_refuses_bad_input, walk
from tests.mdt.test_views import build_team
from tests.world import World

pytestmark = pytest.mark.django_db


def url(name: str, tf: str = "alpha") -> str:
    return reverse(name, kwargs={"task_force": tf})


def _meetings(world: World, team, count: int) -> list[MdtMeeting]:
    coordinator = world.actor("alpha.coordinator")
    start = timezone.now() - dt.timedelta(days=60)
    return [
        services.meeting_create(
            actor=coordinator,
            team=team,
            # Pairs at the same instant: only the id orders them.
            data={
                "starts_at": start + dt.timedelta(days=n // 2),
                "status": ("held", "cancelled")[n % 3 == 0],
            },
        )
        for n in range(count)
    ]


def _items(world: World, meeting: MdtMeeting, count: int, *, owner: str = "alpha.da", late: bool = False):
    coordinator = world.actor("alpha.coordinator")
    today = today_for(coordinator)
    made = []
    for n in range(count):
        due = today - dt.timedelta(days=1 + n // 2) if late else today + dt.timedelta(days=n // 2)
        item = services.action_item_add(
            actor=coordinator,
            meeting=meeting,
            description=f"ITEM-{n}",
            due_on=due,
            owner_agency=world.agencies[owner],
        )
        if n % 3 == 0:
            item = services.action_item_update(actor=coordinator, item=item, data={"status": "in_progress"})
        made.append(item)
    return made


def test_earlier_meetings_sort_and_page_through_the_visible_ones(world: World) -> None:
    mdt = build_team(world)
    earlier = _meetings(world, mdt.team, 13)
    services.meeting_create(
        actor=world.actor("alpha.coordinator"),
        team=mdt.team,
        data={"starts_at": timezone.now() + dt.timedelta(days=3)},
    )  # coming up: its own section, never in the pages of earlier ones
    other = services.team_create(actor=world.actor("alpha.coordinator"), name="Youth MDT")
    _meetings(world, other, 2)  # the investigator is not on this roster
    investigator = world.actor("alpha.investigator")
    visible = [m for m in policies.visible_meetings(investigator) if m.pk in {e.pk for e in earlier}]
    assert {m.team_id for m in policies.visible_meetings(investigator)} == {mdt.team.pk}
    client = world.client("alpha.investigator")
    default = walk(client, url("mdt-meetings"), size=10)
    assert default == [m.pk for m in sorted(visible, key=lambda m: (m.starts_at, m.pk), reverse=True)]
    orders = {"when": lambda m: m.starts_at, "status": lambda m: m.status}
    assert_orders(client, url("mdt-meetings"), visible, orders)


def test_my_open_items_sort_and_page_and_the_done_ones_stay_below(world: World) -> None:
    mdt = build_team(world)
    meeting = _meetings(world, mdt.team, 1)[0]
    mine = _items(world, meeting, 13)
    _items(world, meeting, 3, owner="alpha.vs")  # another agency's
    done = services.action_item_update(
        actor=world.actor("alpha.coordinator"), item=mine[1], data={"status": "done"}
    )
    visible = [
        i for i in policies.my_action_items(world.actor("alpha.investigator")) if i.status in OPEN_ITEMS
    ]
    assert {i.pk for i in visible} == {i.pk for i in mine} - {done.pk}
    client = world.client("alpha.investigator")
    default = walk(client, url("mdt-my-items"), size=10)
    assert default == [i.pk for i in sorted(visible, key=lambda i: (i.status, i.due_on, i.pk))]
    assert_orders(
        client, url("mdt-my-items"), visible, {"due": lambda i: i.due_on, "status": lambda i: i.status}
    )
    page = client.get(url("mdt-my-items"), {"sort": "-due"})
    assert [row["item"].pk for row in page.context["closed_rows"]] == [done.pk]


def test_overdue_items_sort_and_page(world: World) -> None:
    mdt = build_team(world)
    meeting = _meetings(world, mdt.team, 1)[0]
    late = _items(world, meeting, 12, late=True)
    _items(world, meeting, 2)  # not due yet
    client = world.client("alpha.coordinator")
    default = walk(client, url("mdt-overdue"), size=10)
    assert default == [i.pk for i in sorted(late, key=lambda i: (i.due_on, i.pk))]
    orders = {"due": lambda i: i.due_on, "status": lambda i: i.status}
    assert_orders(
        client, url("mdt-overdue"), list(ActionItem.objects.filter(pk__in=[i.pk for i in late])), orders
    )


def test_mdt_lists_refuse_a_bad_sort_cursor_or_size(world: World) -> None:
    mdt = build_team(world)
    meeting = _meetings(world, mdt.team, 12)[0]
    _items(world, meeting, 12, late=True)
    client = world.client("alpha.coordinator")
    assert_refuses_bad_input(client, url("mdt-meetings"), sort="when")
    assert_refuses_bad_input(client, url("mdt-overdue"), sort="due")
    assert_refuses_bad_input(world.client("alpha.investigator"), url("mdt-my-items"), sort="due")


@pytest.mark.parametrize(("count", "size"), [(3, 10), (30, 100)])
def test_mdt_list_queries_are_bounded(
    world: World, django_assert_max_num_queries, count: int, size: int
) -> None:
    mdt = build_team(world)
    meeting = _meetings(world, mdt.team, count)[0]
    _items(world, meeting, count, late=True)
    client = world.client("alpha.coordinator")
    lists = (
        ("mdt-teams", "kind"),
        ("mdt-meetings", "-when"),
        ("mdt-overdue", "status"),
        ("mdt-my-items", "due"),
    )
    for name, sort in lists:
        client.get(url(name))
        with django_assert_max_num_queries(30):
            assert client.get(url(name), {"sort": sort, "size": size}).status_code == 200


def test_teams_sort_and_page_within_the_task_force(world: World) -> None:
    for n in range(11):
        services.team_create(
            actor=world.actor("alpha.coordinator"), name=f"Team {n:02d}", kind=("adult", "youth")[n % 2]
        )
    services.team_create(actor=world.actor("beta.coordinator"), name="Beta team")
    visible = list(policies.visible_teams(world.actor("alpha.coordinator")))
    assert len(visible) == 11
    client = world.client("alpha.coordinator")
    assert walk(client, url("mdt-teams"), size=10) == [
        t.pk for t in sorted(visible, key=lambda t: (t.name, t.pk))
    ]
    assert_orders(client, url("mdt-teams"), visible, {"name": lambda t: t.name, "kind": lambda t: t.kind})
    body = client.get(url("mdt-teams"), {"sort": "-kind"}).content.decode()
    assert 'aria-current="true"' in body
    assert "sorted descending" in body
    assert_refuses_bad_input(client, url("mdt-teams"), sort="name")
