"""The MDT API: teams and rosters, meetings, case reviews, action items (PC 13753).

Rows come only from ``mdt.policies`` (through ``mdt.selectors`` for the roster and what a review
may show); writes go through ``mdt.services``, which re-check the policy (403 on a visible
record) and validate (400). Every read and list is audited here (ids and counts only).

Who reaches the collections at all (anyone else: 404 on every route, the collection included):
- meetings, reviews, action items: the coordinator, and members holding a current
  confidentiality agreement on at least one team's roster; never tenant admins or analysts;
- teams and rosters: tenant admins, coordinators and members on at least one roster; never
  analysts.
A member whose agreement expires or who is taken off the roster gets 404 from the next request.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, ClassVar

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from cases.services import today_for
from mdt import policies, selectors, services
from mdt.api import serializers as s
from mdt.models import ActionItem, CaseReview, MdtMeeting, MdtTeam
from taskforce.access import Actor, NotFoundOrForbidden, Role, get_or_not_found
from taskforce.api import ScopedViewSet
from taskforce.audit import audit_record

# Roles that never see a meeting, review or action item, whatever roster they are on (access.md).
NO_MEETING_ROLES = frozenset({Role.TENANT_ADMIN, Role.ANALYST})
ITEM_RELATED = ("owner_member__membership__user", "owner_member__membership__agency", "owner_agency")
TRUE = frozenset({"1", "true", "yes"})


def _valid(
    serializer_class: type[Serializer], request: Request, context: dict[str, Any], **kwargs: Any
) -> dict:
    serializer = serializer_class(data=request.data, context=context, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _only(request: Request, allowed: Callable[[Actor], bool]) -> None:
    """The collection does not exist for whoever may never see it: 404, as in HTML."""
    if not allowed(request.actor):
        raise NotFoundOrForbidden


def _sees_meetings(actor: Actor) -> bool:
    """The coordinator, or a member with a current agreement on some team (checked per request)."""
    if actor.role in NO_MEETING_ROLES:
        return False
    return policies.is_coordinator(actor) or policies.cleared_team_ids(actor).exists()


def _sees_teams(actor: Actor) -> bool:
    """Roster managers (tenant admins, coordinators), and members on some team's roster."""
    if actor.role == Role.ANALYST:
        return False
    return policies.can_manage_rosters(actor) or policies.my_roster_rows(actor).exists()


def _uuid_param(request: Request, name: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.query_params.get(name, ""))
    except ValueError:
        return None


def _flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "").lower() in TRUE


# The policies, with what the serializers read joined in (one query per page, whatever its size).


def visible_meeting_rows(actor: Actor) -> QuerySet[MdtMeeting]:
    return policies.visible_meetings(actor).select_related("team")


def visible_review_rows(actor: Actor) -> QuerySet[CaseReview]:
    return policies.visible_reviews(actor).select_related("meeting", "presenting_agency")


def visible_action_item_rows(actor: Actor) -> QuerySet[ActionItem]:
    return policies.visible_action_items(actor).select_related(*ITEM_RELATED)


class _AuditedViewSet(ScopedViewSet):
    """List and retrieve with an audit row each (``<noun>.listed`` with a count, ``<noun>.viewed``)."""

    audit_noun: ClassVar[str]
    detail_serializer_class: ClassVar[type[Serializer] | None] = None
    http_method_names: ClassVar = ["get", "post", "patch", "head", "options"]

    def _out(self, instance: Any, code: int = status.HTTP_200_OK) -> Response:
        serializer_class = self.detail_serializer_class or self.get_serializer_class()
        return Response(serializer_class(instance, context=self.get_serializer_context()).data, status=code)

    def _reread(self, instance: Any, code: int = status.HTTP_200_OK) -> Response:
        # Read back through the policy: the answer shows exactly what the caller may see.
        return self._out(get_or_not_found(self.get_queryset(), instance.pk), code)

    def _filtered(self, queryset: QuerySet) -> QuerySet:
        return queryset

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self._filtered(self.get_queryset())
        page = self.paginate_queryset(queryset)
        audit_record(
            action=f"{self.audit_noun}.listed",
            actor=request.actor,
            target_type=queryset.model._meta.label_lower,
            detail={"count": len(page)},
        )
        serializer = self.get_serializer_class()(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(serializer.data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        audit_record(action=f"{self.audit_noun}.viewed", actor=request.actor, target=instance)
        return self._out(instance)


# ============================================================================================ teams


@extend_schema_view(
    list=extend_schema(
        summary="MDT teams",
        description=(
            "Tenant admins and coordinators see every team; members the teams they are on. "
            "404 for analysts and for members on no roster. Audited as mdt_team.listed."
        ),
        responses=s.TeamOut(many=True),
    ),
    retrieve=extend_schema(
        summary="One MDT team", description="Audited as mdt_team.viewed.", responses=s.TeamOut
    ),
)
class TeamViewSet(_AuditedViewSet):
    visible = staticmethod(policies.visible_teams)
    serializer_class = s.TeamOut
    audit_noun = "mdt_team"
    http_method_names: ClassVar = ["get", "head", "options"]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        _only(request, _sees_teams)

    @extend_schema(
        summary="A team's roster with agreement states",
        description=(
            "Every roster row (inactive ones last) with the member's latest confidentiality "
            "agreement: roster managers see everyone's, a member only their own. Not paginated "
            "(`next` is always null). Audited as roster.viewed."
        ),
        responses=s.RosterPageOut,
    )
    @action(detail=True, methods=["get"], url_path="roster", url_name="roster")
    def roster(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        team: MdtTeam = self.get_object()
        actor = request.actor
        rows = selectors.roster_with_agreements(actor=actor, team_id=team.pk, today=today_for(actor))
        audit_record(action="roster.viewed", actor=actor, target=team, detail={"count": len(rows)})
        page = s.RosterPageOut({"results": rows, "next": None}, context=self.get_serializer_context())
        return Response(page.data)


# ========================================================================================= meetings

MEETING_PARAMETERS = [
    OpenApiParameter("team", str, description="Only meetings of this team (a UUID)."),
    OpenApiParameter(
        "status", str, enum=MdtMeeting.Status.values, description="Only meetings in this status."
    ),
]


@extend_schema_view(
    list=extend_schema(
        summary="MDT meetings",
        description=(
            "The coordinator sees every meeting; a member the meetings of teams where they hold a "
            "current confidentiality agreement. 404 for tenant admins, analysts and members with "
            "no current agreement. Audited as meeting.listed."
        ),
        parameters=MEETING_PARAMETERS,
        responses=s.MeetingOut(many=True),
    ),
    retrieve=extend_schema(
        summary="One MDT meeting",
        description="With its minutes. Audited as meeting.viewed.",
        responses=s.MeetingDetailOut,
    ),
    create=extend_schema(
        summary="Plan a meeting",
        description=(
            "Facilitators only (the coordinator and the team's roster facilitators; 403 for other "
            "members). A meeting in the past cannot be planned (400): mark it held or cancelled."
        ),
        request=s.MeetingIn,
        responses={201: s.MeetingDetailOut},
    ),
    partial_update=extend_schema(
        summary="Change, run or minute a meeting",
        description="Facilitators only (403 for other members who see the meeting).",
        request=s.MeetingPatchIn,
        responses=s.MeetingDetailOut,
    ),
)
class MeetingViewSet(_AuditedViewSet):
    visible = staticmethod(visible_meeting_rows)
    serializer_class = s.MeetingOut
    detail_serializer_class = s.MeetingDetailOut
    audit_noun = "meeting"

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        _only(request, _sees_meetings)

    def _filtered(self, queryset: QuerySet) -> QuerySet:
        team_id = _uuid_param(self.request, "team")
        if team_id is not None:
            queryset = queryset.filter(team_id=team_id)
        if self.request.query_params.get("status") in MdtMeeting.Status.values:
            queryset = queryset.filter(status=self.request.query_params["status"])
        return queryset

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _valid(s.MeetingIn, request, self.get_serializer_context())
        team = data.pop("team")
        meeting = services.meeting_create(actor=request.actor, team=team, data=data)
        return self._reread(meeting, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        meeting = self.get_object()
        data = _valid(s.MeetingPatchIn, request, self.get_serializer_context(), partial=True)
        meeting = services.meeting_update(actor=request.actor, meeting=meeting, data=data)
        return self._reread(meeting)


# ========================================================================================== reviews


@extend_schema_view(
    list=extend_schema(
        summary="Case reviews",
        description=(
            "Reviews of the meetings the caller sees, under pseudonymous MDT codes. `case` and "
            "`investigation` appear only for readers who may already see that record; "
            "`client_name` is null unless a current consent covering identity names every other "
            "agency on the team. Audited as review.listed."
        ),
        parameters=[OpenApiParameter("meeting", str, description="Only reviews of this meeting (a UUID).")],
        responses=s.ReviewOut(many=True),
    ),
    retrieve=extend_schema(
        summary="One case review", description="Audited as review.viewed.", responses=s.ReviewOut
    ),
    create=extend_schema(
        summary="Present a case review",
        description=(
            "Roster members with a current agreement present for their own agency; facilitators "
            "may name another agency on the roster (403 otherwise). A linked case or "
            "investigation must be one the presenter sees (400); nothing of it is copied."
        ),
        request=s.ReviewIn,
        responses={201: s.ReviewOut},
    ),
    partial_update=extend_schema(
        summary="Record decisions and recommendations",
        description="The presenting agency's members on the team and facilitators (403 otherwise).",
        request=s.ReviewPatchIn,
        responses=s.ReviewOut,
    ),
)
class ReviewViewSet(_AuditedViewSet):
    visible = staticmethod(visible_review_rows)
    serializer_class = s.ReviewOut
    audit_noun = "review"

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        _only(request, _sees_meetings)

    def _filtered(self, queryset: QuerySet) -> QuerySet:
        meeting_id = _uuid_param(self.request, "meeting")
        return queryset if meeting_id is None else queryset.filter(meeting_id=meeting_id)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _valid(s.ReviewIn, request, self.get_serializer_context())
        links = {key: data.pop(key, None) for key in ("presenting_agency", "case", "investigation")}
        meeting = data.pop("meeting")
        review = services.review_add(actor=request.actor, meeting=meeting, data=data, **links)
        return self._reread(review, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        review = self.get_object()
        data = _valid(s.ReviewPatchIn, request, self.get_serializer_context(), partial=True)
        review = services.review_update(actor=request.actor, review=review, data=data)
        return self._reread(review)


# ===================================================================================== action items

ACTION_ITEM_PARAMETERS = [
    OpenApiParameter("mine", bool, description="Only items owned by the caller or the caller's agency."),
    OpenApiParameter("overdue", bool, description="Only open or in-progress items due before today."),
    OpenApiParameter("status", str, enum=ActionItem.Status.values, description="Only items in this status."),
    OpenApiParameter("meeting", str, description="Only items of this meeting (a UUID)."),
    OpenApiParameter("team", str, description="Only items of this team (a UUID)."),
]


@extend_schema_view(
    list=extend_schema(
        summary="Action items",
        description=(
            "Items of the teams the caller is cleared for (as meetings). Audited as action_item.listed."
        ),
        parameters=ACTION_ITEM_PARAMETERS,
        responses=s.ActionItemOut(many=True),
    ),
    retrieve=extend_schema(
        summary="One action item", description="Audited as action_item.viewed.", responses=s.ActionItemOut
    ),
    create=extend_schema(
        summary="Record an action item",
        description=(
            "Facilitators only (403 for other members). The owner is a roster row of the meeting's "
            "team or an agency with someone on it (400 otherwise); the team comes from the meeting."
        ),
        request=s.ActionItemIn,
        responses={201: s.ActionItemOut},
    ),
    partial_update=extend_schema(
        summary="Update an action item",
        description=(
            "Its owner (the roster member or anyone of the owning agency) updates the status; "
            "facilitators may also change description and due date (ignored for owners). 403 for "
            "other members who see it."
        ),
        request=s.ActionItemPatchIn,
        responses=s.ActionItemOut,
    ),
)
class ActionItemViewSet(_AuditedViewSet):
    visible = staticmethod(visible_action_item_rows)
    serializer_class = s.ActionItemOut
    audit_noun = "action_item"

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        _only(request, _sees_meetings)

    def _today(self) -> Any:
        if not hasattr(self, "_today_value"):
            self._today_value = today_for(self.request.actor)
        return self._today_value

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        return {**context, "today": self._today() if context.get("actor") is not None else None}

    def _filtered(self, queryset: QuerySet) -> QuerySet:
        actor, params = self.request.actor, self.request.query_params
        if _flag(self.request, "mine"):
            queryset = queryset.filter(pk__in=policies.my_action_items(actor).values("pk"))
        if _flag(self.request, "overdue"):
            queryset = queryset.filter(status__in=selectors.OPEN_ITEMS, due_on__lt=self._today())
        if params.get("status") in ActionItem.Status.values:
            queryset = queryset.filter(status=params["status"])
        for name in ("meeting", "team"):
            value = _uuid_param(self.request, name)
            if value is not None:
                queryset = queryset.filter(**{f"{name}_id": value})
        return queryset

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _valid(s.ActionItemIn, request, self.get_serializer_context())
        item = services.action_item_add(
            actor=request.actor,
            meeting=data["meeting"],
            description=data["description"],
            due_on=data["due_on"],
            owner_member=data.get("owner_member"),
            owner_agency=data.get("owner_agency"),
            review=data.get("review"),
        )
        return self._reread(item, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        item = self.get_object()
        data = _valid(s.ActionItemPatchIn, request, self.get_serializer_context(), partial=True)
        item = services.action_item_update(actor=request.actor, item=item, data=data)
        return self._reread(item)
