"""Victim-services records. All live in the VS compartment and belong to one agency.

Identity (the most sensitive data in the system) sits in ``ClientIdentity`` alone, one row per
client, encrypted at rest column by column (taskforce.crypto, docs/encryption.md): everything
else refers to the client by id and reports use the coded attributes on ``Client``.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from cases.codes import (
    AgeGroup,
    Citizenship,
    ConsentCategory,
    ContactChannel,
    Gender,
    RaceEthnicity,
    ReferralSource,
    ServiceCategory,
    TraffickingType,
)
from cases.screening import Form
from taskforce.access import Compartment, TaskForceOwned
from taskforce.crypto import EncryptedCharField, EncryptedDateField, EncryptedEmailField, EncryptedTextField
from taskforce.permissions import TaskForceUserObjectPermission


class Client(TaskForceOwned):
    """The person served, as one agency knows them. Reporting attributes only; identity apart."""

    compartment: ClassVar[Compartment] = Compartment.VICTIM_SERVICES

    agency = models.ForeignKey("taskforce.Agency", on_delete=models.PROTECT, related_name="+")
    age_group_at_intake = models.CharField(
        max_length=20, choices=AgeGroup.choices, default=AgeGroup.NOT_REPORTED
    )
    gender = models.CharField(max_length=20, choices=Gender.choices, default=Gender.NOT_REPORTED)
    citizenship = models.CharField(
        max_length=20, choices=Citizenship.choices, default=Citizenship.NOT_REPORTED
    )
    race_ethnicity = models.CharField(
        max_length=40, choices=RaceEthnicity.choices, default=RaceEthnicity.NOT_REPORTED, blank=True
    )
    # Set when a consented VS-to-VS referral brought this client to this agency: the same person
    # as that client of the sending agency, so reports count them once. The only link between
    # agencies' clients; never a match on names or birth dates.
    same_person_as = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["task_force", "agency", "-created_at"], name="client_tf_agency_idx"),
            # The report's person of each client (linked clients count once), read index-only.
            models.Index(
                fields=["task_force", "id"], name="client_tf_person_idx", include=["same_person_as"]
            ),
        ]

    def __str__(self) -> str:
        return f"client {self.id}"


class ClientIdentity(TaskForceOwned):
    """Who the client is and how to reach them safely. Read only through ``cases.policies``."""

    compartment: ClassVar[Compartment] = Compartment.VICTIM_SERVICES

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="identity")
    # Every identifying column is encrypted at rest (taskforce.crypto); matching goes through
    # ``ClientIndexTerm`` (cases.identity_index), never through these columns.
    first_name = EncryptedCharField(max_length=100)
    # Blank only when a referral brought just a first name or alias; intake always asks for it.
    last_name = EncryptedCharField(max_length=100, blank=True)
    preferred_name = EncryptedCharField(max_length=100, blank=True)
    aliases = EncryptedCharField(max_length=300, blank=True, help_text="Other names, separated by commas.")
    date_of_birth = EncryptedDateField(null=True, blank=True)
    phone = EncryptedCharField(max_length=40, blank=True)
    email = EncryptedEmailField(blank=True)
    address = EncryptedCharField(max_length=300, blank=True)
    preferred_language = EncryptedCharField(max_length=60, blank=True)
    immigration_status = EncryptedCharField(max_length=100, blank=True)
    # Safety profile: shown before anyone contacts the client.
    safe_contact = EncryptedCharField(
        max_length=300, blank=True, help_text="Safe ways and times to make contact."
    )
    unsafe_channels = ArrayField(
        models.CharField(max_length=20, choices=ContactChannel.choices), default=list, blank=True
    )
    address_confidential = models.BooleanField(
        default=False, help_text="Enrolled in an address confidentiality program: never disclose the address."
    )

    class Meta:
        indexes = [models.Index(fields=["task_force", "client"], name="identity_tf_client_idx")]
        verbose_name_plural = "client identities"

    def __str__(self) -> str:
        return f"identity of {self.client_id}"

    @property
    def display_name(self) -> str:
        # A referred client may arrive with no legal name (no identity release): show the name
        # they use, or the first of their other names, until the agency records it.
        return (
            self.preferred_name
            or f"{self.first_name} {self.last_name}".strip()
            or self.aliases.split(",")[0].strip()
            or "Name not recorded"
        )


class ClientIndexTerm(TaskForceOwned):
    """A keyed blind index of one client's name, alias or phone (cases.identity_index).

    The key is derived per agency, so the same name gives different digests in two agencies:
    nothing here can match a person across agencies. Rebuilt whenever the identity changes.
    """

    compartment: ClassVar[Compartment] = Compartment.VICTIM_SERVICES

    class Kind(models.TextChoices):
        TERM = "term", "Whole name, name word, alias or phone"
        NAME = "name", "First and last name (duplicate check)"
        NAME_DOB = "name_dob", "First and last name with birth date (duplicate check)"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey("taskforce.Agency", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    digest = models.CharField(max_length=64)

    class Meta:
        indexes = [
            models.Index(fields=["task_force", "agency", "digest"], name="clientterm_tf_digest_idx"),
            models.Index(fields=["task_force", "client"], name="clientterm_tf_client_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} term of {self.client_id}"


class FamilyMember(TaskForceOwned):
    """An eligible family member served with the client (counted apart in reports)."""

    compartment: ClassVar[Compartment] = Compartment.VICTIM_SERVICES

    class Relationship(models.TextChoices):
        CHILD = "child", "Child"
        SPOUSE = "spouse", "Spouse or partner"
        PARENT = "parent", "Parent"
        SIBLING = "sibling", "Sibling"
        OTHER = "other", "Other relative"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey("taskforce.Agency", on_delete=models.PROTECT, related_name="+")
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    age_group = models.CharField(max_length=20, choices=AgeGroup.choices, default=AgeGroup.NOT_REPORTED)
    served_from = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["task_force", "client"], name="family_tf_client_idx")]

    def __str__(self) -> str:
        return f"{self.relationship} of {self.client_id}"


class Case(TaskForceOwned):
    """One agency's service episode with a client."""

    compartment: ClassVar[Compartment] = Compartment.VICTIM_SERVICES

    class Status(models.TextChoices):
        INTAKE = "intake", "Intake"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    class ClosureReason(models.TextChoices):
        GOALS_MET = "goals_met", "Goals met"
        CLIENT_DECLINED = "client_declined", "Client declined further services"
        LOST_CONTACT = "lost_contact", "Lost contact"
        TRANSFERRED = "transferred", "Transferred to another agency"
        MOVED = "moved", "Moved out of the area"
        INELIGIBLE = "ineligible", "Not eligible"
        OTHER = "other", "Other"

    agency = models.ForeignKey("taskforce.Agency", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INTAKE)
    closure_reason = models.CharField(max_length=20, choices=ClosureReason.choices, blank=True)
    trafficking_type = models.CharField(
        max_length=10, choices=TraffickingType.choices, default=TraffickingType.UNKNOWN
    )
    referral_source = models.CharField(
        max_length=30, choices=ReferralSource.choices, default=ReferralSource.OTHER
    )
    minor_at_intake = models.BooleanField(default=False)
    opened_on = models.DateField(default=timezone.localdate)
    # When the agency really first met the client, if earlier than the intake entered here: late
    # entry keeps the true date without moving the case's own opening (no date games).
    first_contact_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    last_contact_on = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["task_force", "agency", "status", "-created_at"], name="case_tf_agency_status_idx"
            ),
            # The list order (newest first, the id breaking ties) read straight off an index,
            # for a supervisor's agency and for the task force as a whole.
            models.Index(
                fields=["task_force", "agency", "-created_at", "-id"], name="case_tf_agency_created_idx"
            ),
            models.Index(fields=["task_force", "-created_at", "-id"], name="case_tf_created_idx"),
            # The report's attributes of each case served in a period, read index-only.
            models.Index(
                fields=["task_force", "id"],
                name="case_tf_report_idx",
                include=["trafficking_type", "referral_source"],
            ),
            # The case list's sortable columns (taskforce.listing), id breaking ties.
            models.Index(fields=["task_force", "opened_on", "id"], name="case_tf_opened_sort_idx"),
            models.Index(fields=["task_force", "status", "id"], name="case_tf_status_sort_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True) | models.Q(closed_on__gte=models.F("opened_on")),
                name="case_closed_after_opened",
            ),
        ]

    def __str__(self) -> str:
        return f"case {self.id}"


class CaseUserObjectPermission(TaskForceUserObjectPermission):
    """Assignment of a case manager to a case (and, later, consent-based shares)."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)

    class Meta(TaskForceUserObjectPermission.Meta):
        # A case manager's caseload: one index range per (task force, person, permission).
        indexes = [
            models.Index(
                fields=["task_force", "user", "permission", "content_object"], name="case_grant_tf_user_idx"
            )
        ]


class CaseStatusChange(TaskForceOwned):
    """History of closing and reopening, with the reason given."""

    compartment: ClassVar[Compartment] = Compartment.VICTIM_SERVICES

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    from_status = models.CharField(max_length=10, choices=Case.Status.choices)
    to_status = models.CharField(max_length=10, choices=Case.Status.choices)
    reason = models.CharField(max_length=300, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["task_force", "case", "-created_at"], name="casestatus_tf_case_idx")]

    def __str__(self) -> str:
        return f"{self.from_status} -> {self.to_status}"


class Screening(TaskForceOwned):
    compartment: ClassVar[Compartment] = Compartment.VICTIM_SERVICES

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    form = models.CharField(max_length=10, choices=Form.choices)
    screened_on = models.DateField()
    answers = models.JSONField(default=dict)
    summary = models.JSONField(default=dict)
    flagged = models.BooleanField(default=False)
    screened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["task_force", "case", "-screened_on"], name="screening_tf_case_idx")]

    def __str__(self) -> str:
        return f"{self.form} screening of {self.case_id}"


class PlanItem(TaskForceOwned):
    """A need and its goal in the service plan."""

    compartment: ClassVar[Compartment] = Compartment.VICTIM_SERVICES

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        MET = "met", "Met"
        DISCONTINUED = "discontinued", "Discontinued"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    need = models.CharField(max_length=30, choices=ServiceCategory.choices)
    goal = models.CharField(max_length=300)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    target_on = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["task_force", "case"], name="planitem_tf_case_idx")]

    def __str__(self) -> str:
        return f"{self.need}: {self.status}"


class ServiceDelivery(TaskForceOwned):
    """One service given on one day. ``client`` and ``agency`` are copied from the case so
    monthly counts are index-only scans (performance.md)."""

    compartment: ClassVar[Compartment] = Compartment.VICTIM_SERVICES

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("taskforce.Agency", on_delete=models.PROTECT, related_name="+")
    providing_agency = models.ForeignKey("taskforce.Agency", on_delete=models.PROTECT, related_name="+")
    delivered_on = models.DateField()
    service_type = models.CharField(max_length=30, choices=ServiceCategory.choices)
    units = models.DecimalField(
        max_digits=6, decimal_places=2, default=1, validators=[MinValueValidator(0), MaxValueValidator(1000)]
    )
    note = EncryptedCharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Never deleted: a wrong entry is corrected in place (history in ``ServiceCorrection``) or
    # voided with a reason, stays on the case and stops counting in reports.
    corrected_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    void_reason = EncryptedCharField(max_length=300, blank=True)

    class Meta:
        verbose_name_plural = "service deliveries"
        indexes = [
            models.Index(fields=["task_force", "case", "-delivered_on"], name="service_tf_case_idx"),
            # Only services that count: a period's deliveries are read as an index-only scan.
            models.Index(
                fields=["task_force", "delivered_on", "agency", "client"],
                name="service_tf_month_idx",
                condition=models.Q(voided_at__isnull=True),
                include=["service_type", "case"],
            ),
            # "Served earlier this fiscal year?": one index probe per client served in a period.
            models.Index(
                fields=["task_force", "client", "delivered_on", "agency"],
                name="service_tf_client_day_idx",
                condition=models.Q(voided_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_type} on {self.delivered_on}"


class ServiceCorrection(TaskForceOwned):
    """One correction or voiding of a service delivery: which fields changed, the values they
    had, why, who and when. Dates before and after let a locked month find changes that moved
    a service into or out of it."""

    compartment: ClassVar[Compartment] = Compartment.VICTIM_SERVICES

    class Kind(models.TextChoices):
        CORRECTED = "corrected", "Corrected"
        VOIDED = "voided", "Voided"

    service = models.ForeignKey(ServiceDelivery, on_delete=models.CASCADE, related_name="corrections")
    agency = models.ForeignKey("taskforce.Agency", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    fields = ArrayField(models.CharField(max_length=30), default=list, blank=True)
    # The changed fields' earlier values as JSON, sealed like the fields themselves (a note).
    previous = EncryptedTextField(blank=True)
    reason = EncryptedCharField(max_length=300)
    delivered_on = models.DateField()
    previous_delivered_on = models.DateField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [
            models.Index(fields=["task_force", "service", "-created_at"], name="servicecorr_tf_service_idx"),
            models.Index(fields=["task_force", "-created_at"], name="servicecorr_tf_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.service_id}"


class CaseChange(TaskForceOwned):
    """Who changed which fields of a case, its client or its services, and when: the case page's
    "Changes". Field names only, never values (the values stay where they belong: the record
    itself, ``ServiceCorrection``). Seen exactly by who sees the case. Written by the services
    that make the change, next to their audit rows; the case page reads this, not the log."""

    compartment: ClassVar[Compartment] = Compartment.VICTIM_SERVICES

    class Kind(models.TextChoices):
        CLIENT_CHANGED = "client.changed", "client details corrected"
        CASE_CHANGED = "case.changed", "case changed"
        SERVICE_CORRECTED = "service.corrected", "service corrected"
        SERVICE_VOIDED = "service.voided", "service voided"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey("taskforce.Agency", on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)
    # Null only for a change carried over from the audit log whose person is no longer known.
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    fields = ArrayField(models.CharField(max_length=40), default=list, blank=True)

    class Meta:
        indexes = [models.Index(fields=["task_force", "case", "-changed_at"], name="casechange_tf_case_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.case_id}"


class CaseNote(TaskForceOwned):
    """A case note. A privileged note (Evidence Code 1038) is seen by its author and the
    agency's VS supervisors only: never shared, never exported, never in a referral or MDT."""

    compartment: ClassVar[Compartment] = Compartment.VICTIM_SERVICES

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey("taskforce.Agency", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = EncryptedTextField(max_length=20000)
    privileged = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["task_force", "case", "-created_at"], name="casenote_tf_case_idx")]

    def __str__(self) -> str:
        return f"note {self.id}"


class NoteAddendum(TaskForceOwned):
    """A later addition to a case note. Notes are never edited or deleted: an addendum amends
    one and keeps the original as written. Visible exactly to who sees its note, so a
    privileged note's addenda stay privileged."""

    compartment: ClassVar[Compartment] = Compartment.VICTIM_SERVICES

    note = models.ForeignKey(CaseNote, on_delete=models.CASCADE, related_name="addenda")
    agency = models.ForeignKey("taskforce.Agency", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = EncryptedTextField(max_length=20000)

    class Meta:
        indexes = [models.Index(fields=["task_force", "note", "created_at"], name="noteaddendum_tf_note_idx")]
        verbose_name_plural = "note addenda"

    def __str__(self) -> str:
        return f"addendum {self.id}"


class Consent(TaskForceOwned):
    """A release of information to one recipient agency, for stated categories and purpose,
    until a mandatory expiry; revocable at any time. Validity is computed at read time."""

    compartment: ClassVar[Compartment] = Compartment.VICTIM_SERVICES

    DEFAULT_DAYS = 90
    MAX_DAYS = 365
    EXPIRING_DAYS = 14

    class State(models.TextChoices):
        ACTIVE = "active", "Active"
        EXPIRING = "expiring", "Expiring within 14 days"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Revoked"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("taskforce.Agency", on_delete=models.PROTECT, related_name="+")
    recipient_agency = models.ForeignKey("taskforce.Agency", on_delete=models.PROTECT, related_name="+")
    scope = ArrayField(models.CharField(max_length=20, choices=ConsentCategory.choices))
    purpose = models.CharField(max_length=300)
    # Names of the client and of their parent or guardian: encrypted like the identity.
    signed_by = EncryptedCharField(max_length=200)
    guardian_name = EncryptedCharField(max_length=200, blank=True)
    guardian_relationship = models.CharField(max_length=100, blank=True)
    guardian_not_suspect = models.BooleanField(default=False)
    signed_on = models.DateField()
    expires_on = models.DateField()
    # The instant it stops counting: the end of ``expires_on`` in the task force's time zone.
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [
            models.Index(fields=["task_force", "case", "-signed_on"], name="consent_tf_case_idx"),
            models.Index(
                fields=["task_force", "recipient_agency", "expires_at"], name="consent_tf_recipient_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__gte=models.F("signed_on")), name="consent_expires_after_signed"
            ),
        ]

    def __str__(self) -> str:
        return f"consent {self.id}"

    def state_at(self, now: dt.datetime) -> str:
        if self.revoked_at is not None and self.revoked_at <= now:
            return self.State.REVOKED
        if now >= self.expires_at:
            return self.State.EXPIRED
        if self.expires_at - now <= dt.timedelta(days=self.EXPIRING_DAYS):
            return self.State.EXPIRING
        return self.State.ACTIVE

    def is_valid_at(self, now: dt.datetime) -> bool:
        return self.state_at(now) in (self.State.ACTIVE, self.State.EXPIRING)
