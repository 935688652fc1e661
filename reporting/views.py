"""HTML screens of the grant reports: the dashboard (figures by block, trends, breakdown by
trafficking type), month locks, exports, and the training and outreach logs.

Thin: who sees which part comes from ``reporting.policies.report_scope`` (``None``: 404 on every
report page, exports included), every write goes through ``reporting.services``. No figure comes
with a name or a record id: the dashboard shows counts only. Logged here: ``report.viewed`` (the
dashboard, with the month and the blocks shown), ``training.listed``, ``outreach.listed``,
``export.listed``; the services log the writes and downloads.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.codes import ServiceCategory, TraffickingType
from cases.services import today_for, zone_for
from reporting import charts, measures, policies, services
from reporting.exports import BLOCK_TITLES
from reporting.forms import (
    ExportRequestForm,
    LockForm,
    OutreachForm,
    ReopenForm,
    TrainingForm,
)
from reporting.models import DISCIPLINES, ReportExport
from taskforce.access import Actor, NotFoundOrForbidden
from taskforce.audit import audit_record
from taskforce.listing import Column, paginate
from taskforce.pagination import SortKey
from taskforce.tenancy import tenant_view
from taskforce.web import tf_url

PAGE_SIZE = 50
LATEST = (SortKey("held_on", descending=True), SortKey("id", descending=True))
EVENT_COLUMNS = {"date": Column("held_on", "Date", descending_first=True), "title": Column("title", "Title")}
TREND_MONTHS = 12
NEWEST = (SortKey("created_at", descending=True), SortKey("id", descending=True))
EXPORT_COLUMNS = {
    "month": Column("month", "Month", descending_first=True),
    "requested": Column("created_at", "Requested", descending_first=True),
}
BLOCK_NOTES = {
    "victim_services": (
        "Clients are unduplicated within an agency, and across agencies only through consented referrals."
    ),
    "law_enforcement": "Tips, investigations, arrests, prosecutions and certifications of the task force.",
    "activity": "Training, outreach and MDT case review.",
}


# -------------------------------------------------------------------------------------- helpers


def _scope(actor: Actor) -> policies.ReportScope:
    scope = policies.report_scope(actor)
    if scope is None:
        raise NotFoundOrForbidden
    return scope


def _apply_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _shift(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def last_month(actor: Actor) -> dt.date:
    return _shift(today_for(actor).replace(day=1), -1)


# ------------------------------------------------------------------------------------ dashboard


def _trends(actor: Actor, scope: policies.ReportScope, month: dt.date) -> dict[str, Any] | None:
    """Clients served, tips received and investigations opened over the 12 months ending with
    ``month``: one aggregate statement per month for the blocks needed (12)."""
    months = [_shift(month, -i) for i in range(TREND_MONTHS - 1, -1, -1)]
    zone = str(zone_for(actor))
    wanted = {
        "victim_services": [("clients_served", "Clients served")],
        "law_enforcement": [
            ("tips_received", "Tips received"),
            ("investigations_opened", "Investigations opened"),
        ],
    }
    blocks = [block for block in wanted if block in scope.blocks]
    labels = {code: label for block in blocks for code, label in wanted[block]}
    values: dict[str, list[int]] = {code: [] for code in labels}
    for first in months:
        # The blocks of one month in one statement (measures.compute_blocks).
        computed = measures.compute_blocks(
            blocks,
            task_force_id=actor.task_force_id,
            period=measures.month_period(first),
            zone=zone,
            agency_id=scope.agency_id,
        )
        found = {row["code"]: row["value"] for rows in computed.values() for row in rows}
        for code in labels:
            values[code].append(int(found.get(code, 0)))
    if not values:
        return None
    series = [charts.Series(code.replace("_", "-"), labels[code], values[code]) for code in values]
    return charts.line_chart(
        chart_id="trend",
        title="Twelve-month trend",
        desc=(
            f"Line chart, {months[0]:%B %Y} to {months[-1]:%B %Y}: "
            + "; ".join(
                f"{s.label} from {s.values[0]} to {s.values[-1]}, peak {max(s.values)}" for s in series
            )
            + ". The table below gives every value."
        ),
        months=months,
        series=series,
    )


def _types(blocks: dict[str, list[dict[str, Any]]], month: dt.date) -> dict[str, Any] | None:
    found = {row["code"]: row["value"] for rows in blocks.values() for row in rows}
    series = []
    if "victim_services" in blocks:
        series.append(
            charts.Series(
                "clients-served",
                "Clients served",
                [int(found.get(f"clients_served.{t}", 0)) for t in TraffickingType.values],
            )
        )
    if "law_enforcement" in blocks:
        series.append(
            charts.Series(
                "tips-received",
                "Tips received",
                [int(found.get(f"tips_received.{t}", 0)) for t in TraffickingType.values],
            )
        )
    if not series:
        return None
    return charts.bar_chart(
        chart_id="types",
        title=f"By type of trafficking, {month:%B %Y}",
        desc=(
            "Bar chart: "
            + "; ".join(
                f"{s.label}: "
                + ", ".join(
                    f"{label.lower()} {v}"
                    for (_c, label), v in zip(TraffickingType.choices, s.values, strict=True)
                )
                for s in series
            )
            + "."
        ),
        categories=list(TraffickingType.choices),
        series=series,
    )


def _dashboard_context(actor: Actor, month: dt.date) -> dict[str, Any]:
    scope = _scope(actor)
    blocks = services.report_blocks(actor=actor, period=measures.month_period(month))
    audit_record(
        action="report.viewed",
        actor=actor,
        target_type="reporting.monthly",
        target_id=f"{month:%Y-%m}",
        detail={"blocks": list(blocks), "screen": "dashboard"},
    )
    this_month = today_for(actor).replace(day=1)
    sections = [
        {
            "code": block,
            "title": BLOCK_TITLES.get(block, block),
            "note": BLOCK_NOTES.get(block, ""),
            "own_agency": block == "victim_services" and scope.agency_id is not None,
            "shown": [row for row in rows if row["value"]],
            "zeros": [row for row in rows if not row["value"]],
        }
        for block, rows in blocks.items()
    ]
    context: dict[str, Any] = {
        "month": month,
        "month_value": f"{month:%Y-%m}",
        "sections": sections,
        "previous_month": f"{_shift(month, -1):%Y-%m}",
        "next_month": f"{_shift(month, 1):%Y-%m}" if _shift(month, 1) <= this_month else "",
        "is_current": month == this_month,
        "trend": _trends(actor, scope, month),
        "types": _types(blocks, month),
        "lock": services.current_lock(actor=actor, month=month),
        "can_lock": policies.can_lock_months(actor),
        "closed": measures.month_period(month).end < today_for(actor),
        "can_export": True,
    }
    if context["lock"] is not None and "victim_services" in scope.blocks:
        labels = dict(ServiceCategory.choices)
        context["show_service_changes"] = True
        context["service_changes"] = [
            {**change, "service_label": labels.get(change["service_type"], change["service_type"])}
            for change in services.service_changes_since_lock(actor=actor, lock=context["lock"])
        ]
        context["service_change_counts"] = services.service_change_counts_since_lock(
            actor=actor, lock=context["lock"]
        )
    if context["can_lock"]:
        context["lock_history"] = list(
            policies.visible_locks(actor)
            .filter(month=month, reopened_at__isnull=False)
            .select_related("locked_by", "reopened_by")
            .order_by("-locked_at")[:10]
        )
        if context["lock"] is not None:
            changes = services.changes_since_lock(actor=actor, lock=context["lock"])
            context["changed_records"] = [c for c in changes if "kind" in c]
            context["changed_measures"] = next((c["measures"] for c in changes if "measures" in c), [])
        context.setdefault("lock_form", LockForm(actor=actor, initial={"month": f"{month:%Y-%m}"}))
        context.setdefault("reopen_form", ReopenForm(actor=actor, initial={"month": f"{month:%Y-%m}"}))
    return context


def _bad_month(request: HttpRequest, errors: list[str]) -> HttpResponse:
    return render(
        request,
        "reporting/bad_month.html",
        {"errors": errors, "dashboard_url": tf_url(request.actor, "report-dashboard")},
        status=400,
    )


@tenant_view
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    _scope(actor)
    raw = request.GET.get("month")
    if raw is None or raw == "":
        month = last_month(actor)
    else:
        try:
            month = services.parse_month(raw, actor=actor)
        except ValidationError as exc:
            return _bad_month(request, [m for ms in exc.message_dict.values() for m in ms])
    return render(request, "reporting/dashboard.html", _dashboard_context(actor, month))


def _to_month(actor: Actor, month: dt.date) -> HttpResponse:
    return redirect(f"{tf_url(actor, 'report-dashboard')}?month={month:%Y-%m}")


@tenant_view
@require_POST
def lock_view(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    _scope(actor)
    if not policies.can_lock_months(actor):
        raise PermissionDenied
    form = LockForm(request.POST, actor=actor)
    if not form.is_valid():
        return _bad_month(request, list(form.errors.get("month") or ["Give the month as YYYY-MM."]))
    month = form.cleaned_data["month"]
    try:
        services.month_lock(actor=actor, month=month)
    except ValidationError as exc:
        form.add_error(None, exc.messages)
        context = _dashboard_context(actor, month)
        context["lock_form"] = form
        return render(request, "reporting/dashboard.html", context, status=400)
    messages.success(request, f"{month:%B %Y} is locked. Later changes to its records will be listed here.")
    return _to_month(actor, month)


@tenant_view
@require_POST
def reopen_view(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    _scope(actor)
    if not policies.can_lock_months(actor):
        raise PermissionDenied
    form = ReopenForm(request.POST, actor=actor)
    valid = form.is_valid()
    if "month" in form.errors:
        return _bad_month(request, list(form.errors["month"]))
    month = form.cleaned_data["month"]
    lock = services.current_lock(actor=actor, month=month)
    if valid and lock is None:
        form.add_error(None, "This month is not locked.")
    elif valid:
        try:
            services.month_reopen(actor=actor, lock=lock, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _apply_errors(form, exc)
    if form.errors:
        context = _dashboard_context(actor, month)
        context["reopen_form"] = form
        context["reopen_open"] = True
        return render(request, "reporting/dashboard.html", context, status=400)
    messages.success(request, f"{month:%B %Y} is reopened.")
    return _to_month(actor, month)


# -------------------------------------------------------------------------------------- exports


def _export_row(actor: Actor, export: ReportExport) -> dict[str, Any]:
    return {
        "export": export,
        "url": tf_url(actor, "export-detail", export_id=export.pk),
        "download_url": tf_url(actor, "export-download", export_id=export.pk)
        if export.status == ReportExport.Status.DONE
        else "",
        "by_scheduler": export.requested_by_id is None,
    }


@tenant_view
@require_http_methods(["GET", "POST"])
def export_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    _scope(actor)
    form = ExportRequestForm(
        request.POST if request.method == "POST" else None, actor=actor, initial_month=last_month(actor)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            export = services.export_request(
                actor=actor, month=data["month"], file_format=data["file_format"], flavour=data["flavour"]
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            return redirect(tf_url(actor, "export-detail", export_id=export.pk))
    listing = paginate(
        request, policies.visible_exports(actor), name="exports", columns=EXPORT_COLUMNS, default=NEWEST
    )
    exports = listing.rows
    audit_record(action="export.listed", actor=actor, detail={"count": len(exports)})
    return render(
        request,
        "reporting/export_list.html",
        {
            "form": form,
            "rows": [_export_row(actor, e) for e in exports],
            "listing": listing,
            "dashboard_url": tf_url(actor, "report-dashboard"),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@tenant_view
@require_GET
def export_detail(request: HttpRequest, export_id: uuid.UUID) -> HttpResponse:
    actor = request.actor
    _scope(actor)
    export = policies.access_export(actor, export_id)
    pending = export.status in (ReportExport.Status.QUEUED, ReportExport.Status.RUNNING)
    response = render(
        request,
        "reporting/export_detail.html",
        {**_export_row(actor, export), "pending": pending, "list_url": tf_url(actor, "export-list")},
    )
    if pending:
        response["Refresh"] = "2"
    return response


@tenant_view
@require_GET
def export_download(request: HttpRequest, export_id: uuid.UUID) -> HttpResponse:
    actor = request.actor
    _scope(actor)
    export = policies.access_export(actor, export_id)
    try:
        services.export_download(actor=actor, export=export)
    except ValidationError:
        messages.error(request, "The export is not ready yet.")
        return redirect(tf_url(actor, "export-detail", export_id=export.pk))
    content_type = (
        "text/csv; charset=utf-8"
        if export.format == ReportExport.Format.CSV
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=f"{actor.task_force_slug}-{export.month:%Y-%m}-{export.flavour}.{export.format}",
        content_type=content_type,
    )


# ---------------------------------------------------------------------------- training, outreach


def _event_list(request: HttpRequest, *, kind: str) -> HttpResponse:
    actor = request.actor
    visible = policies.visible_training(actor) if kind == "training" else policies.visible_outreach(actor)
    context: dict[str, Any] = {
        "kind": kind,
        "can_create": policies.can_log_events(actor),
        "training_url": tf_url(actor, "training-list"),
        "outreach_url": tf_url(actor, "outreach-list"),
        "create_url": tf_url(actor, f"{kind}-create"),
        "list_url": tf_url(actor, f"{kind}-list"),
    }
    listing = paginate(
        request, visible, name=kind, columns=EVENT_COLUMNS, default=LATEST, page_size=PAGE_SIZE
    )
    rows = listing.rows
    audit_record(action=f"{kind}.listed", actor=actor, detail={"count": len(rows)})
    if kind == "training":
        rows = [
            {
                "event": event,
                "attendees": [
                    (label, getattr(event, f"attendees_{code}"))
                    for code, label in DISCIPLINES
                    if getattr(event, f"attendees_{code}")
                ],
            }
            for event in rows
        ]
    else:
        rows = [{"event": event} for event in rows]
    return render(
        request,
        f"reporting/{kind}_list.html",
        {**context, "rows": rows, "listing": listing},
    )


def _event_create(request: HttpRequest, *, kind: str) -> HttpResponse:
    actor = request.actor
    if not policies.can_log_events(actor):
        raise PermissionDenied
    form_class = TrainingForm if kind == "training" else OutreachForm
    form = form_class(request.POST if request.method == "POST" else None, actor=actor, today=today_for(actor))
    if request.method == "POST" and form.is_valid():
        record = services.training_record if kind == "training" else services.outreach_record
        try:
            record(actor=actor, data=form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                "The training is recorded." if kind == "training" else "The outreach event is recorded.",
            )
            return redirect(tf_url(actor, f"{kind}-list"))
    return render(
        request,
        f"reporting/{kind}_form.html",
        {"form": form, "list_url": tf_url(actor, f"{kind}-list")},
        status=400 if form.is_bound and form.errors else 200,
    )


@tenant_view
@require_GET
def training_list(request: HttpRequest) -> HttpResponse:
    return _event_list(request, kind="training")


@tenant_view
@require_http_methods(["GET", "POST"])
def training_create(request: HttpRequest) -> HttpResponse:
    return _event_create(request, kind="training")


@tenant_view
@require_GET
def outreach_list(request: HttpRequest) -> HttpResponse:
    return _event_list(request, kind="outreach")


@tenant_view
@require_http_methods(["GET", "POST"])
def outreach_create(request: HttpRequest) -> HttpResponse:
    return _event_create(request, kind="outreach")
