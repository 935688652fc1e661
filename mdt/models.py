"""The PC 13753 multidisciplinary case review team: roster, agreements, meetings, reviews,
action items. Everything said here is confidential; a member without a current
confidentiality agreement sees nothing of the team's meetings.

Bridge records (shared compartment): who sees them is decided by roster and agreement in
``mdt.policies``, never by side alone. Case reviews carry only what the presenter wrote; a link
to the presenter's own case or investigation is shown only to who may already see it.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.db import models

from taskforce.access import Compartment, TaskForceOwned

# The confidentiality agreement's text lives in templates/mdt/agreement_text.html; its version
# is recorded with each signature, so a new text can require re-signing.
AGREEMENT_VERSION = "2026-01"
AGREEMENT_DAYS = 365
CONFIDENTIAL_MARK = "Confidential: California Penal Code 13753"


class MdtTeam(TaskForceOwned):
    compartment: ClassVar[Compartment] = Compartment.SHARED

    class Kind(models.TextChoices):
        ADULT = "adult", "Adult"
        YOUTH = "youth", "Youth"
        OTHER = "other", "Other"

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ADULT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task_force", "name"], name="mdtteam_unique_name")]
        indexes = [
            # The team list's sortable columns (taskforce.listing), id breaking ties.
            models.Index(fields=["task_force", "name", "id"], name="mdtteam_tf_name_sort_idx"),
            models.Index(fields=["task_force", "kind", "id"], name="mdtteam_tf_kind_sort_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class RosterMember(TaskForceOwned):
    """A membership on a team's roster (facilitators are members too)."""

    compartment: ClassVar[Compartment] = Compartment.SHARED

    team = models.ForeignKey(MdtTeam, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey("taskforce.Membership", on_delete=models.CASCADE, related_name="+")
    is_facilitator = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "membership"], name="roster_once_per_team"),
        ]
        indexes = [models.Index(fields=["task_force", "membership", "team"], name="roster_tf_member_idx")]

    def __str__(self) -> str:
        return f"roster {self.id}"


class Agreement(TaskForceOwned):
    """A signed confidentiality agreement: a roster member's for a year, or a guest's for one
    meeting."""

    compartment: ClassVar[Compartment] = Compartment.SHARED

    team = models.ForeignKey(MdtTeam, on_delete=models.CASCADE, related_name="+")
    roster_member = models.ForeignKey(
        RosterMember, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    meeting = models.ForeignKey(
        "MdtMeeting", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    guest_name = models.CharField(max_length=200, blank=True)
    guest_organization = models.CharField(max_length=200, blank=True)
    version = models.CharField(max_length=20, default=AGREEMENT_VERSION)
    signed_on = models.DateField()
    expires_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [
            models.Index(
                fields=["task_force", "roster_member", "-expires_on"], name="agreement_tf_member_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__gte=models.F("signed_on")),
                name="agreement_expires_after_signed",
            ),
            models.CheckConstraint(
                condition=models.Q(roster_member__isnull=False) | models.Q(meeting__isnull=False),
                name="agreement_for_member_or_meeting_guest",
            ),
        ]

    def __str__(self) -> str:
        return f"agreement {self.id}"

    def is_current(self, today: dt.date) -> bool:
        return self.signed_on <= today <= self.expires_on


class MdtMeeting(TaskForceOwned):
    compartment: ClassVar[Compartment] = Compartment.SHARED

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    team = models.ForeignKey(MdtTeam, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField()
    place = models.CharField(max_length=200, blank=True)
    video_link = models.URLField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED)
    minutes = models.TextField(max_length=50000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [
            models.Index(fields=["task_force", "team", "-starts_at"], name="meeting_tf_team_idx"),
            # The meeting list's sortable columns (taskforce.listing), id breaking ties.
            models.Index(fields=["task_force", "starts_at", "id"], name="meeting_tf_when_sort_idx"),
            models.Index(fields=["task_force", "status", "id"], name="meeting_tf_status_sort_idx"),
        ]

    def __str__(self) -> str:
        return f"meeting {self.id}"


class Attendance(TaskForceOwned):
    compartment: ClassVar[Compartment] = Compartment.SHARED

    class Status(models.TextChoices):
        PRESENT = "present", "Present"
        ABSENT = "absent", "Absent"
        GUEST = "guest", "Guest"

    meeting = models.ForeignKey(MdtMeeting, on_delete=models.CASCADE, related_name="+")
    roster_member = models.ForeignKey(
        RosterMember, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    guest_agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "roster_member"],
                condition=models.Q(roster_member__isnull=False),
                name="attendance_once_per_member",
            )
        ]
        indexes = [models.Index(fields=["task_force", "meeting"], name="attendance_tf_meeting_idx")]

    def __str__(self) -> str:
        return f"attendance {self.id}"


class CaseReview(TaskForceOwned):
    compartment: ClassVar[Compartment] = Compartment.SHARED

    class Risk(models.TextChoices):
        LOW = "low", "Low"
        MODERATE = "moderate", "Moderate"
        HIGH = "high", "High"
        CRITICAL = "critical", "Critical"

    meeting = models.ForeignKey(MdtMeeting, on_delete=models.CASCADE, related_name="+")
    presenting_agency = models.ForeignKey("taskforce.Agency", on_delete=models.PROTECT, related_name="+")
    mdt_code = models.CharField(max_length=20, help_text="Pseudonymous code used on the agenda.")
    position = models.PositiveSmallIntegerField(default=0)
    summary = models.TextField(max_length=10000, blank=True)
    risk_level = models.CharField(max_length=10, choices=Risk.choices, default=Risk.MODERATE)
    needs_barriers = models.TextField(max_length=5000, blank=True)
    decisions = models.TextField(max_length=5000, blank=True)
    recommendations = models.TextField(max_length=5000, blank=True)
    # The presenter's own record, linked for those who may already see it.
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    investigation = models.ForeignKey(
        "referrals.Investigation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    presented_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["task_force", "meeting", "position"], name="review_tf_meeting_idx")]

    def __str__(self) -> str:
        return self.mdt_code


class ActionItem(TaskForceOwned):
    compartment: ClassVar[Compartment] = Compartment.SHARED

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    team = models.ForeignKey(MdtTeam, on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(MdtMeeting, on_delete=models.CASCADE, related_name="+")
    review = models.ForeignKey(CaseReview, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    description = models.CharField(max_length=500)
    owner_member = models.ForeignKey(
        RosterMember, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    owner_agency = models.ForeignKey(
        "taskforce.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    completed_on = models.DateField(null=True, blank=True)
    # Reminder bookkeeping: recorded in Postgres so a lost or repeated task sends nothing twice.
    reminded_due_on = models.DateField(null=True, blank=True, editable=False)
    reminded_overdue_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        indexes = [
            models.Index(fields=["task_force", "team", "status", "due_on"], name="action_tf_team_idx"),
            models.Index(fields=["task_force", "owner_member", "status"], name="action_tf_owner_idx"),
            # The item lists' sortable columns (taskforce.listing), id breaking ties.
            models.Index(fields=["task_force", "due_on", "id"], name="action_tf_due_sort_idx"),
            models.Index(fields=["task_force", "status", "id"], name="action_tf_status_sort_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(owner_member__isnull=False) | models.Q(owner_agency__isnull=False),
                name="action_item_has_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"action {self.id}"
