"""HTML screens of the bridge: referral inbox and outbox, the referral page and its decisions,
and the two "send a referral" forms (certification requests: ``referrals.views_certifications``).

Thin, like ``cases.views``: every object comes through ``referrals.policies`` or
``cases.policies`` (404 when not visible), every action is checked with ``can_*`` first (403
when visible but not allowed), every write goes through ``referrals.services`` (ValidationError
-> form errors and 400; ReferralConflict -> a 409 page, nothing changed). Every read and list is
written to the audit log: ``referral.viewed``, ``referral.listed`` (count).

What each side sees: the envelope (kind, agencies, status, dates) for everyone who sees the
referral; the payload only when ``can_read_payload``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import TextChoices
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.codes import ContactChannel, ServiceCategory
from cases.forms import ConsentForm
from cases.models import Case
from cases.policies import access_case, can_write_case, visible_cases, visible_identities
from cases.services import consent_record, today_for
from referrals import policies
from referrals.forms_bridge import (
    CaseReferralForm,
    DecideForm,
    ReferralFilterForm,
    ReferToServicesForm,
    add_service_errors,
)
from referrals.models import Referral
from referrals.services import (
    ReferralConflict,
    referral_accept,
    referral_complete,
    referral_decline,
    referral_send,
    referral_withdraw,
)
from referrals.sorting import REFERRAL_BOX_ORDER, REFERRAL_COLUMNS
from taskforce.access import VS_ROLES, Actor, NotFoundOrForbidden, get_or_not_found
from taskforce.audit import audit_record
from taskforce.listing import paginate
from taskforce.tenancy import tenant_view
from taskforce.web import form_status, tf_url


def _works_referrals(actor: Actor) -> bool:
    """LE roles, VS roles and the coordinator have referral screens; nobody else (404)."""
    return policies.is_le(actor) or actor.role in VS_ROLES or policies.is_coordinator(actor)


def _require_referral_user(actor: Actor) -> None:
    if not _works_referrals(actor):
        raise NotFoundOrForbidden


def _to_referral(request: HttpRequest, referral: Referral) -> HttpResponse:
    return redirect(tf_url(request.actor, "referral-detail", referral_id=referral.pk))


def _labels(choices: type[TextChoices], codes: list[str]) -> list[str]:
    labels = dict(choices.choices)
    return [labels.get(code, code) for code in codes]


# ------------------------------------------------------------------------------ inbox / outbox


def _referral_rows(actor: Actor, referrals: list[Referral], today: dt.date) -> list[dict[str, Any]]:
    rows = []
    for referral in referrals:
        sent_on = referral.created_at.date()
        end = referral.decided_at.date() if referral.decided_at else today
        rows.append(
            {
                "referral": referral,
                "payload": policies.can_read_payload(actor, referral),
                "age": max((end - sent_on).days, 0) if referral.status == Referral.Status.SENT else None,
                "sent_on": sent_on,
            }
        )
    return rows


def _referral_list(request: HttpRequest, *, box: str) -> HttpResponse:
    actor = request.actor
    _require_referral_user(actor)
    coordinator_view = box == "inbox" and policies.is_coordinator(actor)
    form = ReferralFilterForm(request.GET)
    context: dict[str, Any] = {"form": form, "box": box, "coordinator_view": coordinator_view}
    context["can_send"] = policies.is_le(actor) or policies.is_coordinator(actor)
    if not form.is_valid():
        return render(request, "referrals/bridge/list.html", {**context, "rows": []}, status=400)
    data = form.cleaned_data
    referrals = policies.visible_referrals(actor)
    if box == "outbox":
        referrals = referrals.filter(from_agency_id=actor.agency_id)
        if data["mine"]:
            referrals = referrals.filter(sent_by_id=actor.user_id)
    elif not coordinator_view:
        referrals = referrals.filter(to_agency_id=actor.agency_id)
    if data["status"]:
        referrals = referrals.filter(status=data["status"])
    listing = paginate(
        request, referrals, name=f"referrals-{box}", columns=REFERRAL_COLUMNS, default=REFERRAL_BOX_ORDER
    )
    chunk = listing.rows
    audit_record(action="referral.listed", actor=actor, detail={"count": len(chunk), "box": box})
    filtered = bool(data["status"] or data["mine"])
    return render(
        request,
        "referrals/bridge/list.html",
        {
            **context,
            "rows": _referral_rows(actor, chunk, today_for(actor)),
            "filtered": filtered,
            "listing": listing,
        },
    )


@tenant_view
@require_GET
def referral_inbox_view(request: HttpRequest) -> HttpResponse:
    """Received by my agency (the coordinator: every envelope of the task force)."""
    return _referral_list(request, box="inbox")


@tenant_view
@require_GET
def referral_outbox_view(request: HttpRequest) -> HttpResponse:
    """Sent by my agency."""
    return _referral_list(request, box="outbox")


# ------------------------------------------------------------------------------ referral page


def _render_referral(
    request: HttpRequest, referral: Referral, *, decline_form: DecideForm | None = None, status: int = 200
) -> HttpResponse:
    actor = request.actor
    payload = policies.can_read_payload(actor, referral)
    may_decide = policies.can_decide_referral(actor, referral)
    waiting = referral.status == Referral.Status.SENT
    context: dict[str, Any] = {
        "referral": referral,
        "payload": payload,
        "needs": _labels(ServiceCategory, referral.needs) if payload else [],
        "unsafe": _labels(ContactChannel, referral.unsafe_channels) if payload else [],
        "can_accept": may_decide and waiting,
        "can_decline": may_decide and waiting,
        "can_complete": may_decide and referral.status == Referral.Status.ACCEPTED,
        "can_withdraw": policies.can_withdraw_referral(actor, referral) and waiting,
        "decline_form": decline_form or DecideForm(),
        "sent_on": referral.created_at,
        "age": (today_for(actor) - referral.created_at.date()).days if waiting else None,
        "resulting_case": None,
        "source_case": None,
        "investigation": None,
    }
    if payload:
        context["sent_by"] = referral.sent_by.full_name or referral.sent_by.email
        if referral.decided_by_id:
            context["decided_by"] = referral.decided_by.full_name or referral.decided_by.email
    # Links into the reader's own side only, each through its own policy.
    if referral.resulting_case_id and actor.role in VS_ROLES:
        context["resulting_case"] = visible_cases(actor).filter(pk=referral.resulting_case_id).first()
    if referral.from_agency_id == actor.agency_id:
        if referral.case_id and actor.role in VS_ROLES:
            context["source_case"] = visible_cases(actor).filter(pk=referral.case_id).first()
        if referral.investigation_id:
            context["investigation"] = (
                policies.visible_investigations(actor).filter(pk=referral.investigation_id).first()
            )
    audit_record(action="referral.viewed", actor=actor, target=referral)
    return render(request, "referrals/bridge/detail.html", context, status=status)


@tenant_view
@require_GET
def referral_detail_view(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    actor = request.actor
    _require_referral_user(actor)
    return _render_referral(request, policies.access_referral(actor, referral_id))


def _locked_referral(actor: Actor, referral_id: uuid.UUID) -> Referral:
    """The referral, row-locked for the rest of the request's transaction, so two people
    deciding at once get one decision and one 409."""
    _require_referral_user(actor)
    return get_or_not_found(policies.visible_referrals(actor).select_for_update(of=("self",)), referral_id)


def _conflict(request: HttpRequest, referral: Referral, message: str) -> HttpResponse:
    return render(
        request,
        "referrals/bridge/conflict.html",
        {"message": message, "back_url": tf_url(request.actor, "referral-detail", referral_id=referral.pk)},
        status=409,
    )


def _already(referral: Referral) -> str:
    return (
        f"This referral is already {referral.get_status_display().lower()}: nothing was changed. "
        "Someone may have decided it while you were looking at it."
    )


@tenant_view
@require_POST
def referral_accept_view(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    actor = request.actor
    referral = _locked_referral(actor, referral_id)
    if not policies.can_decide_referral(actor, referral):
        raise PermissionDenied
    try:
        referral_accept(actor=actor, referral=referral)
    except ReferralConflict:
        return _conflict(request, referral, _already(referral))
    if referral.resulting_case_id:
        messages.success(request, "Referral accepted. A new case is open in your agency for this client.")
    else:
        messages.success(request, "Referral accepted.")
    return _to_referral(request, referral)


@tenant_view
@require_POST
def referral_decline_view(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    actor = request.actor
    referral = _locked_referral(actor, referral_id)
    if not policies.can_decide_referral(actor, referral):
        raise PermissionDenied
    form = DecideForm(request.POST)
    if referral.status != Referral.Status.SENT:
        return _conflict(request, referral, _already(referral))
    if form.is_valid():
        try:
            referral_decline(actor=actor, referral=referral, reason=form.cleaned_data["reason"])
        except ReferralConflict:
            return _conflict(request, referral, _already(referral))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Referral declined. The sending agency sees your reason.")
            return _to_referral(request, referral)
    return _render_referral(request, referral, decline_form=form, status=400)


@tenant_view
@require_POST
def referral_withdraw_view(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    actor = request.actor
    referral = _locked_referral(actor, referral_id)
    if not policies.can_withdraw_referral(actor, referral):
        raise PermissionDenied
    try:
        referral_withdraw(actor=actor, referral=referral)
    except ReferralConflict:
        return _conflict(request, referral, _already(referral))
    messages.success(request, "Referral withdrawn.")
    return _to_referral(request, referral)


@tenant_view
@require_POST
def referral_complete_view(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    actor = request.actor
    referral = _locked_referral(actor, referral_id)
    if not policies.can_decide_referral(actor, referral):
        raise PermissionDenied
    try:
        referral_complete(actor=actor, referral=referral)
    except ReferralConflict:
        message = (
            "Only an accepted referral can be marked completed: nothing was changed."
            if referral.status == Referral.Status.SENT
            else _already(referral)
        )
        return _conflict(request, referral, message)
    messages.success(request, "Referral marked completed.")
    return _to_referral(request, referral)


# ---------------------------------------------------------------------------- sending referrals


@tenant_view
@require_http_methods(["GET", "POST"])
def referral_new_view(request: HttpRequest) -> HttpResponse:
    """Law enforcement or the coordinator refers a victim identified to victim services."""
    actor = request.actor
    _require_referral_user(actor)
    if not (policies.is_le(actor) or policies.is_coordinator(actor)):
        raise PermissionDenied  # victim services refer from a case
    form = ReferToServicesForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            referral = referral_send(
                actor=actor,
                to_agency=form.cleaned_data["to_agency"],
                payload=form.payload(),
                investigation=form.cleaned_data["investigation"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Referral sent to {referral.to_agency.name}.")
            return _to_referral(request, referral)
    return render(
        request,
        "referrals/bridge/send.html",
        {
            "form": form,
            "title": "Refer a victim to services",
            "intro": "Send only what the agency needs to make contact: a first name or alias, "
            "language, a safe way to reach the person, needs and urgency. The receiving agency "
            "sees exactly what you write here, nothing else from your records.",
            "cancel_url": tf_url(actor, "referral-outbox"),
        },
        status=form_status(form),
    )


def _writable_case(actor: Actor, case_id: uuid.UUID) -> Case:
    case = access_case(actor, case_id)
    if not can_write_case(actor, case):
        raise PermissionDenied
    return case


def _safety_summary(actor: Actor, case: Case) -> list[str]:
    """What of the client's safety profile the referral will carry (always, whatever the release)."""
    identity = visible_identities(actor).filter(client_id=case.client_id).first()
    if identity is None:
        return []
    channels = dict(ContactChannel.choices)
    lines = [f"Never contact by {channels.get(c, c).lower()}" for c in identity.unsafe_channels]
    if identity.address_confidential:
        lines.append("Address confidentiality program")
    if identity.safe_contact:
        lines.append(f"Safe ways and times: {identity.safe_contact}")
    return lines


def _case_name(actor: Actor, case: Case) -> str:
    identity = visible_identities(actor).filter(client_id=case.client_id).first()
    return identity.display_name if identity else "(no name)"


REFERRAL_FIELDS = ("to_agency", "summary", "name_or_alias", "language", "safe_contact", "needs", "urgency")


def _typed(post: Any) -> dict[str, Any]:
    """What the person typed into the referral form, to put back after recording a release."""
    typed: dict[str, Any] = {name: post.get(name, "") for name in REFERRAL_FIELDS if name != "needs"}
    typed["needs"] = post.getlist("needs")
    return typed


@tenant_view
@require_http_methods(["GET", "POST"])
def case_referral_new_view(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Victim services refer a client from a case, under a current release naming the receiver.

    With no current release, the page records one in place ("Record the release"): the referral
    typed so far comes back as it was, with the new release chosen, so nothing typed is lost."""
    actor = request.actor
    case = _writable_case(actor, case_id)
    recording = request.method == "POST" and "record_release" in request.POST
    release = ConsentForm(
        request.POST if recording else None, actor=actor, today=today_for(actor), prefix="release"
    )
    status_code: int | None = None
    if recording:
        initial = _typed(request.POST)
        if release.is_valid():
            try:
                consent = consent_record(actor=actor, case=case, **release.cleaned_data)
            except ValidationError as exc:
                release.add_error(None, exc)
            else:
                initial.update(
                    consent=consent.pk, to_agency=initial["to_agency"] or consent.recipient_agency_id
                )
                messages.success(request, "Release of information recorded. Your referral is as you left it.")
                release = ConsentForm(None, actor=actor, today=today_for(actor), prefix="release")
        form = CaseReferralForm(None, actor=actor, case=case, initial=initial)
        status_code = 200 if not release.is_bound else 400
    else:
        form = CaseReferralForm(request.POST or None, actor=actor, case=case)
    if request.method == "POST" and not recording and form.is_valid():
        try:
            referral = referral_send(
                actor=actor,
                to_agency=form.cleaned_data["to_agency"],
                payload=form.payload(),
                case=case,
                consent=form.cleaned_data["consent"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Referral sent to {referral.to_agency.name}.")
            return _to_referral(request, referral)
    return render(
        request,
        "referrals/bridge/send.html",
        {
            "form": form,
            "case": case,
            "name": _case_name(actor, case),
            "title": "Refer this client",
            "intro": "The client's release must name the receiving agency and cover everything you "
            "send: the client's names need “Name and date of birth”, the summary needs “Case "
            "summary and needs”. Nothing else from the case is sent, and privileged notes never are.",
            "safety": _safety_summary(actor, case),
            "no_consent": not form.has_valid_consent,
            "release_form": release,
            "cancel_url": tf_url(actor, "case-detail", case_id=case.pk),
        },
        status=status_code or form_status(form),
    )
