"""HTML screens of the certification round: the tracker, the request page with its decision,
starting a request from a case or from an investigation, linking the investigation, sharing the
victim reference under a release after the request went.

Thin like ``referrals.views_bridge``: objects come through the policies (404 when not visible),
actions are checked with ``can_*`` first (403 when visible but not allowed), writes go through
``referrals.certifications`` (ValidationError -> form errors and 400; ReferralConflict -> 409).
Reads are audited: ``certification.viewed``, ``certification.listed`` (count).

What each reader sees is decided by ``referrals.policies``: the victim reference
(``readable_victim_references``), the linked investigation (``certification_investigation``:
a restricted one outside its team shows only its lead agency); the case only to victim services.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.policies import visible_cases, visible_identities
from cases.services import today_for
from referrals import policies
from referrals.certifications import (
    certification_link_investigation,
    certification_request,
    certification_request_from_investigation,
    certification_set_status,
    certification_share_release,
    deadline_label,
)
from referrals.codes import CertificationKind
from referrals.forms_bridge import add_service_errors
from referrals.forms_certifications import (
    CaseCertificationForm,
    CertificationFilterForm,
    CertificationLinkForm,
    CertificationReleaseForm,
    CertificationStatusForm,
    InvestigationCertificationForm,
)
from referrals.models import CertificationRequest, Investigation
from referrals.services import ReferralConflict
from referrals.sorting import CERTIFICATION_COLUMNS, CERTIFICATION_ORDER
from referrals.views_bridge import _case_name, _writable_case
from taskforce.access import VS_ROLES, Actor, NotFoundOrForbidden, get_or_not_found
from taskforce.audit import audit_record
from taskforce.listing import paginate
from taskforce.tenancy import tenant_view
from taskforce.web import form_status, tf_url

DUE_SOON_DAYS = 7
OPEN = (CertificationRequest.Status.REQUESTED, CertificationRequest.Status.UNDER_REVIEW)


def _require_certification_user(actor: Actor) -> None:
    if not (policies.is_le(actor) or actor.role in VS_ROLES):
        raise NotFoundOrForbidden


def _due_state(request_: CertificationRequest, today: dt.date) -> str:
    if request_.status not in OPEN or request_.due_on is None:
        return ""
    if request_.due_on < today:
        return "overdue"
    if request_.due_on <= today + dt.timedelta(days=DUE_SOON_DAYS):
        return "soon"
    return ""


def _case_names(actor: Actor, requests: list[CertificationRequest]) -> dict[uuid.UUID, dict[str, Any]]:
    """Victim services only: the client's name for each request's case, through the case
    policies (two queries). Law enforcement never gets here."""
    if actor.role not in VS_ROLES or not requests:
        return {}
    cases = dict(
        visible_cases(actor).filter(pk__in={r.case_id for r in requests}).values_list("pk", "client_id")
    )
    names = {
        identity.client_id: identity.display_name
        for identity in visible_identities(actor).filter(client_id__in=set(cases.values()))
    }
    return {
        case_id: {"id": case_id, "name": names.get(client_id, "(no name)")}
        for case_id, client_id in cases.items()
    }


def investigation_certifications(actor: Actor, investigation: Investigation) -> dict[str, Any]:
    """For the investigation page: the requests linked to it that the actor sees, and whether
    they may start one."""
    requests = list(
        policies.visible_certifications(actor).filter(investigation=investigation).order_by("-requested_on")
    )
    return {
        "certifications": requests,
        "can_request_certification": policies.can_request_certification(actor, investigation),
    }


@tenant_view
@require_GET
def certification_list_view(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    _require_certification_user(actor)
    form = CertificationFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "referrals/bridge/cert_list.html", {"form": form, "rows": []}, status=400)
    show = form.cleaned_data["show"] or "all"
    requests = policies.visible_certifications(actor)
    if show == "open":
        requests = requests.filter(status__in=OPEN)
    listing = paginate(
        request, requests, name="certifications", columns=CERTIFICATION_COLUMNS, default=CERTIFICATION_ORDER
    )
    chunk = listing.rows
    audit_record(action="certification.listed", actor=actor, detail={"count": len(chunk)})
    today = today_for(actor)
    cases = _case_names(actor, chunk)
    readable = policies.readable_victim_references(actor, chunk) if policies.is_le(actor) else set()
    rows = [
        {
            "request": r,
            "due": _due_state(r, today),
            "case": cases.get(r.case_id),
            "victim": r.victim_name if r.pk in readable else "",
        }
        for r in chunk
    ]
    return render(
        request,
        "referrals/bridge/cert_list.html",
        {
            "form": form,
            "show": show,
            "rows": rows,
            "is_vs": actor.role in VS_ROLES,
            "listing": listing,
        },
    )


def _status_choices(actor: Actor, request_: CertificationRequest) -> list[tuple[str, str]]:
    if request_.status not in OPEN:
        return []
    choices = []
    requested = request_.status == CertificationRequest.Status.REQUESTED
    if requested and policies.can_review_certification(actor, request_):
        choices.append((CertificationRequest.Status.UNDER_REVIEW, "Mark under review"))
    if policies.can_decide_certification(actor, request_):
        choices += [
            (CertificationRequest.Status.SIGNED, "Signed"),
            (CertificationRequest.Status.DECLINED, "Declined"),
        ]
    return choices


def _render_certification(
    request: HttpRequest,
    request_: CertificationRequest,
    *,
    status: int = 200,
    **forms: Any,
) -> HttpResponse:
    actor = request.actor
    is_vs = actor.role in VS_ROLES
    investigation, lead_agency = policies.certification_investigation(actor, request_)
    may_link = policies.can_link_certification_investigation(actor, request_)
    context: dict[str, Any] = {
        "request_": request_,
        "due": _due_state(request_, today_for(actor)),
        "choices": _status_choices(actor, request_),
        "can_decide": policies.can_decide_certification(actor, request_) and request_.status in OPEN,
        "status_form": forms.get("status_form")
        or CertificationStatusForm(initial={"reference": request_.reference}),
        "victim": policies.can_read_victim_reference(actor, request_),
        "case": _case_names(actor, [request_]).get(request_.case_id) if is_vs else None,
        "investigation": investigation,
        "lead_agency": lead_agency,
        "deadline_label": deadline_label(request_),
        "is_vs": is_vs,
        "is_certifier": policies.is_le(actor) and actor.agency_id == request_.certifying_agency_id,
        "decided_by": request_.decided_by.get_full_name() if request_.decided_by_id else "",
    }
    if may_link:
        context["link_form"] = forms.get("link_form") or CertificationLinkForm(actor=actor)
    if policies.can_share_certification_release(actor, request_):
        release_form = forms.get("release_form") or CertificationReleaseForm(actor=actor, case=request_.case)
        context["release_form"] = release_form
    audit_record(action="certification.viewed", actor=actor, target=request_)
    return render(request, "referrals/bridge/cert_detail.html", context, status=status)


def _visible(actor: Actor, request_id: uuid.UUID, *, lock: bool = False) -> CertificationRequest:
    _require_certification_user(actor)
    requests = policies.visible_certifications(actor).select_related("decided_by")
    if lock:
        requests = requests.select_for_update(of=("self",))
    return get_or_not_found(requests, request_id)


def _to_request(actor: Actor, request_: CertificationRequest) -> HttpResponse:
    return redirect(tf_url(actor, "certification-detail", request_id=request_.pk))


@tenant_view
@require_GET
def certification_detail_view(request: HttpRequest, request_id: uuid.UUID) -> HttpResponse:
    return _render_certification(request, _visible(request.actor, request_id))


@tenant_view
@require_POST
def certification_status_view(request: HttpRequest, request_id: uuid.UUID) -> HttpResponse:
    actor = request.actor
    request_ = _visible(actor, request_id, lock=True)
    if not policies.can_review_certification(actor, request_):
        raise PermissionDenied
    form = CertificationStatusForm(request.POST)
    if not form.is_valid():
        return _render_certification(request, request_, status_form=form, status=400)
    data = form.cleaned_data
    if data["status"] != CertificationRequest.Status.UNDER_REVIEW and not policies.can_decide_certification(
        actor, request_
    ):
        raise PermissionDenied
    try:
        certification_set_status(actor=actor, request=request_, **data)
    except ReferralConflict:
        return render(
            request,
            "referrals/bridge/conflict.html",
            {
                "message": f"This request is already {request_.get_status_display().lower()}: "
                "nothing was changed.",
                "back_url": tf_url(actor, "certification-detail", request_id=request_.pk),
            },
            status=409,
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _render_certification(request, request_, status_form=form, status=400)
    messages.success(request, f"Marked {request_.get_status_display().lower()}.")
    return _to_request(actor, request_)


@tenant_view
@require_POST
def certification_link_view(request: HttpRequest, request_id: uuid.UUID) -> HttpResponse:
    actor = request.actor
    request_ = _visible(actor, request_id)
    if not policies.can_link_certification_investigation(actor, request_):
        raise PermissionDenied
    form = CertificationLinkForm(request.POST, actor=actor)
    if form.is_valid():
        try:
            certification_link_investigation(
                actor=actor, request=request_, investigation=form.cleaned_data["investigation"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Investigation linked.")
            return _to_request(actor, request_)
    return _render_certification(request, request_, link_form=form, status=400)


@tenant_view
@require_POST
def certification_release_view(request: HttpRequest, request_id: uuid.UUID) -> HttpResponse:
    actor = request.actor
    request_ = _visible(actor, request_id)
    if not policies.can_share_certification_release(actor, request_):
        raise PermissionDenied
    form = CertificationReleaseForm(request.POST, actor=actor, case=request_.case)
    if form.is_valid():
        try:
            certification_share_release(actor=actor, request=request_, consent=form.cleaned_data["consent"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The certifying agency now sees the client's name and birth date.")
            return _to_request(actor, request_)
    return _render_certification(request, request_, release_form=form, status=400)


def _sent(request: HttpRequest, request_: CertificationRequest) -> HttpResponse:
    messages.success(
        request,
        f"{CertificationKind(request_.kind).label} requested from {request_.certifying_agency.name}.",
    )
    return _to_request(request.actor, request_)


@tenant_view
@require_http_methods(["GET", "POST"])
def case_certification_new_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """A victim-services agency asks a certifying LE agency for a Supplement B or Continued
    Presence, with the client's name and birth date only under a release naming that agency."""
    actor = request.actor
    case = _writable_case(actor, case_id)
    form = CaseCertificationForm(request.POST or None, actor=actor, today=today_for(actor), case=case)
    if request.method == "POST" and form.is_valid():
        try:
            request_ = certification_request(actor=actor, case=case, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _sent(request, request_)
    return render(
        request,
        "referrals/bridge/cert_new.html",
        {
            "form": form,
            "case": case,
            "name": _case_name(actor, case),
            "title": "Request certification",
            "intro": "The certifying agency sees the kind of request, your agency and the dates. It sees "
            "the client's name and date of birth only under a current release naming it; nothing "
            "else from the case. Send the declaration itself through your usual channel.",
            "no_release": not form.has_release,
            "cancel_url": tf_url(actor, "case-detail", case_id=case.pk),
        },
        status=form_status(form),
    )


@tenant_view
@require_http_methods(["GET", "POST"])
def investigation_certification_new_view(request: HttpRequest, investigation_id: uuid.UUID) -> HttpResponse:
    """An investigator asks a certifying agency (their own or another LE agency) to certify a
    victim identified in the investigation."""
    actor = request.actor
    investigation = policies.access_investigation(actor, investigation_id)
    if not policies.can_request_certification(actor, investigation):
        raise PermissionDenied
    form = InvestigationCertificationForm(
        request.POST or None, actor=actor, today=today_for(actor), investigation=investigation
    )
    if request.method == "POST" and form.is_valid():
        try:
            request_ = certification_request_from_investigation(
                actor=actor, investigation=investigation, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _sent(request, request_)
    return render(
        request,
        "referrals/bridge/cert_new.html",
        {
            "form": form,
            "investigation": investigation,
            "title": f"Request certification · {investigation.case_number}",
            "intro": "The certifying agency sees the kind of request, the victim's name or alias, the "
            "dates and this investigation if it may (a restricted one only its team and LE "
            "supervisors; others learn only which agency leads it).",
            "no_victims": not form.has_victims,
            "cancel_url": tf_url(actor, "investigation-detail", investigation_id=investigation.pk),
        },
        status=form_status(form),
    )
