"""The case list: sortable columns and keyset pages (taskforce.listing)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cases import services
from cases.models import Case
from cases.policies import visible_cases
from tests.listing import assert_orders, assert_refuses_bad_input, walk
from tests.world import World, local_today

pytestmark = pytest.mark.django_db


def url(tf: str = "alpha") -> str:
    return reverse("case-list", kwargs={"task_force": tf})


def _cases(world: World, key: str, count: int) -> list[Case]:
    today = local_today("alpha")
    made = []
    for n in range(count):
        made.append(
            services.intake_create(
                actor=world.actor(key),
                client={"first_name": f"Sort{n}", "last_name": "Person"},
                # Three cases a day: ties that only the id can order.
                case={"opened_on": today - dt.timedelta(days=n // 3)},
            )
        )
    return made


@pytest.fixture
def caseload(world: World) -> list[Case]:
    made = _cases(world, "alpha.vs_supervisor", 23)
    for case in made[:5]:
        services.case_close(actor=world.actor("alpha.vs_supervisor"), case=case, reason="goals_met")
    # Rows nobody here may list: another agency's and another task force's cases.
    _cases(world, "alpha.other_agency_cm", 3)
    _cases(world, "beta.vs_supervisor", 2)
    return made


def test_each_order_pages_through_every_visible_case_once(world: World, caseload: list[Case]) -> None:
    actor = world.actor("alpha.vs_supervisor")
    visible = list(visible_cases(actor))
    assert len(visible) == 23
    client = world.client("alpha.vs_supervisor")
    default = walk(client, url(), size=10)
    assert default == [c.pk for c in sorted(visible, key=lambda c: (c.created_at, c.pk), reverse=True)]
    orders = {"opened": lambda c: c.opened_on, "status": lambda c: c.status}
    assert_orders(client, url(), visible, orders)


def test_sorted_by_opened_ascending_differs_from_descending(world: World, caseload: list[Case]) -> None:
    client = world.client("alpha.vs_supervisor")
    up = client.get(url(), {"sort": "opened"})
    down = client.get(url(), {"sort": "-opened"})
    up_days = [row["case"].opened_on for row in up.context["rows"]]
    assert up_days == sorted(up_days)
    assert [row["case"].opened_on for row in down.context["rows"]] == sorted(up_days, reverse=True)
    body = up.content.decode()
    assert 'aria-sort="ascending"' in body
    assert "▲" in body
    assert "sort=-opened" in body  # the active header flips the direction
    assert 'aria-sort="descending"' in down.content.decode()


def test_a_case_manager_pages_only_through_their_own_cases(world: World, caseload: list[Case]) -> None:
    mine = _cases(world, "alpha.case_manager", 12)
    got = walk(world.client("alpha.case_manager"), url(), sort="-opened", size=10)
    assert sorted(got) == sorted(c.pk for c in mine)


def test_bad_sort_cursor_or_size_is_a_400(world: World, caseload: list[Case]) -> None:
    assert_refuses_bad_input(world.client("alpha.vs_supervisor"), url(), sort="opened")


@pytest.mark.parametrize(("count", "size"), [(3, 10), (40, 100)])
def test_case_list_queries_are_bounded(world: World, django_assert_max_num_queries, count, size) -> None:
    _cases(world, "alpha.vs_supervisor", count)
    client = world.client("alpha.vs_supervisor")
    client.get(url())  # the session's first request warms its caches
    with django_assert_max_num_queries(20):
        response = client.get(url(), {"sort": "-opened", "size": size})
    assert len(response.context["rows"]) == min(count, size)


def test_pager_offers_page_sizes_and_no_first_page_link_on_the_first_page(
    world: World, caseload: list[Case]
) -> None:
    client = world.client("alpha.vs_supervisor")
    first = client.get(url(), {"size": 10})
    body = first.content.decode()
    assert '<strong aria-current="true">10</strong>' in body
    assert "size=25" in body
    second = client.get(first.context["listing"].next_url)
    assert second.context["listing"].first_url
    back = client.get(second.context["listing"].previous_url).context["listing"]
    assert [c.pk for c in back.rows] == [c.pk for c in first.context["listing"].rows]
    assert back.first_url is None
    assert back.previous_url is None
