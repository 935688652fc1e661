"""Input and output shapes of the law-enforcement API and of the bridge.

Inputs name every accepted field explicitly. Whatever places a record (task force, lead or
sending agency, side, created_by, entered_by) comes from the request's actor and the record in
the URL, never from the payload; unknown keys are ignored. Related ids are resolved among the
actor's visible rows only, so a foreign id is "does not exist" (400).

Outputs of the bridge records are cut per reader: a referral's payload only for the sending and
receiving agencies (``policies.can_read_payload``), where it came from (case, investigation,
consent) only for the sending agency, what it opened (``resulting_case``) only for the receiving
agency. Certification requests: ``referrals.api.certifications``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.api.serializers import NeedField
from cases.codes import AgeGroup, ContactChannel, Gender, TraffickingType
from cases.policies import visible_cases, visible_consents
from referrals import policies
from referrals.api.connections import TipIdentifiersIn, TipIdentifiersOut
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
from referrals.connections import TIP_IDENTIFIER_FIELDS
from referrals.models import (
    Arrest,
    CertificationRequest,
    Charge,
    Defendant,
    IdentifiedVictim,
    Investigation,
    Prosecution,
    Referral,
    Suspect,
    Tip,
)
from referrals.selectors import TriageClock
from taskforce.access import VS_ROLES, Actor
from taskforce.api import ScopedPrimaryKeyRelatedField
from taskforce.models import User
from taskforce.policies import visible_agencies, visible_memberships
from taskforce.serializers import AgencyBrief


@extend_schema_field(OpenApiTypes.UUID)
class ScopedId(ScopedPrimaryKeyRelatedField):
    """An id among the actor's visible rows (documented as a UUID; a malformed one is a 400)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("pk_field", serializers.UUIDField())
        super().__init__(**kwargs)


@extend_schema_field(OpenApiTypes.UUID)
class MemberUserField(serializers.Field):
    """A user id that must belong to an active member of the caller's task force."""

    default_error_messages = {
        "does_not_exist": 'Invalid pk "{pk_value}" - object does not exist.',
    }

    def __init__(self, **kwargs: Any) -> None:
        self.uuid = serializers.UUIDField()
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> User:
        user_id = self.uuid.run_validation(data)
        actor = self.context.get("actor")
        if actor is None:
            raise ImproperlyConfigured("serializer used without an actor in its context")
        membership = visible_memberships(actor).filter(user_id=user_id, is_active=True).first()
        if membership is None:
            self.fail("does_not_exist", pk_value=user_id)
        return membership.user

    def to_representation(self, value: Any) -> str:
        return str(value.pk)


def _choice_component(name: str, choices: Any, description: str) -> Any:
    """A choice field with its own named enum component (no enum-name collisions)."""

    @extend_schema_field(
        {"type": "string", "enum": list(choices.values), "description": description},
        component_name=name,
    )
    class NamedChoiceField(serializers.ChoiceField):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(choices=choices.choices, **kwargs)

    NamedChoiceField.__name__ = name.removesuffix("Enum") + "Field"
    return NamedChoiceField


TipStatusField = _choice_component("TipStatusEnum", Tip.Status, "A tip's status.")
InvestigationStatusField = _choice_component(
    "InvestigationStatusEnum", Investigation.Status, "An investigation's status."
)
ReferralStatusField = _choice_component("ReferralStatusEnum", Referral.Status, "A referral's status.")
ReferralKindField = _choice_component(
    "ReferralKindEnum", ReferralKind, "Which sides a referral goes between (derived from the agencies)."
)
CertificationStatusField = _choice_component(
    "CertificationStatusEnum", CertificationRequest.Status, "A certification request's status."
)
VictimAgeGroupField = _choice_component(
    "VictimAgeGroupEnum", AgeGroup, "Age group of a victim identified (the case-side codes)."
)
CertificationKindField = _choice_component(
    "CertificationKindEnum", CertificationKind, "T visa, U visa or Continued Presence."
)


# ============================================================================================ tips


class TipIn(TipIdentifiersIn):
    """A tip as logged. ``entered_by`` and the task force come from the caller."""

    narrative = serializers.CharField(max_length=10000)
    source = serializers.ChoiceField(choices=TipSource.choices)
    trafficking_type = serializers.ChoiceField(choices=TraffickingType.choices, required=False)
    received_at = serializers.DateTimeField(required=False, help_text="Defaults to now.")
    channel = serializers.ChoiceField(choices=TipChannel.choices, required=False)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    venue_type = serializers.ChoiceField(choices=VenueType.choices, required=False)
    potential_victims = serializers.IntegerField(min_value=0, max_value=10000, required=False)
    minors_involved = serializers.BooleanField(required=False)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)


class TipPatchIn(TipIn):
    """Correct a tip's facts, or move it from ``new`` to ``triaged``. Other status changes go
    through the assign, close, merge and convert actions (400 here)."""

    narrative = serializers.CharField(max_length=10000, required=False)
    source = serializers.ChoiceField(choices=TipSource.choices, required=False)
    status = TipStatusField(required=False)


class TipAssignIn(serializers.Serializer):
    user = MemberUserField(help_text="A user id of an active law-enforcement member.")


class TipCloseIn(serializers.Serializer):
    close_reason = serializers.ChoiceField(choices=Tip.CloseReason.choices)


class TipMergeIn(serializers.Serializer):
    into = ScopedId(visible=policies.visible_tips, help_text="The tip this one duplicates.")


class InvestigationFieldsIn(serializers.Serializer):
    case_number = serializers.CharField(
        max_length=40, required=False, allow_blank=True, help_text="Generated when left out."
    )
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    trafficking_type = serializers.ChoiceField(choices=TraffickingType.choices, required=False)
    restricted = serializers.BooleanField(
        required=False, help_text="Only its team and LE supervisors see a restricted investigation."
    )
    opened_on = serializers.DateField(required=False, help_text="Defaults to today.")
    summary = serializers.CharField(max_length=10000, required=False, allow_blank=True)


class TipConvertIn(InvestigationFieldsIn):
    """Either link an existing investigation (``investigation``) or open a new one from the
    other fields (the tip's trafficking type by default)."""

    investigation = ScopedId(
        visible=policies.visible_investigations,
        required=False,
        allow_null=True,
        help_text="An investigation the caller sees; leave out to open a new one.",
    )


class TipOut(TipIdentifiersOut, serializers.ModelSerializer):
    status = TipStatusField(read_only=True)
    triage_due_at = serializers.SerializerMethodField(
        help_text="When the tip must be triaged by, under the task force's triage targets."
    )
    triage_overdue = serializers.SerializerMethodField(help_text="Still new and past its triage target.")

    def _triage(self) -> TriageClock:
        if "triage" not in self.context:
            self.context["triage"] = TriageClock.for_task_force_id(self.context["actor"].task_force_id)
        return self.context["triage"]

    def get_triage_due_at(self, tip: Tip) -> dt.datetime:
        return self._triage().due(tip)

    def get_triage_overdue(self, tip: Tip) -> bool:
        return self._triage().overdue(tip)

    class Meta:
        model = Tip
        fields = (
            "id",
            "status",
            "received_at",
            "channel",
            "source",
            "trafficking_type",
            "city",
            "venue_type",
            "narrative",
            "potential_victims",
            "minors_involved",
            "urgency",
            "triage_due_at",
            "triage_overdue",
            "close_reason",
            "assigned_to",
            "merged_into",
            "investigation",
            "via_public_form",
            *TIP_IDENTIFIER_FIELDS,
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


# ================================================================================ investigations


class InvestigationIn(InvestigationFieldsIn):
    """Led by the caller's agency; the caller joins the team. ``team``: more members to add."""

    team = serializers.ListField(
        child=ScopedId(visible=visible_memberships),
        required=False,
        max_length=50,
        help_text="Membership ids of law-enforcement members to put on the team.",
    )


class InvestigationPatchIn(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    trafficking_type = serializers.ChoiceField(choices=TraffickingType.choices, required=False)
    restricted = serializers.BooleanField(required=False)
    summary = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    status = InvestigationStatusField(required=False)
    closed_on = serializers.DateField(required=False)


class TeamIn(serializers.Serializer):
    membership = ScopedId(visible=visible_memberships)


INVESTIGATION_FIELDS = (
    "id",
    "case_number",
    "title",
    "lead_agency",
    "trafficking_type",
    "status",
    "restricted",
    "opened_on",
    "closed_on",
    "summary",
    "created_at",
    "updated_at",
)


class InvestigationOut(serializers.ModelSerializer):
    lead_agency = AgencyBrief(read_only=True)
    status = InvestigationStatusField(read_only=True)

    class Meta:
        model = Investigation
        fields = INVESTIGATION_FIELDS
        read_only_fields = fields


class InvestigationDetailOut(InvestigationOut):
    """One investigation; ``team`` (membership ids) only for law-enforcement readers."""

    team = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        help_text="Memberships on the team. Left out for the coordinator.",
    )

    class Meta(InvestigationOut.Meta):
        fields = (*INVESTIGATION_FIELDS, "team")
        read_only_fields = INVESTIGATION_FIELDS

    def to_representation(self, instance: Investigation) -> dict[str, Any]:
        data = super().to_representation(instance)
        team = self.context.get("team")
        if team is None:
            data.pop("team", None)
        else:
            data["team"] = [str(membership.pk) for membership in team]
        return data


class SuspectIn(serializers.Serializer):
    full_name = serializers.CharField(max_length=200)
    aliases = serializers.CharField(max_length=300, required=False, allow_blank=True)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    phones = serializers.ListField(child=serializers.CharField(max_length=40), required=False, max_length=20)
    plates = serializers.ListField(child=serializers.CharField(max_length=20), required=False, max_length=20)
    handles = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=20
    )


class SuspectOut(serializers.ModelSerializer):
    class Meta:
        model = Suspect
        fields = ("id", "full_name", "aliases", "date_of_birth", "phones", "plates", "handles", "created_at")
        read_only_fields = fields


class SuspectCreatedOut(serializers.Serializer):
    suspect = SuspectOut()
    deconfliction = serializers.ListField(
        child=serializers.CharField(),
        help_text="One line per match elsewhere in the task force, naming only the lead agency.",
    )


class VictimIn(serializers.Serializer):
    name_or_alias = serializers.CharField(max_length=200)
    age_group = VictimAgeGroupField(required=False)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False)
    trafficking_type = serializers.ChoiceField(choices=TraffickingType.choices, required=False)
    identified_on = serializers.DateField(required=False, help_text="Defaults to today.")


class VictimOut(serializers.ModelSerializer):
    age_group = VictimAgeGroupField(read_only=True)

    class Meta:
        model = IdentifiedVictim
        fields = (
            "id",
            "name_or_alias",
            "age_group",
            "gender",
            "trafficking_type",
            "identified_on",
            "created_at",
        )
        read_only_fields = fields


class ArrestIn(serializers.Serializer):
    suspect = ScopedId(visible=policies.visible_suspects, help_text="A suspect of this investigation.")
    arrested_on = serializers.DateField()
    arresting_agency = ScopedId(
        visible=visible_agencies,
        required=False,
        allow_null=True,
        help_text="A law-enforcement agency; defaults to the lead agency.",
    )


class ArrestOut(serializers.ModelSerializer):
    arresting_agency = AgencyBrief(read_only=True)

    class Meta:
        model = Arrest
        fields = ("id", "suspect", "arrested_on", "arresting_agency", "created_at")
        read_only_fields = fields


# ================================================================================== prosecutions


class ProsecutionIn(serializers.Serializer):
    investigation = ScopedId(visible=policies.visible_investigations)
    court = serializers.CharField(max_length=200)
    court_case_number = serializers.CharField(max_length=60)
    venue = serializers.ChoiceField(choices=ChargeVenue.choices, required=False)
    filed_on = serializers.DateField(required=False, help_text="Defaults to today.")
    next_court_date = serializers.DateField(required=False, allow_null=True)


class ProsecutionPatchIn(serializers.Serializer):
    court = serializers.CharField(max_length=200, required=False)
    court_case_number = serializers.CharField(max_length=60, required=False)
    venue = serializers.ChoiceField(choices=ChargeVenue.choices, required=False)
    stage = serializers.ChoiceField(choices=Prosecution.Stage.choices, required=False)
    next_court_date = serializers.DateField(required=False, allow_null=True)


class ProsecutionOut(serializers.ModelSerializer):
    class Meta:
        model = Prosecution
        fields = (
            "id",
            "investigation",
            "court",
            "court_case_number",
            "venue",
            "filed_on",
            "stage",
            "next_court_date",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class DefendantIn(serializers.Serializer):
    suspect = ScopedId(
        visible=policies.visible_suspects, help_text="A suspect of the prosecution's investigation."
    )
    charged_on = serializers.DateField(required=False, help_text="Defaults to the filing date.")


class ChargeIn(serializers.Serializer):
    statute = serializers.CharField(max_length=40)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    counts = serializers.IntegerField(min_value=1, max_value=999, required=False)


class DispositionIn(serializers.Serializer):
    disposition = serializers.ChoiceField(choices=Disposition.choices)
    disposition_on = serializers.DateField(required=False, help_text="Defaults to today.")
    sentence = serializers.CharField(max_length=300, required=False, allow_blank=True)


class ChargeOut(serializers.ModelSerializer):
    class Meta:
        model = Charge
        fields = ("id", "statute", "description", "is_trafficking", "counts", "created_at")
        read_only_fields = fields


class DefendantOut(serializers.ModelSerializer):
    full_name = serializers.CharField(source="suspect.full_name", read_only=True)
    charges = serializers.SerializerMethodField()

    class Meta:
        model = Defendant
        fields = (
            "id",
            "suspect",
            "full_name",
            "charged_on",
            "disposition",
            "disposition_on",
            "sentence",
            "charges",
            "created_at",
        )
        read_only_fields = fields

    @extend_schema_field(ChargeOut(many=True))
    def get_charges(self, defendant: Defendant) -> list[dict[str, Any]]:
        charges = self.context.get("charges", {}).get(defendant.pk, [])
        # One nested serializer for the whole list, not one built per defendant.
        nested = self.__dict__.get("_charges_out")
        if nested is None:
            nested = self.__dict__["_charges_out"] = ChargeOut(many=True)
        return nested.to_representation(charges)


# ===================================================================================== referrals


class ReferralIn(serializers.Serializer):
    """Send a referral. The kind follows from the sender's and the receiver's sides; a ``kind``
    in the payload that disagrees is refused (400). Law enforcement and the coordinator refer to
    victim services (``investigation`` optional); victim services refer from a ``case`` they work
    on under a current ``consent`` naming the receiving agency and covering what is sent."""

    to_agency = ScopedId(visible=visible_agencies)
    kind = ReferralKindField(required=False)
    summary = serializers.CharField(max_length=4000)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    name_or_alias = serializers.CharField(max_length=200, required=False, allow_blank=True)
    language = serializers.CharField(max_length=60, required=False, allow_blank=True)
    safe_contact = serializers.CharField(max_length=300, required=False, allow_blank=True)
    unsafe_channels = serializers.ListField(
        child=serializers.ChoiceField(choices=ContactChannel.choices),
        required=False,
        max_length=len(ContactChannel.choices),
        help_text="Ways never to contact the person. From a case, the client's record adds its own.",
    )
    address_confidential = serializers.BooleanField(required=False)
    needs = serializers.ListField(child=NeedField(), required=False, max_length=30)
    case = ScopedId(visible=visible_cases, required=False, allow_null=True)
    investigation = ScopedId(visible=policies.visible_investigations, required=False, allow_null=True)
    consent = ScopedId(visible=visible_consents, required=False, allow_null=True)


class DeclineIn(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


PAYLOAD_FIELDS = (
    "summary",
    "name_or_alias",
    "first_name",
    "last_name",
    "preferred_name",
    "aliases",
    "language",
    "safe_contact",
    "unsafe_channels",
    "address_confidential",
    "needs",
)
SOURCE_FIELDS = ("case", "investigation", "consent")


class ReferralOut(serializers.ModelSerializer):
    """The envelope always; the payload only to the sending and receiving agencies; the source
    records only to the sending agency; the resulting case only to the receiving agency. Keys a
    reader may not have are left out, not nulled."""

    kind = ReferralKindField(read_only=True)
    status = ReferralStatusField(read_only=True)
    from_agency = AgencyBrief(read_only=True)
    to_agency = AgencyBrief(read_only=True)
    # Conditional keys: documented as optional.
    summary = serializers.CharField(required=False)
    name_or_alias = serializers.CharField(required=False)
    language = serializers.CharField(required=False)
    safe_contact = serializers.CharField(required=False)
    first_name = serializers.CharField(required=False)
    last_name = serializers.CharField(required=False)
    preferred_name = serializers.CharField(required=False)
    aliases = serializers.CharField(required=False)
    unsafe_channels = serializers.ListField(child=serializers.CharField(), required=False)
    address_confidential = serializers.BooleanField(required=False)
    needs = serializers.ListField(child=NeedField(), required=False)
    case = serializers.UUIDField(source="case_id", required=False, allow_null=True)
    investigation = serializers.UUIDField(source="investigation_id", required=False, allow_null=True)
    consent = serializers.UUIDField(source="consent_id", required=False, allow_null=True)
    resulting_case = serializers.UUIDField(source="resulting_case_id", required=False, allow_null=True)

    class Meta:
        model = Referral
        fields = (
            "id",
            "kind",
            "from_agency",
            "to_agency",
            "status",
            "urgency",
            "created_at",
            "decided_at",
            "decline_reason",
            *PAYLOAD_FIELDS,
            *SOURCE_FIELDS,
            "resulting_case",
        )
        read_only_fields = ("id", "urgency", "created_at", "decided_at", "decline_reason")

    def to_representation(self, referral: Referral) -> dict[str, Any]:
        data = super().to_representation(referral)
        actor: Actor = self.context["actor"]
        if not policies.can_read_payload(actor, referral):
            for key in PAYLOAD_FIELDS:
                data.pop(key, None)
        if actor.agency_id != referral.from_agency_id:
            for key in SOURCE_FIELDS:
                data.pop(key, None)
        if actor.agency_id != referral.to_agency_id or actor.role not in VS_ROLES:
            data.pop("resulting_case", None)
        return data
