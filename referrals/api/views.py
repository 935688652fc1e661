"""The law-enforcement API (tips, investigations, prosecutions) and the bridge (referrals,
certification requests).

Rows come only from ``referrals.policies``; writes go through ``referrals.services``, which
re-check the policy (403 on a visible record) and validate (400); a state conflict
(``services.ReferralConflict``) is a 409. A collection the caller's role may never see answers
404 like any object under it. Every read and list is audited here (ids and counts only).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from referrals import policies, selectors, services
from referrals.api import serializers as s
from referrals.models import (
    Defendant,
    Investigation,
    Prosecution,
    Referral,
    Tip,
)
from taskforce.access import VS_ROLES, Actor, NotFoundOrForbidden, get_or_not_found
from taskforce.api import ScopedViewSet
from taskforce.audit import audit_record
from taskforce.pagination import KeysetPagination, SortKey
from taskforce.serializers import MembershipOut


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This was already decided."
    default_code = "conflict"


def _valid(
    serializer_class: type[Serializer], request: Request, context: dict[str, Any], **kwargs: Any
) -> dict:
    serializer = serializer_class(data=request.data, context=context, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _decide(call: Callable[..., Any], **kwargs: Any) -> Any:
    """Run a state-changing service; an already-decided record is a 409."""
    try:
        return call(**kwargs)
    except services.ReferralConflict:
        raise Conflict from None


def _only(request: Request, allowed: Callable[[Actor], bool]) -> None:
    """The collection does not exist for roles that may never see it: 404, as in HTML."""
    if not allowed(request.actor):
        raise NotFoundOrForbidden


def _works_le_records(actor: Actor) -> bool:
    """Investigations and prosecutions: LE roles, and the coordinator (unrestricted, read)."""
    return policies.is_le(actor) or policies.is_coordinator(actor)


def _le_only(actor: Actor) -> None:
    """Suspects, victims identified, arrests, teams and defendants: LE roles only (404)."""
    if not policies.is_le(actor):
        raise NotFoundOrForbidden


CONFLICT_409 = {409: {"description": "Already decided (state conflict)."}}


class _AuditedViewSet(ScopedViewSet):
    """List and retrieve with an audit row each (``<noun>.listed`` with a count, ``<noun>.viewed``)."""

    audit_noun: ClassVar[str]
    http_method_names: ClassVar = ["get", "post", "patch", "head", "options"]
    # Relations the list's serializer reads on every row: joined, not one query a row.
    list_related: ClassVar[tuple[str, ...]] = ()

    def _out(self, instance: Any, serializer_class: type[Serializer] | None = None, **context: Any) -> dict:
        serializer_class = serializer_class or self.get_serializer_class()
        return serializer_class(instance, context={**self.get_serializer_context(), **context}).data

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.get_queryset()
        if self.list_related:
            queryset = queryset.select_related(*self.list_related)
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
        return Response(self._out(instance))

    def _page(
        self,
        queryset: QuerySet,
        serializer_class: type[Serializer],
        action_name: str,
        target: Any,
        **context: Any,
    ) -> Response:
        page = self.paginate_queryset(queryset)
        audit_record(action=action_name, actor=self.request.actor, target=target, detail={"count": len(page)})
        data = serializer_class(page, many=True, context={**self.get_serializer_context(), **context}).data
        return self.get_paginated_response(data)


# ============================================================================================ tips


class TipPagination(KeysetPagination):
    """Without ``ordering``: the inbox, open tips by urgency then the longest waiting first, then
    every other tip (api.md). ``-received_at`` and ``-created_at``: newest first."""

    orderings: ClassVar = {
        "inbox": selectors.INBOX_ORDER,
        "received_at": (SortKey("received_at"), SortKey("id")),
        "-received_at": selectors.NEWEST_ORDER,
        "-created_at": (SortKey("created_at", descending=True), SortKey("id", descending=True)),
    }
    default_ordering = "inbox"


@extend_schema_view(
    list=extend_schema(
        summary="Tips",
        description="LE roles and the coordinator; 404 for everyone else. Audited as tip.listed.",
        responses=s.TipOut(many=True),
    ),
    retrieve=extend_schema(summary="One tip", description="Audited as tip.viewed.", responses=s.TipOut),
    create=extend_schema(
        summary="Log a tip",
        description="LE roles and the coordinator. entered_by and the task force come from the caller.",
        request=s.TipIn,
        responses={201: s.TipOut},
    ),
    partial_update=extend_schema(
        summary="Correct a tip or mark it triaged",
        description=(
            "Facts, and status new -> triaged only; other status changes use the actions. "
            "400 on a closed, merged or converted tip."
        ),
        request=s.TipPatchIn,
        responses=s.TipOut,
    ),
)
class TipViewSet(_AuditedViewSet):
    """Tips: the task force's LE roles and the coordinator."""

    visible = staticmethod(policies.visible_tips)
    serializer_class = s.TipOut
    audit_noun = "tip"
    pagination_class = TipPagination

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        _only(request, policies.can_work_tips)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _valid(s.TipIn, request, self.get_serializer_context())
        tip = services.tip_create(actor=request.actor, data=data)
        return Response(self._out(tip), status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        tip: Tip = self.get_object()
        data = _valid(s.TipPatchIn, request, self.get_serializer_context(), partial=True)
        tip = services.tip_update(actor=request.actor, tip=tip, data=data)
        return Response(self._out(tip))

    @extend_schema(summary="Assign a tip to an LE member", request=s.TipAssignIn, responses=s.TipOut)
    @action(detail=True, methods=["post"], url_path="assign", url_name="assign")
    def assign(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        tip: Tip = self.get_object()
        data = _valid(s.TipAssignIn, request, self.get_serializer_context())
        tip = services.tip_assign(actor=request.actor, tip=tip, user=data["user"])
        return Response(self._out(tip))

    @extend_schema(summary="Close a tip with a reason", request=s.TipCloseIn, responses=s.TipOut)
    @action(detail=True, methods=["post"], url_path="close", url_name="close")
    def close(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        tip: Tip = self.get_object()
        data = _valid(s.TipCloseIn, request, self.get_serializer_context())
        tip = services.tip_close(actor=request.actor, tip=tip, reason=data["close_reason"])
        return Response(self._out(tip))

    @extend_schema(summary="Merge a duplicate into another tip", request=s.TipMergeIn, responses=s.TipOut)
    @action(detail=True, methods=["post"], url_path="merge", url_name="merge")
    def merge(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        tip: Tip = self.get_object()
        data = _valid(s.TipMergeIn, request, self.get_serializer_context())
        tip = services.tip_merge(actor=request.actor, tip=tip, into=data["into"])
        return Response(self._out(tip))

    @extend_schema(
        summary="Convert a tip into an investigation",
        description=(
            "LE roles only (403 for the coordinator). Links `investigation` (200) or opens a new "
            "investigation from the other fields (201)."
        ),
        request=s.TipConvertIn,
        responses={200: s.InvestigationOut, 201: s.InvestigationOut},
    )
    @action(detail=True, methods=["post"], url_path="convert", url_name="convert")
    def convert(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        tip: Tip = self.get_object()
        data = _valid(s.TipConvertIn, request, self.get_serializer_context())
        existing = data.pop("investigation", None)
        investigation = services.tip_convert(
            actor=request.actor, tip=tip, investigation=existing, data=None if existing else data
        )
        code = status.HTTP_200_OK if existing else status.HTTP_201_CREATED
        return Response(self._out(investigation, s.InvestigationOut), status=code)


# ================================================================================ investigations


@extend_schema_view(
    list=extend_schema(
        summary="Investigations",
        description=(
            "LE roles: unrestricted ones and restricted ones on whose team they are (LE "
            "supervisors: all); the coordinator: unrestricted ones, read only. 404 for everyone "
            "else. Audited as investigation.listed."
        ),
        responses=s.InvestigationOut(many=True),
    ),
    retrieve=extend_schema(
        summary="One investigation",
        description="`team` only for LE readers. Audited as investigation.viewed.",
        responses=s.InvestigationDetailOut,
    ),
    create=extend_schema(
        summary="Open an investigation",
        description="LE roles. Led by the caller's agency; the caller and `team` join its team.",
        request=s.InvestigationIn,
        responses={201: s.InvestigationDetailOut},
    ),
    partial_update=extend_schema(
        summary="Change an investigation",
        description="LE roles who see it (403 for the coordinator).",
        request=s.InvestigationPatchIn,
        responses=s.InvestigationDetailOut,
    ),
)
class InvestigationViewSet(_AuditedViewSet):
    visible = staticmethod(policies.visible_investigations)
    serializer_class = s.InvestigationOut
    audit_noun = "investigation"
    list_related = ("lead_agency",)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        _only(request, _works_le_records)

    def _detail(self, investigation: Investigation, code: int = status.HTTP_200_OK) -> Response:
        actor = self.request.actor
        team = (
            services.team_members(actor=actor, investigation=investigation) if policies.is_le(actor) else None
        )
        return Response(self._out(investigation, s.InvestigationDetailOut, team=team), status=code)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        investigation = self.get_object()
        audit_record(action="investigation.viewed", actor=request.actor, target=investigation)
        return self._detail(investigation)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        actor = request.actor
        data = _valid(s.InvestigationIn, request, self.get_serializer_context())
        team = data.pop("team", [])
        with transaction.atomic():
            investigation = services.investigation_create(actor=actor, data=data)
            for membership in team:
                if membership.user_id != actor.user_id:
                    services.team_add(actor=actor, investigation=investigation, membership=membership)
        investigation = get_or_not_found(self.get_queryset().select_related("lead_agency"), investigation.pk)
        return self._detail(investigation, code=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        investigation = self.get_object()
        data = _valid(s.InvestigationPatchIn, request, self.get_serializer_context(), partial=True)
        services.investigation_update(actor=request.actor, investigation=investigation, data=data)
        investigation = get_or_not_found(self.get_queryset().select_related("lead_agency"), investigation.pk)
        return self._detail(investigation)

    # --- team -----------------------------------------------------------------------------------

    def _team(self, investigation: Investigation) -> Response:
        members = services.team_members(actor=self.request.actor, investigation=investigation)
        return Response(MembershipOut(members, many=True).data)

    @extend_schema(
        methods=["GET"],
        summary="The investigation's team",
        description="LE roles only (404 for the coordinator). Audited as investigation.team_listed.",
        responses=MembershipOut(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Add an LE member to the team",
        description="LE supervisors and team members (403 otherwise). Answers the team.",
        request=s.TeamIn,
        responses={200: MembershipOut(many=True)},
    )
    @action(detail=True, methods=["get", "post"], url_path="team", url_name="team")
    def team(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _le_only(request.actor)
        investigation = self.get_object()
        if request.method == "POST":
            data = _valid(s.TeamIn, request, self.get_serializer_context())
            services.team_add(actor=request.actor, investigation=investigation, membership=data["membership"])
        else:
            audit_record(action="investigation.team_listed", actor=request.actor, target=investigation)
        return self._team(investigation)

    @extend_schema(
        summary="Take a member off the team",
        description="LE supervisors and team members (403 otherwise). Answers the team.",
        request=s.TeamIn,
        responses=MembershipOut(many=True),
    )
    @action(detail=True, methods=["post"], url_path="team/remove", url_name="team-remove")
    def team_remove(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _le_only(request.actor)
        investigation = self.get_object()
        data = _valid(s.TeamIn, request, self.get_serializer_context())
        services.team_remove(actor=request.actor, investigation=investigation, membership=data["membership"])
        return self._team(investigation)

    # --- LE-only collections ----------------------------------------------------------------------

    @extend_schema(
        methods=["GET"],
        summary="Suspects of an investigation",
        description="LE roles only (404 for the coordinator). Audited as suspect.listed.",
        responses=s.SuspectOut(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Record a suspect (runs deconfliction)",
        description=(
            "Answers the suspect and one message per match in another investigation of the task "
            "force, naming only that investigation's lead agency."
        ),
        request=s.SuspectIn,
        responses={201: s.SuspectCreatedOut},
    )
    @action(detail=True, methods=["get", "post"], url_path="suspects", url_name="suspects")
    def suspects(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _le_only(request.actor)
        investigation = self.get_object()
        actor = request.actor
        if request.method == "POST":
            data = _valid(s.SuspectIn, request, self.get_serializer_context())
            suspect, messages = services.suspect_add(actor=actor, investigation=investigation, data=data)
            body = {"suspect": s.SuspectOut(suspect).data, "deconfliction": messages}
            return Response(body, status=status.HTTP_201_CREATED)
        queryset = policies.visible_suspects(actor).filter(investigation=investigation)
        return self._page(queryset, s.SuspectOut, "suspect.listed", investigation)

    @extend_schema(
        methods=["GET"],
        summary="Victims identified in an investigation",
        description="LE roles only (404 for the coordinator). Audited as victim.listed.",
        responses=s.VictimOut(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Record a victim identified",
        request=s.VictimIn,
        responses={201: s.VictimOut},
    )
    @action(detail=True, methods=["get", "post"], url_path="victims", url_name="victims")
    def victims(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _le_only(request.actor)
        investigation = self.get_object()
        actor = request.actor
        if request.method == "POST":
            data = _valid(s.VictimIn, request, self.get_serializer_context())
            victim = services.victim_identify(actor=actor, investigation=investigation, data=data)
            return Response(s.VictimOut(victim).data, status=status.HTTP_201_CREATED)
        queryset = policies.visible_identified_victims(actor).filter(investigation=investigation)
        return self._page(queryset, s.VictimOut, "victim.listed", investigation)

    @extend_schema(
        methods=["GET"],
        summary="Arrests in an investigation",
        description="LE roles only (404 for the coordinator). Audited as arrest.listed.",
        responses=s.ArrestOut(many=True),
    )
    @extend_schema(
        methods=["POST"], summary="Record an arrest", request=s.ArrestIn, responses={201: s.ArrestOut}
    )
    @action(detail=True, methods=["get", "post"], url_path="arrests", url_name="arrests")
    def arrests(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _le_only(request.actor)
        investigation = self.get_object()
        actor = request.actor
        if request.method == "POST":
            data = _valid(s.ArrestIn, request, self.get_serializer_context())
            arrest = services.arrest_record(
                actor=actor,
                investigation=investigation,
                suspect=data["suspect"],
                arrested_on=data["arrested_on"],
                agency=data.get("arresting_agency"),
            )
            return Response(s.ArrestOut(arrest).data, status=status.HTTP_201_CREATED)
        queryset = (
            policies.visible_arrests(actor)
            .filter(investigation=investigation)
            .select_related("arresting_agency")
        )
        return self._page(queryset, s.ArrestOut, "arrest.listed", investigation)


# ================================================================================== prosecutions


@extend_schema_view(
    list=extend_schema(
        summary="Prosecutions",
        description=(
            "Of the investigations the caller sees (the coordinator: read only). 404 for everyone "
            "else. Audited as prosecution.listed."
        ),
        responses=s.ProsecutionOut(many=True),
    ),
    retrieve=extend_schema(
        summary="One prosecution", description="Audited as prosecution.viewed.", responses=s.ProsecutionOut
    ),
    create=extend_schema(
        summary="File a prosecution",
        description="Prosecutors and LE supervisors (403 for others).",
        request=s.ProsecutionIn,
        responses={201: s.ProsecutionOut},
    ),
    partial_update=extend_schema(
        summary="Change a prosecution",
        description="Prosecutors and LE supervisors (403 for others).",
        request=s.ProsecutionPatchIn,
        responses=s.ProsecutionOut,
    ),
)
class ProsecutionViewSet(_AuditedViewSet):
    visible = staticmethod(policies.visible_prosecutions)
    serializer_class = s.ProsecutionOut
    audit_noun = "prosecution"

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        _only(request, _works_le_records)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _valid(s.ProsecutionIn, request, self.get_serializer_context())
        investigation = data.pop("investigation")
        prosecution = services.prosecution_create(actor=request.actor, investigation=investigation, data=data)
        return Response(self._out(prosecution), status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        prosecution = self.get_object()
        data = _valid(s.ProsecutionPatchIn, request, self.get_serializer_context(), partial=True)
        prosecution = services.prosecution_update(actor=request.actor, prosecution=prosecution, data=data)
        return Response(self._out(prosecution))

    # --- defendants -----------------------------------------------------------------------------

    def _defendant(self, prosecution: Prosecution, defendant_id: Any) -> Defendant:
        """A defendant id from the URL, among the visible defendants of this prosecution."""
        queryset = policies.visible_defendants(self.request.actor).filter(prosecution=prosecution)
        return get_or_not_found(queryset.select_related("suspect"), defendant_id)

    def _charges_by_defendant(self, defendants: list[Defendant]) -> dict[Any, list]:
        grouped: dict[Any, list] = defaultdict(list)
        charges = policies.visible_charges(self.request.actor).filter(defendant__in=defendants)
        for charge in charges.order_by("created_at"):
            grouped[charge.defendant_id].append(charge)
        return grouped

    def _defendant_out(self, defendant: Defendant, code: int = status.HTTP_200_OK) -> Response:
        context = {"charges": self._charges_by_defendant([defendant])}
        return Response(self._out(defendant, s.DefendantOut, **context), status=code)

    @extend_schema(
        methods=["GET"],
        summary="Defendants of a prosecution, with their charges",
        description="LE roles only (404 for the coordinator). Audited as defendant.listed.",
        responses=s.DefendantOut(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Charge a suspect of the investigation",
        description="Prosecutors and LE supervisors (403 for others).",
        request=s.DefendantIn,
        responses={201: s.DefendantOut},
    )
    @action(detail=True, methods=["get", "post"], url_path="defendants", url_name="defendants")
    def defendants(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _le_only(request.actor)
        prosecution = self.get_object()
        actor = request.actor
        if request.method == "POST":
            data = _valid(s.DefendantIn, request, self.get_serializer_context())
            defendant = services.defendant_add(
                actor=actor,
                prosecution=prosecution,
                suspect=data["suspect"],
                charged_on=data.get("charged_on"),
            )
            return self._defendant_out(self._defendant(prosecution, defendant.pk), status.HTTP_201_CREATED)
        queryset = (
            policies.visible_defendants(actor).filter(prosecution=prosecution).select_related("suspect")
        )
        page = self.paginate_queryset(queryset)
        audit_record(action="defendant.listed", actor=actor, target=prosecution, detail={"count": len(page)})
        context = {**self.get_serializer_context(), "charges": self._charges_by_defendant(page)}
        return self.get_paginated_response(s.DefendantOut(page, many=True, context=context).data)

    @extend_schema(
        summary="Add a charge to a defendant",
        description="Prosecutors and LE supervisors (403 for others). Trafficking statutes are recognised.",
        request=s.ChargeIn,
        responses={201: s.ChargeOut},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="defendants/<uuid:defendant_id>/charges",
        url_name="defendant-charges",
    )
    def defendant_charges(self, request: Request, *args: Any, defendant_id: Any, **kwargs: Any) -> Response:
        _le_only(request.actor)
        defendant = self._defendant(self.get_object(), defendant_id)
        data = _valid(s.ChargeIn, request, self.get_serializer_context())
        charge = services.charge_add(actor=request.actor, defendant=defendant, **data)
        return Response(s.ChargeOut(charge).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Record a defendant's disposition",
        description="Prosecutors and LE supervisors (403 for others).",
        request=s.DispositionIn,
        responses=s.DefendantOut,
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="defendants/<uuid:defendant_id>/disposition",
        url_name="defendant-disposition",
    )
    def defendant_disposition(
        self, request: Request, *args: Any, defendant_id: Any, **kwargs: Any
    ) -> Response:
        _le_only(request.actor)
        defendant = self._defendant(self.get_object(), defendant_id)
        data = _valid(s.DispositionIn, request, self.get_serializer_context())
        defendant = services.defendant_dispose(actor=request.actor, defendant=defendant, **data)
        return self._defendant_out(defendant)


# ===================================================================================== referrals


def _sees_referrals(actor: Actor) -> bool:
    return policies.is_le(actor) or policies.is_coordinator(actor) or actor.role in VS_ROLES


REFERRAL_OUT_NOTE = (
    "The envelope always; summary, name_or_alias, language, safe_contact and needs only for the "
    "sending and receiving agencies; case, investigation and consent only for the sending agency; "
    "resulting_case only for the receiving victim-services agency. Keys left out, not nulled."
)


@extend_schema_view(
    list=extend_schema(
        summary="Referrals sent or received by the caller's agency",
        description=(
            f"The coordinator sees every envelope. {REFERRAL_OUT_NOTE} Audited as referral.listed. "
            "404 for tenant admins and analysts."
        ),
        responses=s.ReferralOut(many=True),
    ),
    retrieve=extend_schema(
        summary="One referral",
        description=(
            f"{REFERRAL_OUT_NOTE} A referral from victim services is visible to its receiver only "
            "while its consent holds. Audited as referral.viewed."
        ),
        responses=s.ReferralOut,
    ),
    create=extend_schema(
        summary="Send a referral",
        description=(
            "LE roles and the coordinator refer to victim services; victim services refer from a "
            "case they work on, under a current consent naming the receiving agency and covering "
            "what is sent (400 otherwise, nothing created). A `kind` that disagrees with the sides "
            "is a 400."
        ),
        request=s.ReferralIn,
        responses={201: s.ReferralOut},
    ),
)
class ReferralViewSet(_AuditedViewSet):
    visible = staticmethod(policies.visible_referrals)
    serializer_class = s.ReferralOut
    audit_noun = "referral"
    http_method_names: ClassVar = ["get", "post", "head", "options"]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        _only(request, _sees_referrals)

    def _reread(self, referral: Referral, code: int = status.HTTP_200_OK) -> Response:
        # Read back through the policy: the answer shows exactly what the caller may see.
        referral = get_or_not_found(self.get_queryset(), referral.pk)
        return Response(self._out(referral), status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _valid(s.ReferralIn, request, self.get_serializer_context())
        kind = data.pop("kind", None)
        sources = {key: data.pop(key, None) for key in ("case", "investigation", "consent")}
        to_agency = data.pop("to_agency")
        with transaction.atomic():  # a refused kind leaves nothing behind, audit row included
            referral = services.referral_send(
                actor=request.actor, to_agency=to_agency, payload=data, **sources
            )
            if kind is not None and kind != referral.kind:
                raise DjangoValidationError(
                    {"kind": f"A referral from your agency to this one is {referral.kind}, not {kind}."}
                )
        return self._reread(referral, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Accept a referral",
        description=(
            "The receiving agency only (403 otherwise); 409 when already decided. Accepting at "
            "victim services opens a case in the receiving agency (`resulting_case`)."
        ),
        request=None,
        responses={200: s.ReferralOut, **CONFLICT_409},
    )
    @action(detail=True, methods=["post"], url_path="accept", url_name="accept")
    def accept(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        referral = self.get_object()
        referral = _decide(services.referral_accept, actor=request.actor, referral=referral)
        return self._reread(referral)

    @extend_schema(
        summary="Decline a referral with a reason",
        description="The receiving agency only (403 otherwise); 409 when already decided.",
        request=s.DeclineIn,
        responses={200: s.ReferralOut, **CONFLICT_409},
    )
    @action(detail=True, methods=["post"], url_path="decline", url_name="decline")
    def decline(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        referral = self.get_object()
        data = _valid(s.DeclineIn, request, self.get_serializer_context())
        referral = _decide(
            services.referral_decline, actor=request.actor, referral=referral, reason=data["reason"]
        )
        return self._reread(referral)

    @extend_schema(
        summary="Withdraw a referral not yet decided",
        description="The sending agency only (403 otherwise); 409 when no longer sent.",
        request=None,
        responses={200: s.ReferralOut, **CONFLICT_409},
    )
    @action(detail=True, methods=["post"], url_path="withdraw", url_name="withdraw")
    def withdraw(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        referral = self.get_object()
        referral = _decide(services.referral_withdraw, actor=request.actor, referral=referral)
        return self._reread(referral)

    @extend_schema(
        summary="Mark an accepted referral completed",
        description="The receiving agency only (403 otherwise); 409 unless accepted.",
        request=None,
        responses={200: s.ReferralOut, **CONFLICT_409},
    )
    @action(detail=True, methods=["post"], url_path="complete", url_name="complete")
    def complete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        referral = self.get_object()
        referral = _decide(services.referral_complete, actor=request.actor, referral=referral)
        return self._reread(referral)
