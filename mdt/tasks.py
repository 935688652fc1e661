"""Scheduled MDT jobs. Tasks take ids only; each re-scopes to one task force."""

from __future__ import annotations

from celery import shared_task

from mdt.reminders import send_action_item_reminders, task_force_ids


@shared_task(acks_late=True, reject_on_worker_lost=True)
def action_item_reminders_for(task_force_id: str) -> int:
    """One task force's action item reminders (idempotent: recorded per item)."""
    return send_action_item_reminders(task_force_id=task_force_id)


@shared_task
def action_item_reminders() -> int:
    """Daily fan-out: one task per task force."""
    ids = task_force_ids()
    for task_force_id in ids:
        action_item_reminders_for.delay(task_force_id)
    return len(ids)
