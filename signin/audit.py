"""Sign-in events in the audit log of every task force the person belongs to.

A person signs in before choosing a task force, so these events have no task force of their
own. Each one is written into the chain of every task force of the person's memberships
(active or not: a deactivated member knocking is worth seeing), so that task force's admins
see the sign-ins, failures, lockouts and MFA changes of their members and of nobody else.
An unknown account's failure goes to the platform chain.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction

from taskforce.audit import audit_record
from taskforce.models import Membership
from taskforce.rls import restore_scope, swap_scope, task_force_scope


def member_task_force_ids(user_id: uuid.UUID | str) -> list[uuid.UUID]:
    # Row-level security lets a person read their own membership rows when the scope names them.
    with transaction.atomic():
        previous = swap_scope(task_force_id=None, user_id=user_id)
        try:
            return list(
                Membership.objects.filter(user_id=user_id)
                .order_by("task_force_id")
                .values_list("task_force_id", flat=True)
                .distinct()
            )
        finally:
            restore_scope(previous)


def audit_member_event(
    *,
    action: str,
    user_id: uuid.UUID | str | None,
    outcome: str = "success",
    detail: dict[str, Any] | None = None,
    actor_user_id: uuid.UUID | str | None = None,
) -> None:
    """One row per task force of ``user_id``'s memberships; the row's target is that person.

    ``actor_user_id`` is who acted when that is someone else (an admin's unlock or MFA reset).
    """
    task_force_ids = member_task_force_ids(user_id) if user_id else []
    acting = actor_user_id or user_id
    if not task_force_ids:
        audit_record(action=action, user_id=acting, outcome=outcome, detail=detail)
        return
    for task_force_id in task_force_ids:
        with task_force_scope(task_force_id, user_id=acting):
            audit_record(
                action=action,
                user_id=acting,
                task_force_id=task_force_id,
                target_type="taskforce.user",
                target_id=str(user_id),
                outcome=outcome,
                detail=detail,
            )
