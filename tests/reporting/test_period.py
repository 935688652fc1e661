"""Quarters, halves and years: the same blocks recounted over the whole period."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cases import services as case_services
from tests.world import World

pytestmark = pytest.mark.django_db


def _serve(world: World, first: str, days: list[dt.date]) -> None:
    case = case_services.intake_create(
        actor=world.actor("alpha.case_manager"),
        client={"first_name": first, "last_name": "Period"},
        case={"opened_on": dt.date(2025, 9, 1)},
    )
    for day in days:
        case_services.service_record(
            actor=world.actor("alpha.case_manager"),
            case=case,
            service_type="case_management",
            delivered_on=day,
        )


def _value(response, code: str) -> int:
    return {m["code"]: m["value"] for m in response.json()["measures"]}[code]


def test_a_quarter_recounts_clients_instead_of_adding_months(world: World) -> None:
    _serve(world, "One", [dt.date(2025, 10, 3), dt.date(2025, 11, 4), dt.date(2025, 12, 5)])
    _serve(world, "Two", [dt.date(2025, 11, 20)])
    api = world.api("alpha.analyst")
    url = reverse("api:report-period", kwargs={"task_force": "alpha"})
    quarter = api.get(url, {"from": "2025-10", "months": "3"})
    assert quarter.status_code == 200
    assert quarter.json()["from"] == "2025-10"
    assert quarter.json()["to"] == "2025-12"
    assert _value(quarter, "clients_served") == 2  # months would add up to 4
    assert _value(quarter, "services.case_management.deliveries") == 4
    monthly = [
        api.get(reverse("api:report-monthly", kwargs={"task_force": "alpha"}), {"month": m})
        for m in ("2025-10", "2025-11", "2025-12")
    ]
    assert sum(_value(r, "clients_served") for r in monthly) == 4


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"from": "2025-08", "months": "3"}, 400),  # crosses 1 October
        ({"from": "2025-10", "months": "4"}, 400),
        ({"from": "2025-10", "months": "x"}, 400),
        ({"from": "2025-13", "months": "3"}, 400),
        ({"from": "2025-10"}, 400),
        ({"from": "2025-10", "months": "12"}, 200),
    ],
)
def test_bad_periods_are_400(world: World, params: dict, status: int) -> None:
    response = world.api("alpha.analyst").get(
        reverse("api:report-period", kwargs={"task_force": "alpha"}), params
    )
    assert response.status_code == status


def test_period_report_access_follows_the_monthly_report(world: World) -> None:
    url = reverse("api:report-period", kwargs={"task_force": "alpha"})
    for key in ("alpha.case_manager", "alpha.tenant_admin", "beta.analyst"):
        assert world.api(key).get(url, {"from": "2025-10", "months": "3"}).status_code == 404
    codes = {
        m["code"]
        for m in world.api("alpha.investigator")
        .get(url, {"from": "2025-10", "months": "3"})
        .json()["measures"]
    }
    assert "tips_received" in codes
    assert "clients_served" not in codes
