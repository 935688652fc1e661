"""Report exports and the monthly preparation. Tasks take ids; each re-scopes and re-checks."""

from __future__ import annotations

from celery import shared_task

from referrals.reminders import task_force_ids
from reporting import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_export(export_id: str, task_force_id: str) -> str:
    """Build one export (idempotent: a finished export is skipped)."""
    return services.export_run(export_id=export_id, task_force_id=task_force_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def prepare_previous_month_for(task_force_id: str) -> bool:
    return services.prepare_previous_month(task_force_id=task_force_id) is not None


@shared_task
def prepare_previous_month() -> int:
    """On the 1st: last month's report for every task force."""
    ids = task_force_ids()
    for task_force_id in ids:
        prepare_previous_month_for.delay(task_force_id)
    return len(ids)
