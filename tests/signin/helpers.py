"""Reading audit rows the way a task force admin's view does: under that task force's scope."""

from __future__ import annotations

from django.db.models import QuerySet

from taskforce.models import AuditEvent, TaskForce
from taskforce.rls import task_force_scope


def audit_rows(task_force: TaskForce, **filters: object) -> list[AuditEvent]:
    with task_force_scope(task_force.pk):
        rows: QuerySet[AuditEvent] = AuditEvent.objects.filter(task_force_id=task_force.pk, **filters)
        return list(rows.order_by("seq"))
