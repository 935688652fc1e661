"""HTML screens of the law-enforcement side: the tip inbox and tip page, investigations,
prosecutions. Thin: every object comes through ``referrals.policies`` (404 when not visible),
every action is checked with ``can_*`` (403 when visible but not allowed), every write goes
through ``referrals.services``, and every read or list is written to the audit log
(``tip.viewed``, ``tip.listed``, ``investigation.viewed``, ``investigation.listed``,
``prosecution.viewed``, ``prosecution.listed``).

Victim-services roles, tenant admins and analysts get 404 on every page here, collections
included (access.md: "-"). The coordinator works tips and reads unrestricted investigations and
their prosecutions, never suspects, victims identified or arrests.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.services import today_for
from referrals import policies, selectors, services, views_connections
from referrals.forms_le import (
    OPEN_TIP_STATUSES,
    STATUTE_SUGGESTIONS,
    ArrestForm,
    ChargeForm,
    DefendantForm,
    DispositionForm,
    InvestigationEditForm,
    InvestigationFilterForm,
    InvestigationForm,
    ProsecutionEditForm,
    ProsecutionFilterForm,
    ProsecutionForm,
    SuspectForm,
    TeamAddForm,
    TeamRemoveForm,
    TipAssignForm,
    TipCloseForm,
    TipConvertForm,
    TipFilterForm,
    TipForm,
    TipMergeForm,
    TriageForm,
    VictimForm,
    le_member_choices,
)
from referrals.models import Defendant, Investigation, Prosecution, Tip
from referrals.sorting import INVESTIGATION_COLUMNS, NEWEST, PROSECUTION_COLUMNS, TIP_COLUMNS
from referrals.views_certifications import investigation_certifications
from taskforce.access import Actor, NotFoundOrForbidden, get_or_not_found
from taskforce.audit import audit_record
from taskforce.listing import Column, Page, paginate
from taskforce.permissions import granted_ids
from taskforce.tenancy import tenant_view
from taskforce.web import form_status, posted, tf_url

PAGE_SIZE = 50
ACTIVE_INVESTIGATIONS = (Investigation.Status.OPEN, Investigation.Status.SUSPENDED)


# -------------------------------------------------------------------------------------- helpers


def _apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service's ValidationError onto the form: known fields keep their place, the rest go on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _require_le_area(actor: Actor) -> None:
    """Tips, investigations and prosecutions exist for LE roles and the coordinator only."""
    if not (policies.is_le(actor) or policies.is_coordinator(actor)):
        raise NotFoundOrForbidden


def _require_le(actor: Actor) -> None:
    """Suspects, victims identified and arrests: LE roles only (404 for everyone else)."""
    if not policies.is_le(actor):
        raise NotFoundOrForbidden


def _allow(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def _person(user: Any) -> str:
    if user is None:
        return ""
    return user.full_name or user.email


def _listing(request: HttpRequest, rows: QuerySet, name: str, columns: dict[str, Column]) -> Page:
    return paginate(request, rows, name=name, columns=columns, default=NEWEST, page_size=PAGE_SIZE)


def _form_page(
    request: HttpRequest,
    form: forms.Form,
    *,
    title: str,
    submit: str,
    cancel_url: str,
    crumbs: list[tuple[str, str]],
    intro: str = "",
    **extra: Any,
) -> HttpResponse:
    context = {
        "form": form,
        "title": title,
        "submit": submit,
        "cancel_url": cancel_url,
        "crumbs": crumbs,
        "intro": intro,
        **extra,
    }
    return render(request, "referrals/le/form_page.html", context, status=form_status(form))


# ----------------------------------------------------------------------------------------- tips


def _tip_crumbs(actor: Actor, tip: Tip | None = None) -> list[tuple[str, str]]:
    crumbs = [("Tips", tf_url(actor, "tip-list"))]
    if tip is not None:
        crumbs.append(("Tip received " + _local(tip.received_at), tf_url(actor, "tip-detail", tip_id=tip.pk)))
    return crumbs


def _local(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _workable_tip(request: HttpRequest, tip_id: uuid.UUID) -> Tip:
    tip = policies.access_tip(request.actor, tip_id)
    _allow(policies.can_work_tips(request.actor))
    return tip


def _to_tip(request: HttpRequest, tip: Tip) -> HttpResponse:
    if request.POST.get("next") == "list":
        return redirect(tf_url(request.actor, "tip-list"))
    return redirect(tf_url(request.actor, "tip-detail", tip_id=tip.pk))


TIP_ORDERS = {
    "": selectors.INBOX_ORDER,
    "newest": selectors.NEWEST_ORDER,
    "oldest": selectors.INBOX_ORDER[1:],
}


@tenant_view
@require_GET
def tip_list_view(request: HttpRequest) -> HttpResponse:
    """The inbox: open tips by urgency, then the longest waiting first, with their age; tips
    past the task force's triage target stand out."""
    actor = request.actor
    _require_le_area(actor)
    form = TipFilterForm(request.GET)
    context: dict[str, Any] = {"form": form, "rows": [], "can_create": policies.can_work_tips(actor)}
    if not form.is_valid():
        return render(request, "referrals/le/tip_list.html", {**context, "filtered": True}, status=400)
    data = form.cleaned_data
    tips = policies.visible_tips(actor).select_related("assigned_to")
    if not data["status"]:
        tips = tips.filter(status__in=OPEN_TIP_STATUSES)
    elif data["status"] != "all":
        tips = tips.filter(status=data["status"])
    if data["urgency"]:
        tips = tips.filter(urgency=data["urgency"])
    if data["source"]:
        tips = tips.filter(source=data["source"])
    if data["mine"]:
        tips = tips.filter(assigned_to_id=actor.user_id)
    # The inbox keeps its own order (urgency, then age) unless a column is chosen.
    listing = paginate(
        request,
        tips,
        name="tips",
        columns=TIP_COLUMNS,
        default=TIP_ORDERS[data["order"]],
        default_name=data["order"],
        page_size=PAGE_SIZE,
    )
    page = listing.rows
    audit_record(action="tip.listed", actor=actor, detail={"count": len(page)})
    may_work = policies.can_work_tips(actor)
    triage = selectors.TriageClock.for_task_force_id(actor.task_force_id)
    rows = [
        {
            "tip": tip,
            "assignee": _person(tip.assigned_to) if tip.assigned_to_id else "",
            "open": tip.status in OPEN_TIP_STATUSES,
            "age": selectors.age_text(tip.received_at, triage.now),
            "overdue": triage.overdue(tip),
        }
        for tip in page
    ]
    views_connections.inbox_counts(actor, rows)
    assign_choices = (
        [(m.user_id, m.user.full_name or m.user.email) for m in le_member_choices(actor)] if may_work else []
    )
    return render(
        request,
        "referrals/le/tip_list.html",
        {
            **context,
            "rows": rows,
            "filtered": any(data[k] for k in ("status", "urgency", "source", "mine", "order")),
            "listing": listing,
            "can_work": may_work,
            "assign_choices": assign_choices,
        },
    )


@tenant_view
@require_http_methods(["GET", "POST"])
def tip_create_view(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    _require_le_area(actor)
    _allow(policies.can_work_tips(actor))
    form = TipForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            tip = services.tip_create(actor=actor, data=form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Tip logged. It is in the inbox as new.")
            return redirect(tf_url(actor, "tip-detail", tip_id=tip.pk))
    return _form_page(
        request,
        form,
        title="Log a tip",
        submit="Log tip",
        cancel_url=tf_url(actor, "tip-list"),
        crumbs=_tip_crumbs(actor),
        intro="Record what came in as told. Victim names are not needed here.",
    )


def _render_tip(request: HttpRequest, tip: Tip, *, status: int = 200, **forms_: Any) -> HttpResponse:
    actor = request.actor
    tip = policies.visible_tips(actor).select_related("assigned_to", "entered_by").get(pk=tip.pk)
    may_work = policies.can_work_tips(actor) and tip.status in OPEN_TIP_STATUSES
    investigation = None
    if tip.investigation_id:
        investigation = policies.visible_investigations(actor).filter(pk=tip.investigation_id).first()
    merged_from = list(policies.visible_tips(actor).filter(merged_into=tip).order_by("-received_at"))
    audit_record(action="tip.viewed", actor=actor, target=tip)
    context = {
        "tip": tip,
        "assignee": _person(tip.assigned_to),
        "entered_by": _person(tip.entered_by),
        "investigation": investigation,
        "merged_from": merged_from,
        "can_work": may_work,
        "can_convert": may_work and policies.is_le(actor),
        "triage_form": forms_.get("triage_form") or TriageForm(),
        "assign_form": forms_.get("assign_form") or (TipAssignForm(actor=actor) if may_work else None),
        "close_form": forms_.get("close_form") or TipCloseForm(),
        "errors": forms_.get("errors"),
        **views_connections.tip_page_context(actor, tip),
    }
    return render(request, "referrals/le/tip_detail.html", context, status=status)


@tenant_view
@require_GET
def tip_detail_view(request: HttpRequest, tip_id: uuid.UUID) -> HttpResponse:
    return _render_tip(request, policies.access_tip(request.actor, tip_id))


@tenant_view
@require_POST
def tip_triage_view(request: HttpRequest, tip_id: uuid.UUID) -> HttpResponse:
    tip = _workable_tip(request, tip_id)
    form = TriageForm(request.POST)
    if form.is_valid():
        data: dict[str, Any] = {"status": Tip.Status.TRIAGED}
        if form.cleaned_data["urgency"]:
            data["urgency"] = form.cleaned_data["urgency"]
        try:
            services.tip_update(actor=request.actor, tip=tip, data=data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Tip marked triaged.")
            return _to_tip(request, tip)
    return _render_tip(request, tip, status=400, triage_form=form, errors=form.errors)


@tenant_view
@require_POST
def tip_assign_view(request: HttpRequest, tip_id: uuid.UUID) -> HttpResponse:
    tip = _workable_tip(request, tip_id)
    form = TipAssignForm(request.POST, actor=request.actor)
    if form.is_valid():
        membership = form.cleaned_data["user"]
        try:
            services.tip_assign(actor=request.actor, tip=tip, user=membership.user)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"Tip assigned to {_person(membership.user)}.")
            return _to_tip(request, tip)
    return _render_tip(request, tip, status=400, assign_form=form, errors=form.errors)


@tenant_view
@require_http_methods(["GET", "POST"])
def tip_close_view(request: HttpRequest, tip_id: uuid.UUID) -> HttpResponse:
    tip = _workable_tip(request, tip_id)
    form = TipCloseForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.tip_close(actor=request.actor, tip=tip, reason=form.cleaned_data["close_reason"])
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Tip closed.")
            return _to_tip(request, tip)
    return _form_page(
        request,
        form,
        title="Close the tip",
        submit="Close tip",
        cancel_url=tf_url(request.actor, "tip-detail", tip_id=tip.pk),
        crumbs=_tip_crumbs(request.actor, tip),
    )


@tenant_view
@require_http_methods(["GET", "POST"])
def tip_merge_view(request: HttpRequest, tip_id: uuid.UUID) -> HttpResponse:
    tip = _workable_tip(request, tip_id)
    form = TipMergeForm(posted(request), actor=request.actor, tip=tip)
    if request.method == "POST" and form.is_valid():
        into = form.cleaned_data["into"]
        try:
            services.tip_merge(actor=request.actor, tip=tip, into=into)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Tip merged as a duplicate. Work continues on the tip it went into.")
            return redirect(tf_url(request.actor, "tip-detail", tip_id=into.pk))
    return _form_page(
        request,
        form,
        title="Merge a duplicate tip",
        submit="Merge",
        cancel_url=tf_url(request.actor, "tip-detail", tip_id=tip.pk),
        crumbs=_tip_crumbs(request.actor, tip),
        intro="This tip is closed as a duplicate and points to the one you keep. "
        "The list shows the 100 most recent open tips.",
    )


@tenant_view
@require_http_methods(["GET", "POST"])
def tip_convert_view(request: HttpRequest, tip_id: uuid.UUID) -> HttpResponse:
    actor = request.actor
    tip = _workable_tip(request, tip_id)
    _allow(policies.is_le(actor))
    form = TipConvertForm(posted(request), actor=actor)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["investigation"] is not None:
                investigation = services.tip_convert(
                    actor=actor, tip=tip, investigation=data["investigation"]
                )
            else:
                title = data["title"] or " ".join(
                    part for part in ("Tip", _local(tip.received_at)[:10], tip.city) if part
                )
                investigation = services.tip_convert(
                    actor=actor,
                    tip=tip,
                    data={
                        "case_number": data["case_number"],
                        "title": title,
                        "lead_agency": data["lead_agency"],
                        "restricted": data["restricted"],
                    },
                )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Tip converted. It is linked to the investigation.")
            return redirect(tf_url(actor, "investigation-detail", investigation_id=investigation.pk))
    return _form_page(
        request,
        form,
        title="Convert the tip into an investigation",
        submit="Convert",
        cancel_url=tf_url(actor, "tip-detail", tip_id=tip.pk),
        crumbs=_tip_crumbs(actor, tip),
        intro="Open a new investigation from this tip (you join its team), or link the tip to one "
        "you already work on.",
    )


# ------------------------------------------------------------------------------ investigations


def _investigation_crumbs(actor: Actor, investigation: Investigation | None = None) -> list[tuple[str, str]]:
    crumbs = [("Investigations", tf_url(actor, "investigation-list"))]
    if investigation is not None:
        crumbs.append(
            (
                investigation.case_number,
                tf_url(actor, "investigation-detail", investigation_id=investigation.pk),
            )
        )
    return crumbs


def _to_investigation(actor: Actor, investigation: Investigation, anchor: str = "") -> HttpResponse:
    url = tf_url(actor, "investigation-detail", investigation_id=investigation.pk)
    return redirect(f"{url}#{anchor}" if anchor else url)


def _editable_investigation(request: HttpRequest, investigation_id: uuid.UUID) -> Investigation:
    investigation = policies.access_investigation(request.actor, investigation_id)
    _allow(policies.can_edit_investigation(request.actor, investigation))
    return investigation


def _le_investigation(request: HttpRequest, investigation_id: uuid.UUID) -> Investigation:
    """Suspects, victims and arrests: LE only (404 otherwise), then may they write (403)."""
    _require_le(request.actor)
    return _editable_investigation(request, investigation_id)


def _team_ids(actor: Actor) -> QuerySet:
    return granted_ids(actor, policies.TEAM, Investigation)


@tenant_view
@require_GET
def investigation_list_view(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    _require_le_area(actor)
    form = InvestigationFilterForm(request.GET)
    context: dict[str, Any] = {"form": form, "rows": [], "can_create": policies.is_le(actor)}
    if not form.is_valid():
        return render(
            request, "referrals/le/investigation_list.html", {**context, "filtered": True}, status=400
        )
    data = form.cleaned_data
    investigations = policies.visible_investigations(actor).select_related("lead_agency")
    if not data["status"]:
        investigations = investigations.filter(status__in=ACTIVE_INVESTIGATIONS)
    elif data["status"] != "all":
        investigations = investigations.filter(status=data["status"])
    if data["mine"]:
        investigations = investigations.filter(pk__in=_team_ids(actor))
    listing = _listing(request, investigations, "investigations", INVESTIGATION_COLUMNS)
    page = listing.rows
    audit_record(action="investigation.listed", actor=actor, detail={"count": len(page)})
    return render(
        request,
        "referrals/le/investigation_list.html",
        {
            **context,
            "rows": page,
            "filtered": any(data[k] for k in ("status", "mine")),
            "listing": listing,
        },
    )


@tenant_view
@require_http_methods(["GET", "POST"])
def investigation_create_view(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    _require_le_area(actor)
    _allow(policies.is_le(actor))
    form = InvestigationForm(posted(request), actor=actor, today=today_for(actor))
    if request.method == "POST" and form.is_valid():
        try:
            investigation = services.investigation_create(actor=actor, data=form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Investigation opened. You are on its team.")
            return _to_investigation(actor, investigation)
    return _form_page(
        request,
        form,
        title="Open an investigation",
        submit="Open investigation",
        cancel_url=tf_url(actor, "investigation-list"),
        crumbs=_investigation_crumbs(actor),
    )


def _render_investigation(
    request: HttpRequest, investigation: Investigation, *, status: int = 200, **forms_: Any
) -> HttpResponse:
    actor = request.actor
    le = policies.is_le(actor)
    team = services.team_members(actor=actor, investigation=investigation)
    may_edit = policies.can_edit_investigation(actor, investigation)
    may_manage = policies.can_manage_team(actor, investigation)
    suspects = (
        # Names are encrypted: sorted here, not in SQL (an investigation's suspects are few).
        sorted(
            policies.visible_suspects(actor).filter(investigation=investigation).order_by("created_at"),
            key=lambda s: s.full_name.casefold(),
        )
        if le
        else []
    )
    names = {suspect.pk: suspect.full_name for suspect in suspects}
    arrests = (
        [
            {
                "arrest": arrest,
                "suspect": names.get(arrest.suspect_id, ""),
                "agency": arrest.arresting_agency.name,
            }
            for arrest in policies.visible_arrests(actor)
            .filter(investigation=investigation)
            .select_related("arresting_agency")
            .order_by("-arrested_on")
        ]
        if le
        else []
    )
    context = {
        "investigation": investigation,
        "team": [
            {"membership": m, "name": _person(m.user), "agency": m.agency.name, "role": m.get_role_display()}
            for m in team
        ],
        "is_le": le,
        "suspects": suspects,
        "victims": list(
            policies.visible_identified_victims(actor)
            .filter(investigation=investigation)
            .order_by("-identified_on")
        )
        if le
        else [],
        "arrests": arrests,
        "alerts": list(
            policies.visible_deconfliction_alerts(actor)
            .filter(investigation=investigation)
            .select_related("matched_agency")
            .order_by("-created_at")[:20]
        ),
        "tips": list(
            policies.visible_tips(actor).filter(investigation=investigation).order_by("-received_at")
        ),
        "prosecutions": list(
            policies.visible_prosecutions(actor).filter(investigation=investigation).order_by("-filed_on")
        ),
        "can_edit": may_edit,
        "can_manage_team": may_manage,
        "can_prosecute": actor.role in policies.PROSECUTION_WRITERS,
    }
    if may_manage:
        context["team_form"] = forms_.get("team_form") or TeamAddForm(
            actor=actor, exclude=[m.pk for m in team]
        )
    context["team_errors"] = forms_.get("team_errors")
    context.update(investigation_certifications(actor, investigation))
    audit_record(action="investigation.viewed", actor=actor, target=investigation)
    return render(request, "referrals/le/investigation_detail.html", context, status=status)


@tenant_view
@require_GET
def investigation_detail_view(request: HttpRequest, investigation_id: uuid.UUID) -> HttpResponse:
    return _render_investigation(request, policies.access_investigation(request.actor, investigation_id))


@tenant_view
@require_http_methods(["GET", "POST"])
def investigation_edit_view(request: HttpRequest, investigation_id: uuid.UUID) -> HttpResponse:
    actor = request.actor
    investigation = _editable_investigation(request, investigation_id)
    initial = {
        "title": investigation.title,
        "trafficking_type": investigation.trafficking_type,
        "status": investigation.status,
        "closed_on": investigation.closed_on,
        "restricted": investigation.restricted,
        "summary": investigation.summary,
    }
    form = InvestigationEditForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.investigation_update(actor=actor, investigation=investigation, data=form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Investigation saved.")
            return _to_investigation(actor, investigation)
    return _form_page(
        request,
        form,
        title=f"Edit {investigation.case_number}",
        submit="Save",
        cancel_url=tf_url(actor, "investigation-detail", investigation_id=investigation.pk),
        crumbs=_investigation_crumbs(actor, investigation),
    )


def _team_investigation(request: HttpRequest, investigation_id: uuid.UUID) -> Investigation:
    investigation = policies.access_investigation(request.actor, investigation_id)
    _allow(policies.can_manage_team(request.actor, investigation))
    return investigation


@tenant_view
@require_POST
def investigation_team_add_view(request: HttpRequest, investigation_id: uuid.UUID) -> HttpResponse:
    actor = request.actor
    investigation = _team_investigation(request, investigation_id)
    form = TeamAddForm(request.POST, actor=actor)
    if form.is_valid():
        membership = form.cleaned_data["membership"]
        try:
            services.team_add(actor=actor, investigation=investigation, membership=membership)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"{_person(membership.user)} joined the team.")
            return _to_investigation(actor, investigation, "team")
    return _render_investigation(request, investigation, status=400, team_form=form, team_errors=form.errors)


@tenant_view
@require_POST
def investigation_team_remove_view(request: HttpRequest, investigation_id: uuid.UUID) -> HttpResponse:
    actor = request.actor
    investigation = _team_investigation(request, investigation_id)
    form = TeamRemoveForm(request.POST, actor=actor)
    if form.is_valid():
        membership = form.cleaned_data["membership"]
        try:
            services.team_remove(actor=actor, investigation=investigation, membership=membership)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"{_person(membership.user)} left the team.")
            if not policies.visible_investigations(actor).filter(pk=investigation.pk).exists():
                # Took themselves off a restricted investigation: it is gone from their view.
                return redirect(tf_url(actor, "investigation-list"))
            return _to_investigation(actor, investigation, "team")
    return _render_investigation(request, investigation, status=400, team_errors=form.errors)


@tenant_view
@require_http_methods(["GET", "POST"])
def suspect_add_view(request: HttpRequest, investigation_id: uuid.UUID) -> HttpResponse:
    actor = request.actor
    investigation = _le_investigation(request, investigation_id)
    form = SuspectForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            _suspect, matches = services.suspect_add(
                actor=actor, investigation=investigation, data=form.cleaned_data
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Suspect recorded.")
            for text in matches:
                messages.warning(request, f"Deconfliction: {text}")
            return _to_investigation(actor, investigation, "suspects")
    return _form_page(
        request,
        form,
        title="Add a suspect",
        submit="Add suspect",
        cancel_url=tf_url(actor, "investigation-detail", investigation_id=investigation.pk),
        crumbs=_investigation_crumbs(actor, investigation),
        intro="Names, phone numbers, plates and handles are compared with every other investigation "
        "of the task force. A match tells you only which agency leads the other investigation.",
    )


@tenant_view
@require_http_methods(["GET", "POST"])
def victim_add_view(request: HttpRequest, investigation_id: uuid.UUID) -> HttpResponse:
    actor = request.actor
    investigation = _le_investigation(request, investigation_id)
    form = VictimForm(posted(request), investigation=investigation, today=today_for(actor))
    if request.method == "POST" and form.is_valid():
        try:
            services.victim_identify(actor=actor, investigation=investigation, data=form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Potential victim recorded.")
            return _to_investigation(actor, investigation, "victims")
    return _form_page(
        request,
        form,
        title="Record a potential victim identified",
        submit="Record",
        cancel_url=tf_url(actor, "investigation-detail", investigation_id=investigation.pk),
        crumbs=_investigation_crumbs(actor, investigation),
        intro="Seen by law enforcement only. To connect the person with services, send a referral.",
    )


@tenant_view
@require_http_methods(["GET", "POST"])
def arrest_add_view(request: HttpRequest, investigation_id: uuid.UUID) -> HttpResponse:
    actor = request.actor
    investigation = _le_investigation(request, investigation_id)
    form = ArrestForm(posted(request), actor=actor, investigation=investigation, today=today_for(actor))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.arrest_record(
                actor=actor,
                investigation=investigation,
                suspect=data["suspect"],
                arrested_on=data["arrested_on"],
                agency=data["agency"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Arrest recorded.")
            return _to_investigation(actor, investigation, "arrests")
    return _form_page(
        request,
        form,
        title="Record an arrest",
        submit="Record arrest",
        cancel_url=tf_url(actor, "investigation-detail", investigation_id=investigation.pk),
        crumbs=_investigation_crumbs(actor, investigation),
        no_suspects=not form.fields["suspect"].queryset.exists(),
    )


# -------------------------------------------------------------------------------- prosecutions


def _prosecution_crumbs(actor: Actor, prosecution: Prosecution | None = None) -> list[tuple[str, str]]:
    crumbs = [("Prosecutions", tf_url(actor, "prosecution-list"))]
    if prosecution is not None:
        crumbs.append(
            (
                prosecution.court_case_number,
                tf_url(actor, "prosecution-detail", prosecution_id=prosecution.pk),
            )
        )
    return crumbs


def _editable_prosecution(request: HttpRequest, prosecution_id: uuid.UUID) -> Prosecution:
    prosecution = policies.access_prosecution(request.actor, prosecution_id)
    _allow(policies.can_edit_prosecution(request.actor, prosecution))
    return prosecution


def _to_prosecution(actor: Actor, prosecution: Prosecution, anchor: str = "") -> HttpResponse:
    url = tf_url(actor, "prosecution-detail", prosecution_id=prosecution.pk)
    return redirect(f"{url}#{anchor}" if anchor else url)


@tenant_view
@require_GET
def prosecution_list_view(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    _require_le_area(actor)
    form = ProsecutionFilterForm(request.GET)
    if not form.is_valid():
        return render(
            request,
            "referrals/le/prosecution_list.html",
            {"form": form, "rows": [], "filtered": True},
            status=400,
        )
    data = form.cleaned_data
    prosecutions = policies.visible_prosecutions(actor).select_related("investigation")
    if not data["stage"]:
        prosecutions = prosecutions.exclude(stage=Prosecution.Stage.CLOSED)
    elif data["stage"] != "all":
        prosecutions = prosecutions.filter(stage=data["stage"])
    if data["venue"]:
        prosecutions = prosecutions.filter(venue=data["venue"])
    listing = _listing(request, prosecutions, "prosecutions", PROSECUTION_COLUMNS)
    page = listing.rows
    audit_record(action="prosecution.listed", actor=actor, detail={"count": len(page)})
    return render(
        request,
        "referrals/le/prosecution_list.html",
        {
            "form": form,
            "rows": page,
            "filtered": any(data[k] for k in ("stage", "venue")),
            "listing": listing,
            "today": today_for(actor),
        },
    )


@tenant_view
@require_http_methods(["GET", "POST"])
def prosecution_create_view(request: HttpRequest, investigation_id: uuid.UUID) -> HttpResponse:
    actor = request.actor
    investigation = policies.access_investigation(actor, investigation_id)
    _allow(actor.role in policies.PROSECUTION_WRITERS)
    form = ProsecutionForm(posted(request), today=today_for(actor))
    if request.method == "POST" and form.is_valid():
        try:
            prosecution = services.prosecution_create(
                actor=actor, investigation=investigation, data=form.cleaned_data
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Prosecution filed. Add the defendants and their charges.")
            return _to_prosecution(actor, prosecution)
    return _form_page(
        request,
        form,
        title=f"File a prosecution from {investigation.case_number}",
        submit="File prosecution",
        cancel_url=tf_url(actor, "investigation-detail", investigation_id=investigation.pk),
        crumbs=_investigation_crumbs(actor, investigation),
    )


@tenant_view
@require_GET
def prosecution_detail_view(request: HttpRequest, prosecution_id: uuid.UUID) -> HttpResponse:
    actor = request.actor
    prosecution = policies.access_prosecution(actor, prosecution_id)
    investigation = (
        policies.visible_investigations(actor)
        .select_related("lead_agency")
        .filter(pk=prosecution.investigation_id)
        .first()
    )
    defendants = list(
        policies.visible_defendants(actor)
        .filter(prosecution=prosecution)
        .order_by("charged_on", "created_at")
    )
    # Suspect identity is LE-only: the coordinator reads the prosecution without names.
    names = {
        suspect.pk: suspect.full_name
        for suspect in policies.visible_suspects(actor)
        .filter(pk__in=[d.suspect_id for d in defendants])
        .only("pk", "full_name")
    }
    charges: dict[uuid.UUID, list[Any]] = {}
    for charge in (
        policies.visible_charges(actor)
        .filter(defendant__in=[d.pk for d in defendants])
        .order_by("created_at")
    ):
        charges.setdefault(charge.defendant_id, []).append(charge)
    may_edit = policies.can_edit_prosecution(actor, prosecution)
    rows = [
        {
            "defendant": d,
            "number": index,
            "name": names.get(d.suspect_id, ""),
            "charges": charges.get(d.pk, []),
            "trafficking": any(c.is_trafficking for c in charges.get(d.pk, [])),
        }
        for index, d in enumerate(defendants, start=1)
    ]
    audit_record(action="prosecution.viewed", actor=actor, target=prosecution)
    return render(
        request,
        "referrals/le/prosecution_detail.html",
        {
            "prosecution": prosecution,
            "investigation": investigation,
            "rows": rows,
            "can_edit": may_edit,
            "is_le": policies.is_le(actor),
            "today": today_for(actor),
        },
    )


@tenant_view
@require_http_methods(["GET", "POST"])
def prosecution_edit_view(request: HttpRequest, prosecution_id: uuid.UUID) -> HttpResponse:
    actor = request.actor
    prosecution = _editable_prosecution(request, prosecution_id)
    initial = {
        "court": prosecution.court,
        "court_case_number": prosecution.court_case_number,
        "venue": prosecution.venue,
        "stage": prosecution.stage,
        "next_court_date": prosecution.next_court_date,
    }
    form = ProsecutionEditForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.prosecution_update(actor=actor, prosecution=prosecution, data=form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Prosecution saved.")
            return _to_prosecution(actor, prosecution)
    return _form_page(
        request,
        form,
        title=f"Edit {prosecution.court_case_number}",
        submit="Save",
        cancel_url=tf_url(actor, "prosecution-detail", prosecution_id=prosecution.pk),
        crumbs=_prosecution_crumbs(actor, prosecution),
    )


@tenant_view
@require_http_methods(["GET", "POST"])
def defendant_add_view(request: HttpRequest, prosecution_id: uuid.UUID) -> HttpResponse:
    actor = request.actor
    prosecution = _editable_prosecution(request, prosecution_id)
    form = DefendantForm(posted(request), actor=actor, prosecution=prosecution)
    if request.method == "POST" and form.is_valid():
        try:
            services.defendant_add(
                actor=actor,
                prosecution=prosecution,
                suspect=form.cleaned_data["suspect"],
                charged_on=form.cleaned_data["charged_on"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Defendant added. Add the charges next.")
            return _to_prosecution(actor, prosecution, "defendants")
    return _form_page(
        request,
        form,
        title="Add a defendant",
        submit="Add defendant",
        cancel_url=tf_url(actor, "prosecution-detail", prosecution_id=prosecution.pk),
        crumbs=_prosecution_crumbs(actor, prosecution),
        intro="Defendants come from the suspects of the investigation.",
        no_suspects=not form.fields["suspect"].queryset.exists(),
        investigation_url=tf_url(
            actor, "investigation-detail", investigation_id=prosecution.investigation_id
        ),
    )


def _defendant_of(request: HttpRequest, prosecution: Prosecution, defendant_id: uuid.UUID) -> Defendant:
    return get_or_not_found(
        policies.visible_defendants(request.actor).filter(prosecution=prosecution), defendant_id
    )


def _defendant_label(actor: Actor, defendant: Defendant) -> str:
    suspect = policies.visible_suspects(actor).filter(pk=defendant.suspect_id).only("pk", "full_name").first()
    return (suspect.full_name if suspect else "") or "the defendant"


@tenant_view
@require_http_methods(["GET", "POST"])
def charge_add_view(request: HttpRequest, prosecution_id: uuid.UUID, defendant_id: uuid.UUID) -> HttpResponse:
    actor = request.actor
    prosecution = policies.access_prosecution(actor, prosecution_id)
    defendant = _defendant_of(request, prosecution, defendant_id)
    _allow(policies.can_edit_prosecution(actor, prosecution))
    form = ChargeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.charge_add(actor=actor, defendant=defendant, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Charge added.")
            return _to_prosecution(actor, prosecution, "defendants")
    return _form_page(
        request,
        form,
        title=f"Add a charge against {_defendant_label(actor, defendant)}",
        submit="Add charge",
        cancel_url=tf_url(actor, "prosecution-detail", prosecution_id=prosecution.pk),
        crumbs=_prosecution_crumbs(actor, prosecution),
        statutes=sorted(STATUTE_SUGGESTIONS.items()),
    )


@tenant_view
@require_http_methods(["GET", "POST"])
def defendant_dispose_view(
    request: HttpRequest, prosecution_id: uuid.UUID, defendant_id: uuid.UUID
) -> HttpResponse:
    actor = request.actor
    prosecution = policies.access_prosecution(actor, prosecution_id)
    defendant = _defendant_of(request, prosecution, defendant_id)
    _allow(policies.can_edit_prosecution(actor, prosecution))
    initial = {
        "disposition": "" if defendant.disposition == "pending" else defendant.disposition,
        "disposition_on": defendant.disposition_on,
        "sentence": defendant.sentence,
    }
    form = DispositionForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.defendant_dispose(actor=actor, defendant=defendant, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Disposition recorded.")
            return _to_prosecution(actor, prosecution, "defendants")
    return _form_page(
        request,
        form,
        title=f"Disposition for {_defendant_label(actor, defendant)}",
        submit="Record disposition",
        cancel_url=tf_url(actor, "prosecution-detail", prosecution_id=prosecution.pk),
        crumbs=_prosecution_crumbs(actor, prosecution),
    )
