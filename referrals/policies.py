"""Who may see and change law-enforcement records and the bridge records (access.md).

Law enforcement:
- LE roles (investigator, prosecutor, LE supervisor) see the task force's tips, unrestricted
  investigations and everything under them; a restricted investigation only its team (a
  guardian grant) and LE supervisors.
- The coordinator also works tips (read and write) and may read unrestricted investigations and
  their prosecutions, not suspects, victims identified or arrests. This is the one explicit
  exception to the LE compartment, written out below; no other LE record is open to them.
- Victim-services roles, tenant admins, analysts, other task forces, superusers: nothing (404).

The bridge:
- A referral's envelope (kind, agencies, status, dates) is seen by the sending and receiving
  agencies and the coordinator; its payload by the sending and receiving agencies only. A
  referral from victim services rests on a consent: the receiver sees it only while that
  consent is valid (checked at read time).
- A certification request is seen by the requesting agency's people who see its case (or, when
  law enforcement started it from an investigation, the requesting agency's LE roles who see
  that investigation) and by the certifying agency's LE roles. The certifier reads the victim
  reference only under the client's release naming it and covering identity (checked at every
  read); the linked investigation only if they may see it (a restricted one: its team and LE
  supervisors; everyone else learns only which agency leads it). The case never crosses.
"""

from __future__ import annotations

import uuid
from collections import defaultdict

from django.db.models import Q, QuerySet
from django.utils import timezone

from cases.models import Consent
from cases.policies import can_write_case, visible_cases
from referrals.codes import ReferralKind
from referrals.models import (
    Arrest,
    CertificationRequest,
    Charge,
    DeconflictionAlert,
    Defendant,
    IdentifiedVictim,
    Investigation,
    Prosecution,
    Referral,
    Suspect,
    Tip,
)
from taskforce.access import LE_ROLES, VS_ROLES, Actor, Role, get_or_not_found
from taskforce.permissions import granted_ids, has_grant

TEAM = "view_investigation"
PROSECUTION_WRITERS = frozenset({Role.PROSECUTOR, Role.LE_SUPERVISOR})


def is_le(actor: Actor) -> bool:
    return actor.role in LE_ROLES


def is_coordinator(actor: Actor) -> bool:
    return actor.role == Role.COORDINATOR


# ---------------------------------------------------------------------------------------- tips


def visible_tips(actor: Actor) -> QuerySet[Tip]:
    if is_le(actor):
        return Tip.objects.for_actor(actor)
    if is_coordinator(actor):
        # The coordinator takes tips in and triages them (access.md): the explicit exception.
        return Tip.objects.filter(task_force_id=actor.task_force_id)
    return Tip.objects.none()


def access_tip(actor: Actor, tip_id: uuid.UUID | str) -> Tip:
    return get_or_not_found(visible_tips(actor), tip_id)


def can_work_tips(actor: Actor) -> bool:
    """Enter, triage, assign, close, merge and convert tips: LE roles and the coordinator."""
    return is_le(actor) or is_coordinator(actor)


# ------------------------------------------------------------------------------ investigations


def visible_investigations(actor: Actor) -> QuerySet[Investigation]:
    if actor.role == Role.LE_SUPERVISOR:
        return Investigation.objects.for_actor(actor)
    if is_le(actor):
        return Investigation.objects.for_actor(actor).filter(
            Q(restricted=False) | Q(pk__in=granted_ids(actor, TEAM, Investigation))
        )
    if is_coordinator(actor):
        return Investigation.objects.filter(task_force_id=actor.task_force_id, restricted=False)
    return Investigation.objects.none()


def access_investigation(actor: Actor, investigation_id: uuid.UUID | str) -> Investigation:
    return get_or_not_found(visible_investigations(actor).select_related("lead_agency"), investigation_id)


def can_edit_investigation(actor: Actor, investigation: Investigation) -> bool:
    """LE roles who see it (the coordinator reads only; a restricted one: its team and LE supervisors)."""
    return is_le(actor) and visible_investigations(actor).filter(pk=investigation.pk).exists()


def can_manage_team(actor: Actor, investigation: Investigation) -> bool:
    """LE supervisors, and members of the team itself."""
    if investigation.task_force_id != actor.task_force_id:
        return False
    if actor.role == Role.LE_SUPERVISOR:
        return True
    return is_le(actor) and has_grant(actor, TEAM, investigation)


def _le_under_visible(actor: Actor, queryset: QuerySet) -> QuerySet:
    """Suspects, victims identified, arrests: LE roles only, under investigations they see."""
    if not is_le(actor):
        return queryset.none()
    return queryset.filter(investigation_id__in=visible_investigations(actor).values("pk"))


def visible_suspects(actor: Actor) -> QuerySet[Suspect]:
    return _le_under_visible(actor, Suspect.objects.for_actor(actor))


def visible_identified_victims(actor: Actor) -> QuerySet[IdentifiedVictim]:
    return _le_under_visible(actor, IdentifiedVictim.objects.for_actor(actor))


def visible_arrests(actor: Actor) -> QuerySet[Arrest]:
    return _le_under_visible(actor, Arrest.objects.for_actor(actor))


def visible_deconfliction_alerts(actor: Actor) -> QuerySet[DeconflictionAlert]:
    """The alerts raised for the actor, on investigations they still see."""
    return _le_under_visible(actor, DeconflictionAlert.objects.for_actor(actor)).filter(
        raised_for_id=actor.user_id
    )


# -------------------------------------------------------------------------------- prosecutions


def visible_prosecutions(actor: Actor) -> QuerySet[Prosecution]:
    if is_le(actor):
        base = Prosecution.objects.for_actor(actor)
    elif is_coordinator(actor):
        base = Prosecution.objects.filter(task_force_id=actor.task_force_id)
    else:
        return Prosecution.objects.none()
    return base.filter(investigation_id__in=visible_investigations(actor).values("pk"))


def access_prosecution(actor: Actor, prosecution_id: uuid.UUID | str) -> Prosecution:
    return get_or_not_found(visible_prosecutions(actor), prosecution_id)


def can_edit_prosecution(actor: Actor, prosecution: Prosecution) -> bool:
    """Prosecutors and LE supervisors; investigators read."""
    return (
        actor.role in PROSECUTION_WRITERS and visible_prosecutions(actor).filter(pk=prosecution.pk).exists()
    )


def visible_defendants(actor: Actor) -> QuerySet[Defendant]:
    """Defendants carry suspects' identity: LE roles only, not the coordinator."""
    if not is_le(actor):
        return Defendant.objects.none()
    return Defendant.objects.filter(
        task_force_id=actor.task_force_id, prosecution_id__in=visible_prosecutions(actor).values("pk")
    )


def visible_charges(actor: Actor) -> QuerySet[Charge]:
    return Charge.objects.filter(
        task_force_id=actor.task_force_id, defendant_id__in=visible_defendants(actor).values("pk")
    )


# ----------------------------------------------------------------------------------- referrals


def _valid_consent_ids(actor: Actor) -> QuerySet:
    now = timezone.now()
    return Consent.objects.filter(
        task_force_id=actor.task_force_id, revoked_at__isnull=True, expires_at__gt=now
    ).values("pk")


def visible_referrals(actor: Actor) -> QuerySet[Referral]:
    """Envelopes the actor may see (what of each they may read: ``can_read_payload``)."""
    referrals = Referral.objects.for_actor(actor).select_related("from_agency", "to_agency")
    if is_coordinator(actor):
        return referrals
    if not (is_le(actor) or actor.role in VS_ROLES):
        return referrals.none()
    sent = Q(from_agency_id=actor.agency_id)
    # A receiver of a referral from victim services sees it only while its consent holds.
    received = Q(to_agency_id=actor.agency_id) & (
        Q(kind=ReferralKind.LE_TO_VS) | Q(consent_id__in=_valid_consent_ids(actor))
    )
    return referrals.filter(sent | received)


def access_referral(actor: Actor, referral_id: uuid.UUID | str) -> Referral:
    return get_or_not_found(visible_referrals(actor), referral_id)


def can_read_payload(actor: Actor, referral: Referral) -> bool:
    """The sending and receiving agencies read what the sender wrote; the coordinator sees the
    envelope only (unless the coordinator's own agency sent it)."""
    if actor.agency_id not in (referral.from_agency_id, referral.to_agency_id):
        return False
    if is_le(actor) or actor.role in VS_ROLES:
        return True
    # The coordinator reads what the coordinator sent; analysts and admins of that office do not.
    return is_coordinator(actor) and referral.from_agency_id == actor.agency_id


def can_decide_referral(actor: Actor, referral: Referral) -> bool:
    """Accept or decline: the receiving agency's LE or VS people."""
    return referral.to_agency_id == actor.agency_id and (is_le(actor) or actor.role in VS_ROLES)


def can_withdraw_referral(actor: Actor, referral: Referral) -> bool:
    """The sending agency's LE or VS people, or the coordinator for the coordinator's referrals."""
    return referral.from_agency_id == actor.agency_id and (
        is_le(actor) or actor.role in VS_ROLES or is_coordinator(actor)
    )


# ----------------------------------------------------------------------- certification requests


def visible_certifications(actor: Actor) -> QuerySet[CertificationRequest]:
    requests = CertificationRequest.objects.for_actor(actor).select_related(
        "requesting_agency", "certifying_agency"
    )
    if actor.role in VS_ROLES:
        return requests.filter(
            requesting_agency_id=actor.agency_id, case_id__in=visible_cases(actor).values("pk")
        )
    if is_le(actor):
        started_here = Q(
            requesting_agency_id=actor.agency_id,
            case__isnull=True,
            investigation_id__in=visible_investigations(actor).values("pk"),
        )
        return requests.filter(Q(certifying_agency_id=actor.agency_id) | started_here)
    return requests.none()


def access_certification(actor: Actor, request_id: uuid.UUID | str) -> CertificationRequest:
    return get_or_not_found(visible_certifications(actor), request_id)


def can_review_certification(actor: Actor, request: CertificationRequest) -> bool:
    """Mark under review: the certifying agency's LE roles."""
    return is_le(actor) and request.certifying_agency_id == actor.agency_id


def can_decide_certification(actor: Actor, request: CertificationRequest) -> bool:
    """Sign or decline: the certifying agency's prosecutors and LE supervisors."""
    return actor.role in PROSECUTION_WRITERS and request.certifying_agency_id == actor.agency_id


def can_request_certification(actor: Actor, investigation: Investigation) -> bool:
    """Start a request from an investigation: the LE roles who may work on it."""
    return can_edit_investigation(actor, investigation)


def readable_victim_references(actor: Actor, requests: list[CertificationRequest]) -> set:
    """Of ``requests`` (already visible to the actor), the ids whose victim reference the actor
    may read, in one query. Started by law enforcement: everyone who sees the request (both
    agencies are law enforcement). Started by victim services: the requesting side, and the
    certifying agency only while the client's release names it, covers identity and is neither
    expired nor revoked (checked now, at every read)."""
    readable = set()
    release_ids: dict = defaultdict(list)
    for request in requests:
        if request.task_force_id != actor.task_force_id:
            continue
        if request.case_id is None:
            if is_le(actor):
                readable.add(request.pk)
        elif actor.role in VS_ROLES:
            if actor.agency_id == request.requesting_agency_id:
                readable.add(request.pk)
        elif is_le(actor) and actor.agency_id == request.certifying_agency_id and request.consent_id:
            release_ids[request.consent_id].append(request)
    if release_ids:
        holding = Consent.objects.filter(
            pk__in=release_ids,
            task_force_id=actor.task_force_id,
            recipient_agency_id=actor.agency_id,
            scope__contains=["identity"],
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        ).values_list("pk", flat=True)
        for consent_id in holding:
            readable.update(request.pk for request in release_ids[consent_id])
    return readable


def can_read_victim_reference(actor: Actor, request: CertificationRequest) -> bool:
    """See ``readable_victim_references``."""
    return request.pk in readable_victim_references(actor, [request])


def certification_investigations(
    actor: Actor, requests: list[CertificationRequest]
) -> dict[uuid.UUID, tuple[Investigation | None, str]]:
    """The investigation linked to each request, for law enforcement (two queries at most): the
    investigation itself when the actor may see it; otherwise only the name of the agency leading
    it (like deconfliction), so a certifier outside a restricted investigation's team knows whom
    to ask. Victim services get nothing."""
    ids = {r.investigation_id for r in requests if r.investigation_id}
    if not ids or not is_le(actor):
        return {}
    seen = {
        investigation.pk: investigation
        for investigation in visible_investigations(actor).select_related("lead_agency").filter(pk__in=ids)
    }
    leads = {pk: investigation.lead_agency.name for pk, investigation in seen.items()}
    if hidden := ids - seen.keys():
        leads.update(
            Investigation.objects.filter(task_force_id=actor.task_force_id, pk__in=hidden).values_list(
                "pk", "lead_agency__name"
            )
        )
    return {
        r.pk: (seen.get(r.investigation_id), leads.get(r.investigation_id, ""))
        for r in requests
        if r.investigation_id
    }


def certification_investigation(
    actor: Actor, request: CertificationRequest
) -> tuple[Investigation | None, str]:
    """See ``certification_investigations``."""
    return certification_investigations(actor, [request]).get(request.pk, (None, ""))


def can_link_certification_investigation(actor: Actor, request: CertificationRequest) -> bool:
    """Name the investigation a request from victim services belongs to: the certifying
    agency's LE roles (the investigation must be one they see)."""
    return is_le(actor) and request.certifying_agency_id == actor.agency_id and request.case_id is not None


def can_share_certification_release(actor: Actor, request: CertificationRequest) -> bool:
    """Send the victim reference under a release after the request went: the requesting agency's
    people who work on its case."""
    if actor.role not in VS_ROLES or request.case_id is None:
        return False
    if actor.agency_id != request.requesting_agency_id:
        return False
    case = visible_cases(actor).filter(pk=request.case_id).first()
    return case is not None and can_write_case(actor, case)
