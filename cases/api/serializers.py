"""Input and output shapes of the victim-services API.

Inputs name every accepted field explicitly: whatever places a record (task force, agency,
side, author, recorder, the client of a service) comes from the request's actor and the case
in the URL, never from the payload, and unknown keys are ignored. Outputs carry ids and codes;
identity only where the case policy already let the reader in.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

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
from cases.models import Case, CaseNote, Consent, NoteAddendum, PlanItem, Screening, ServiceDelivery
from cases.screening import Answer, Form
from taskforce.api import ScopedPrimaryKeyRelatedField
from taskforce.policies import visible_agencies, visible_memberships


@extend_schema_field(OpenApiTypes.UUID)
class ScopedId(ScopedPrimaryKeyRelatedField):
    """An id among the actor's visible rows (documented as a UUID)."""


@extend_schema_field(
    {"type": "string", "enum": ServiceCategory.values, "description": "A service category code."},
    component_name="ServiceCategoryEnum",
)
class NeedField(serializers.ChoiceField):
    """A plan item's need: a service category (its own schema component, not a second name
    for the service type's enum)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=ServiceCategory.choices, **kwargs)


@extend_schema_field(
    {"type": "string", "enum": PlanItem.Status.values, "description": "A plan item's status."},
    component_name="PlanItemStatusEnum",
)
class PlanItemStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=PlanItem.Status.choices, **kwargs)


# --- inputs -----------------------------------------------------------------------------------


class ClientIn(serializers.Serializer):
    """Who the client is (identity, kept apart) and the coded attributes used in reports."""

    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    preferred_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    aliases = serializers.CharField(max_length=300, required=False, allow_blank=True)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    preferred_language = serializers.CharField(max_length=60, required=False, allow_blank=True)
    immigration_status = serializers.CharField(max_length=100, required=False, allow_blank=True)
    safe_contact = serializers.CharField(max_length=300, required=False, allow_blank=True)
    unsafe_channels = serializers.ListField(
        child=serializers.ChoiceField(choices=ContactChannel.choices), required=False, max_length=20
    )
    address_confidential = serializers.BooleanField(required=False)
    age_group_at_intake = serializers.ChoiceField(choices=AgeGroup.choices, required=False)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False)
    citizenship = serializers.ChoiceField(choices=Citizenship.choices, required=False)
    race_ethnicity = serializers.ChoiceField(choices=RaceEthnicity.choices, required=False)


class ClientPatchIn(ClientIn):
    """A correction of the client after intake: any of the intake fields, each optional."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for field in fields.values():
            field.required = False
        return fields


class CaseCreateIn(serializers.Serializer):
    """Intake: client, identity and case at once; optionally the short screening's answers."""

    client = ClientIn()
    trafficking_type = serializers.ChoiceField(choices=TraffickingType.choices, required=False)
    referral_source = serializers.ChoiceField(choices=ReferralSource.choices, required=False)
    minor_at_intake = serializers.BooleanField(required=False)
    opened_on = serializers.DateField(required=False)
    first_contact_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="When the agency first met the client, if before the intake.",
    )
    answers = serializers.DictField(
        child=serializers.ChoiceField(choices=Answer.choices),
        required=False,
        help_text="Short-form screening answers by question code (optional).",
    )


class CasePatchIn(serializers.Serializer):
    """The only changeable fields of a case. Closing: ``status`` ``closed`` with a
    ``closure_reason``; reopening a closed case needs a ``reopen_reason``."""

    trafficking_type = serializers.ChoiceField(choices=TraffickingType.choices, required=False)
    referral_source = serializers.ChoiceField(choices=ReferralSource.choices, required=False)
    status = serializers.ChoiceField(choices=Case.Status.choices, required=False)
    closure_reason = serializers.ChoiceField(choices=Case.ClosureReason.choices, required=False)
    reopen_reason = serializers.CharField(max_length=300, required=False, allow_blank=True)
    client = ClientPatchIn(
        required=False,
        help_text="Corrections of the client: all or nothing; the changed field names are audited.",
    )


class ServiceIn(serializers.Serializer):
    service_type = serializers.ChoiceField(choices=ServiceCategory.choices)
    delivered_on = serializers.DateField()
    units = serializers.DecimalField(
        max_digits=6, decimal_places=2, min_value=0, max_value=1000, required=False
    )
    providing_agency = ScopedId(
        visible=visible_agencies,
        required=False,
        allow_null=True,
        help_text="Defaults to the case's agency.",
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class ServiceCorrectIn(serializers.Serializer):
    """The fields to correct (any of them) and why."""

    service_type = serializers.ChoiceField(choices=ServiceCategory.choices, required=False)
    delivered_on = serializers.DateField(required=False)
    units = serializers.DecimalField(
        max_digits=6, decimal_places=2, min_value=0, max_value=1000, required=False
    )
    providing_agency = ScopedId(visible=visible_agencies, required=False, allow_null=True)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)
    reason = serializers.CharField(max_length=300, help_text="Why the service is corrected.")


class VoidIn(serializers.Serializer):
    reason = serializers.CharField(max_length=300, help_text="Why the service is voided.")


class AddendumIn(serializers.Serializer):
    text = serializers.CharField(max_length=20000)


class NoteIn(serializers.Serializer):
    text = serializers.CharField(max_length=20000)
    privileged = serializers.BooleanField(
        required=False, default=False, help_text="Evidence Code 1038: author and VS supervisors only."
    )


class ScopeField(serializers.ListField):
    """Categories as a list, or as one string ("case_summary" or "identity,contact")."""

    def to_internal_value(self, data: Any) -> list[str]:
        if isinstance(data, str):
            data = [part.strip() for part in data.split(",") if part.strip()]
        return super().to_internal_value(data)


class ConsentIn(serializers.Serializer):
    recipient_agency = ScopedId(visible=visible_agencies)
    scope = ScopeField(
        child=serializers.ChoiceField(choices=ConsentCategory.choices), allow_empty=False, max_length=20
    )
    purpose = serializers.CharField(max_length=300)
    signed_by = serializers.CharField(
        max_length=200,
        required=False,
        default="Client",
        help_text="Who signed; the client unless said otherwise.",
    )
    signed_on = serializers.DateField(required=False, help_text="Defaults to today.")
    expires_on = serializers.DateField(
        required=False,
        help_text="Defaults to 90 days after signing; at most 365 (or the task force's limit).",
    )
    guardian_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    guardian_relationship = serializers.CharField(max_length=100, required=False, allow_blank=True)
    guardian_not_suspect = serializers.BooleanField(required=False, default=False)


class RevokeIn(serializers.Serializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class ScreeningIn(serializers.Serializer):
    form = serializers.ChoiceField(choices=Form.choices)
    answers = serializers.DictField(
        child=serializers.ChoiceField(choices=Answer.choices), help_text="Answers by question code."
    )
    screened_on = serializers.DateField(required=False, help_text="Defaults to today.")


class PlanItemIn(serializers.Serializer):
    need = NeedField()
    goal = serializers.CharField(max_length=300)
    target_on = serializers.DateField(required=False, allow_null=True)


class AssignIn(serializers.Serializer):
    membership = ScopedId(visible=visible_memberships)


# --- outputs ----------------------------------------------------------------------------------


class ClientOut(serializers.Serializer):
    """The client as the case list shows it: name, coded attributes and the safety profile."""

    id = serializers.UUIDField(source="client.id")
    first_name = serializers.CharField(source="client.identity.first_name")
    last_name = serializers.CharField(source="client.identity.last_name")
    preferred_name = serializers.CharField(source="client.identity.preferred_name")
    date_of_birth = serializers.DateField(source="client.identity.date_of_birth", allow_null=True)
    age_group_at_intake = serializers.ChoiceField(
        source="client.age_group_at_intake", choices=AgeGroup.choices
    )
    gender = serializers.ChoiceField(source="client.gender", choices=Gender.choices)
    citizenship = serializers.ChoiceField(source="client.citizenship", choices=Citizenship.choices)
    safe_contact = serializers.CharField(source="client.identity.safe_contact")
    unsafe_channels = serializers.ListField(
        source="client.identity.unsafe_channels",
        child=serializers.ChoiceField(choices=ContactChannel.choices),
    )
    address_confidential = serializers.BooleanField(source="client.identity.address_confidential")


class ClientDetailOut(ClientOut):
    """On the case's own page: also aliases, contact details and language."""

    aliases = serializers.CharField(source="client.identity.aliases")
    race_ethnicity = serializers.ChoiceField(source="client.race_ethnicity", choices=RaceEthnicity.choices)
    phone = serializers.CharField(source="client.identity.phone")
    email = serializers.CharField(source="client.identity.email")
    address = serializers.CharField(source="client.identity.address")
    preferred_language = serializers.CharField(source="client.identity.preferred_language")
    immigration_status = serializers.CharField(source="client.identity.immigration_status")


CASE_FIELDS = (
    "id",
    "status",
    "closure_reason",
    "trafficking_type",
    "referral_source",
    "minor_at_intake",
    "opened_on",
    "first_contact_on",
    "closed_on",
    "last_contact_on",
    "created_at",
    "client",
)


class CaseOut(serializers.ModelSerializer):
    client = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = CASE_FIELDS
        read_only_fields = CASE_FIELDS

    client_serializer: type[serializers.Serializer] = ClientOut

    @extend_schema_field(ClientOut)
    def get_client(self, case: Case) -> dict[str, Any]:
        # One nested serializer for the whole list: building its fields anew for every row was
        # half of a 25-row page's time.
        nested = self.__dict__.get("_client_out")
        if nested is None:
            nested = self.__dict__["_client_out"] = self.client_serializer()
        return nested.to_representation(case)


class CaseDetailOut(CaseOut):
    assigned = serializers.SerializerMethodField(help_text="Memberships of the assigned case managers.")

    class Meta(CaseOut.Meta):
        fields = (*CASE_FIELDS, "assigned")
        read_only_fields = fields

    client_serializer = ClientDetailOut

    @extend_schema_field(ClientDetailOut)
    def get_client(self, case: Case) -> dict[str, Any]:
        return super().get_client(case)

    @extend_schema_field(serializers.ListField(child=serializers.UUIDField()))
    def get_assigned(self, case: Case) -> list[str]:
        return [str(membership.pk) for membership in self.context.get("assigned", [])]


class ServiceOut(serializers.ModelSerializer):
    voided = serializers.SerializerMethodField(help_text="Voided: listed, no longer counted in reports.")
    corrected = serializers.SerializerMethodField(help_text="Whether the service was ever corrected.")

    class Meta:
        model = ServiceDelivery
        fields = (
            "id",
            "service_type",
            "delivered_on",
            "units",
            "providing_agency",
            "note",
            "created_at",
            "voided",
            "voided_at",
            "void_reason",
            "corrected",
            "corrected_at",
        )
        read_only_fields = fields

    def get_voided(self, service: ServiceDelivery) -> bool:
        return service.voided_at is not None

    def get_corrected(self, service: ServiceDelivery) -> bool:
        return service.corrected_at is not None


class AddendumOut(serializers.ModelSerializer):
    author = serializers.EmailField(source="author.email", read_only=True)

    class Meta:
        model = NoteAddendum
        fields = ("id", "text", "author", "created_at")
        read_only_fields = fields


class NoteOut(serializers.ModelSerializer):
    author = serializers.EmailField(source="author.email", read_only=True)
    addenda = AddendumOut(many=True, read_only=True, help_text="Later additions; the note stays as written.")

    class Meta:
        model = CaseNote
        fields = ("id", "text", "privileged", "author", "created_at", "addenda")
        read_only_fields = fields


class ConsentOut(serializers.ModelSerializer):
    state = serializers.SerializerMethodField(help_text="active, expiring, expired or revoked, at read time.")

    class Meta:
        model = Consent
        fields = (
            "id",
            "case",
            "recipient_agency",
            "scope",
            "purpose",
            "signed_by",
            "signed_on",
            "guardian_name",
            "guardian_relationship",
            "guardian_not_suspect",
            "expires_on",
            "expires_at",
            "revoked_at",
            "state",
            "created_at",
        )
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=Consent.State.choices))
    def get_state(self, consent: Consent) -> str:
        now = self.context.get("now") or timezone.now()
        return str(consent.state_at(now))


class ScreeningOut(serializers.ModelSerializer):
    class Meta:
        model = Screening
        fields = ("id", "form", "screened_on", "answers", "summary", "flagged", "created_at")
        read_only_fields = fields


class PlanItemOut(serializers.ModelSerializer):
    need = NeedField(read_only=True)
    status = PlanItemStatusField(read_only=True)

    class Meta:
        model = PlanItem
        fields = ("id", "need", "goal", "status", "target_on", "created_at")
        read_only_fields = fields
