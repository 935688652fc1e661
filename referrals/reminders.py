"""Due-date reminders for certification requests, sent to the certifying agency.

The mail carries no client or case detail, only the due date and a link that needs a sign-in
(security.md). Postgres records the day of the last reminder, so the job is idempotent: running
it twice the same day (or after a lost worker) sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.urls import reverse

from referrals.models import CertificationRequest
from taskforce import clock
from taskforce.access import Role
from taskforce.audit import audit_record
from taskforce.models import Membership, TaskForce
from taskforce.rls import task_force_scope

REMIND_DAYS_BEFORE = 7
OPEN = (CertificationRequest.Status.REQUESTED, CertificationRequest.Status.UNDER_REVIEW)
DECIDERS = (Role.PROSECUTOR, Role.LE_SUPERVISOR)


def send_certification_reminders(*, task_force_id: uuid.UUID | str) -> int:
    """Remind the certifying agency's prosecutors and LE supervisors of requests due within a
    week or overdue. Returns the number of mails sent. Logged: ``certification.reminded``."""
    task_force = TaskForce.objects.get(pk=task_force_id)
    today = clock.local_today(task_force.time_zone)
    sent = 0
    with task_force_scope(task_force.pk):
        due = (
            CertificationRequest.objects.filter(
                task_force_id=task_force.pk,
                status__in=OPEN,
                due_on__isnull=False,
                due_on__lte=today + dt.timedelta(days=REMIND_DAYS_BEFORE),
            )
            .filter(Q(reminded_on__isnull=True) | Q(reminded_on__lt=today))
            .select_for_update(skip_locked=True)
        )
        for request in due:
            recipients = list(
                Membership.objects.filter(
                    task_force_id=task_force.pk,
                    agency_id=request.certifying_agency_id,
                    role__in=DECIDERS,
                    is_active=True,
                    user__is_active=True,
                ).values_list("user__email", flat=True)
            )
            if recipients:
                path = reverse(
                    "certification-detail", kwargs={"task_force": task_force.slug, "request_id": request.pk}
                )
                overdue = request.due_on < today
                send_mail(
                    subject="Certification request overdue" if overdue else "Certification request due soon",
                    message=(
                        f"A certification request to your agency {'was' if overdue else 'is'} due on "
                        f"{request.due_on:%Y-%m-%d}.\n\n"
                        f"Sign in to review it: {settings.TASKFORCE_BASE_URL}{path}\n"
                    ),
                    from_email=None,
                    recipient_list=recipients,
                )
                sent += 1
            request.reminded_on = today
            request.save(update_fields=["reminded_on"])
            audit_record(
                action="certification.reminded",
                task_force_id=task_force.pk,
                target=request,
                detail={"recipients": len(recipients), "overdue": request.due_on < today},
            )
    return sent


def task_force_ids() -> list[str]:
    """Every task force, for the daily fan-out (the tenant registry is not row-level secured)."""
    return [str(pk) for pk in TaskForce.objects.order_by("slug").values_list("pk", flat=True)]
