"""The case page's "Changes" (review finding): who changed which fields and when is case data in
its own table, read in one query by who sees the case, never the audit log (whose metadata is
the tenant admin's). Field names only, never values."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.changes import case_change_rows
from cases.models import Case, CaseChange
from cases.policies import visible_case_changes
from tests.cases.test_corrections import api_url, html_url, new_case, new_service
from tests.world import World, use_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def changed_case(world: World) -> dict:
    """A case of Shelter One whose client, case and services were changed by its case manager."""
    use_scope(world.task_forces["alpha"])
    case = new_case(world)
    api = world.api("alpha.case_manager")
    detail = api_url("case-detail", pk=case["id"])
    assert api.patch(detail, {"client": {"phone": "555-0142"}}, format="json").status_code == 200
    assert api.patch(detail, {"trafficking_type": "sex"}, format="json").status_code == 200
    corrected = new_service(world, case["id"])
    path = api_url("case-service-detail", pk=case["id"], service_id=corrected["id"])
    assert api.patch(path, {"units": "2.00", "reason": "two hours"}, format="json").status_code == 200
    voided = new_service(world, case["id"])
    path = api_url("case-service-void", pk=case["id"], service_id=voided["id"])
    assert api.post(path, {"reason": "duplicate"}, format="json").status_code == 200
    return case


def _history(case_id: str) -> list[tuple]:
    return list(
        CaseChange.objects.filter(case_id=case_id)
        .order_by("changed_at")
        .values_list("kind", "fields", "changed_by_id", "agency_id", "changed_at")
    )


def test_the_services_write_the_history_with_field_names_only(world: World, changed_case: dict) -> None:
    rows = _history(changed_case["id"])
    user = world.users["alpha.case_manager"].pk
    agency = world.agencies["alpha.vs"].pk
    assert [(kind, fields, by, at_agency) for kind, fields, by, at_agency, _ in rows] == [
        ("client.changed", ["phone"], user, agency),
        ("case.changed", ["trafficking_type"], user, agency),
        ("service.corrected", ["units"], user, agency),
        ("service.voided", [], user, agency),
    ]
    assert "555-0142" not in str(rows)


def test_the_case_page_reads_the_history_in_one_query_without_the_audit_log(
    world: World, changed_case: dict, django_assert_max_num_queries
) -> None:
    page = world.client("alpha.vs_supervisor")
    with CaptureQueriesContext(connection) as queries:
        body = page.get(html_url("case-detail", case_id=changed_case["id"])).content.decode()
    read_log = [q["sql"] for q in queries.captured_queries if 'FROM "taskforce_auditevent"' in q["sql"]]
    assert read_log == []
    changes = body.split('id="h-changes"', 1)[1].split("</section>", 1)[0]
    for shown in ("client details corrected: phone", "case changed: trafficking_type", "service voided"):
        assert shown in changes, shown
    assert "case_manager" in changes
    assert "555-0142" not in changes

    actor = world.actor("alpha.vs_supervisor")
    case = Case.objects.get(pk=changed_case["id"])
    with django_assert_max_num_queries(1):
        rows = case_change_rows(actor=actor, case=case)
    assert [row["label"] for row in rows][-1] == "client details corrected"


@pytest.mark.parametrize(
    ("key", "sees"),
    [
        ("alpha.case_manager", True),  # assigned
        ("alpha.vs_supervisor", True),  # the agency's supervisor
        ("alpha.case_manager_2", False),  # same agency, not assigned
        ("alpha.other_agency_cm", False),
        ("alpha.coordinator", False),
        ("alpha.analyst", False),
        ("alpha.tenant_admin", False),
        ("alpha.le_supervisor", False),
        ("alpha.superuser_member", False),
        ("beta.vs_supervisor", False),
    ],
)
def test_the_history_is_seen_exactly_by_who_sees_the_case(
    world: World, changed_case: dict, key: str, sees: bool
) -> None:
    actor = world.actor(key)
    use_scope(world.task_forces[key.split(".")[0]])
    found = visible_case_changes(actor).filter(case_id=changed_case["id"]).count()
    assert found == (4 if sees else 0)
    case = Case.objects.get(pk=changed_case["id"]) if sees else None
    if case is not None:
        assert len(case_change_rows(actor=actor, case=case)) == 4
    status = world.client(key).get(html_url("case-detail", tf=world.slug(key), case_id=changed_case["id"]))
    assert status.status_code == (200 if sees else 404)


def test_the_migration_carries_the_audit_logs_changes_over(world: World, changed_case: dict) -> None:
    class _Editor:
        connection = connection

    before = _history(changed_case["id"])
    CaseChange.objects.filter(case_id=changed_case["id"]).delete()
    migration = importlib.import_module("cases.migrations.0010_case_changes")
    migration.copy_from_audit_log(None, _Editor())
    world.use("alpha")  # the migration visits each task force and leaves none in scope
    after = _history(changed_case["id"])
    # The audit row is written just before its change row: the same change, a moment earlier.
    assert [row[:4] for row in after] == [row[:4] for row in before]
    assert all(abs((a[4] - b[4]).total_seconds()) < 5 for a, b in zip(after, before, strict=True))
    # Nothing of another task force or another case was carried into this one.
    assert CaseChange.objects.exclude(case_id=changed_case["id"]).count() == 0
