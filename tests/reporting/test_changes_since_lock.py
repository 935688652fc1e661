"""A locked month's corrections across agencies (review finding): grant staff (coordinators,
analysts) get how many services each agency corrected or voided since the lock, never the
corrections one by one; an agency's own VS supervisor reads its own, with who and why."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from reporting import services
from reporting.policies import visible_locks
from tests.cases.test_corrections import _changes, api_url, html_url, last_month, new_case, new_service
from tests.world import World, use_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def corrected_month(world: World) -> dict:
    """Last month locked, then a service voided at Shelter One and one corrected at Legal Aid Two."""
    use_scope(world.task_forces["alpha"])
    month = last_month(world)
    day = (month + dt.timedelta(days=2)).isoformat()
    shelter = new_case(world)
    legal = new_case(world, "alpha.other_agency_cm")
    voided = new_service(world, shelter["id"], delivered_on=day)
    corrected = new_service(world, legal["id"], "alpha.other_agency_cm", delivered_on=day)
    locked = world.client("alpha.coordinator").post(html_url("report-lock"), {"month": f"{month:%Y-%m}"})
    assert locked.status_code == 302
    world.api("alpha.case_manager").post(
        api_url("case-service-void", pk=shelter["id"], service_id=voided["id"]),
        {"reason": "SHELTER-REASON duplicate"},
        format="json",
    )
    response = world.api("alpha.other_agency_cm").patch(
        api_url("case-service-detail", pk=legal["id"], service_id=corrected["id"]),
        {"units": "2.00", "reason": "LEGAL-REASON two hours"},
        format="json",
    )
    assert response.status_code == 200, response.content
    return {"month": month, "voided": voided, "corrected": corrected, "cases": [shelter["id"], legal["id"]]}


BOTH_AGENCIES = [
    {"agency": "Legal Aid Two", "corrected": 1, "voided": 0},
    {"agency": "Shelter One", "corrected": 0, "voided": 1},
]


@pytest.mark.parametrize("key", ["alpha.coordinator", "alpha.analyst"])
def test_grant_staff_get_counts_per_agency_not_the_corrections(
    world: World, corrected_month: dict, key: str
) -> None:
    answer = _changes(world, key, corrected_month["month"])
    assert answer["changed_since_prepared"] == []
    assert answer["changed_since_prepared_by_agency"] == BOTH_AGENCIES
    text = json.dumps(answer)
    for hidden in (
        "SHELTER-REASON",
        "LEGAL-REASON",
        corrected_month["voided"]["id"],
        corrected_month["corrected"]["id"],
        *corrected_month["cases"],
        "case_manager",
        "other_agency_cm",
    ):
        assert hidden not in text, hidden

    page = world.client(key).get(html_url("report-dashboard"), {"month": f"{corrected_month['month']:%Y-%m}"})
    section = page.content.decode().split('id="changed-since-prepared"', 1)[1].split("</section>", 1)[0]
    assert "Legal Aid Two" in section
    assert "Shelter One" in section
    for hidden in ("SHELTER-REASON", "LEGAL-REASON", *corrected_month["cases"], "other_agency_cm"):
        assert hidden not in section, hidden


def test_an_agencys_supervisor_reads_its_own_corrections_only(world: World, corrected_month: dict) -> None:
    answer = _changes(world, "alpha.vs_supervisor", corrected_month["month"])
    rows = answer["changed_since_prepared"]
    assert [(r["change"], r["service"], r["reason"], r["changed_by"]) for r in rows] == [
        ("voided", corrected_month["voided"]["id"], "SHELTER-REASON duplicate", "case_manager")
    ]
    assert answer["changed_since_prepared_by_agency"] == [BOTH_AGENCIES[1]]
    assert "LEGAL-REASON" not in json.dumps(answer)


def test_each_answer_is_one_query(world: World, corrected_month: dict, django_assert_max_num_queries) -> None:
    for key in ("alpha.coordinator", "alpha.vs_supervisor"):
        actor = world.actor(key)
        lock = visible_locks(actor).get(month=corrected_month["month"], reopened_at__isnull=True)
        with django_assert_max_num_queries(1):
            services.service_change_counts_since_lock(actor=actor, lock=lock)
        with django_assert_max_num_queries(1):
            services.service_changes_since_lock(actor=actor, lock=lock)
