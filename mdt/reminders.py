"""Action item reminders: a few days before the due date and once when overdue.

Mails name no client and no case, only that an action item is due and a link that needs a
sign-in. The day each reminder went out is recorded on the item, so the job is idempotent.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse

from mdt.models import ActionItem, RosterMember
from taskforce import clock
from taskforce.audit import audit_record
from taskforce.models import TaskForce
from taskforce.rls import task_force_scope

DAYS_BEFORE = 3
OPEN = (ActionItem.Status.OPEN, ActionItem.Status.IN_PROGRESS)


def _recipients(item: ActionItem) -> list[str]:
    if item.owner_member_id:
        member = item.owner_member.membership
        return [member.user.email] if member.is_active and member.user.is_active else []
    # An agency owns it: that agency's people on the team's active roster.
    return list(
        RosterMember.objects.filter(
            task_force_id=item.task_force_id,
            team_id=item.team_id,
            is_active=True,
            membership__agency_id=item.owner_agency_id,
            membership__is_active=True,
            membership__user__is_active=True,
        ).values_list("membership__user__email", flat=True)
    )


def send_action_item_reminders(*, task_force_id: uuid.UUID | str) -> int:
    """Send due-soon and overdue reminders for one task force. Returns mails sent.
    Logged: ``action_item.reminded`` with the kind."""
    task_force = TaskForce.objects.get(pk=task_force_id)
    today = clock.local_today(task_force.time_zone)
    sent = 0
    with task_force_scope(task_force.pk):
        items = (
            ActionItem.objects.filter(task_force_id=task_force.pk, status__in=OPEN)
            .select_related("owner_member__membership__user", "team")
            .select_for_update(skip_locked=True, of=("self",))
        )
        for item in items:
            if item.due_on < today and item.reminded_overdue_on is None:
                kind, field = "overdue", "reminded_overdue_on"
            elif (
                today <= item.due_on <= today + dt.timedelta(days=DAYS_BEFORE)
                and item.reminded_due_on is None
            ):
                kind, field = "due", "reminded_due_on"
            else:
                continue
            recipients = _recipients(item)
            if recipients:
                path = reverse("mdt-my-items", kwargs={"task_force": task_force.slug})
                send_mail(
                    subject="MDT action item overdue" if kind == "overdue" else "MDT action item due soon",
                    message=(
                        f"An MDT action item you own {'was' if kind == 'overdue' else 'is'} due on "
                        f"{item.due_on:%Y-%m-%d}.\n\nSign in to see it: {settings.TASKFORCE_BASE_URL}{path}\n"
                    ),
                    from_email=None,
                    recipient_list=recipients,
                )
                sent += 1
            setattr(item, field, today)
            item.save(update_fields=[field])
            audit_record(
                action="action_item.reminded",
                task_force_id=task_force.pk,
                target=item,
                detail={"kind": kind, "recipients": len(recipients)},
            )
    return sent


def task_force_ids() -> list[str]:
    return [str(pk) for pk in TaskForce.objects.order_by("slug").values_list("pk", flat=True)]
