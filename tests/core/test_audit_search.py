"""The audit log can be searched (issue 12, item 7): filters by member, action, record, outcome
and dates; readable labels; the task force's own time; a CSV of the filtered events, itself
audited. Bad filters are a 400; only tenant admins see any of it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo

import pytest
from django.urls import reverse

from taskforce.audit import audit_record
from taskforce.models import AuditEvent
from tests.world import World, local_today

pytestmark = pytest.mark.django_db


def address() -> str:
    return reverse("audit-list", kwargs={"task_force": "alpha"})


@pytest.fixture
def log(world: World) -> World:
    case_manager = world.actor("alpha.case_manager")
    audit_record(action="case.viewed", actor=case_manager, target_type="cases.case", target_id="c-1")
    audit_record(action="case.viewed", actor=case_manager, target_type="cases.case", target_id="c-2")
    audit_record(
        action="access.denied",
        actor=world.actor("alpha.investigator"),
        target_type="cases.case",
        target_id="c-1",
        outcome=AuditEvent.Outcome.DENIED,
    )
    world.use("alpha")
    return world


def test_filters_narrow_the_page(log: World) -> None:
    admin = log.client("alpha.tenant_admin")
    case_manager = str(log.users["alpha.case_manager"].pk)
    page = admin.get(address(), {"member": case_manager}).content.decode()
    assert page.count("Case viewed") == 2
    assert "Access refused" not in page
    page = admin.get(address(), {"record_type": "cases.case", "record_id": "c-1"}).content.decode()
    assert page.count("c-1") >= 2
    assert "c-2" not in page
    page = admin.get(address(), {"outcome": "denied"}).content.decode()
    assert "Access refused" in page
    assert "Case viewed" not in page
    page = admin.get(address(), {"action": "case."}).content.decode()
    assert page.count("Case viewed") == 2
    # Readable labels: the record type by its name, the role by its name.
    assert "Case manager" in admin.get(address(), {"member": case_manager}).content.decode()
    future = (local_today() + dt.timedelta(days=1)).isoformat()
    page = admin.get(address(), {"date_from": future}).content.decode()
    assert "Nothing matches this search." in page


def test_times_are_the_task_forces_own(log: World) -> None:
    admin = log.client("alpha.tenant_admin")
    page = admin.get(address(), {"action": "case."}).content.decode()
    event = AuditEvent.objects.filter(action="case.viewed").latest("seq")
    zone = zoneinfo.ZoneInfo(log.task_forces["alpha"].time_zone)
    assert f"{event.occurred_at.astimezone(zone):%Y-%m-%d %H:%M:%S}" in page
    assert "When (UTC)" not in page


def test_bad_filters_are_400(log: World) -> None:
    admin = log.client("alpha.tenant_admin")
    for bad in (
        {"date_from": "yesterday"},
        {"outcome": "maybe"},
        {"member": "not-a-member"},
        {"date_from": "2026-02-02", "date_to": "2026-01-01"},
        {"action": "x" * 81},
        {"date_to": "9999-12-31"},
    ):
        response = admin.get(address(), bad)
        assert response.status_code == 400, bad


def test_csv_of_the_filtered_events_is_audited(log: World) -> None:
    admin = log.client("alpha.tenant_admin")
    response = admin.get(address(), {"action": "case.", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["when", "who", "role", "action"]
    assert [row[4] for row in rows[1:]] == ["case.viewed", "case.viewed"]
    exported = AuditEvent.objects.filter(action="audit.exported").latest("seq")
    assert exported.detail == {"filters": ["action"], "count": 2}


def test_only_tenant_admins(log: World) -> None:
    for key in ("alpha.coordinator", "alpha.vs_supervisor", "alpha.le_supervisor"):
        assert log.client(key).get(address(), {"format": "csv"}).status_code == 404
    assert log.client("beta.tenant_admin").get(address()).status_code == 404


def test_the_csv_never_carries_a_live_formula(log: World) -> None:
    audit_record(
        action="case.viewed",
        actor=log.actor("alpha.case_manager"),
        target_type="cases.case",
        target_id="=1+1",
    )
    log.use("alpha")
    response = log.client("alpha.tenant_admin").get(address(), {"record_id": "=1+1", "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert [row[6] for row in rows[1:]] == ["'=1+1"]
