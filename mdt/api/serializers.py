"""Input and output shapes of the MDT API (California Penal Code 13753 case review team).

Inputs name every accepted field explicitly. Whatever places a record (task force, team of an
action item, presenting user, created_by) comes from the request's actor and the meeting named,
never from the payload; unknown keys are ignored. Related ids are resolved among the actor's
visible rows only (``mdt.policies``, ``cases.policies``, ``referrals.policies``,
``taskforce.policies``), so a foreign id is "does not exist" (400).

Outputs carry ``confidential`` (the PC 13753 mark) on every meeting, review and action item. A
review shows the client's name only when ``mdt.selectors.review_client_name`` allows it, and
its link to the presenter's own case or investigation only to who may already see that record
(``mdt.selectors.review_links``): keys a reader may not have are left out, not nulled.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.policies import visible_cases
from mdt import policies, selectors
from mdt.models import CONFIDENTIAL_MARK, ActionItem, CaseReview, MdtMeeting, MdtTeam, RosterMember
from referrals.policies import visible_investigations
from taskforce.access import Actor, Role
from taskforce.api import ScopedPrimaryKeyRelatedField
from taskforce.policies import visible_agencies
from taskforce.serializers import AgencyBrief


@extend_schema_field(OpenApiTypes.UUID)
class ScopedId(ScopedPrimaryKeyRelatedField):
    """An id among the actor's visible rows (documented as a UUID; a malformed one is a 400)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("pk_field", serializers.UUIDField())
        super().__init__(**kwargs)


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


MeetingStatusField = _choice_component("MeetingStatusEnum", MdtMeeting.Status, "An MDT meeting's status.")
RiskLevelField = _choice_component("ReviewRiskLevelEnum", CaseReview.Risk, "A case review's risk level.")
ActionItemStatusField = _choice_component(
    "ActionItemStatusEnum", ActionItem.Status, "An MDT action item's status."
)
TeamKindField = _choice_component("MdtTeamKindEnum", MdtTeam.Kind, "Which cases an MDT team reviews.")
RoleField = _choice_component("MdtRosterRoleEnum", Role, "The member's role in the task force.")


class ConfidentialOut(serializers.ModelSerializer):
    """Base of every MDT record's output: the PC 13753 mark travels with the content."""

    confidential = serializers.SerializerMethodField(help_text="Always the PC 13753 confidentiality mark.")

    @extend_schema_field({"type": "string", "enum": [CONFIDENTIAL_MARK]})
    def get_confidential(self, instance: Any) -> str:
        return CONFIDENTIAL_MARK


# ============================================================================================ teams


class TeamOut(serializers.ModelSerializer):
    kind = TeamKindField(read_only=True)

    class Meta:
        model = MdtTeam
        fields = ("id", "name", "kind", "created_at")
        read_only_fields = fields


class AgreementOut(serializers.Serializer):
    version = serializers.CharField()
    signed_on = serializers.DateField()
    expires_on = serializers.DateField()


class RosterRowOut(serializers.Serializer):
    """One roster row with the member's latest confidentiality agreement (as the reader may see
    agreements: roster managers every member's, a member only their own)."""

    id = serializers.UUIDField(source="row.id", help_text="The roster row (an action item's owner_member).")
    membership = serializers.UUIDField(source="row.membership_id")
    full_name = serializers.CharField(source="row.membership.user.full_name")
    email = serializers.EmailField(source="row.membership.user.email")
    agency = AgencyBrief(source="row.membership.agency")
    role = RoleField(source="row.membership.role")
    is_facilitator = serializers.BooleanField(source="row.is_facilitator")
    is_active = serializers.BooleanField(source="row.is_active")
    agreement = AgreementOut(allow_null=True, help_text="The latest agreement the reader may see, or null.")
    agreement_current = serializers.BooleanField(
        source="current", help_text="Whether that agreement is current today."
    )


class RosterPageOut(serializers.Serializer):
    """The whole roster at once (a team's roster is small): ``next`` is always null."""

    results = RosterRowOut(many=True)
    next = serializers.URLField(allow_null=True)


# ========================================================================================= meetings


class MeetingIn(serializers.Serializer):
    team = ScopedId(visible=policies.visible_teams, help_text="A team the caller facilitates.")
    starts_at = serializers.DateTimeField()
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    video_link = serializers.URLField(max_length=200, required=False, allow_blank=True)
    status = MeetingStatusField(
        required=False, help_text="Defaults to planned; a meeting in the past cannot be planned."
    )


class MeetingPatchIn(serializers.Serializer):
    starts_at = serializers.DateTimeField(required=False)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    video_link = serializers.URLField(max_length=200, required=False, allow_blank=True)
    status = MeetingStatusField(required=False)
    minutes = serializers.CharField(max_length=50000, required=False, allow_blank=True)


MEETING_FIELDS = (
    "id",
    "team",
    "team_name",
    "starts_at",
    "place",
    "video_link",
    "status",
    "created_at",
    "updated_at",
    "confidential",
)


class MeetingOut(ConfidentialOut):
    team = serializers.UUIDField(source="team_id", read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True)
    status = MeetingStatusField(read_only=True)

    class Meta:
        model = MdtMeeting
        fields = MEETING_FIELDS
        read_only_fields = fields


class MeetingDetailOut(MeetingOut):
    class Meta(MeetingOut.Meta):
        fields = (*MEETING_FIELDS, "minutes")
        read_only_fields = fields


# ========================================================================================== reviews


class ReviewIn(serializers.Serializer):
    meeting = ScopedId(visible=policies.visible_meetings, help_text="A meeting the caller sees.")
    summary = serializers.CharField(max_length=10000, help_text="What the presenter chooses to share.")
    risk_level = RiskLevelField()
    needs_barriers = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    presenting_agency = ScopedId(
        visible=visible_agencies,
        required=False,
        allow_null=True,
        help_text="Defaults to the caller's agency; only facilitators may name another one on the roster.",
    )
    case = ScopedId(
        visible=visible_cases,
        required=False,
        allow_null=True,
        help_text="The presenter's own case (shown only to who may already see it).",
    )
    investigation = ScopedId(
        visible=visible_investigations,
        required=False,
        allow_null=True,
        help_text="The presenter's own investigation (shown only to who may already see it).",
    )


class ReviewPatchIn(serializers.Serializer):
    summary = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    risk_level = RiskLevelField(required=False)
    needs_barriers = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    decisions = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    recommendations = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    position = serializers.IntegerField(min_value=0, max_value=32767, required=False)


LINK_FIELDS = ("case", "investigation")


class ReviewListOut(serializers.ListSerializer):
    """Names and links for a whole page in a fixed number of queries."""

    def to_representation(self, data: Any) -> list[dict[str, Any]]:
        reviews = list(data.all() if hasattr(data, "all") else data)
        actor = self.context["actor"]
        self.context["review_names"] = selectors.review_client_names(actor=actor, reviews=reviews)
        self.context["review_links"] = selectors.review_links_many(actor=actor, reviews=reviews)
        return super().to_representation(reviews)


class ReviewOut(ConfidentialOut):
    """A case review under its pseudonymous MDT code. ``case`` and ``investigation`` appear only
    for readers who may already see that record; ``client_name`` is null unless a current consent
    covering identity names every other agency on the team."""

    meeting = serializers.UUIDField(source="meeting_id", read_only=True)
    presenting_agency = AgencyBrief(read_only=True)
    risk_level = RiskLevelField(read_only=True)
    client_name = serializers.SerializerMethodField()
    # Conditional keys: documented as optional.
    case = serializers.UUIDField(source="case_id", required=False, allow_null=True)
    investigation = serializers.UUIDField(source="investigation_id", required=False, allow_null=True)

    class Meta:
        list_serializer_class = ReviewListOut
        model = CaseReview
        fields = (
            "id",
            "meeting",
            "mdt_code",
            "presenting_agency",
            "position",
            "summary",
            "risk_level",
            "needs_barriers",
            "decisions",
            "recommendations",
            "client_name",
            *LINK_FIELDS,
            "created_at",
            "updated_at",
            "confidential",
        )
        read_only_fields = (
            "id",
            "mdt_code",
            "position",
            "summary",
            "needs_barriers",
            "decisions",
            "recommendations",
            "created_at",
            "updated_at",
        )

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_client_name(self, review: CaseReview) -> str | None:
        names = self.context.get("review_names")
        if names is not None and review.pk in names:
            return names[review.pk]
        return selectors.review_client_name(actor=self.context["actor"], review=review)

    def to_representation(self, review: CaseReview) -> dict[str, Any]:
        data = super().to_representation(review)
        actor: Actor = self.context["actor"]
        batch = self.context.get("review_links")
        links = (
            batch[review.pk]
            if batch and review.pk in batch
            else selectors.review_links(actor=actor, review=review)
        )
        for key in LINK_FIELDS:
            if not links.get(key):
                data.pop(key, None)
        return data


# ===================================================================================== action items


class ActionItemIn(serializers.Serializer):
    meeting = ScopedId(visible=policies.visible_meetings, help_text="The meeting it was agreed at.")
    description = serializers.CharField(max_length=500)
    due_on = serializers.DateField()
    owner_member = ScopedId(
        visible=policies.visible_roster,
        required=False,
        allow_null=True,
        help_text="A roster row of the meeting's team (see teams/<id>/roster/).",
    )
    owner_agency = ScopedId(
        visible=visible_agencies,
        required=False,
        allow_null=True,
        help_text="An agency with someone on the meeting's team. One of the two owners is required.",
    )
    review = ScopedId(
        visible=policies.visible_reviews,
        required=False,
        allow_null=True,
        help_text="A review of the same meeting.",
    )


class ActionItemPatchIn(serializers.Serializer):
    status = ActionItemStatusField(required=False)
    description = serializers.CharField(
        max_length=500, required=False, help_text="Facilitators only; ignored for owners."
    )
    due_on = serializers.DateField(required=False, help_text="Facilitators only; ignored for owners.")


class OwnerMemberOut(serializers.ModelSerializer):
    full_name = serializers.CharField(source="membership.user.full_name", read_only=True)
    agency = AgencyBrief(source="membership.agency", read_only=True)

    class Meta:
        model = RosterMember
        fields = ("id", "full_name", "agency")
        read_only_fields = fields


class ActionItemOut(ConfidentialOut):
    team = serializers.UUIDField(source="team_id", read_only=True)
    meeting = serializers.UUIDField(source="meeting_id", read_only=True)
    review = serializers.UUIDField(source="review_id", read_only=True, allow_null=True)
    owner_member = OwnerMemberOut(read_only=True, allow_null=True)
    owner_agency = AgencyBrief(read_only=True, allow_null=True)
    status = ActionItemStatusField(read_only=True)
    overdue = serializers.SerializerMethodField(help_text="Open or in progress and due before today.")

    class Meta:
        model = ActionItem
        fields = (
            "id",
            "team",
            "meeting",
            "review",
            "description",
            "owner_member",
            "owner_agency",
            "due_on",
            "status",
            "completed_on",
            "overdue",
            "created_at",
            "updated_at",
            "confidential",
        )
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, item: ActionItem) -> bool:
        today = self.context.get("today")
        return bool(today and item.status in selectors.OPEN_ITEMS and item.due_on < today)
