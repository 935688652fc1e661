"""Law-enforcement records (tips, investigations, prosecutions) and the bridge between the sides
(referrals, certification requests).

LE records live in the LE compartment: victim-services roles never enter it. Tips are also
worked by the coordinator, by an explicit rule in ``referrals.policies`` (the compartment stays
closed to coordinators for every other LE record). Referrals and certification requests are
bridge records in the shared compartment; their policies decide per agency who sees the
envelope and who the payload.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from cases.codes import AgeGroup, ContactChannel, Gender, ServiceCategory, TraffickingType
from referrals.codes import (
    CertificationKind,
    ChargeVenue,
    Disposition,
    ReferralKind,
    TipChannel,
    TipSource,
    Urgency,
    VenueType,
)
from taskforce.access import Compartment, TaskForceOwned
from taskforce.crypto import EncryptedCharField, EncryptedDateField, EncryptedListField
from taskforce.permissions import TaskForceUserObjectPermission


class Investigation(TaskForceOwned):
    compartment: ClassVar[Compartment] = Compartment.LAW_ENFORCEMENT

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        SUSPENDED = "suspended", "Suspended"
        CLOSED = "closed", "Closed"

    case_number = models.CharField(max_length=40)
    title = models.CharField(max_length=200, help_text="A working name, no victim names.")
    lead_agency = models.ForeignKey("taskforce.Agency", on_delete=models.PROTECT, related_name="+")
    trafficking_type = models.CharField(
        max_length=10, choices=TraffickingType.choices, default=TraffickingType.UNKNOWN
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    restricted = models.BooleanField(default=False, help_text="Only its team and LE supervisors see it.")
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    summary = models.TextField(max_length=10000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [
            models.Index(fields=["task_force", "-created_at", "-id"], name="inv_tf_created_idx"),
            models.Index(fields=["task_force", "status", "-opened_on"], name="inv_tf_status_idx"),
            # The HTML list's sortable columns (taskforce.listing), id breaking ties.
            models.Index(fields=["task_force", "case_number", "id"], name="inv_tf_number_sort_idx"),
            models.Index(fields=["task_force", "opened_on", "id"], name="inv_tf_opened_sort_idx"),
            models.Index(fields=["task_force", "status", "id"], name="inv_tf_status_sort_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["task_force", "case_number"], name="inv_unique_case_number"),
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True) | models.Q(closed_on__gte=models.F("opened_on")),
                name="inv_closed_after_opened",
            ),
        ]

    def __str__(self) -> str:
        return self.case_number


class InvestigationUserObjectPermission(TaskForceUserObjectPermission):
    """Membership of an investigation's team (what opens a restricted investigation)."""

    content_object = models.ForeignKey(Investigation, on_delete=models.CASCADE)

    class Meta(TaskForceUserObjectPermission.Meta):
        # A person's teams: one index range per (task force, person, permission).
        indexes = [
            models.Index(
                fields=["task_force", "user", "permission", "content_object"], name="inv_grant_tf_user_idx"
            )
        ]


OPEN_TIP_STATUSES = ("new", "triaged", "assigned")
TIP_URGENCY_ORDER = (Urgency.IMMEDIATE, Urgency.HIGH, Urgency.NORMAL, Urgency.LOW)
# The inbox's first sort key: open tips by urgency (0 = immediate danger), every other tip after
# them. An expression, not a column, so no write can let it drift; indexed as it is written.
TIP_INBOX_RANK = models.Case(
    models.When(~models.Q(status__in=OPEN_TIP_STATUSES), then=models.Value(len(TIP_URGENCY_ORDER))),
    *(models.When(urgency=u, then=models.Value(rank)) for rank, u in enumerate(TIP_URGENCY_ORDER)),
    default=models.Value(len(TIP_URGENCY_ORDER)),
    output_field=models.IntegerField(),
)


class Tip(TaskForceOwned):
    compartment: ClassVar[Compartment] = Compartment.LAW_ENFORCEMENT

    class Status(models.TextChoices):
        NEW = "new", "New"
        TRIAGED = "triaged", "Triaged"
        ASSIGNED = "assigned", "Assigned"
        CLOSED = "closed", "Closed"
        CONVERTED = "converted", "Converted to an investigation"
        MERGED = "merged", "Merged into another tip"

    class CloseReason(models.TextChoices):
        NO_INDICATORS = "no_indicators", "No trafficking indicators"
        INSUFFICIENT = "insufficient", "Not enough information to act on"
        REFERRED_OUT = "referred_out", "Referred to another jurisdiction"
        DUPLICATE = "duplicate", "Duplicate"
        OTHER = "other", "Other"

    received_at = models.DateTimeField()
    channel = models.CharField(max_length=20, choices=TipChannel.choices, default=TipChannel.PHONE)
    source = models.CharField(max_length=20, choices=TipSource.choices)
    trafficking_type = models.CharField(
        max_length=10, choices=TraffickingType.choices, default=TraffickingType.UNKNOWN
    )
    city = models.CharField(max_length=100, blank=True)
    venue_type = models.CharField(max_length=20, choices=VenueType.choices, default=VenueType.UNKNOWN)
    narrative = models.TextField(max_length=10000)
    potential_victims = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(10000)])
    minors_involved = models.BooleanField(default=False)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    close_reason = models.CharField(max_length=20, choices=CloseReason.choices, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    investigation = models.ForeignKey(
        Investigation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    via_public_form = models.BooleanField(default=False)
    # What the tip names, encrypted like a suspect's identifiers; other tips and suspects sharing
    # one are found through their keyed blind indexes (``IdentifierKey``), never in clear.
    phones = EncryptedListField()
    handles = EncryptedListField()
    urls = EncryptedListField()
    plates = EncryptedListField()
    addresses = EncryptedListField()
    names = EncryptedListField()

    class Meta:
        indexes = [
            models.Index(fields=["task_force", "status", "-received_at"], name="tip_tf_status_idx"),
            models.Index(fields=["task_force", "-created_at"], name="tip_tf_created_idx"),
            models.Index(fields=["task_force", "-received_at"], name="tip_tf_received_idx"),
            # The HTML list's sortable columns (taskforce.listing), id breaking ties.
            models.Index(fields=["task_force", "received_at", "id"], name="tip_tf_received_sort_idx"),
            models.Index(fields=["task_force", "status", "id"], name="tip_tf_status_sort_idx"),
            models.Index(
                models.F("task_force"),
                TIP_INBOX_RANK,
                models.F("received_at"),
                models.F("id"),
                name="tip_tf_inbox_idx",
            ),
            # The search box's words of a tip ('simple': names and places as typed, any language);
            # the same expression as referrals.search.TIP_SEARCH_VECTOR, so the planner uses it.
            GinIndex(SearchVector("narrative", "city", config="simple"), name="tip_search_idx"),
        ]

    def __str__(self) -> str:
        return f"tip {self.id}"


class Suspect(TaskForceOwned):
    """LE-only identity, encrypted at rest. Phone numbers, plates and handles are kept normalised;
    deconfliction compares their keyed blind indexes (referrals.suspect_index), per task force."""

    compartment: ClassVar[Compartment] = Compartment.LAW_ENFORCEMENT

    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="+")
    full_name = EncryptedCharField(max_length=200)
    aliases = EncryptedCharField(max_length=300, blank=True)
    date_of_birth = EncryptedDateField(null=True, blank=True)
    phones = EncryptedListField()
    plates = EncryptedListField()
    handles = EncryptedListField()
    # Blind indexes (HMAC, task force key) of the normalised name and of each identifier.
    name_key = models.CharField(max_length=64, editable=False)
    phone_keys = ArrayField(models.CharField(max_length=64), default=list, blank=True, editable=False)
    plate_keys = ArrayField(models.CharField(max_length=64), default=list, blank=True, editable=False)
    handle_keys = ArrayField(models.CharField(max_length=64), default=list, blank=True, editable=False)

    class Meta:
        indexes = [
            models.Index(fields=["task_force", "investigation"], name="suspect_tf_inv_idx"),
            models.Index(fields=["task_force", "name_key"], name="suspect_tf_name_idx"),
        ]

    def __str__(self) -> str:
        return f"suspect {self.id}"


class IdentifiedVictim(TaskForceOwned):
    """A potential victim identified in an investigation: LE-side, never shown on the VS side."""

    compartment: ClassVar[Compartment] = Compartment.LAW_ENFORCEMENT

    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="+")
    name_or_alias = EncryptedCharField(max_length=200)
    age_group = models.CharField(max_length=20, choices=AgeGroup.choices, default=AgeGroup.NOT_REPORTED)
    gender = models.CharField(max_length=20, choices=Gender.choices, default=Gender.NOT_REPORTED)
    trafficking_type = models.CharField(
        max_length=10, choices=TraffickingType.choices, default=TraffickingType.UNKNOWN
    )
    identified_on = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["task_force", "investigation"], name="victim_tf_inv_idx")]

    def __str__(self) -> str:
        return f"identified victim {self.id}"


class Arrest(TaskForceOwned):
    compartment: ClassVar[Compartment] = Compartment.LAW_ENFORCEMENT

    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="+")
    suspect = models.ForeignKey(Suspect, on_delete=models.PROTECT, related_name="+")
    arrested_on = models.DateField()
    arresting_agency = models.ForeignKey("taskforce.Agency", on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["task_force", "arrested_on"], name="arrest_tf_date_idx")]

    def __str__(self) -> str:
        return f"arrest {self.id}"


class Prosecution(TaskForceOwned):
    compartment: ClassVar[Compartment] = Compartment.LAW_ENFORCEMENT

    class Stage(models.TextChoices):
        FILED = "filed", "Filed"
        PRELIMINARY = "preliminary", "Preliminary hearing"
        TRIAL = "trial", "Trial"
        SENTENCING = "sentencing", "Sentencing"
        CLOSED = "closed", "Closed"

    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT, related_name="+")
    court = models.CharField(max_length=200)
    court_case_number = models.CharField(max_length=60)
    venue = models.CharField(max_length=10, choices=ChargeVenue.choices, default=ChargeVenue.STATE)
    filed_on = models.DateField()
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.FILED)
    next_court_date = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [
            models.Index(fields=["task_force", "-created_at"], name="pros_tf_created_idx"),
            models.Index(fields=["task_force", "filed_on"], name="pros_tf_filed_idx"),
            # The HTML list's sortable columns (taskforce.listing), id breaking ties.
            models.Index(fields=["task_force", "court_case_number", "id"], name="pros_tf_docket_sort_idx"),
            models.Index(fields=["task_force", "filed_on", "id"], name="pros_tf_filed_sort_idx"),
            models.Index(fields=["task_force", "stage", "id"], name="pros_tf_stage_sort_idx"),
        ]

    def __str__(self) -> str:
        return self.court_case_number


class Defendant(TaskForceOwned):
    compartment: ClassVar[Compartment] = Compartment.LAW_ENFORCEMENT

    prosecution = models.ForeignKey(Prosecution, on_delete=models.CASCADE, related_name="+")
    suspect = models.ForeignKey(Suspect, on_delete=models.PROTECT, related_name="+")
    charged_on = models.DateField()
    disposition = models.CharField(max_length=20, choices=Disposition.choices, default=Disposition.PENDING)
    disposition_on = models.DateField(null=True, blank=True)
    sentence = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["task_force", "prosecution"], name="defendant_tf_pros_idx")]
        constraints = [
            models.UniqueConstraint(fields=["prosecution", "suspect"], name="defendant_once_per_prosecution")
        ]

    def __str__(self) -> str:
        return f"defendant {self.id}"


class Charge(TaskForceOwned):
    compartment: ClassVar[Compartment] = Compartment.LAW_ENFORCEMENT

    defendant = models.ForeignKey(Defendant, on_delete=models.CASCADE, related_name="+")
    statute = models.CharField(max_length=40, help_text="For example PC 236.1 or 18 U.S.C. 1591.")
    description = models.CharField(max_length=200, blank=True)
    is_trafficking = models.BooleanField(default=False)
    counts = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(999)]
    )

    class Meta:
        indexes = [models.Index(fields=["task_force", "defendant"], name="charge_tf_defendant_idx")]

    def __str__(self) -> str:
        return self.statute


class DeconflictionAlert(TaskForceOwned):
    """An identifier recorded in one investigation also appears in another. The alert names the
    other investigation's lead agency only, never the investigation."""

    compartment: ClassVar[Compartment] = Compartment.LAW_ENFORCEMENT

    class Kind(models.TextChoices):
        PHONE = "phone", "Phone number"
        PLATE = "plate", "Vehicle plate"
        HANDLE = "handle", "Online handle"
        NAME = "name", "Suspect name"

    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    matched_agency = models.ForeignKey("taskforce.Agency", on_delete=models.PROTECT, related_name="+")
    raised_for = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [
            models.Index(fields=["task_force", "raised_for", "-created_at"], name="deconf_tf_user_idx")
        ]

    def __str__(self) -> str:
        return f"{self.kind} match"


class IdentifierKey(TaskForceOwned):
    """One identifier of a tip or of a suspect as its keyed blind index (HMAC of the normalised
    value under the task force's key, ``referrals.connections``): what links tips and
    investigations that share a phone, a handle, an ad URL, a plate, an address or a name. The
    value itself is never stored here. A suspect's row carries its investigation, so one query
    finds every connection and whether the asker may open it."""

    compartment: ClassVar[Compartment] = Compartment.LAW_ENFORCEMENT

    class Kind(models.TextChoices):
        PHONE = "phone", "Phone number"
        HANDLE = "handle", "Online handle"
        URL = "url", "Ad or web address"
        PLATE = "plate", "Vehicle plate"
        ADDRESS = "address", "Address"
        NAME = "name", "Name"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    digest = models.CharField(max_length=64)
    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    suspect = models.ForeignKey(Suspect, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    investigation = models.ForeignKey(
        Investigation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["task_force", "kind", "digest"], name="idkey_tf_kind_digest_idx"),
            models.Index(fields=["task_force", "tip"], name="idkey_tf_tip_idx"),
            models.Index(fields=["task_force", "suspect"], name="idkey_tf_suspect_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(tip__isnull=False, suspect__isnull=True, investigation__isnull=True)
                | models.Q(tip__isnull=True, suspect__isnull=False, investigation__isnull=False),
                name="idkey_tip_or_suspect",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} key"


class Referral(TaskForceOwned):
    """A hand-off between agencies. The envelope (kind, agencies, status, dates) is seen by both
    sides and the coordinator; the payload is exactly what the sender wrote, seen by the sending
    and receiving agencies only. A referral from victim services rests on a consent that must be
    valid when it is sent and whenever the receiver reads it."""

    compartment: ClassVar[Compartment] = Compartment.SHARED

    class Status(models.TextChoices):
        SENT = "sent", "Sent"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"
        COMPLETED = "completed", "Completed"

    kind = models.CharField(max_length=10, choices=ReferralKind.choices)
    from_agency = models.ForeignKey("taskforce.Agency", on_delete=models.PROTECT, related_name="+")
    to_agency = models.ForeignKey("taskforce.Agency", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENT)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    # Payload: only what the sender chose to write.
    summary = models.TextField(max_length=4000)
    # What identifies the client is encrypted at rest like the client's own identity.
    name_or_alias = EncryptedCharField(max_length=200, blank=True)
    language = EncryptedCharField(max_length=60, blank=True)
    safe_contact = EncryptedCharField(max_length=300, blank=True)
    needs = ArrayField(
        models.CharField(max_length=30, choices=ServiceCategory.choices), default=list, blank=True
    )
    # The client's safety profile travels with every referral, whatever the release covers: it
    # protects the client. From victim services it is copied from the client's record at sending.
    unsafe_channels = ArrayField(
        models.CharField(max_length=20, choices=ContactChannel.choices), default=list, blank=True
    )
    address_confidential = models.BooleanField(default=False)
    # The client's names as recorded by the sending agency, each in its own field; only under a
    # release that covers identity (victim services to victim services or law enforcement).
    first_name = EncryptedCharField(max_length=100, blank=True)
    last_name = EncryptedCharField(max_length=100, blank=True)
    preferred_name = EncryptedCharField(max_length=100, blank=True)
    aliases = EncryptedCharField(max_length=300, blank=True)
    # Where it comes from on the sender's side (never shown to the receiver).
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    investigation = models.ForeignKey(
        Investigation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    consent = models.ForeignKey(
        "cases.Consent", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # What accepting it opened on the receiver's side.
    resulting_case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decline_reason = models.CharField(max_length=300, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["task_force", "to_agency", "status", "-created_at"], name="referral_tf_to_idx"
            ),
            models.Index(fields=["task_force", "from_agency", "-created_at"], name="referral_tf_from_idx"),
            models.Index(fields=["task_force", "-created_at"], name="referral_tf_created_idx"),
            # The HTML list's sortable columns (taskforce.listing), id breaking ties.
            models.Index(fields=["task_force", "created_at", "id"], name="referral_tf_sent_sort_idx"),
            models.Index(fields=["task_force", "status", "id"], name="referral_tf_status_sort_idx"),
        ]

    def __str__(self) -> str:
        return f"referral {self.id}"


class CertificationRequest(TaskForceOwned):
    """A request that a certifying LE agency sign a T or U visa Supplement B, or sponsor
    Continued Presence, for one victim. Started by victim services from a case (usually a
    legal aid attorney) or by law enforcement from an investigation.

    What crosses the wall is decided per reader by ``referrals.policies``: the victim reference
    (the names and birth date copied here when the request is made) reaches the certifying agency
    only under the client's release naming it and covering identity, checked again at every read;
    the linked investigation only to those who may see it; the case never leaves victim services.
    """

    compartment: ClassVar[Compartment] = Compartment.SHARED

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        UNDER_REVIEW = "under_review", "Under review"
        SIGNED = "signed", "Signed"
        DECLINED = "declined", "Declined"

    class SignedForm(models.TextChoices):
        # The seam for documents (issue 13): a signed request waits for its form to be attached.
        NONE = "none", "No signed form"
        PENDING_UPLOAD = "pending_upload", "Signed form to be attached"
        ATTACHED = "attached", "Signed form attached"

    kind = models.CharField(max_length=20, choices=CertificationKind.choices)
    requesting_agency = models.ForeignKey("taskforce.Agency", on_delete=models.PROTECT, related_name="+")
    certifying_agency = models.ForeignKey("taskforce.Agency", on_delete=models.PROTECT, related_name="+")
    # Where it was started: a victim-services case or an investigation (exactly one at the start;
    # the certifying agency may later link the investigation a case's request belongs to).
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    investigation = models.ForeignKey(
        Investigation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The release the victim reference travels under (requests from victim services only).
    consent = models.ForeignKey(
        "cases.Consent", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The victim reference the certifier needs to find the person in its own records.
    victim_name = EncryptedCharField(max_length=200, blank=True)
    victim_other_names = EncryptedCharField(max_length=300, blank=True)
    victim_date_of_birth = EncryptedDateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REQUESTED)
    requested_on = models.DateField()
    due_on = models.DateField(null=True, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decline_reason = models.CharField(max_length=300, blank=True)
    # The certifying official who signed (Supplement B part 6), as they sign.
    signer_name = models.CharField(max_length=200, blank=True)
    signer_title = models.CharField(max_length=200, blank=True)
    # After a decision: the USCIS filing window of a signed U visa Supplement B, or the
    # follow-up of a Continued Presence request (``referrals.certifications.deadline_for``).
    deadline_on = models.DateField(null=True, blank=True)
    signed_form = models.CharField(max_length=20, choices=SignedForm.choices, default=SignedForm.NONE)
    reference = models.CharField(
        max_length=60, blank=True, help_text="The certifying agency's own reference (report or case number)."
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The day the last due-date reminder went out: makes the reminder job idempotent.
    reminded_on = models.DateField(null=True, blank=True, editable=False)
    # The same for the reminders of ``deadline_on``.
    deadline_reminded_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        indexes = [
            models.Index(fields=["task_force", "certifying_agency", "status"], name="cert_tf_certifier_idx"),
            models.Index(
                fields=["task_force", "requesting_agency", "-created_at"], name="cert_tf_requester_idx"
            ),
            models.Index(fields=["task_force", "-created_at"], name="cert_tf_created_idx"),
            models.Index(fields=["task_force", "investigation"], name="cert_tf_inv_idx"),
            models.Index(fields=["task_force", "status", "deadline_on"], name="cert_tf_deadline_idx"),
            # The HTML list's sortable columns (taskforce.listing), id breaking ties.
            models.Index(fields=["task_force", "requested_on", "id"], name="cert_tf_requested_sort_idx"),
            models.Index(fields=["task_force", "status", "id"], name="cert_tf_status_sort_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(case__isnull=False) | models.Q(investigation__isnull=False),
                name="cert_from_case_or_investigation",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="declined") | ~models.Q(decline_reason=""),
                name="cert_declined_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} request {self.id}"
