"""The minor checkbox and the age group agree at intake (issue 12, item 9): the birth date
decides when known, a ticked "minor" fills an unreported age group, a contradiction is a 400
that creates nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from cases.models import Case
from tests.world import World, local_today

pytestmark = pytest.mark.django_db


def intake(world: World, client: dict, **case: object):
    body = {"client": {"first_name": "Ana", "last_name": "Ruiz", **client}, **case}
    return world.api("alpha.case_manager").post("/api/v1/tf/alpha/cases/", body, format="json")


CHILD_BORN = "2012-06-15"  # a minor at any intake date through mid-2030
ADULT_BORN = "1990-06-15"


def flags(response) -> tuple[bool, str]:
    return response.json()["minor_at_intake"], response.json()["client"]["age_group_at_intake"]


@pytest.mark.parametrize(
    ("client", "case", "field"),
    [
        ({"age_group_at_intake": "adult"}, {"minor_at_intake": True}, "minor_at_intake"),
        ({"date_of_birth": ADULT_BORN}, {"minor_at_intake": True}, "minor_at_intake"),
        ({"date_of_birth": CHILD_BORN, "age_group_at_intake": "adult"}, {}, "age_group_at_intake"),
        ({"date_of_birth": ADULT_BORN, "age_group_at_intake": "minor"}, {}, "age_group_at_intake"),
    ],
)
def test_a_contradiction_is_400_and_creates_nothing(
    world: World, client: dict, case: dict, field: str
) -> None:
    response = intake(world, client, **case)
    assert response.status_code == 400, response.content
    assert field in str(response.json())
    assert not Case.objects.exists()


def test_the_flags_are_made_to_agree(world: World) -> None:
    ticked = intake(world, {}, minor_at_intake=True)
    assert ticked.status_code == 201
    assert (ticked.json()["minor_at_intake"], ticked.json()["client"]["age_group_at_intake"]) == (
        True,
        "minor",
    )
    child = intake(world, {"date_of_birth": CHILD_BORN})
    assert flags(child) == (True, "minor")
    adult = intake(world, {"date_of_birth": ADULT_BORN})
    assert (adult.json()["minor_at_intake"], adult.json()["client"]["age_group_at_intake"]) == (
        False,
        "adult",
    )
    assert dt.date.fromisoformat(adult.json()["opened_on"]) == local_today()
