"""A list costs the same number of statements whatever its length (issue 10: the investigations
API ran one agency query per row, 34 statements at 25 rows and 109 at 100)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from referrals import services
from tests.world import World

URL = "/api/v1/tf/alpha/investigations/?page_size=100"


def _open(world: World, count: int) -> None:
    # Led by two agencies, so a per-row look-up of the lead agency cannot hide in a cache.
    for index in range(count):
        key = "alpha.investigator" if index % 2 else "alpha.detective"
        services.investigation_create(
            actor=world.actor(key), data={"title": f"Harbor {index}", "trafficking_type": "labor"}
        )


def _statements(world: World, rows: int) -> int:
    api = world.api("alpha.le_supervisor")
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(URL)
    assert response.status_code == 200
    assert len(response.json()["results"]) == rows
    return len(ctx.captured_queries)


def test_the_investigations_list_costs_the_same_at_two_and_at_forty_rows(world: World) -> None:
    before = len(world.api("alpha.le_supervisor").get(URL).json()["results"])
    _open(world, 2)
    few = _statements(world, before + 2)
    _open(world, 38)
    many = _statements(world, before + 40)
    assert few == many
    assert many <= 10
