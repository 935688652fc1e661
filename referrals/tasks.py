"""Scheduled jobs of the bridge. Tasks take ids only; each re-scopes to one task force."""

from __future__ import annotations

from celery import shared_task

from referrals.reminders import (
    send_certification_deadline_reminders,
    send_certification_reminders,
    task_force_ids,
)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def certification_reminders_for(task_force_id: str) -> int:
    """One task force's due-date and deadline reminders (idempotent per day)."""
    due = send_certification_reminders(task_force_id=task_force_id)
    return due + send_certification_deadline_reminders(task_force_id=task_force_id)


@shared_task
def certification_reminders() -> int:
    """Daily fan-out: one task per task force, so one slow tenant delays no other."""
    ids = task_force_ids()
    for task_force_id in ids:
        certification_reminders_for.delay(task_force_id)
    return len(ids)
