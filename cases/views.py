"""HTML screens of victim-service case management. Thin: every object comes through
``cases.policies`` (404 when not visible), every action is checked with ``can_*`` (403 when
visible but not allowed), every write goes through ``cases.services``, and every read or list
of a case is written to the audit log.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import screening as screening_rules
from cases.changes import case_change_rows
from cases.codes import ContactChannel
from cases.forms import (
    AssignForm,
    CaseFilterForm,
    CloseForm,
    ConsentForm,
    FamilyMemberForm,
    IntakeForm,
    NoteForm,
    PlanItemForm,
    PlanStatusForm,
    ReopenForm,
    RevokeForm,
    ScreeningForm,
    ServiceForm,
    UnassignForm,
    case_manager_choices,
)
from cases.models import Case, Consent, PlanItem
from cases.policies import (
    access_case,
    access_consent,
    can_assign,
    can_take_intake,
    can_write_case,
    visible_family_members,
    visible_identities,
    visible_plan_items,
)
from cases.selectors import (
    NO_CONTACT_DAYS,
    CaseFilters,
    case_list,
    case_timeline,
    cases_assigned_to,
    cases_unassigned,
    cases_without_contact,
    consents_by_state,
)
from cases.services import (
    case_assign,
    case_assignees,
    case_close,
    case_reopen,
    case_unassign,
    consent_record,
    consent_revoke,
    family_member_add,
    intake_create,
    intake_duplicates,
    note_add,
    plan_item_add,
    plan_item_set_status,
    screening_record,
    service_record,
    today_for,
)
from taskforce.access import VS_ROLES, Actor, NotFoundOrForbidden, get_or_not_found
from taskforce.audit import audit_record
from taskforce.listing import Column, paginate
from taskforce.pagination import SortKey
from taskforce.tenancy import tenant_view
from taskforce.web import form_status

PAGE_SIZE = 50
NEWEST = (SortKey("created_at", descending=True), SortKey("id", descending=True))
CASE_COLUMNS = {
    "opened": Column("opened_on", "Opened", descending_first=True),
    "status": Column("status", "Status"),
}
# Channels that make a listed contact detail unsafe to use.
PHONE_CHANNELS = {ContactChannel.PHONE_CALL, ContactChannel.TEXT, ContactChannel.VOICEMAIL}


def _require_vs(actor: Actor) -> None:
    # Everyone outside victim services: as if these pages did not exist (access.md matrix "-").
    if actor.role not in VS_ROLES:
        raise NotFoundOrForbidden


def _writable_case(request: HttpRequest, case_id: uuid.UUID) -> Case:
    case = access_case(request.actor, case_id)
    if not can_write_case(request.actor, case):
        raise PermissionDenied
    return case


def _to_case(request: HttpRequest, case: Case, anchor: str = "") -> HttpResponse:
    url = reverse("case-detail", kwargs={"task_force": request.actor.task_force_slug, "case_id": case.pk})
    return redirect(f"{url}#{anchor}" if anchor else url)


def _errors_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _display_name(case: Case) -> str:
    try:
        return case.client.identity.display_name
    except Case.client.RelatedObjectDoesNotExist:  # pragma: no cover - every client has one
        return "(no name)"
    except AttributeError:
        return "(no name)"


# ----------------------------------------------------------------------------------------- list


@tenant_view
@require_GET
def case_list_view(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    _require_vs(actor)
    form = CaseFilterForm(request.GET)
    if not form.is_valid():
        return render(
            request,
            "cases/case_list.html",
            {"form": form, "rows": [], "can_intake": can_take_intake(actor), "filtered": True},
            status=400,
        )
    data = form.cleaned_data
    filters = CaseFilters(
        status=data["status"],
        trafficking_type=data["trafficking_type"],
        assigned_to_me=data["mine"],
        consent_expiring=data["expiring"],
        search=data["q"],
    )
    cases = case_list(actor=actor, filters=filters)
    chips = []
    if data["stale"]:
        cases = cases_without_contact(cases, today_for(actor))
        chips.append(("stale", "No contact for 30 days"))
    if data["unassigned"]:
        cases = cases_unassigned(cases)
        chips.append(("unassigned", "No case manager"))
    if data["manager"]:
        if not can_assign(actor, Case(agency_id=actor.agency_id)):
            raise BadRequest("Only supervisors filter by case manager.")
        manager = case_manager_choices(actor).filter(pk=data["manager"]).first()
        if manager is None:
            raise BadRequest("Unknown case manager.")
        cases = cases_assigned_to(cases, manager.user_id)
        chips.append(("manager", f"Assigned to {manager.user.full_name or manager.user.email}"))
    listing = paginate(
        request,
        cases,
        name="cases",
        columns=CASE_COLUMNS,
        default=NEWEST,
        page_size=PAGE_SIZE,
        ids_first=True,  # each row joins the client and its identity
    )
    audit_record(action="case.listed", actor=actor, detail={"count": len(listing.rows)})
    rows = [{"case": case, "name": _display_name(case)} for case in listing.rows]
    filtered = any(
        data[k]
        for k in ("q", "status", "trafficking_type", "mine", "expiring", "stale", "unassigned", "manager")
    )
    return render(
        request,
        "cases/case_list.html",
        {
            "form": form,
            "rows": rows,
            "chips": chips,
            "filtered": filtered,
            "listing": listing,
            "can_intake": can_take_intake(actor),
        },
    )


# --------------------------------------------------------------------------------------- intake


@tenant_view
@require_http_methods(["GET", "POST"])
def intake_view(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    _require_vs(actor)
    if not can_take_intake(actor):
        raise PermissionDenied
    form = IntakeForm(request.POST or None, today=today_for(actor))
    duplicates = 0
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        duplicates = intake_duplicates(
            actor=actor,
            first_name=data["first_name"],
            last_name=data["last_name"],
            date_of_birth=data["date_of_birth"],
        )
        if duplicates and not data["confirm_duplicate"]:
            form.add_error(
                "confirm_duplicate",
                f"{duplicates} client(s) of your agency already have this name; "
                "check before creating another",
            )
        else:
            try:
                case = intake_create(
                    actor=actor, client=form.client_data(), case=form.case_data(), answers=form.answers()
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Intake saved. The case is open for services and notes.")
                return _to_case(request, case)
    return render(
        request,
        "cases/intake.html",
        {
            "form": form,
            "duplicates": duplicates,
            "show_confirm": bool(duplicates or form["confirm_duplicate"].value()),
        },
        status=form_status(form),
    )


# ---------------------------------------------------------------------------------- case page


def _contact_warnings(unsafe: list[str]) -> dict[str, bool]:
    chosen = set(unsafe or [])
    return {
        "phone": bool(chosen & PHONE_CHANNELS),
        "email": ContactChannel.EMAIL in chosen,
        "address": bool(chosen & {ContactChannel.MAIL, ContactChannel.HOME_VISIT}),
    }


def _timeline_entries(timeline: Any) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    for service in timeline.services:
        entries.append(
            {
                "kind": "service",
                "on": service.delivered_on,
                "at": service.created_at,
                "service": service,
                "provider": service.providing_agency.name,
                "external": service.providing_agency_id != service.agency_id,
            }
        )
    for note in timeline.notes:
        entries.append(
            {
                "kind": "note",
                "on": timezone.localdate(note.created_at),
                "at": note.created_at,
                "note": note,
                "author": note.author.full_name or note.author.email,
                "addenda": list(note.addenda.all()),  # prefetched through the policy
            }
        )
    for consent in timeline.consents:
        entries.append(
            {
                "kind": "consent",
                "on": consent.signed_on,
                "at": consent.created_at,
                "consent": consent,
                "recipient": consent.recipient_agency.name,
            }
        )
    entries.sort(key=lambda entry: (entry["on"], entry["at"]), reverse=True)
    return entries


def _consent_rows(consents: list[Consent]) -> list[dict[str, Any]]:
    grouped = consents_by_state(consents)
    labels = dict(Consent.State.choices)
    rows = []
    for state in (Consent.State.EXPIRING, Consent.State.ACTIVE, Consent.State.EXPIRED, Consent.State.REVOKED):
        rows.append(
            {
                "state": state,
                "label": labels[state],
                "consents": [
                    {
                        "consent": consent,
                        "recipient": consent.recipient_agency.name,
                        "scope": [_scope_label(code) for code in consent.scope],
                        "revocable": state in (Consent.State.ACTIVE, Consent.State.EXPIRING),
                    }
                    for consent in grouped[state]
                ],
            }
        )
    return rows


def _scope_label(code: str) -> str:
    from cases.codes import ConsentCategory

    return dict(ConsentCategory.choices).get(code, code)


def _screening_rows(screenings: list[Any]) -> list[dict[str, Any]]:
    domains = {domain.code: domain.label for domain in screening_rules.DOMAINS}
    rows = []
    for item in screenings:
        indicators = item.summary.get("indicators", {}) if isinstance(item.summary, dict) else {}
        rows.append(
            {
                "screening": item,
                "domains": [f"{domains.get(code, code)} ({count})" for code, count in indicators.items()],
                "answered": len(item.answers or {}),
                "minor_sex": bool(
                    isinstance(item.summary, dict) and item.summary.get("minor_commercial_sex")
                ),
            }
        )
    return rows


def _render_case(request: HttpRequest, case: Case, *, status: int = 200, **forms_: Any) -> HttpResponse:
    actor = request.actor
    today = today_for(actor)
    identity = visible_identities(actor).filter(client_id=case.client_id).first()
    timeline = case_timeline(actor=actor, case=case)
    may_write = can_write_case(actor, case)
    may_assign = can_assign(actor, case)
    assignees = [
        {"membership": m, "name": m.user.full_name or m.user.email}
        for m in case_assignees(actor=actor, case=case)
    ]
    family = list(visible_family_members(actor).filter(client_id=case.client_id).order_by("served_from"))
    plan = [{"item": item, "form": PlanStatusForm(initial={"status": item.status})} for item in timeline.plan]
    audit_record(action="case.viewed", actor=actor, target=case)
    entries = _timeline_entries(timeline)
    for entry in entries:
        if entry["kind"] == "note":
            # can_add_addendum without a query per note: the case is writable or not once.
            note = entry["note"]
            entry["can_amend"] = may_write and (not note.privileged or note.author_id == actor.user_id)
    context = {
        "case": case,
        "client": case.client,
        "identity": identity,
        "name": identity.display_name if identity else "(no name)",
        "unsafe": [ContactChannel(c).label for c in (identity.unsafe_channels if identity else [])],
        "warn": _contact_warnings(identity.unsafe_channels if identity else []),
        "entries": entries,
        "changes": case_change_rows(actor=actor, case=case),
        "consent_groups": _consent_rows(timeline.consents),
        "consent_count": len(timeline.consents),
        "screenings": _screening_rows(timeline.screenings),
        "plan": plan,
        "family": family,
        "assignees": assignees,
        "can_write": may_write,
        "can_assign": may_assign,
        "is_closed": case.status == Case.Status.CLOSED,
        "no_contact": case.status != Case.Status.CLOSED
        and (case.last_contact_on or case.opened_on) < today - dt.timedelta(days=NO_CONTACT_DAYS),
        "service_form": forms_.get("service_form") or ServiceForm(actor=actor, case=case, today=today),
        "note_form": forms_.get("note_form") or NoteForm(),
        "close_form": forms_.get("close_form") or CloseForm(),
        "reopen_form": forms_.get("reopen_form") or ReopenForm(),
    }
    if may_assign:
        assigned_ids = {row["membership"].pk for row in assignees}
        assign_form = forms_.get("assign_form") or AssignForm(actor=actor)
        assign_form.fields["membership"].queryset = assign_form.fields["membership"].queryset.exclude(
            pk__in=assigned_ids
        )
        context["assign_form"] = assign_form
    return render(request, "cases/case_detail.html", context, status=status)


@tenant_view
@require_GET
def case_detail_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = access_case(request.actor, case_id)
    return _render_case(request, case)


# --------------------------------------------------------------------------- forms on one page


def _form_page(
    request: HttpRequest,
    case: Case,
    form: forms.Form,
    *,
    title: str,
    submit: str,
    template: str = "cases/form_page.html",
    **extra: Any,
) -> HttpResponse:
    identity = visible_identities(request.actor).filter(client_id=case.client_id).first()
    context = {
        "case": case,
        "form": form,
        "title": title,
        "submit": submit,
        "name": identity.display_name if identity else "(no name)",
        **extra,
    }
    return render(request, template, context, status=form_status(form))


@tenant_view
@require_http_methods(["GET", "POST"])
def service_add_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = _writable_case(request, case_id)
    actor = request.actor
    form = ServiceForm(request.POST or None, actor=actor, case=case, today=today_for(actor))
    if request.method == "POST" and form.is_valid():
        try:
            service_record(actor=actor, case=case, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Service recorded.")
            return _to_case(request, case, "timeline")
    return _form_page(request, case, form, title="Record a service", submit="Record service")


@tenant_view
@require_http_methods(["GET", "POST"])
def note_add_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = _writable_case(request, case_id)
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            note_add(actor=request.actor, case=case, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, "Privileged note added." if form.cleaned_data["privileged"] else "Note added."
            )
            return _to_case(request, case, "timeline")
    return _form_page(request, case, form, title="Add a note", submit="Add note")


@tenant_view
@require_http_methods(["GET", "POST"])
def consent_add_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = _writable_case(request, case_id)
    actor = request.actor
    form = ConsentForm(request.POST or None, actor=actor, today=today_for(actor))
    if request.method == "POST" and form.is_valid():
        try:
            consent_record(actor=actor, case=case, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Release of information recorded.")
            return _to_case(request, case, "consents")
    return _form_page(
        request,
        case,
        form,
        title="Record a release of information",
        submit="Record release",
        intro="The client names one agency, what it may receive, for what purpose and until when. "
        "It can be revoked at any time.",
    )


@tenant_view
@require_POST
def consent_revoke_view(request: HttpRequest, case_id: uuid.UUID, consent_id: uuid.UUID) -> HttpResponse:
    case = _writable_case(request, case_id)
    consent = access_consent(request.actor, consent_id)
    if consent.case_id != case.pk:
        raise NotFoundOrForbidden
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The reason is too long (at most 300 characters).")
        return _to_case(request, case, "consents")
    try:
        consent_revoke(actor=request.actor, consent=consent, note=form.cleaned_data["note"])
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
    else:
        messages.success(request, "Release revoked. Sharing under it has stopped.")
    return _to_case(request, case, "consents")


@tenant_view
@require_POST
def case_assign_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = access_case(request.actor, case_id)
    if not can_assign(request.actor, case):
        raise PermissionDenied
    form = AssignForm(request.POST, actor=request.actor)
    if form.is_valid():
        membership = form.cleaned_data["membership"]
        try:
            case_assign(actor=request.actor, case=case, membership=membership)
        except ValidationError as exc:
            form.add_error("membership", exc.messages[0] if exc.messages else "Choose a case manager.")
        else:
            messages.success(request, f"Assigned {membership.user.full_name or membership.user.email}.")
            return _to_case(request, case, "team")
    return _form_page(request, case, form, title="Assign a case manager", submit="Assign")


@tenant_view
@require_POST
def case_unassign_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = access_case(request.actor, case_id)
    if not can_assign(request.actor, case):
        raise PermissionDenied
    form = UnassignForm(request.POST, actor=request.actor)
    if not form.is_valid():
        return _form_page(request, case, form, title="Take a case manager off the case", submit="Take off")
    membership = form.cleaned_data["membership"]
    case_unassign(actor=request.actor, case=case, membership=membership)
    messages.success(request, f"Took {membership.user.full_name or membership.user.email} off the case.")
    return _to_case(request, case, "team")


@tenant_view
@require_http_methods(["GET", "POST"])
def case_close_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = _writable_case(request, case_id)
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case_close(actor=request.actor, case=case, reason=form.cleaned_data["closure_reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Case closed.")
            return _to_case(request, case)
    return _form_page(request, case, form, title="Close the case", submit="Close case")


@tenant_view
@require_http_methods(["GET", "POST"])
def case_reopen_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = _writable_case(request, case_id)
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case_reopen(actor=request.actor, case=case, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Case reopened.")
            return _to_case(request, case)
    return _form_page(request, case, form, title="Reopen the case", submit="Reopen case")


@tenant_view
@require_http_methods(["GET", "POST"])
def screening_add_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = _writable_case(request, case_id)
    kind = request.GET.get("form") or screening_rules.Form.SHORT
    if kind not in screening_rules.Form.values:
        raise BadRequest("Choose the short or the long form.")
    form = ScreeningForm(request.POST or None, kind=kind, today=today_for(request.actor))
    if request.method == "POST" and form.is_valid():
        try:
            screening = screening_record(
                actor=request.actor,
                case=case,
                form=kind,
                answers=form.answers(),
                screened_on=form.cleaned_data["screened_on"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                "Screening recorded: indicators warrant a closer look."
                if screening.flagged
                else "Screening recorded.",
            )
            return _to_case(request, case, "screenings")
    return _form_page(
        request,
        case,
        form,
        title=f"Screening: {screening_rules.Form(kind).label.lower()}",
        submit="Record screening",
        template="cases/screening_form.html",
        kind=kind,
    )


@tenant_view
@require_http_methods(["GET", "POST"])
def plan_add_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = _writable_case(request, case_id)
    form = PlanItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan_item_add(actor=request.actor, case=case, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Added to the service plan.")
            return _to_case(request, case, "plan")
    return _form_page(request, case, form, title="Add a need to the service plan", submit="Add to plan")


@tenant_view
@require_POST
def plan_item_status_view(request: HttpRequest, case_id: uuid.UUID, item_id: uuid.UUID) -> HttpResponse:
    case = _writable_case(request, case_id)
    item: PlanItem = get_or_not_found(visible_plan_items(request.actor).filter(case_id=case.pk), item_id)
    form = PlanStatusForm(request.POST)
    if not form.is_valid():
        return _form_page(request, case, form, title="Change a plan item", submit="Save")
    plan_item_set_status(actor=request.actor, item=item, status=form.cleaned_data["status"])
    messages.success(request, f"Plan item marked {item.get_status_display().lower()}.")
    return _to_case(request, case, "plan")


@tenant_view
@require_http_methods(["GET", "POST"])
def family_add_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = _writable_case(request, case_id)
    form = FamilyMemberForm(request.POST or None, today=today_for(request.actor))
    if request.method == "POST" and form.is_valid():
        try:
            family_member_add(actor=request.actor, case=case, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Family member added.")
            return _to_case(request, case, "family")
    return _form_page(request, case, form, title="Add a family member served", submit="Add family member")
