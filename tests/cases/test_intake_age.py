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


def test_intake_records_the_real_first_contact_date(world: World) -> None:
    """Issue 12, item 9: a case entered late keeps today's opening and the true first contact."""
    today = local_today()
    earlier = (today - dt.timedelta(days=12)).isoformat()
    response = intake(world, {}, first_contact_on=earlier)
    assert response.status_code == 201, response.content
    assert (response.json()["opened_on"], response.json()["first_contact_on"]) == (today.isoformat(), earlier)
    detail = world.client("alpha.case_manager").get(f"/tf/alpha/cases/{response.json()['id']}/")
    assert f"first contact {earlier}" in detail.content.decode()
    later = (today + dt.timedelta(days=1)).isoformat()
    refused = intake(world, {"first_name": "Bo"}, first_contact_on=later)
    assert refused.status_code == 400
    assert "first_contact_on" in refused.json()
    assert Case.objects.count() == 1
    # The intake screen asks for it too.
    page = world.client("alpha.case_manager").get("/tf/alpha/cases/intake/").content.decode()
    assert 'name="first_contact_on"' in page


def test_a_correction_cannot_make_them_disagree(world: World) -> None:
    """Review finding: a PATCH gave a minor an adult's birth date and kept the minor flags."""
    minor = intake(world, {}, minor_at_intake=True).json()
    api = world.api("alpha.case_manager")
    address = f"/api/v1/tf/alpha/cases/{minor['id']}/"
    response = api.patch(address, {"client": {"date_of_birth": ADULT_BORN}}, format="json")
    assert response.status_code == 400
    assert api.get(address).json()["client"]["date_of_birth"] is None
    response = api.patch(address, {"client": {"date_of_birth": CHILD_BORN}}, format="json")
    assert response.status_code == 200
