"""The reporting API: the monthly report, its exports, and the training and outreach logs.

Who sees which part of a report is ``reporting.policies.report_scope``: a caller with no part
(case managers, tenant admins) gets 404 on the report and on every export route, as if they did
not exist. Figures are computed by ``reporting.services`` (SQL aggregates) and carry no names.
Reads are audited: ``report.viewed`` (by the service), ``export.viewed``, ``export.downloaded``
(by the service), ``training.listed`` and ``outreach.listed`` with a count.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from reporting import policies, services
from reporting.api import serializers as s
from reporting.models import ReportExport
from taskforce.access import NotFoundOrForbidden
from taskforce.api import ScopedViewSet, TenantAPIView
from taskforce.audit import audit_record

NOT_VISIBLE = OpenApiResponse(description="No report for this caller, or not there.")


class NotReady(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The export is not ready."
    default_code = "not_ready"


def _valid(
    serializer_class: type[Serializer], request: Request, context: dict[str, Any], **kwargs: Any
) -> dict:
    serializer = serializer_class(data=request.data, context=context, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _reports_only(request: Request) -> None:
    """Reports and exports do not exist for a caller with no part of them: 404."""
    if policies.report_scope(request.actor) is None:
        raise NotFoundOrForbidden


class MonthlyReportView(TenantAPIView):
    """The monthly report: the parts the caller may see, for the whole task force (a VS
    supervisor's victim-services part is their own agency's)."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        _reports_only(request)

    @extend_schema(
        summary="The monthly grant report",
        description=(
            "Coordinators and analysts: every block. LE roles: the law-enforcement block. VS "
            "supervisors: the victim-services block of their own agency. Others: 404. A malformed "
            "or future month: 400. Audited as report.viewed (month and blocks, no figures)."
        ),
        parameters=[
            OpenApiParameter("month", str, required=True, description="YYYY-MM, a month that has started.")
        ],
        responses={200: s.MonthlyReportOut, 400: OpenApiResponse(description="Bad month."), 404: NOT_VISIBLE},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        actor = request.actor
        month = services.parse_month(request.query_params.get("month"), actor=actor)
        report = services.monthly_report(actor=actor, month=month)
        return Response(s.MonthlyReportOut(report).data)


class MonthlyChangesView(MonthlyReportView):
    """What changed in a prepared (locked) month after it was prepared."""

    @extend_schema(
        summary="Changes since a month was prepared",
        description=(
            "When the month is locked: the services of the month corrected or voided after the "
            "lock, newest first (at most 200). The service, case and reason only for the "
            "service's own agency; across agencies the category, dates, agency and fields. "
            "Same access as the monthly report. Audited as report.changes_viewed."
        ),
        parameters=[
            OpenApiParameter("month", str, required=True, description="YYYY-MM, a month that has started.")
        ],
        responses={
            200: s.MonthlyChangesOut,
            400: OpenApiResponse(description="Bad month."),
            404: NOT_VISIBLE,
        },
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        actor = request.actor
        month = services.parse_month(request.query_params.get("month"), actor=actor)
        return Response(s.MonthlyChangesOut(services.monthly_changes(actor=actor, month=month)).data)


class PeriodReportView(MonthlyReportView):
    """A quarter, half or fiscal year of months, recounted over the whole period."""

    @extend_schema(
        summary="The grant report for several months",
        description=(
            "The same blocks and access as the monthly report, for `months` months from `from` "
            "(inside one fiscal year, October to September). Unduplicated client counts are "
            "recounted over the period. Audited as report.viewed."
        ),
        parameters=[
            OpenApiParameter("from", str, required=True, description="YYYY-MM, the first month."),
            OpenApiParameter("months", int, required=True, enum=[1, 3, 6, 12]),
        ],
        responses={200: s.PeriodReportOut, 400: OpenApiResponse(description="Bad period."), 404: NOT_VISIBLE},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        actor = request.actor
        first = services.parse_month(request.query_params.get("from"), actor=actor)
        raw = request.query_params.get("months", "")
        if not re.fullmatch(r"[0-9]{1,2}", raw):
            raise exceptions.ValidationError({"months": ["Choose 1, 3, 6 or 12 months."]})
        report = services.period_report(actor=actor, first_month=first, months=int(raw))
        return Response(s.PeriodReportOut(report).data)


@extend_schema_view(
    create=extend_schema(
        summary="Request an export of a report",
        description=(
            "Runs on a worker; poll the export until its status is done, then download it. The "
            "requester's access is checked again when it runs. Audited as export.requested."
        ),
        request=s.ExportIn,
        responses={202: s.ExportCreatedOut, 400: OpenApiResponse(description="Bad input."), 404: NOT_VISIBLE},
    ),
    retrieve=extend_schema(
        summary="An export's status and progress",
        description="The caller's own exports only. Audited as export.viewed.",
        responses={200: s.ExportOut, 404: NOT_VISIBLE},
    ),
)
class ExportViewSet(mixins.RetrieveModelMixin, ScopedViewSet):
    """Report exports: requested, polled and downloaded by the same member while they may
    still see reports."""

    visible = staticmethod(policies.visible_exports)
    serializer_class = s.ExportOut
    pagination_class = None
    http_method_names: ClassVar = ["get", "post", "head", "options"]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        _reports_only(request)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        actor = request.actor
        data = _valid(s.ExportIn, request, self.get_serializer_context())
        month = services.parse_month(data["month"], actor=actor)
        export = services.export_request(
            actor=actor, month=month, file_format=data["format"], flavour=data["flavour"]
        )
        return Response(
            s.ExportCreatedOut({"id": export.pk, "status": export.status}).data,
            status=status.HTTP_202_ACCEPTED,
        )

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        export = self.get_object()
        audit_record(action="export.viewed", actor=request.actor, target=export)
        return Response(s.ExportOut(export, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="Download a finished export",
        description=(
            "The file (CSV or XLSX) as an attachment. 409 while the export is not done; 404 for "
            "someone else's export. Audited as export.downloaded."
        ),
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            404: NOT_VISIBLE,
            409: OpenApiResponse(description="Not done yet (or failed)."),
        },
    )
    @action(detail=True, methods=["get"], url_path="download", url_name="download")
    def download(self, request: Request, *args: Any, **kwargs: Any) -> FileResponse:
        export: ReportExport = self.get_object()
        try:
            services.export_download(actor=request.actor, export=export)
        except DjangoValidationError:
            raise NotReady from None
        content_type = (
            "text/csv; charset=utf-8"
            if export.format == ReportExport.Format.CSV
            else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        try:
            handle = export.file.open("rb")
        except FileNotFoundError:  # removed from storage: gone, never a 500
            raise NotFoundOrForbidden from None
        name = export.file.name.rsplit("/", 1)[-1]
        return FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)


class _EventViewSet(mixins.ListModelMixin, ScopedViewSet):
    """List (audited with a count) and create through the service (403 for tenant admins and
    analysts, 400 on bad input)."""

    audit_noun: ClassVar[str]
    input_class: ClassVar[type[Serializer]]
    http_method_names: ClassVar = ["get", "post", "head", "options"]

    def record(self, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        audit_record(
            action=f"{self.audit_noun}.listed",
            actor=request.actor,
            target_type=f"reporting.{self.audit_noun}event",
            detail={"count": len(page)},
        )
        return self.get_paginated_response(self.get_serializer_class()(page, many=True).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not policies.can_log_events(request.actor):
            raise exceptions.PermissionDenied
        data = _valid(self.input_class, request, self.get_serializer_context())
        event = self.record(data)
        event = self.get_queryset().get(pk=event.pk)
        return Response(self.get_serializer_class()(event).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="Training events",
        description="Every member of the task force. Audited as training.listed (a count).",
        responses=s.TrainingOut(many=True),
    ),
    create=extend_schema(
        summary="Log a training event",
        description=(
            "Every member but tenant admins and analysts (403). The recorder and the task force "
            "come from the caller; the delivering agency defaults to the caller's."
        ),
        request=s.TrainingIn,
        responses={201: s.TrainingOut},
    ),
)
class TrainingEventViewSet(_EventViewSet):
    visible = staticmethod(policies.visible_training)
    serializer_class = s.TrainingOut
    input_class = s.TrainingIn
    audit_noun = "training"

    def record(self, data: dict[str, Any]) -> Any:
        return services.training_record(actor=self.request.actor, data=data)


@extend_schema_view(
    list=extend_schema(
        summary="Outreach and awareness events",
        description="Every member of the task force. Audited as outreach.listed (a count).",
        responses=s.OutreachOut(many=True),
    ),
    create=extend_schema(
        summary="Log an outreach or awareness event",
        description=(
            "Every member but tenant admins and analysts (403). The recorder and the task force "
            "come from the caller; the delivering agency defaults to the caller's."
        ),
        request=s.OutreachIn,
        responses={201: s.OutreachOut},
    ),
)
class OutreachEventViewSet(_EventViewSet):
    visible = staticmethod(policies.visible_outreach)
    serializer_class = s.OutreachOut
    input_class = s.OutreachIn
    audit_noun = "outreach"

    def record(self, data: dict[str, Any]) -> Any:
        return services.outreach_record(actor=self.request.actor, data=data)
