"""The victim-services API: cases and everything hanging off them, and consents.

Rows come from ``cases.policies`` (through ``cases.selectors`` for the case list); writes go
through ``cases.services``, which re-check the policy (403 on a visible case) and validate
(400). Every read and list of a confidential record is audited here, counts only.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from cases import corrections
from cases import services as case_services
from cases.api import serializers as s
from cases.codes import TraffickingType
from cases.models import Case, Consent
from cases.policies import (
    access_note,
    access_service,
    visible_consents,
    visible_plan_items,
    visible_screenings,
    visible_services,
)
from cases.selectors import CaseFilters, case_list, notes_with_addenda
from taskforce.access import VS_ROLES, Actor, NotFoundOrForbidden
from taskforce.api import ScopedViewSet
from taskforce.audit import audit_record

CLIENT_ERROR_FIELDS = frozenset(case_services.IDENTITY_FIELDS) | frozenset(case_services.CLIENT_FIELDS)


def visible_case_rows(actor: Actor) -> QuerySet[Case]:
    """``visible_cases`` with the client and identity joined (``case_list`` without filters)."""
    return case_list(actor=actor)


def _valid(
    serializer_class: type[Serializer], request: Request, context: dict[str, Any], **kwargs: Any
) -> dict:
    serializer = serializer_class(data=request.data, context=context, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


CASE_LIST_PARAMETERS = [
    OpenApiParameter("status", str, enum=Case.Status.values, description="Only cases in this status."),
    OpenApiParameter("trafficking_type", str, enum=TraffickingType.values),
    OpenApiParameter("assigned_to_me", bool, description="Only cases assigned to the caller."),
    OpenApiParameter("consent_expiring", bool, description="Only cases with a release expiring soon."),
    OpenApiParameter("search", str, description="Client name words, inside the caller's own agency."),
]


def _victim_services_only(request: Request) -> None:
    """The case collection does not exist for anyone outside victim services: 404, as in HTML."""
    if request.actor.role not in VS_ROLES:
        raise NotFoundOrForbidden


@extend_schema_view(
    list=extend_schema(
        summary="The caller's caseload",
        description="Cases the caller may see, newest first. Audited as case.listed (a count).",
        parameters=CASE_LIST_PARAMETERS,
        responses=s.CaseOut(many=True),
    ),
    retrieve=extend_schema(
        summary="One case", description="Audited as case.viewed.", responses=s.CaseDetailOut
    ),
    create=extend_schema(
        summary="Intake a client and open a case",
        description=(
            "Owned by the caller's agency; a case manager who takes the intake is assigned to it. "
            "VS case managers and supervisors only (403 otherwise)."
        ),
        request=s.CaseCreateIn,
        responses={201: s.CaseDetailOut},
    ),
    partial_update=extend_schema(
        summary="Change, close or reopen a case",
        description=(
            "Only trafficking_type, referral_source, status, closure_reason, reopen_reason and "
            "client are read; anything else is ignored. Closing: status=closed with a "
            "closure_reason. `client` corrects the client's identity, contact, safety profile "
            "and coded attributes: all or nothing (400 changes nothing); audited as "
            "client.changed with the field names only."
        ),
        request=s.CasePatchIn,
        responses=s.CaseDetailOut,
    ),
)
class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Victim-service cases: the agency's VS supervisors and the assigned case managers only."""

    visible = staticmethod(visible_case_rows)
    serializer_class = s.CaseOut
    http_method_names: ClassVar = ["get", "post", "patch", "head", "options"]
    # Each row joins the client and its identity: the page's ids are chosen first.
    page_ids_first = True

    # --- helpers ------------------------------------------------------------------------------

    def _filters(self) -> CaseFilters:
        params = self.request.query_params
        return CaseFilters(
            status=params.get("status", "") if params.get("status") in Case.Status.values else "",
            trafficking_type=(
                params.get("trafficking_type", "")
                if params.get("trafficking_type") in TraffickingType.values
                else ""
            ),
            assigned_to_me=params.get("assigned_to_me", "").lower() in {"1", "true", "yes"},
            consent_expiring=params.get("consent_expiring", "").lower() in {"1", "true", "yes"},
            search=params.get("search", "")[:200],
        )

    def _detail(self, case: Case, *, code: int = status.HTTP_200_OK) -> Response:
        assigned = case_services.case_assignees(actor=self.request.actor, case=case)
        context = {**self.get_serializer_context(), "assigned": assigned}
        return Response(s.CaseDetailOut(case, context=context).data, status=code)

    def _page(
        self, queryset: QuerySet, serializer_class: type[Serializer], action_name: str, case: Case
    ) -> Response:
        page = self.paginate_queryset(queryset)
        audit_record(
            action=action_name,
            actor=self.request.actor,
            target=case,
            detail={"count": len(page)},
        )
        data = serializer_class(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "now": timezone.now()}

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        _victim_services_only(request)

    # --- the case itself ----------------------------------------------------------------------

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        actor = request.actor
        queryset = case_list(actor=actor, filters=self._filters())
        page = self.paginate_queryset(queryset)
        audit_record(action="case.listed", actor=actor, target_type="cases.case", detail={"count": len(page)})
        return self.get_paginated_response(s.CaseOut(page, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        case = self.get_object()
        audit_record(action="case.viewed", actor=request.actor, target=case)
        return self._detail(case)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _valid(s.CaseCreateIn, request, self.get_serializer_context())
        client = dict(data.pop("client"))
        answers = data.pop("answers", None)
        try:
            case = case_services.intake_create(actor=request.actor, client=client, case=data, answers=answers)
        except DjangoValidationError as error:
            raise _nest_client_errors(error) from None
        # Read back through the policy so the answer shows exactly what the caller may see.
        case = self.get_queryset().get(pk=case.pk)
        return self._detail(case, code=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        case = self.get_object()
        data = _valid(s.CasePatchIn, request, self.get_serializer_context(), partial=True)
        client = data.pop("client", None)
        # One change: a refused client field leaves the case's own fields unchanged too.
        with transaction.atomic():
            if client:
                try:
                    case_services.client_update(actor=request.actor, case=case, data=dict(client))
                except DjangoValidationError as error:
                    raise _nest_client_errors(error) from None
            case_services.case_update(actor=request.actor, case=case, data=data)
        # Read back through the policy: the answer shows the corrected client.
        case = self.get_queryset().get(pk=case.pk)
        return self._detail(case)

    # --- assignment ---------------------------------------------------------------------------

    @extend_schema(
        summary="Assign a case manager",
        description="The agency's VS supervisors only (403 for others who see the case).",
        request=s.AssignIn,
        responses=s.CaseDetailOut,
    )
    @action(detail=True, methods=["post"], url_path="assign", url_name="assign")
    def assign(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        case = self.get_object()
        data = _valid(s.AssignIn, request, self.get_serializer_context())
        case_services.case_assign(actor=request.actor, case=case, membership=data["membership"])
        return self._detail(case)

    @extend_schema(
        summary="Take a case manager off a case",
        description="The agency's VS supervisors only (403 for others who see the case).",
        request=s.AssignIn,
        responses=s.CaseDetailOut,
    )
    @action(detail=True, methods=["post"], url_path="unassign", url_name="unassign")
    def unassign(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        case = self.get_object()
        data = _valid(s.AssignIn, request, self.get_serializer_context())
        case_services.case_unassign(actor=request.actor, case=case, membership=data["membership"])
        return self._detail(case)

    # --- nested collections -------------------------------------------------------------------

    @extend_schema(
        methods=["GET"],
        summary="Services delivered on a case",
        description="Audited as service.listed.",
        responses=s.ServiceOut(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Record a service delivery",
        request=s.ServiceIn,
        responses={201: s.ServiceOut},
    )
    @action(detail=True, methods=["get", "post"], url_path="services", url_name="services")
    def services(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        case = self.get_object()
        actor = request.actor
        if request.method == "POST":
            data = _valid(s.ServiceIn, request, self.get_serializer_context())
            service = case_services.service_record(actor=actor, case=case, **data)
            return Response(s.ServiceOut(service).data, status=status.HTTP_201_CREATED)
        queryset = visible_services(actor).filter(case=case)
        return self._page(queryset, s.ServiceOut, "service.listed", case)

    @extend_schema(
        methods=["GET"],
        summary="One service delivery",
        description="With its voided and corrected state. Audited as service.viewed.",
        responses=s.ServiceOut,
    )
    @extend_schema(
        methods=["PATCH"],
        summary="Correct a service delivery",
        description=(
            "Any of service_type, delivered_on, units, providing_agency and note, with a reason "
            "(required). The earlier values are kept in the service's history; reports count "
            "the corrected figures. 409 when the service is voided. No DELETE: void instead."
        ),
        request=s.ServiceCorrectIn,
        responses=s.ServiceOut,
    )
    @action(
        detail=True,
        methods=["get", "patch"],
        url_path="services/<uuid:service_id>",
        url_name="service-detail",
    )
    def service_detail(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        case = self.get_object()
        service = access_service(request.actor, case, kwargs["service_id"])
        if request.method == "GET":
            audit_record(action="service.viewed", actor=request.actor, target=service)
            return Response(s.ServiceOut(service).data)
        data = _valid(s.ServiceCorrectIn, request, self.get_serializer_context())
        reason = data.pop("reason")
        try:
            corrections.service_correct(actor=request.actor, service=service, changes=data, reason=reason)
        except corrections.ServiceVoided:
            raise Conflict("The service is voided: it cannot be corrected.") from None
        service = access_service(request.actor, case, service.pk)
        return Response(s.ServiceOut(service).data)

    @extend_schema(
        summary="Void a service delivery",
        description=(
            "Entered in error: the service stays listed with voided=true and the reason, and no "
            "longer counts in reports. 409 when already voided."
        ),
        request=s.VoidIn,
        responses=s.ServiceOut,
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="services/<uuid:service_id>/void",
        url_name="service-void",
    )
    def service_void(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        case = self.get_object()
        service = access_service(request.actor, case, kwargs["service_id"])
        data = _valid(s.VoidIn, request, self.get_serializer_context())
        try:
            service = corrections.service_void(actor=request.actor, service=service, reason=data["reason"])
        except corrections.ServiceVoided:
            raise Conflict("The service is already voided.") from None
        return Response(s.ServiceOut(service).data)

    @extend_schema(
        methods=["GET"],
        summary="Notes on a case",
        description=(
            "Privileged notes appear only to their author and the agency's VS supervisors. "
            "Audited as note.listed."
        ),
        responses=s.NoteOut(many=True),
    )
    @extend_schema(methods=["POST"], summary="Add a case note", request=s.NoteIn, responses={201: s.NoteOut})
    @action(detail=True, methods=["get", "post"], url_path="notes", url_name="notes")
    def notes(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        case = self.get_object()
        actor = request.actor
        if request.method == "POST":
            data = _valid(s.NoteIn, request, self.get_serializer_context())
            note = case_services.note_add(actor=actor, case=case, **data)
            note = notes_with_addenda(actor).get(pk=note.pk)
            return Response(s.NoteOut(note).data, status=status.HTTP_201_CREATED)
        queryset = notes_with_addenda(actor).filter(case=case)
        return self._page(queryset, s.NoteOut, "note.listed", case)

    @extend_schema(
        summary="Amend a note with an addendum",
        description=(
            "The note stays as written; the addendum is listed with it and seen exactly by who "
            "sees the note. A privileged note: its author only. Notes are never edited or deleted."
        ),
        request=s.AddendumIn,
        responses={201: s.NoteOut},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="notes/<uuid:note_id>/addenda",
        url_name="note-addenda",
    )
    def note_addenda(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        case = self.get_object()
        actor = request.actor
        note = access_note(actor, case, kwargs["note_id"])
        data = _valid(s.AddendumIn, request, self.get_serializer_context())
        corrections.note_addendum_add(actor=actor, case=case, note=note, text=data["text"])
        note = notes_with_addenda(actor).get(pk=note.pk)
        return Response(s.NoteOut(note).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        summary="Releases of information on a case",
        description="Each with its state at read time. Audited as consent.listed.",
        responses=s.ConsentOut(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Record a release of information",
        description=(
            "Expiry is mandatory (default 90 days, at most 365 or the task force's limit); a minor's "
            "release also needs a guardian who is not the suspected trafficker."
        ),
        request=s.ConsentIn,
        responses={201: s.ConsentOut},
    )
    @action(detail=True, methods=["get", "post"], url_path="consents", url_name="consents")
    def consents(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        case = self.get_object()
        actor = request.actor
        if request.method == "POST":
            data = _valid(s.ConsentIn, request, self.get_serializer_context())
            consent = case_services.consent_record(actor=actor, case=case, **data)
            return Response(
                s.ConsentOut(consent, context=self.get_serializer_context()).data,
                status=status.HTTP_201_CREATED,
            )
        queryset = visible_consents(actor).filter(case=case)
        return self._page(queryset, s.ConsentOut, "consent.listed", case)

    @extend_schema(
        methods=["GET"],
        summary="Screenings of a case",
        description="Audited as screening.listed.",
        responses=s.ScreeningOut(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Record a screening",
        description="Answers by question code: yes, no, unsure or declined; unknown codes are refused.",
        request=s.ScreeningIn,
        responses={201: s.ScreeningOut},
    )
    @action(detail=True, methods=["get", "post"], url_path="screenings", url_name="screenings")
    def screenings(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        case = self.get_object()
        actor = request.actor
        if request.method == "POST":
            data = _valid(s.ScreeningIn, request, self.get_serializer_context())
            screening = case_services.screening_record(actor=actor, case=case, **data)
            return Response(s.ScreeningOut(screening).data, status=status.HTTP_201_CREATED)
        queryset = visible_screenings(actor).filter(case=case)
        return self._page(queryset, s.ScreeningOut, "screening.listed", case)

    @extend_schema(
        methods=["GET"],
        summary="The case's service plan",
        description="Audited as plan_item.listed.",
        responses=s.PlanItemOut(many=True),
    )
    @extend_schema(
        methods=["POST"], summary="Add a need and goal", request=s.PlanItemIn, responses={201: s.PlanItemOut}
    )
    @action(detail=True, methods=["get", "post"], url_path="plan-items", url_name="plan-items")
    def plan_items(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        case = self.get_object()
        actor = request.actor
        if request.method == "POST":
            data = _valid(s.PlanItemIn, request, self.get_serializer_context())
            item = case_services.plan_item_add(actor=actor, case=case, **data)
            return Response(s.PlanItemOut(item).data, status=status.HTTP_201_CREATED)
        queryset = visible_plan_items(actor).filter(case=case)
        return self._page(queryset, s.PlanItemOut, "plan_item.listed", case)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The record's state does not allow this."
    default_code = "conflict"


def _nest_client_errors(error: DjangoValidationError) -> Exception:
    """The intake service names identity fields at the top level; the API nests them under
    ``client`` as the payload does."""
    if not hasattr(error, "error_dict"):
        return error
    messages = error.message_dict
    client = {k: v for k, v in messages.items() if k in CLIENT_ERROR_FIELDS}
    rest: dict[str, Any] = {k: v for k, v in messages.items() if k not in CLIENT_ERROR_FIELDS}
    return exceptions.ValidationError({**rest, "client": client} if client else messages)


@extend_schema_view(
    retrieve=extend_schema(
        summary="One release of information",
        description="With its state at read time. Audited as consent.viewed.",
        responses=s.ConsentOut,
    ),
)
class ConsentViewSet(mixins.RetrieveModelMixin, ScopedViewSet):
    """Releases of information, reached by id: visible exactly when their case is."""

    visible = staticmethod(visible_consents)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        _victim_services_only(request)

    serializer_class = s.ConsentOut

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "now": timezone.now()}

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        consent: Consent = self.get_object()
        audit_record(action="consent.viewed", actor=request.actor, target=consent)
        return Response(s.ConsentOut(consent, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="Revoke a release now",
        description="Whatever rested on it ends at once. 400 when already revoked.",
        request=s.RevokeIn,
        responses=s.ConsentOut,
    )
    @action(detail=True, methods=["post"], url_path="revoke", url_name="revoke")
    def revoke(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        consent: Consent = self.get_object()
        data = _valid(s.RevokeIn, request, self.get_serializer_context())
        consent = case_services.consent_revoke(
            actor=request.actor, consent=consent, note=data.get("note", "")
        )
        return Response(s.ConsentOut(consent, context=self.get_serializer_context()).data)
