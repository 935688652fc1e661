"""Reminders of certification requests: the due date of an open request, to the certifying
agency; after a signature, the USCIS deadline (``referrals.certifications.deadline_for``): a U
visa Supplement B's filing window to the person who asked for it, a Continued Presence
follow-up to them and to the certifying agency.

The mail carries no client or case detail, only the date and a link that needs a sign-in
(security.md). Postgres records the day of the last reminder of each kind, so the job is
idempotent: running it twice the same day (or after a lost worker) sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.urls import reverse

from referrals.codes import CertificationKind
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


# Days before the deadline at which a reminder goes out, per kind (0: on the day).
DEADLINE_STAGES = {
    CertificationKind.U_VISA: (30, 7),
    CertificationKind.CONTINUED_PRESENCE: (0,),
}
# A missed run still reminds for a week after the deadline, then stops.
DEADLINE_GRACE_DAYS = 7


def _stage_start(request: CertificationRequest, today: dt.date) -> dt.date | None:
    """The start of the latest reminder stage reached today that has not been reminded yet."""
    starts = [request.deadline_on - dt.timedelta(days=days) for days in DEADLINE_STAGES.get(request.kind, ())]
    reached = [start for start in starts if start <= today]
    if not reached:
        return None
    start = max(reached)
    if request.deadline_reminded_on is not None and request.deadline_reminded_on >= start:
        return None
    return start


def _deadline_recipients(task_force_id: object, request: CertificationRequest) -> list[str]:
    members = Membership.objects.filter(task_force_id=task_force_id, is_active=True, user__is_active=True)
    who = Q(user_id=request.requested_by_id, agency_id=request.requesting_agency_id)
    if request.kind == CertificationKind.CONTINUED_PRESENCE:
        who |= Q(agency_id=request.certifying_agency_id, role__in=DECIDERS)
    return sorted(set(members.filter(who).values_list("user__email", flat=True)))


def send_certification_deadline_reminders(*, task_force_id: uuid.UUID | str) -> int:
    """Remind of the deadline after a signature: a U visa Supplement B to be filed with USCIS
    (30 and 7 days before), a Continued Presence request to follow up (on the day). Returns the
    number of mails sent. Logged: ``certification.deadline_reminded``."""
    task_force = TaskForce.objects.get(pk=task_force_id)
    today = clock.local_today(task_force.time_zone)
    horizon = max(days for stages in DEADLINE_STAGES.values() for days in stages)
    sent = 0
    with task_force_scope(task_force.pk):
        candidates = (
            CertificationRequest.objects.filter(
                task_force_id=task_force.pk,
                status=CertificationRequest.Status.SIGNED,
                kind__in=list(DEADLINE_STAGES),
                deadline_on__gte=today - dt.timedelta(days=DEADLINE_GRACE_DAYS),
                deadline_on__lte=today + dt.timedelta(days=horizon),
            )
            .filter(Q(deadline_reminded_on__isnull=True) | Q(deadline_reminded_on__lt=today))
            .select_for_update(skip_locked=True)
        )
        for request in candidates:
            if _stage_start(request, today) is None:
                continue
            recipients = _deadline_recipients(task_force.pk, request)
            if recipients:
                path = reverse(
                    "certification-detail", kwargs={"task_force": task_force.slug, "request_id": request.pk}
                )
                what = (
                    "be filed with USCIS"
                    if request.kind == CertificationKind.U_VISA
                    else "be followed up with ICE"
                )
                send_mail(
                    subject="Certification deadline coming up"
                    if request.deadline_on >= today
                    else "Certification deadline passed",
                    message=(
                        f"A signed certification request must {what} by {request.deadline_on:%Y-%m-%d}.\n\n"
                        f"Sign in to see it: {settings.TASKFORCE_BASE_URL}{path}\n"
                    ),
                    from_email=None,
                    recipient_list=recipients,
                )
                sent += 1
            request.deadline_reminded_on = today
            request.save(update_fields=["deadline_reminded_on"])
            audit_record(
                action="certification.deadline_reminded",
                task_force_id=task_force.pk,
                target=request,
                detail={"recipients": len(recipients), "days_left": (request.deadline_on - today).days},
            )
    return sent


def task_force_ids() -> list[str]:
    """Every task force, for the daily fan-out (the tenant registry is not row-level secured)."""
    return [str(pk) for pk in TaskForce.objects.order_by("slug").values_list("pk", flat=True)]
