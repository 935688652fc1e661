"""Training and outreach logs, month locks and report exports."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from taskforce.access import Compartment, TaskForceOwned

DISCIPLINES = (
    ("law_enforcement", "Law enforcement"),
    ("prosecution", "Prosecution"),
    ("victim_services", "Victim services"),
    ("health", "Health"),
    ("education", "Education"),
    ("child_welfare", "Child welfare"),
    ("community", "Community"),
    ("other", "Other"),
)


def _count() -> models.PositiveIntegerField:
    return models.PositiveIntegerField(default=0, validators=[MaxValueValidator(100000)])


class TrainingEvent(TaskForceOwned):
    compartment: ClassVar[Compartment] = Compartment.SHARED

    held_on = models.DateField()
    title = models.CharField(max_length=200)
    topics = models.CharField(max_length=300, blank=True)
    delivering_agency = models.ForeignKey("taskforce.Agency", on_delete=models.PROTECT, related_name="+")
    hours = models.DecimalField(
        max_digits=5, decimal_places=1, validators=[MinValueValidator(0), MaxValueValidator(200)]
    )
    attendees_law_enforcement = _count()
    attendees_prosecution = _count()
    attendees_victim_services = _count()
    attendees_health = _count()
    attendees_education = _count()
    attendees_child_welfare = _count()
    attendees_community = _count()
    attendees_other = _count()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [
            models.Index(fields=["task_force", "held_on"], name="training_tf_date_idx"),
            # The HTML list's sortable columns (taskforce.listing), id breaking ties.
            models.Index(fields=["task_force", "held_on", "id"], name="training_tf_date_sort_idx"),
            models.Index(fields=["task_force", "title", "id"], name="training_tf_title_sort_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def people_trained(self) -> int:
        return sum(getattr(self, f"attendees_{code}") for code, _ in DISCIPLINES)


class OutreachEvent(TaskForceOwned):
    compartment: ClassVar[Compartment] = Compartment.SHARED

    class Kind(models.TextChoices):
        AWARENESS_EVENT = "awareness_event", "Awareness event"
        PRESENTATION = "presentation", "Presentation"
        MEDIA = "media", "Media"
        MATERIALS = "materials", "Materials distribution"

    class Audience(models.TextChoices):
        GENERAL_PUBLIC = "general_public", "General public"
        YOUTH = "youth", "Youth"
        SCHOOLS = "schools", "Schools"
        FAITH = "faith", "Faith communities"
        BUSINESS = "business", "Businesses"
        HEALTH = "health", "Health providers"
        IMMIGRANT_COMMUNITIES = "immigrant_communities", "Immigrant communities"
        OTHER = "other", "Other"

    held_on = models.DateField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    audience = models.CharField(max_length=30, choices=Audience.choices, default=Audience.GENERAL_PUBLIC)
    title = models.CharField(max_length=200, blank=True)
    people_reached = _count()
    materials_distributed = _count()
    language = models.CharField(max_length=60, blank=True, default="English")
    delivering_agency = models.ForeignKey("taskforce.Agency", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [
            models.Index(fields=["task_force", "held_on"], name="outreach_tf_date_idx"),
            # The HTML list's sortable columns (taskforce.listing), id breaking ties.
            models.Index(fields=["task_force", "held_on", "id"], name="outreach_tf_date_sort_idx"),
            models.Index(fields=["task_force", "title", "id"], name="outreach_tf_title_sort_idx"),
        ]

    def __str__(self) -> str:
        return self.title or self.kind


class MonthLock(TaskForceOwned):
    """A closed month's report locked at a point in time; reopening keeps the row (with the
    reason) so the history of locks stays visible."""

    compartment: ClassVar[Compartment] = Compartment.SHARED

    month = models.DateField(help_text="First day of the month.")
    locked_at = models.DateTimeField()
    locked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reopen_reason = models.CharField(max_length=300, blank=True)
    measures = models.JSONField(default=dict, help_text="The figures as they stood when locked.")

    class Meta:
        indexes = [models.Index(fields=["task_force", "month", "-locked_at"], name="monthlock_tf_month_idx")]

    def __str__(self) -> str:
        return f"lock {self.month:%Y-%m}"


class ReportExport(TaskForceOwned):
    compartment: ClassVar[Compartment] = Compartment.SHARED

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel (XLSX)"

    class Flavour(models.TextChoices):
        GRANT = "grant", "Grant (exact counts)"
        COALITION = "coalition", "Coalition (counts under 5 shown as <5)"

    report = models.CharField(max_length=20, default="monthly")
    month = models.DateField()
    format = models.CharField(max_length=5, choices=Format.choices)
    flavour = models.CharField(max_length=10, choices=Flavour.choices, default=Flavour.GRANT)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    # Empty for the report the scheduler prepares on the 1st (readable by full-report readers).
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    membership = models.ForeignKey(
        "taskforce.Membership", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    error = models.CharField(max_length=300, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["task_force", "requested_by", "-created_at"], name="export_tf_user_idx"),
            # The export list's sortable columns (taskforce.listing), id breaking ties.
            models.Index(fields=["task_force", "month", "id"], name="export_tf_month_sort_idx"),
            models.Index(fields=["task_force", "created_at", "id"], name="export_tf_requested_sort_idx"),
        ]

    def __str__(self) -> str:
        return f"export {self.id}"
