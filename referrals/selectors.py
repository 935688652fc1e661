"""Reads of law-enforcement records that several edges share: the tips inbox's order and each
tip's triage deadline. Rows always come from ``referrals.policies``; these only order and judge."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from referrals.codes import Urgency
from referrals.models import TIP_INBOX_RANK, Tip
from taskforce import clock
from taskforce.models import TaskForce
from taskforce.pagination import SortKey
from taskforce.tenancy import loaded_task_force

OPEN_TIP_STATUSES = (Tip.Status.NEW, Tip.Status.TRIAGED, Tip.Status.ASSIGNED)
INBOX_RANK = TIP_INBOX_RANK
# The inbox: by urgency, then the oldest first (it has waited longest).
INBOX_ORDER = (SortKey("inbox_rank", expression=INBOX_RANK), SortKey("received_at"), SortKey("id"))
NEWEST_ORDER = (SortKey("received_at", descending=True), SortKey("id", descending=True))


def _add_business_days(moment: dt.datetime, days: int) -> dt.datetime:
    while days:
        moment += dt.timedelta(days=1)
        if moment.weekday() < 5:
            days -= 1
    return moment


class TriageClock:
    """When a new tip must be triaged by, under its task force's targets: immediate danger within
    minutes, every other tip within business days (Monday to Friday in the task force's zone)."""

    def __init__(self, task_force: TaskForce, now: dt.datetime | None = None) -> None:
        self.zone = clock.zone(task_force.time_zone)
        self.immediate = dt.timedelta(minutes=task_force.triage_target_immediate_minutes)
        self.business_days = task_force.triage_target_business_days
        self.now = now or timezone.now()

    @classmethod
    def for_task_force_id(cls, task_force_id: Any) -> TriageClock:
        return cls(loaded_task_force(task_force_id, ("time_zone", *TRIAGE_FIELDS)))

    def due(self, tip: Tip) -> dt.datetime:
        if tip.urgency == Urgency.IMMEDIATE:
            return tip.received_at + self.immediate
        local = timezone.localtime(tip.received_at, self.zone)
        return _add_business_days(local, self.business_days)

    def overdue(self, tip: Tip) -> bool:
        return tip.status == Tip.Status.NEW and self.due(tip) < self.now

    def overdue_candidates(self, tips: QuerySet[Tip]) -> QuerySet[Tip]:
        """New tips that may be overdue: a business day is at least a calendar day, so none
        received later than the calendar bound can be. ``overdue`` decides each exactly."""
        return tips.filter(status=Tip.Status.NEW).filter(
            Q(urgency=Urgency.IMMEDIATE, received_at__lt=self.now - self.immediate)
            | (
                ~Q(urgency=Urgency.IMMEDIATE)
                & Q(received_at__lt=self.now - dt.timedelta(days=self.business_days))
            )
        )


TRIAGE_FIELDS = ("triage_target_immediate_minutes", "triage_target_business_days")


def age_text(since: dt.datetime, now: dt.datetime) -> str:
    """How long a record has waited, in the largest unit that reads naturally."""
    seconds = max(int((now - since).total_seconds()), 0)
    if seconds < 3600:
        minutes = seconds // 60
        return f"{minutes} min"
    if seconds < 2 * 86400:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''}"
    days = seconds // 86400
    return f"{days} days"
