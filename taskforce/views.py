"""HTML views of the core: sign-in, home, task force switcher, structure administration, audit."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from taskforce import audit_search, search
from taskforce import home as home_panels
from taskforce.access import NotFoundOrForbidden, Role
from taskforce.audit import audit_record
from taskforce.forms import (
    AgencyCreateForm,
    AgencyUpdateForm,
    MembershipAddForm,
    MembershipForm,
    TaskForceSettingsForm,
)
from taskforce.listing import paginate
from taskforce.models import AuditEvent
from taskforce.policies import (
    access_agency,
    access_membership,
    can_manage_structure,
    own_task_force,
    visible_agencies,
    visible_audit_events,
    visible_memberships,
)
from taskforce.services import (
    agency_create,
    agency_update,
    membership_add,
    membership_deactivate,
    membership_reactivate,
    membership_update,
    task_force_settings_update,
)
from taskforce.sorting import (
    AGENCY_COLUMNS,
    AGENCY_ORDER,
    AUDIT_COLUMNS,
    AUDIT_ORDER,
    LIST_PARAMETERS,
    MEMBER_COLUMNS,
    MEMBER_ORDER,
)
from taskforce.tenancy import tenant_view, user_memberships
from taskforce.web import form_status, posted

MOU_WARNING_DAYS = 90
AUDIT_PAGE_SIZE = 50
AUDIT_TYPE = "taskforce.auditevent"


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
@require_GET
def root(request: HttpRequest) -> HttpResponse:
    memberships = list(user_memberships(request.user))
    if len(memberships) == 1:
        return redirect("tf-home", task_force=memberships[0].task_force.slug)
    return render(request, "taskforce/choose.html", {"memberships": memberships})


def _mou_alerts(request: HttpRequest) -> list:
    soon = timezone.localdate() + dt.timedelta(days=MOU_WARNING_DAYS)
    return list(
        visible_agencies(request.actor).filter(mou_expires_on__lte=soon).order_by("mou_expires_on")[:20]
    )


@tenant_view
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    context: dict = {"is_admin": can_manage_structure(actor), "today": timezone.localdate()}
    if actor.role in (Role.TENANT_ADMIN, Role.COORDINATOR):
        context["mou_alerts"] = _mou_alerts(request)
    if actor.role == Role.TENANT_ADMIN:
        since = timezone.now() - dt.timedelta(days=7)
        events = visible_audit_events(actor)
        context["failed_logins"] = events.filter(action="auth.login_failed", occurred_at__gte=since).count()
        context["denied_events"] = list(
            events.filter(outcome=AuditEvent.Outcome.DENIED).order_by("-seq")[:10]
        )
        context["member_count"] = visible_memberships(actor).filter(is_active=True).count()
        # Accounts locked by the sign-in lockout (signin.lockout): only an admin unlocks them.
        context["locked_members"] = list(
            visible_memberships(actor).filter(is_active=True, user__locked_at__isnull=False)[:20]
        )
        context["pending_invitations"] = (
            visible_memberships(actor).filter(is_active=True, user__password__startswith="!").count()
        )
    context["panels"] = home_panels.panels_for(actor)
    return render(request, "taskforce/home.html", context)


@tenant_view
@require_GET
def agency_list(request: HttpRequest) -> HttpResponse:
    listing = paginate(
        request,
        visible_agencies(request.actor),
        name="agencies",
        columns=AGENCY_COLUMNS,
        default=AGENCY_ORDER,
    )
    return render(
        request,
        "taskforce/agency_list.html",
        {
            "agencies": listing.rows,
            "listing": listing,
            "can_manage": can_manage_structure(request.actor),
            "today": timezone.localdate(),
            "soon": timezone.localdate() + dt.timedelta(days=MOU_WARNING_DAYS),
        },
    )


def _require_admin(request: HttpRequest) -> None:
    if not can_manage_structure(request.actor):
        raise PermissionDenied


@tenant_view
@require_http_methods(["GET", "POST"])
def agency_create_view(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = AgencyCreateForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            agency = agency_create(actor=request.actor, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Added {agency.name}.")
            return redirect("agency-list", task_force=request.actor.task_force_slug)
    return render(
        request,
        "taskforce/agency_form.html",
        {"form": form, "title": "Add an agency"},
        status=form_status(form),
    )


@tenant_view
@require_http_methods(["GET", "POST"])
def agency_edit_view(request: HttpRequest, agency_id: uuid.UUID) -> HttpResponse:
    agency = access_agency(request.actor, agency_id)
    _require_admin(request)
    initial = {
        "name": agency.name,
        "mou_signed_on": agency.mou_signed_on,
        "mou_expires_on": agency.mou_expires_on,
    }
    form = AgencyUpdateForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            agency_update(actor=request.actor, agency=agency, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Saved {agency.name}.")
            return redirect("agency-list", task_force=request.actor.task_force_slug)
    return render(
        request,
        "taskforce/agency_form.html",
        {"form": form, "title": f"Edit {agency.name}", "agency": agency},
        status=form_status(form),
    )


@tenant_view
@require_GET
def membership_list(request: HttpRequest) -> HttpResponse:
    memberships = visible_memberships(request.actor)
    listing = paginate(request, memberships, name="members", columns=MEMBER_COLUMNS, default=MEMBER_ORDER)
    return render(
        request,
        "taskforce/membership_list.html",
        {"memberships": listing.rows, "listing": listing, "can_manage": can_manage_structure(request.actor)},
    )


@tenant_view
@require_http_methods(["GET", "POST"])
def membership_add_view(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = MembershipAddForm(posted(request), actor=request.actor)
    if request.method == "POST" and form.is_valid():
        try:
            membership = membership_add(actor=request.actor, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Added {membership.user.email}.")
            return redirect("membership-list", task_force=request.actor.task_force_slug)
    return render(
        request,
        "taskforce/membership_form.html",
        {"form": form, "title": "Add a member"},
        status=form_status(form),
    )


@tenant_view
@require_http_methods(["GET", "POST"])
def membership_edit_view(request: HttpRequest, membership_id: uuid.UUID) -> HttpResponse:
    membership = access_membership(request.actor, membership_id)
    _require_admin(request)
    form = MembershipForm(
        posted(request),
        actor=request.actor,
        initial={"agency": membership.agency, "role": membership.role},
    )
    if request.method == "POST" and form.is_valid():
        try:
            membership_update(actor=request.actor, membership=membership, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Saved {membership.user.email}.")
            return redirect("membership-list", task_force=request.actor.task_force_slug)
    return render(
        request,
        "taskforce/membership_form.html",
        {"form": form, "title": f"Edit {membership.user.email}", "membership": membership},
        status=form_status(form),
    )


@tenant_view
@require_POST
def membership_deactivate_view(request: HttpRequest, membership_id: uuid.UUID) -> HttpResponse:
    membership = access_membership(request.actor, membership_id)
    _require_admin(request)
    try:
        membership_deactivate(actor=request.actor, membership=membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Deactivated {membership.user.email}.")
    return redirect("membership-list", task_force=request.actor.task_force_slug)


@tenant_view
@require_POST
def membership_reactivate_view(request: HttpRequest, membership_id: uuid.UUID) -> HttpResponse:
    membership = access_membership(request.actor, membership_id)
    _require_admin(request)
    try:
        membership_reactivate(actor=request.actor, membership=membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Reactivated {membership.user.email}.")
    return redirect("membership-list", task_force=request.actor.task_force_slug)


@tenant_view
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    """The audit log, searchable (member, action, record, outcome, dates) and exportable as CSV."""
    actor = request.actor
    if actor.role != Role.TENANT_ADMIN:
        # The matrix gives everyone else nothing here: as if the page did not exist.
        raise NotFoundOrForbidden
    filters = {k: v for k, v in request.GET.items() if k not in ("format", *LIST_PARAMETERS)}
    form = audit_search.AuditFilterForm(filters or None, actor=actor)
    if filters and not form.is_valid():
        return render(request, "taskforce/audit_list.html", {"form": form, "rows": []}, status=400)
    data = form.cleaned_data if filters else {}
    used = sorted(k for k, v in data.items() if v)
    events = audit_search.filtered(actor, data)
    if request.GET.get("format") == "csv":
        content, count = audit_search.csv_bytes(actor, events)
        # Exporting is itself written down: which filters, how many rows; never the values.
        audit_record(
            action="audit.exported",
            actor=actor,
            target_type="taskforce.auditevent",
            detail={"filters": used, "count": count},
        )
        response = HttpResponse(content, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
        return response
    # Reading the audit log is itself written down (who looked, not what they saw).
    audit_record(
        action="audit.read", actor=actor, target_type="taskforce.auditevent", detail={"filters": used}
    )
    listing = paginate(
        request, events, name="audit", columns=AUDIT_COLUMNS, default=AUDIT_ORDER, page_size=AUDIT_PAGE_SIZE
    )
    page = listing.rows
    return render(
        request,
        "taskforce/audit_list.html",
        {
            "form": form,
            "rows": audit_search.rows_for(actor, page),
            "listing": listing,
            "filtered": bool(used),
        },
    )


@tenant_view
@require_http_methods(["GET", "POST"])
def task_force_settings_view(request: HttpRequest) -> HttpResponse:
    """The task force's working rules (tenant admins): triage targets, trafficking statutes."""
    _require_admin(request)
    task_force = own_task_force(request.actor)
    initial = {
        "triage_target_immediate_minutes": task_force.triage_target_immediate_minutes,
        "triage_target_business_days": task_force.triage_target_business_days,
        "trafficking_statutes": "\n".join(task_force.trafficking_statutes),
        "investigation_number_pattern": task_force.investigation_number_pattern,
    }
    form = TaskForceSettingsForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            task_force_settings_update(actor=request.actor, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Settings saved.")
            return redirect("task-force-settings", task_force=request.actor.task_force_slug)
    return render(
        request,
        "taskforce/settings_form.html",
        {"form": form, "title": f"{task_force.name}: settings"},
        status=form_status(form),
    )


@tenant_view
@require_GET
def search_view(request: HttpRequest) -> HttpResponse:
    """The header's search box: results grouped by type, each through its own policy."""
    raw = request.GET.get("q", "")
    groups: list[search.Group] = []
    error = ""
    if raw.strip():
        try:
            groups = search.search(request.actor, search.Query.parse(raw))
        except search.BadQuery as bad:
            error = str(bad)
    return render(
        request,
        "taskforce/search.html",
        {
            "q": raw[: search.MAX_LENGTH],
            "search_q": raw[: search.MAX_LENGTH],
            "groups": groups,
            "error": error,
            "searched": bool(raw.strip()),
        },
        status=400 if error else 200,
    )
