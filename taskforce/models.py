"""Core records: users, task forces (the tenants), agencies, memberships, API tokens, audit."""

from __future__ import annotations

import re
import uuid
from typing import ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from taskforce.access import ROLES_BY_SIDE, Compartment, Role, Side, TaskForceOwned


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Email is the username. What they may see comes from memberships, never from here."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text="May sign in to the platform admin (structure only)."
    )
    date_joined = models.DateTimeField(default=timezone.now)
    # Bumped on logout, deactivation, membership removal and password change: every
    # session and token issued before it stops working (see taskforce.middleware).
    sessions_valid_after = models.DateTimeField(default=timezone.now)
    # Set after 5 failed sign-ins within 15 minutes; only a task force admin clears it (signin.lockout).
    locked_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        # A new password ends every session and token issued before it (security.md).
        self.sessions_valid_after = timezone.now()

    def save(self, *args: object, **kwargs: object) -> None:
        password_changed = self._password is not None and not self._state.adding
        super().save(*args, **kwargs)
        if password_changed:
            ApiToken.objects.filter(user=self).delete()

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


def validate_number_pattern(pattern: str) -> None:
    """A numbering pattern: text with {seq} (optionally {seq:03d}) and optionally {year}."""
    rest = re.sub(r"\{year\}|\{seq(?::0?[1-9]d)?\}", "", pattern)
    if len(re.findall(r"\{seq", pattern)) != 1 or "{" in rest or "}" in rest:
        raise ValidationError(
            "Use {seq} (or {seq:03d} for 001, 002, ...) and, if you like, {year}: "
            "e.g. CC-HT-{year}-{seq:03d}."
        )


# California's human trafficking, pimping and pandering; the federal peonage, slavery and
# trafficking chapter (18 U.S.C. 1581-1592) and its attempt and conspiracy section (1594).
DEFAULT_TRAFFICKING_STATUTES = ("PC 236.1", "PC 266h", "PC 266i", "18 U.S.C. 1581-1592", "18 U.S.C. 1594")


def default_trafficking_statutes() -> list[str]:
    return list(DEFAULT_TRAFFICKING_STATUTES)


class TaskForce(models.Model):
    """The tenant. Not itself task-force-owned: the edge looks it up by slug before any scope exists."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(unique=True, max_length=60)
    name = models.CharField(max_length=200)
    jurisdiction = models.CharField(max_length=200, blank=True)
    time_zone = models.CharField(max_length=64, default="America/Los_Angeles")
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    public_tip_form_enabled = models.BooleanField(default=False)
    consent_max_days = models.PositiveSmallIntegerField(
        default=365, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    # How soon a new tip must be triaged: tips past it are flagged in the inbox and on the
    # coordinator's home. Immediate danger in minutes; every other tip in business days.
    triage_target_immediate_minutes = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(5), MaxValueValidator(24 * 60)]
    )
    triage_target_business_days = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    # Which statutes count as trafficking charges (the BJA measure of defendants charged with
    # trafficking): a section with all its subsections, or a range of sections. See
    # referrals.statutes for the codes understood.
    # How a new investigation is numbered when no number is typed: {year} and {seq} (the n-th
    # investigation of that year in this task force), e.g. "CC-HT-{year}-{seq:03d}".
    investigation_number_pattern = models.CharField(
        max_length=60, default="HT-{year}-{seq:03d}", validators=[validate_number_pattern]
    )
    trafficking_statutes = ArrayField(
        models.CharField(max_length=60), default=default_trafficking_statutes, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Agency(TaskForceOwned):
    compartment = Compartment.SHARED

    name = models.CharField(max_length=200)
    side = models.CharField(max_length=20, choices=Side.choices)
    mou_signed_on = models.DateField(null=True, blank=True)
    mou_expires_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        indexes = [
            # The agency list's sortable columns (taskforce.listing), id breaking ties.
            models.Index(fields=["task_force", "name", "id"], name="agency_tf_name_sort_idx"),
            models.Index(fields=["task_force", "side", "id"], name="agency_tf_side_sort_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["task_force", "name"], name="agency_unique_name_per_task_force"),
            models.CheckConstraint(
                condition=models.Q(mou_expires_on__isnull=True)
                | models.Q(mou_signed_on__isnull=True)
                | models.Q(mou_expires_on__gte=models.F("mou_signed_on")),
                name="agency_mou_expires_after_signed",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.mou_signed_on and self.mou_expires_on and self.mou_expires_on < self.mou_signed_on:
            raise ValidationError({"mou_expires_on": "The MOU cannot expire before it was signed."})


class Membership(TaskForceOwned):
    """A user's place in one task force: one agency, one role. Inactive means no access at all."""

    compartment = Compartment.SHARED

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20, choices=Role.choices)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["task_force_id", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["task_force", "user"], name="membership_one_per_user_per_task_force"
            ),
        ]
        indexes = [
            models.Index(fields=["task_force", "agency"], name="membership_tf_agency_idx"),
            models.Index(fields=["user", "task_force"], name="membership_user_tf_idx"),
            # The members list's sortable columns (taskforce.listing), id breaking ties.
            models.Index(fields=["task_force", "role", "id"], name="membership_tf_role_sort_idx"),
            models.Index(fields=["task_force", "is_active", "id"], name="membership_tf_active_sort_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.task_force_id} as {self.role}"

    def clean(self) -> None:
        if self.agency_id and self.agency.task_force_id != self.task_force_id:
            raise ValidationError({"agency": "Select an agency of this task force."})
        if self.agency_id and self.role and self.role not in ROLES_BY_SIDE[self.agency.side]:
            raise ValidationError({"role": "This role does not fit the agency's side of the task force."})


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored: a database dump yields no tokens."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    # Issued for a password alone while MFA is required and not yet set up: it reaches the
    # enrolment endpoints only (signin.api).
    mfa_pending = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["user", "expires_at"], name="apitoken_user_expires_idx")]

    def __str__(self) -> str:
        return f"token of {self.user_id}"


class AuditEvent(models.Model):
    """Append-only. The database refuses UPDATE and DELETE and chains each row to the previous
    one of its chain (one chain per task force, one for platform events) with SHA-256.

    Metadata only: who, when, where from, which action on which record id, the outcome.
    Never content (no names, no note text).
    """

    class Outcome(models.TextChoices):
        SUCCESS = "success"
        DENIED = "denied"
        FAILURE = "failure"

    seq = models.BigAutoField(primary_key=True)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    occurred_at = models.DateTimeField(default=timezone.now)
    # Plain columns, not foreign keys: an audit row must outlive and never block the
    # deletion or renaming of what it mentions.
    task_force_id = models.UUIDField(null=True, blank=True)
    user_id = models.UUIDField(null=True, blank=True)
    agency_id = models.UUIDField(null=True, blank=True)
    role = models.CharField(max_length=20, blank=True)
    action = models.CharField(max_length=80)
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    chain_key = models.CharField(max_length=40, editable=False, default="")
    prev_hash = models.CharField(max_length=64, editable=False, default="")
    row_hash = models.CharField(max_length=64, editable=False, default="")

    class Meta:
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["task_force_id", "-seq"], name="audit_tf_seq_idx"),
            models.Index(fields=["user_id", "-seq"], name="audit_user_seq_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.action} {self.outcome}"


class AuditChainHead(models.Model):
    """The last hash of each audit chain. Its row lock serialises appends to one chain."""

    chain_key = models.CharField(max_length=40, primary_key=True)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")

    def __str__(self) -> str:
        return f"{self.chain_key} @ {self.last_seq}"
