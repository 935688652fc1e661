"""Certification requests, the whole round: started from a victim-services case or from an
investigation, decided by the certifying agency (signed or declined with a reason, by whom, on
which day), then the USCIS deadline that follows and the signed form still to be attached.

Each service takes the acting ``actor``, re-checks the policy (PermissionDenied -> 403 at the
edges), validates (ValidationError with field errors -> 400), writes and audits. A request
already signed or declined is final (``ReferralConflict`` -> 409).

Logged (codes and ids only, never names, reasons or references): ``certification.requested``
(kind, origin, whether a victim reference travels), ``certification.status_changed`` (status),
``certification.investigation_linked``, ``certification.release_shared``.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cases.models import Case, Consent
from cases.policies import can_write_case, visible_identities
from cases.services import today_for
from referrals import policies
from referrals.codes import CertificationKind
from referrals.models import CertificationRequest, IdentifiedVictim, Investigation
from referrals.services import ReferralConflict, _agency, _require
from taskforce.access import VS_ROLES, Actor, Side
from taskforce.audit import audit_record
from taskforce.models import Agency, User

Status = CertificationRequest.Status
FINAL = (Status.SIGNED, Status.DECLINED)

# 8 CFR 214.14(c)(2)(i): Form I-918 Supplement B must be signed within the six months before the
# U visa petition is filed, so a signature starts a filing window.
U_VISA_FILING_MONTHS = 6
# Continued Presence is requested by law enforcement and decided by ICE's Center for Countering
# Human Trafficking; the task force's practice is to follow up when no answer came within 30 days.
CONTINUED_PRESENCE_FOLLOW_UP_DAYS = 30
DEADLINE_LABELS = {
    CertificationKind.U_VISA: "File the I-918 with USCIS by",
    CertificationKind.CONTINUED_PRESENCE: "Follow up with ICE (CCHT) on the request by",
}


def _add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def deadline_for(kind: str, status: str, decided_on: dt.date | None) -> dt.date | None:
    """What runs after a decision: a signed U visa Supplement B must be filed within six months;
    a signed (sent) Continued Presence request is followed up after 30 days. A T visa Supplement
    B has no USCIS validity window; a declined request has no deadline."""
    if status != Status.SIGNED or decided_on is None:
        return None
    if kind == CertificationKind.U_VISA:
        return _add_months(decided_on, U_VISA_FILING_MONTHS) - dt.timedelta(days=1)
    if kind == CertificationKind.CONTINUED_PRESENCE:
        return decided_on + dt.timedelta(days=CONTINUED_PRESENCE_FOLLOW_UP_DAYS)
    return None


def deadline_label(request: CertificationRequest) -> str:
    return DEADLINE_LABELS.get(request.kind, "") if request.deadline_on else ""


def _dates(actor: Actor, requested_on: dt.date | None, due_on: dt.date | None) -> dt.date:
    today = today_for(actor)
    requested_on = requested_on or today
    if requested_on > today:
        raise ValidationError({"requested_on": "Cannot be in the future."})
    if due_on is not None and due_on < requested_on:
        raise ValidationError({"due_on": "The due date cannot be before the request."})
    return requested_on


def _victim_under_release(
    actor: Actor, *, case: Case, consent: Consent | None, certifying_agency: Agency
) -> dict[str, object]:
    """The client's names and birth date, copied from the case only under a current release on
    this case that names the certifying agency and covers identity. No release: nothing."""
    if consent is None:
        return {}
    if consent.case_id != case.pk or consent.task_force_id != actor.task_force_id:
        raise ValidationError({"consent": "Choose a release recorded on this case."})
    if not consent.is_valid_at(timezone.now()):
        raise ValidationError({"consent": "This release has expired or was revoked."})
    if consent.recipient_agency_id != certifying_agency.pk:
        raise ValidationError({"consent": "This release does not name the certifying agency."})
    if "identity" not in consent.scope:
        raise ValidationError({"consent": "This release does not cover the client's name and birth date."})
    identity = visible_identities(actor).filter(client_id=case.client_id).first()
    if identity is None:
        return {}
    other = [name.strip() for name in (identity.preferred_name, identity.aliases) if name.strip()]
    return {
        "victim_name": f"{identity.first_name} {identity.last_name}".strip(),
        "victim_other_names": ", ".join(other)[:300],
        "victim_date_of_birth": identity.date_of_birth,
    }


def _created(actor: Actor, request: CertificationRequest, origin: str) -> CertificationRequest:
    request.full_clean()
    request.save()
    audit_record(
        action="certification.requested",
        actor=actor,
        target=request,
        detail={"kind": request.kind, "origin": origin, "victim_reference": bool(request.victim_name)},
    )
    return request


@transaction.atomic
def certification_request(
    *,
    actor: Actor,
    case: Case,
    kind: str,
    certifying_agency: Agency,
    due_on: dt.date | None = None,
    requested_on: dt.date | None = None,
    consent: Consent | None = None,
) -> CertificationRequest:
    """A victim-services agency (usually legal aid) asks an LE agency to certify, from a case it
    works on. Who may: the case's assigned case managers and the agency's VS supervisors. The
    victim reference travels only under ``consent`` (see ``_victim_under_release``); nothing
    else of the case crosses. Logged: ``certification.requested``."""
    _require(actor.role in VS_ROLES and can_write_case(actor, case))
    _agency(actor, certifying_agency, "certifying_agency", Side.LAW_ENFORCEMENT)
    request = CertificationRequest(
        task_force_id=actor.task_force_id,
        kind=kind,
        requesting_agency_id=actor.agency_id,
        certifying_agency=certifying_agency,
        case=case,
        consent=consent,
        requested_on=_dates(actor, requested_on, due_on),
        due_on=due_on,
        requested_by_id=actor.user_id,
        **_victim_under_release(actor, case=case, consent=consent, certifying_agency=certifying_agency),
    )
    return _created(actor, request, "case")


@transaction.atomic
def certification_request_from_investigation(
    *,
    actor: Actor,
    investigation: Investigation,
    kind: str,
    certifying_agency: Agency,
    victim: IdentifiedVictim | None,
    victim_date_of_birth: dt.date | None = None,
    due_on: dt.date | None = None,
    requested_on: dt.date | None = None,
) -> CertificationRequest:
    """An investigator asks a certifying LE agency (their own or another) to certify a victim
    identified in the investigation. Who may: the LE roles who may work on the investigation.
    The victim's name or alias as recorded travels; the certifier sees the investigation only if
    they may. Logged: ``certification.requested``."""
    _require(policies.can_request_certification(actor, investigation))
    _agency(actor, certifying_agency, "certifying_agency", Side.LAW_ENFORCEMENT)
    if (
        victim is None
        or victim.investigation_id != investigation.pk
        or not policies.visible_identified_victims(actor).filter(pk=victim.pk).exists()
    ):
        raise ValidationError({"victim": "Choose a victim identified in this investigation."})
    if victim_date_of_birth is not None and victim_date_of_birth > today_for(actor):
        raise ValidationError({"victim_date_of_birth": "Cannot be in the future."})
    request = CertificationRequest(
        task_force_id=actor.task_force_id,
        kind=kind,
        requesting_agency_id=actor.agency_id,
        certifying_agency=certifying_agency,
        investigation=investigation,
        victim_name=victim.name_or_alias,
        victim_date_of_birth=victim_date_of_birth,
        requested_on=_dates(actor, requested_on, due_on),
        due_on=due_on,
        requested_by_id=actor.user_id,
    )
    return _created(actor, request, "investigation")


def _signer(actor: Actor, signer_name: str) -> str:
    if signer_name.strip():
        return signer_name.strip()[:200]
    user = User.objects.filter(pk=actor.user_id).first()
    return user.get_full_name()[:200] if user else ""


@transaction.atomic
def certification_set_status(
    *,
    actor: Actor,
    request: CertificationRequest,
    status: str,
    reference: str = "",
    reason: str = "",
    signer_name: str = "",
    signer_title: str = "",
    decided_on: dt.date | None = None,
) -> CertificationRequest:
    """The certifying agency moves a request: under review (its LE roles), signed or declined
    (its prosecutors and LE supervisors). Declining needs a reason, shown to the requesting side.
    Signing records the signer (the deciding person unless another official is named), starts
    the USCIS deadline and leaves the signed form to be attached. A decided request is final
    (``ReferralConflict``). Logged: ``certification.status_changed`` with the status only."""
    if status == Status.UNDER_REVIEW:
        _require(policies.can_review_certification(actor, request))
    elif status in FINAL:
        _require(policies.can_decide_certification(actor, request))
    else:
        raise ValidationError({"status": "Choose under review, signed or declined."})
    locked = CertificationRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status in FINAL:
        request.status = locked.status
        raise ReferralConflict
    fields = ["status", "reference", "updated_at"]
    if reference:
        request.reference = reference.strip()[:60]
    if status in FINAL:
        decided_on = decided_on or today_for(actor)
        if decided_on > today_for(actor):
            raise ValidationError({"decided_on": "Cannot be in the future."})
        if decided_on < request.requested_on:
            raise ValidationError({"decided_on": "Cannot be before the request."})
        if status == Status.DECLINED and not reason.strip():
            raise ValidationError({"reason": "Say why the request is declined."})
        request.decided_on, request.decided_by_id = decided_on, actor.user_id
        request.decline_reason = reason.strip()[:300] if status == Status.DECLINED else ""
        if status == Status.SIGNED:
            request.signer_name = _signer(actor, signer_name)
            request.signer_title = signer_title.strip()[:200]
            request.signed_form = CertificationRequest.SignedForm.PENDING_UPLOAD
        request.deadline_on = deadline_for(request.kind, status, decided_on)
        fields += [
            "decided_on",
            "decided_by",
            "decline_reason",
            "signer_name",
            "signer_title",
            "signed_form",
            "deadline_on",
        ]
    request.status = status
    request.full_clean()
    request.save(update_fields=fields)
    audit_record(
        action="certification.status_changed", actor=actor, target=request, detail={"status": status}
    )
    return request


@transaction.atomic
def certification_link_investigation(
    *, actor: Actor, request: CertificationRequest, investigation: Investigation | None
) -> CertificationRequest:
    """The certifying agency names the investigation a request from victim services belongs to
    (one its person may see). Nothing of it goes back to victim services.
    Logged: ``certification.investigation_linked``."""
    _require(policies.can_link_certification_investigation(actor, request))
    if (
        investigation is None
        or not policies.visible_investigations(actor).filter(pk=investigation.pk).exists()
    ):
        raise ValidationError({"investigation": "Choose an investigation you work on."})
    request.investigation = investigation
    request.save(update_fields=["investigation", "updated_at"])
    audit_record(action="certification.investigation_linked", actor=actor, target=request)
    return request


@transaction.atomic
def certification_share_release(
    *, actor: Actor, request: CertificationRequest, consent: Consent | None
) -> CertificationRequest:
    """The requesting agency sends the victim reference after the request went, under a release
    naming the certifying agency and covering identity. Who may: those who work on the case.
    Logged: ``certification.release_shared``."""
    if not policies.can_share_certification_release(actor, request):
        raise PermissionDenied
    case = request.case
    if consent is None:
        raise ValidationError({"consent": "Choose the client's release."})
    victim = _victim_under_release(
        actor, case=case, consent=consent, certifying_agency=request.certifying_agency
    )
    request.consent = consent
    for field, value in victim.items():
        setattr(request, field, value)
    request.save(
        update_fields=["consent", "victim_name", "victim_other_names", "victim_date_of_birth", "updated_at"]
    )
    audit_record(action="certification.release_shared", actor=actor, target=request)
    return request
