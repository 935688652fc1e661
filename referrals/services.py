"""Writes on the law-enforcement side and across the bridge. Each takes the acting ``actor``,
re-checks the policy, validates (ValidationError with field errors -> 400), writes, audits.

Logged actions (ids and codes only, never narrative or names): ``tip.created``,
``tip.public_submitted``, ``tip.triaged``, ``tip.changed``, ``tip.assigned``, ``tip.closed``, ``tip.merged``,
``tip.converted``, ``investigation.created``, ``investigation.changed``, ``investigation.team_added``,
``investigation.team_removed``, ``suspect.added``, ``deconfliction.match``, ``victim.identified``,
``arrest.recorded``, ``prosecution.created``, ``prosecution.changed``, ``defendant.added``,
``charge.added``, ``defendant.disposed``, ``referral.sent``, ``referral.accepted``,
``referral.declined``, ``referral.withdrawn``, ``referral.completed``,
and the certification requests' actions (``referrals.certifications``).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cases.codes import ReferralSource
from cases.models import Case, Consent
from cases.policies import can_write_case, visible_identities
from cases.services import case_open_from_referral, today_for
from referrals import connections, policies, suspect_index
from referrals.codes import RELATED_STATUTES, TRAFFICKING_STATUTES, Disposition, ReferralKind
from referrals.models import (
    Arrest,
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
from referrals.suspect_index import normalize_handle, normalize_phone, normalize_plate
from taskforce import statutes
from taskforce.access import LE_ROLES, VS_ROLES, Actor, Side, get_or_not_found
from taskforce.audit import audit_record
from taskforce.models import Agency, Membership, TaskForce, User
from taskforce.permissions import grant, revoke
from taskforce.rls import set_scope

FINAL_TIP_STATUSES = frozenset({Tip.Status.CLOSED, Tip.Status.CONVERTED, Tip.Status.MERGED})


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def _agency(actor: Actor, agency: Agency | None, field: str, *sides: str) -> Agency:
    if agency is None or agency.task_force_id != actor.task_force_id:
        raise ValidationError({field: "Select an agency of this task force."})
    if sides and agency.side not in sides:
        raise ValidationError({field: "This agency is on the wrong side for this."})
    return agency


def _membership_of(actor: Actor, user: User | None, field: str, roles: frozenset[str]) -> Membership:
    membership = (
        Membership.objects.for_actor(actor).filter(user=user, is_active=True, role__in=roles).first()
        if user
        else None
    )
    if membership is None:
        raise ValidationError({field: "Choose an active law-enforcement member of this task force."})
    return membership


# ---------------------------------------------------------------------------------------- tips

TIP_FIELDS = (
    "received_at",
    "channel",
    "source",
    "trafficking_type",
    "city",
    "venue_type",
    "narrative",
    "potential_victims",
    "minors_involved",
    "urgency",
    *connections.TIP_IDENTIFIER_FIELDS,
)


def _new_tip(task_force_id: uuid.UUID, data: dict[str, Any], **extra: Any) -> Tip:
    data = connections.tidy_tip_identifiers(data)
    if not (data.get("narrative") or "").strip():
        raise ValidationError({"narrative": "Describe what was seen or heard."})
    received_at = data.get("received_at") or timezone.now()
    if received_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"received_at": "A tip cannot be received in the future."})
    tip = Tip(
        task_force_id=task_force_id,
        **{f: data[f] for f in TIP_FIELDS if f in data and data[f] is not None},
        **extra,
    )
    tip.received_at = received_at
    tip.full_clean()
    tip.save()
    connections.index_tip(tip, fresh=True)
    return tip


@transaction.atomic
def tip_create(*, actor: Actor, data: dict[str, Any]) -> Tip:
    """Log a tip. Who may: LE roles and the coordinator. Logged: ``tip.created``."""
    _require(policies.can_work_tips(actor))
    tip = _new_tip(actor.task_force_id, data, entered_by_id=actor.user_id)
    audit_record(action="tip.created", actor=actor, target=tip, detail={"source": tip.source})
    return tip


@transaction.atomic
def tip_submit_public(*, task_force: TaskForce, data: dict[str, Any]) -> Tip:
    """A tip from the public form (no sign-in). Lands as new for the coordinator.
    Logged: ``tip.public_submitted`` (no user, no content)."""
    if not task_force.public_tip_form_enabled:
        raise PermissionDenied
    set_scope(task_force_id=task_force.pk)
    anonymous = not (data.get("contact") or "").strip()
    narrative = (data.get("narrative") or "").strip()
    if not anonymous:
        narrative = f"{narrative}\n\nHow to reach the person who reported: {data['contact'].strip()}"
    tip = _new_tip(
        task_force.pk,
        {
            "narrative": narrative,
            "city": data.get("city", ""),
            "trafficking_type": data.get("trafficking_type") or "unknown",
            "minors_involved": bool(data.get("minors_involved")),
            "source": "anonymous" if anonymous else "public",
            "channel": "web_form",
        },
        via_public_form=True,
    )
    audit_record(action="tip.public_submitted", task_force_id=task_force.pk, target=tip)
    return tip


def _tip_writable(actor: Actor, tip: Tip) -> None:
    _require(policies.can_work_tips(actor))
    if tip.status in FINAL_TIP_STATUSES:
        raise ValidationError({"status": "This tip is already closed, merged or converted."})


@transaction.atomic
def tip_update(*, actor: Actor, tip: Tip, data: dict[str, Any]) -> Tip:
    """Correct a tip's facts or mark it triaged. Logged: ``tip.changed`` with field names."""
    _tip_writable(actor, tip)
    data = connections.tidy_tip_identifiers(data)
    changed = [f for f in TIP_FIELDS if f in data and data[f] is not None and getattr(tip, f) != data[f]]
    for field in changed:
        setattr(tip, field, data[field])
    triaged = data.get("status") == Tip.Status.TRIAGED and tip.status == Tip.Status.NEW
    if triaged:
        tip.status = Tip.Status.TRIAGED
    elif data.get("status") not in (None, tip.status):
        raise ValidationError({"status": "Use assign, close, merge or convert to change this."})
    if changed or triaged:
        tip.full_clean()
        tip.save(update_fields=[*changed, *(["status"] if triaged else []), "updated_at"])
    if connections.TIP_IDENTIFIER_FIELDS.keys() & set(changed):
        connections.index_tip(tip)
    if changed:
        audit_record(action="tip.changed", actor=actor, target=tip, detail={"fields": changed})
    if triaged:
        audit_record(action="tip.triaged", actor=actor, target=tip)
    return tip


@transaction.atomic
def tip_assign(*, actor: Actor, tip: Tip, user: User | None) -> Tip:
    """Assign a tip to an investigator (an active LE member). Logged: ``tip.assigned``."""
    _tip_writable(actor, tip)
    membership = _membership_of(actor, user, "assigned_to", LE_ROLES)
    tip.assigned_to_id, tip.status = membership.user_id, Tip.Status.ASSIGNED
    tip.save(update_fields=["assigned_to", "status", "updated_at"])
    audit_record(action="tip.assigned", actor=actor, target=tip, detail={"membership": str(membership.pk)})
    return tip


@transaction.atomic
def tip_close(*, actor: Actor, tip: Tip, reason: str) -> Tip:
    """Close with a reason. Logged: ``tip.closed``."""
    _tip_writable(actor, tip)
    if reason not in Tip.CloseReason.values:
        raise ValidationError({"close_reason": "Choose why the tip is closed."})
    tip.status, tip.close_reason = Tip.Status.CLOSED, reason
    tip.save(update_fields=["status", "close_reason", "updated_at"])
    audit_record(action="tip.closed", actor=actor, target=tip, detail={"reason": reason})
    return tip


@transaction.atomic
def tip_merge(*, actor: Actor, tip: Tip, into: Tip) -> Tip:
    """Merge a duplicate into another tip of the task force. Logged: ``tip.merged``."""
    _tip_writable(actor, tip)
    if into.pk == tip.pk or into.task_force_id != actor.task_force_id:
        raise ValidationError({"into": "Choose another tip of this task force."})
    if into.status == Tip.Status.MERGED:
        raise ValidationError({"into": "That tip was itself merged; choose the one it went into."})
    tip.status, tip.merged_into, tip.close_reason = Tip.Status.MERGED, into, Tip.CloseReason.DUPLICATE
    tip.save(update_fields=["status", "merged_into", "close_reason", "updated_at"])
    audit_record(action="tip.merged", actor=actor, target=tip, detail={"into": str(into.pk)})
    return tip


@transaction.atomic
def tip_convert(
    *, actor: Actor, tip: Tip, investigation: Investigation | None = None, data: dict[str, Any] | None = None
) -> Investigation:
    """Turn a tip into an investigation (a new one from ``data``, or link an existing visible
    one). Who may: LE roles. Logged: ``tip.converted``."""
    _tip_writable(actor, tip)
    _require(policies.is_le(actor))
    if investigation is None:
        investigation = investigation_create(
            actor=actor, data={"trafficking_type": tip.trafficking_type, **(data or {})}
        )
    elif not policies.visible_investigations(actor).filter(pk=investigation.pk).exists():
        raise ValidationError({"investigation": "Choose an investigation you work on."})
    tip.status, tip.investigation = Tip.Status.CONVERTED, investigation
    tip.save(update_fields=["status", "investigation", "updated_at"])
    audit_record(
        action="tip.converted", actor=actor, target=tip, detail={"investigation": str(investigation.pk)}
    )
    return investigation


# ------------------------------------------------------------------------------ investigations

INVESTIGATION_FIELDS = ("case_number", "title", "trafficking_type", "restricted", "opened_on", "summary")


def next_investigation_number(actor: Actor, year: int) -> str:
    """The next number of the task force's pattern for the year ("CC-HT-2026-036"): one more
    than the highest already given that year. The task force row's lock makes two investigators
    opening at once take turns, so no number is given twice."""
    task_force = TaskForce.objects.select_for_update().get(pk=actor.task_force_id)
    pattern = task_force.investigation_number_pattern
    if re.search(r"\{seq(?::0?[1-9]d)?\}", pattern) is None:
        pattern = f"{pattern}-{{seq}}"  # refused by the model's validator; a hand-edited row may hold it
    head, token, tail = re.split(r"(\{seq(?::0?[1-9]d)?\})", pattern, maxsplit=1)
    head, tail = head.format(year=year), tail.format(year=year)
    matcher = re.compile(rf"^{re.escape(head)}(\d+){re.escape(tail)}$")
    # Restricted investigations count too (a number is never reused); only numbers leave here.
    numbers = Investigation.objects.filter(
        task_force_id=actor.task_force_id, case_number__startswith=head
    ).values_list("case_number", flat=True)
    highest = max((int(m.group(1)) for number in numbers if (m := matcher.match(number))), default=0)
    return head + token.format(seq=highest + 1) + tail


@transaction.atomic
def investigation_create(*, actor: Actor, data: dict[str, Any]) -> Investigation:
    """Open an investigation led by the actor's agency (or a chosen LE agency). The creator
    joins its team. Who may: LE roles. Logged: ``investigation.created``."""
    _require(policies.is_le(actor))
    lead = data.get("lead_agency") or Agency.objects.for_actor(actor).get(pk=actor.agency_id)
    _agency(actor, lead, "lead_agency", Side.LAW_ENFORCEMENT)
    opened_on = data.get("opened_on") or today_for(actor)
    if opened_on > today_for(actor):
        raise ValidationError({"opened_on": "An investigation cannot open in the future."})
    if not (data.get("case_number") or "").strip():
        data = {**data, "case_number": next_investigation_number(actor, opened_on.year)}
    data = {**data, "case_number": data["case_number"].strip()}
    if Investigation.objects.for_actor(actor).filter(case_number=data["case_number"]).exists():
        # Checked across restricted ones too; says nothing about them but that the number is taken.
        raise ValidationError({"case_number": "This case number is already in use."})
    investigation = Investigation(
        task_force_id=actor.task_force_id,
        lead_agency=lead,
        created_by_id=actor.user_id,
        **{f: data[f] for f in INVESTIGATION_FIELDS if f in data and data[f] is not None},
    )
    investigation.opened_on = opened_on
    investigation.title = investigation.title or "Untitled investigation"
    investigation.full_clean()
    investigation.save()
    grant(
        actor=actor,
        perm=policies.TEAM,
        membership=Membership.objects.get(pk=actor.membership_id),
        obj=investigation,
    )
    audit_record(action="investigation.created", actor=actor, target=investigation)
    return investigation


@transaction.atomic
def investigation_update(
    *, actor: Actor, investigation: Investigation, data: dict[str, Any]
) -> Investigation:
    """Change an investigation's facts or status. Logged: ``investigation.changed``."""
    _require(policies.can_edit_investigation(actor, investigation))
    fields = ("title", "trafficking_type", "restricted", "summary", "status", "closed_on")
    changed = [
        f for f in fields if f in data and data[f] is not None and getattr(investigation, f) != data[f]
    ]
    for field in changed:
        setattr(investigation, field, data[field])
    if investigation.status == Investigation.Status.CLOSED and investigation.closed_on is None:
        investigation.closed_on = today_for(actor)
        changed.append("closed_on")
    if investigation.closed_on and investigation.closed_on > today_for(actor):
        raise ValidationError({"closed_on": "Cannot close in the future."})
    if changed:
        investigation.full_clean()
        investigation.save(update_fields=[*set(changed), "updated_at"])
        audit_record(
            action="investigation.changed", actor=actor, target=investigation, detail={"fields": changed}
        )
    return investigation


@transaction.atomic
def team_add(*, actor: Actor, investigation: Investigation, membership: Membership) -> None:
    """Add an LE member to the team. Who may: LE supervisors and team members.
    Logged: ``investigation.team_added``."""
    _require(policies.can_manage_team(actor, investigation))
    if membership.role not in LE_ROLES:
        raise ValidationError(
            {"membership": "Only law-enforcement members can join an investigation's team."}
        )
    grant(actor=actor, perm=policies.TEAM, membership=membership, obj=investigation)
    audit_record(
        action="investigation.team_added",
        actor=actor,
        target=investigation,
        detail={"membership": str(membership.pk)},
    )


@transaction.atomic
def team_remove(*, actor: Actor, investigation: Investigation, membership: Membership) -> None:
    """Logged: ``investigation.team_removed``."""
    _require(policies.can_manage_team(actor, investigation))
    revoke(actor=actor, perm=policies.TEAM, membership=membership, obj=investigation)
    audit_record(
        action="investigation.team_removed",
        actor=actor,
        target=investigation,
        detail={"membership": str(membership.pk)},
    )


def team_members(*, actor: Actor, investigation: Investigation) -> list[Membership]:
    from referrals.models import InvestigationUserObjectPermission

    users = InvestigationUserObjectPermission.objects.filter(
        task_force_id=actor.task_force_id, content_object=investigation, permission__codename=policies.TEAM
    ).values("user_id")
    return list(
        Membership.objects.for_actor(actor)
        .filter(user_id__in=users, is_active=True)
        .select_related("user", "agency")
        .order_by("user__full_name")
    )


# ------------------------------------------------------------------------------- deconfliction


def _deconflict(*, actor: Actor, suspect: Suspect) -> list[str]:
    """Compare a suspect's identifiers with every other investigation of the task force,
    restricted ones included. Tell only which agency leads a matching investigation."""
    others = Suspect.objects.for_actor(actor).exclude(investigation_id=suspect.investigation_id)
    checks = [
        # Blind indexes under the task force's key: the identifiers themselves are encrypted.
        (DeconflictionAlert.Kind.NAME, others.filter(name_key=suspect.name_key)),
        (
            DeconflictionAlert.Kind.PHONE,
            others.filter(phone_keys__overlap=suspect.phone_keys) if suspect.phone_keys else None,
        ),
        (
            DeconflictionAlert.Kind.PLATE,
            others.filter(plate_keys__overlap=suspect.plate_keys) if suspect.plate_keys else None,
        ),
        (
            DeconflictionAlert.Kind.HANDLE,
            others.filter(handle_keys__overlap=suspect.handle_keys) if suspect.handle_keys else None,
        ),
    ]
    messages = []
    seen: set[tuple[str, uuid.UUID]] = set()
    for kind, matches in checks:
        if matches is None:
            continue
        label = DeconflictionAlert.Kind(kind).label.lower()
        # Inside the actor's own agency, an investigation the actor may open is named: there is
        # no one else to contact. Restricted ones and other agencies' stay "contact its lead".
        own = list(
            policies.visible_investigations(actor)
            .filter(pk__in=matches.values("investigation_id"), lead_agency_id=actor.agency_id)
            .order_by("case_number")
            .values_list("case_number", "title")
        )
        for number, title in own:
            messages.append(f"{label.capitalize()} matches your agency's investigation {number} ({title}).")
        lead_agencies = (
            Investigation.objects.for_actor(actor)
            .filter(pk__in=matches.values("investigation_id"))
            .values_list("lead_agency_id", "lead_agency__name")
        )
        for agency_id, agency_name in lead_agencies:
            if (kind, agency_id) in seen:
                continue
            seen.add((kind, agency_id))
            DeconflictionAlert.objects.create(
                task_force_id=actor.task_force_id,
                investigation_id=suspect.investigation_id,
                kind=kind,
                matched_agency_id=agency_id,
                raised_for_id=actor.user_id,
            )
            audit_record(
                action="deconfliction.match",
                actor=actor,
                target=suspect,
                detail={"kind": kind, "matched_agency": str(agency_id)},
            )
            if agency_id == actor.agency_id and own:
                continue  # named above
            messages.append(
                f"{label.capitalize()} matches an investigation led by {agency_name}; contact its lead."
            )
    return messages


@transaction.atomic
def suspect_add(
    *, actor: Actor, investigation: Investigation, data: dict[str, Any]
) -> tuple[Suspect, list[str]]:
    """Record a suspect and run deconfliction. Returns the suspect and the match messages.
    Logged: ``suspect.added`` (and ``deconfliction.match`` per match)."""
    _require(policies.can_edit_investigation(actor, investigation))
    name = (data.get("full_name") or "").strip()
    if not name:
        raise ValidationError({"full_name": "Enter the suspect's name (or the name used)."})
    suspect = Suspect(
        task_force_id=actor.task_force_id,
        investigation=investigation,
        full_name=name,
        aliases=data.get("aliases", ""),
        date_of_birth=data.get("date_of_birth"),
        phones=sorted({normalize_phone(p) for p in data.get("phones") or [] if normalize_phone(p)}),
        plates=sorted({normalize_plate(p) for p in data.get("plates") or [] if normalize_plate(p)}),
        handles=sorted({normalize_handle(h) for h in data.get("handles") or [] if normalize_handle(h)}),
    )
    suspect_index.index(suspect)
    suspect.full_clean()
    suspect.save()
    connections.index_suspect(suspect, fresh=True)
    audit_record(
        action="suspect.added", actor=actor, target=suspect, detail={"investigation": str(investigation.pk)}
    )
    return suspect, _deconflict(actor=actor, suspect=suspect)


@transaction.atomic
def victim_identify(*, actor: Actor, investigation: Investigation, data: dict[str, Any]) -> IdentifiedVictim:
    """Record a potential victim identified (LE side only). Logged: ``victim.identified``."""
    _require(policies.can_edit_investigation(actor, investigation))
    identified_on = data.get("identified_on") or today_for(actor)
    if identified_on > today_for(actor):
        raise ValidationError({"identified_on": "Cannot be in the future."})
    victim = IdentifiedVictim(
        task_force_id=actor.task_force_id,
        investigation=investigation,
        name_or_alias=(data.get("name_or_alias") or "").strip(),
        age_group=data.get("age_group") or "not_reported",
        gender=data.get("gender") or "not_reported",
        trafficking_type=data.get("trafficking_type") or investigation.trafficking_type,
        identified_on=identified_on,
    )
    victim.full_clean()
    victim.save()
    audit_record(
        action="victim.identified",
        actor=actor,
        target=victim,
        detail={"investigation": str(investigation.pk)},
    )
    return victim


@transaction.atomic
def arrest_record(
    *,
    actor: Actor,
    investigation: Investigation,
    suspect: Suspect,
    arrested_on: dt.date,
    agency: Agency | None = None,
) -> Arrest:
    """Logged: ``arrest.recorded``."""
    _require(policies.can_edit_investigation(actor, investigation))
    if suspect.investigation_id != investigation.pk:
        raise ValidationError({"suspect": "Choose a suspect of this investigation."})
    if arrested_on > today_for(actor):
        raise ValidationError({"arrested_on": "Cannot be in the future."})
    arresting = _agency(actor, agency or investigation.lead_agency, "arresting_agency", Side.LAW_ENFORCEMENT)
    arrest = Arrest(
        task_force_id=actor.task_force_id,
        investigation=investigation,
        suspect=suspect,
        arrested_on=arrested_on,
        arresting_agency=arresting,
    )
    arrest.full_clean()
    arrest.save()
    audit_record(
        action="arrest.recorded", actor=actor, target=arrest, detail={"investigation": str(investigation.pk)}
    )
    return arrest


# -------------------------------------------------------------------------------- prosecutions


@transaction.atomic
def prosecution_create(*, actor: Actor, investigation: Investigation, data: dict[str, Any]) -> Prosecution:
    """File a prosecution out of an investigation. Who may: prosecutors and LE supervisors who
    see the investigation. Logged: ``prosecution.created``."""
    _require(actor.role in policies.PROSECUTION_WRITERS)
    if not policies.visible_investigations(actor).filter(pk=investigation.pk).exists():
        raise ValidationError({"investigation": "Choose an investigation you work on."})
    filed_on = data.get("filed_on") or today_for(actor)
    if filed_on > today_for(actor):
        raise ValidationError({"filed_on": "Cannot be filed in the future."})
    prosecution = Prosecution(
        task_force_id=actor.task_force_id,
        investigation=investigation,
        court=(data.get("court") or "").strip(),
        court_case_number=(data.get("court_case_number") or "").strip(),
        venue=data.get("venue") or "state",
        filed_on=filed_on,
        next_court_date=data.get("next_court_date"),
        created_by_id=actor.user_id,
    )
    prosecution.full_clean()
    prosecution.save()
    audit_record(action="prosecution.created", actor=actor, target=prosecution)
    return prosecution


@transaction.atomic
def prosecution_update(*, actor: Actor, prosecution: Prosecution, data: dict[str, Any]) -> Prosecution:
    """Logged: ``prosecution.changed`` with field names."""
    _require(policies.can_edit_prosecution(actor, prosecution))
    fields = ("court", "court_case_number", "venue", "stage", "next_court_date")
    changed = [f for f in fields if f in data and getattr(prosecution, f) != data[f]]
    for field in changed:
        setattr(prosecution, field, data[field])
    if changed:
        prosecution.full_clean()
        prosecution.save(update_fields=[*changed, "updated_at"])
        audit_record(
            action="prosecution.changed", actor=actor, target=prosecution, detail={"fields": changed}
        )
    return prosecution


@transaction.atomic
def defendant_add(
    *, actor: Actor, prosecution: Prosecution, suspect: Suspect, charged_on: dt.date | None = None
) -> Defendant:
    """Charge a suspect of the prosecution's investigation. Logged: ``defendant.added``."""
    _require(policies.can_edit_prosecution(actor, prosecution))
    if suspect.investigation_id != prosecution.investigation_id:
        raise ValidationError({"suspect": "Choose a suspect of this prosecution's investigation."})
    charged_on = charged_on or prosecution.filed_on
    if charged_on > today_for(actor):
        raise ValidationError({"charged_on": "Cannot be in the future."})
    if Defendant.objects.for_actor(actor).filter(prosecution=prosecution, suspect=suspect).exists():
        raise ValidationError({"suspect": "Already a defendant here."})
    defendant = Defendant(
        task_force_id=actor.task_force_id, prosecution=prosecution, suspect=suspect, charged_on=charged_on
    )
    defendant.full_clean()
    defendant.save()
    audit_record(
        action="defendant.added", actor=actor, target=defendant, detail={"prosecution": str(prosecution.pk)}
    )
    return defendant


@transaction.atomic
def charge_add(
    *, actor: Actor, defendant: Defendant, statute: str, description: str = "", counts: int = 1
) -> Charge:
    """Add a charge, kept as its canonical statute code ("PC 236.1(a)"); whether it is a
    trafficking charge follows the task force's list of trafficking statutes (a section with
    all its subsections, or a range). Logged: ``charge.added``."""
    prosecution = get_or_not_found(policies.visible_prosecutions(actor), defendant.prosecution_id)
    _require(policies.can_edit_prosecution(actor, prosecution))
    statute = statutes.canonical(statute)
    if not statute:
        raise ValidationError({"statute": "Enter the statute, e.g. PC 236.1(a)."})
    listed = TaskForce.objects.values_list("trafficking_statutes", flat=True).get(pk=actor.task_force_id)
    parsed = statutes.parse(statute)
    family = f"{parsed.code} {parsed.section}" if parsed else statute
    charge = Charge(
        task_force_id=actor.task_force_id,
        defendant=defendant,
        statute=statute,
        description=description or TRAFFICKING_STATUTES.get(family, "") or RELATED_STATUTES.get(family, ""),
        is_trafficking=statutes.is_trafficking(statute, listed),
        counts=counts,
    )
    charge.full_clean()
    charge.save()
    audit_record(action="charge.added", actor=actor, target=charge, detail={"statute": statute})
    return charge


@transaction.atomic
def defendant_dispose(
    *,
    actor: Actor,
    defendant: Defendant,
    disposition: str,
    disposition_on: dt.date | None = None,
    sentence: str = "",
) -> Defendant:
    """Record the disposition (convicted, plea, acquitted, dismissed). Logged: ``defendant.disposed``."""
    prosecution = get_or_not_found(policies.visible_prosecutions(actor), defendant.prosecution_id)
    _require(policies.can_edit_prosecution(actor, prosecution))
    if disposition not in Disposition.values:
        raise ValidationError({"disposition": "Choose a disposition."})
    disposition_on = disposition_on or today_for(actor)
    if disposition_on > today_for(actor):
        raise ValidationError({"disposition_on": "Cannot be in the future."})
    defendant.disposition, defendant.disposition_on, defendant.sentence = (
        disposition,
        disposition_on,
        sentence,
    )
    defendant.full_clean()
    defendant.save(update_fields=["disposition", "disposition_on", "sentence", "updated_at"])
    audit_record(
        action="defendant.disposed", actor=actor, target=defendant, detail={"disposition": disposition}
    )
    return defendant


# ----------------------------------------------------------------------------------- referrals

# What a victim-services payload field needs the consent to cover.
# The safety profile (safe contact, unsafe channels, address confidentiality) needs no category:
# it protects the client and travels with every referral.
PAYLOAD_SCOPE = {"name_or_alias": "identity", "summary": "case_summary"}


def _consent_for(
    actor: Actor, *, case: Case, consent: Consent | None, to_agency: Agency, payload: dict
) -> Consent:
    if consent is None:
        raise ValidationError(
            {"consent": "A referral from victim services needs the client's current consent."}
        )
    now = timezone.now()
    if consent.case_id != case.pk or consent.task_force_id != actor.task_force_id:
        raise ValidationError({"consent": "Choose a consent recorded on this case."})
    if not consent.is_valid_at(now):
        raise ValidationError({"consent": "This consent has expired or was revoked."})
    if consent.recipient_agency_id != to_agency.pk:
        raise ValidationError({"consent": "This consent does not name the receiving agency."})
    missing = sorted(
        {scope for field, scope in PAYLOAD_SCOPE.items() if payload.get(field)} - set(consent.scope)
    )
    if missing:
        raise ValidationError({"consent": f"The consent does not cover what is sent ({', '.join(missing)})."})
    return consent


def _carry_client_record(actor: Actor, referral: Referral, case: Case, consent: Consent) -> None:
    """From victim services, the client's record travels as recorded, never retyped: the safety
    profile always (it protects the client; what the sender marked unsafe stays unsafe), the
    names each in its own field only under a release that covers identity."""
    identity = visible_identities(actor).filter(client_id=case.client_id).first()
    if identity is None:
        return
    referral.unsafe_channels = sorted({*referral.unsafe_channels, *identity.unsafe_channels})
    referral.address_confidential = referral.address_confidential or identity.address_confidential
    referral.safe_contact = referral.safe_contact or identity.safe_contact
    referral.language = referral.language or identity.preferred_language
    if "identity" in consent.scope:
        for field in ("first_name", "last_name", "preferred_name", "aliases"):
            setattr(referral, field, getattr(identity, field))


@transaction.atomic
def referral_send(
    *,
    actor: Actor,
    to_agency: Agency,
    payload: dict[str, Any],
    case: Case | None = None,
    investigation: Investigation | None = None,
    consent: Consent | None = None,
) -> Referral:
    """Send a referral. The kind follows the sides:

    - law enforcement or the coordinator to victim services (a victim needs services): a first
      name or alias, language, safe contact, needs, urgency and a short summary, nothing else;
    - victim services to law enforcement (the client wishes to report) or to another
      victim-services agency: only from a case the sender works on, only under a current
      consent naming the receiving agency and covering every field sent.

    Privileged notes can never be attached: a referral carries only the fields above.
    Logged: ``referral.sent`` with kind and agencies.
    """
    if policies.is_le(actor) or policies.is_coordinator(actor):
        to = _agency(actor, to_agency, "to_agency", Side.VICTIM_SERVICES)
        kind = ReferralKind.LE_TO_VS
        if (
            investigation is not None
            and not policies.visible_investigations(actor).filter(pk=investigation.pk).exists()
        ):
            raise ValidationError({"investigation": "Choose an investigation you work on."})
        case, consent = None, None
    elif actor.role in VS_ROLES:
        to = _agency(actor, to_agency, "to_agency", Side.LAW_ENFORCEMENT, Side.VICTIM_SERVICES)
        if to.pk == actor.agency_id:
            raise ValidationError({"to_agency": "Choose another agency than your own."})
        if case is None or not can_write_case(actor, case):
            raise ValidationError({"case": "Choose a case you work on."})
        consent = _consent_for(actor, case=case, consent=consent, to_agency=to, payload=payload)
        kind = ReferralKind.VS_TO_LE if to.side == Side.LAW_ENFORCEMENT else ReferralKind.VS_TO_VS
        investigation = None
    else:
        raise PermissionDenied
    if not (payload.get("summary") or "").strip():
        raise ValidationError({"summary": "Say what the referral is for."})
    referral = Referral(
        task_force_id=actor.task_force_id,
        kind=kind,
        from_agency_id=actor.agency_id,
        to_agency=to,
        urgency=payload.get("urgency") or "normal",
        summary=payload["summary"].strip(),
        name_or_alias=(payload.get("name_or_alias") or "").strip(),
        language=(payload.get("language") or "").strip(),
        safe_contact=(payload.get("safe_contact") or "").strip(),
        unsafe_channels=sorted(set(payload.get("unsafe_channels") or [])),
        address_confidential=bool(payload.get("address_confidential")),
        needs=sorted(set(payload.get("needs") or [])),
        case=case,
        investigation=investigation,
        consent=consent,
        sent_by_id=actor.user_id,
    )
    if case is not None and consent is not None:
        _carry_client_record(actor, referral, case, consent)
    referral.full_clean()
    referral.save()
    audit_record(
        action="referral.sent",
        actor=actor,
        target=referral,
        detail={"kind": kind, "to_agency": str(to.pk)},
    )
    return referral


class ReferralConflict(Exception):
    """The referral (or certification request) was already decided: 409 at the edge."""


StateConflict = ReferralConflict


def _locked(referral: Referral) -> Referral:
    """Re-read the referral under a row lock: two people deciding at once cannot both win."""
    fresh = Referral.objects.select_for_update().get(pk=referral.pk)
    referral.status = fresh.status
    return referral


def _decidable(actor: Actor, referral: Referral) -> None:
    # Still visible now: a referral resting on a revoked or expired consent cannot be acted on.
    _require(policies.visible_referrals(actor).filter(pk=referral.pk).exists())
    _require(policies.can_decide_referral(actor, referral))
    if _locked(referral).status != Referral.Status.SENT:
        raise ReferralConflict


def _names_for_receiver(referral: Referral) -> dict[str, str]:
    """Each name lands in the field it came from. From victim services the names recorded by the
    sender travel in their own fields (only under an identity release, checked at sending); a
    name typed into the referral is kept among the other names unless it is one of them already,
    never filed as the legal name. From law enforcement, who know no recorded name, the first
    name or alias typed stands as the first name until the receiving agency records the name."""
    typed = referral.name_or_alias.strip()
    if referral.kind == ReferralKind.LE_TO_VS:
        return {"first_name": typed}
    names = {
        "first_name": referral.first_name,
        "last_name": referral.last_name,
        "preferred_name": referral.preferred_name,
        "aliases": referral.aliases,
    }
    known = {n.strip().casefold() for n in (*names.values(), *referral.aliases.split(","))}
    known.add(f"{referral.first_name} {referral.last_name}".strip().casefold())
    if typed and typed.casefold() not in known:
        names["aliases"] = ", ".join(filter(None, (referral.aliases, typed)))
    return names


def _open_case_for(actor: Actor, referral: Referral) -> Case:
    """Accepting a referral to victim services opens the receiver's own case, through the cases
    app's own service, made only from what the referral carried. From another VS agency, the new
    client is linked to the sender's (``same_person_as``) so reports count the person once."""
    sender_client = (
        referral.case.client if referral.kind == ReferralKind.VS_TO_VS and referral.case_id else None
    )
    scope = set(referral.consent.scope) if referral.consent_id else set()
    # Only what the consent covers travels: immigration status (citizenship) under "immigration",
    # the case's coded facts under "case_summary". The safety profile always travels. The
    # same-person link reveals nothing to the receiver and is what lets reports count the person once.
    summary_ok = sender_client is not None and "case_summary" in scope
    from_side = referral.from_agency.side
    source = (
        ReferralSource.SERVICE_PROVIDER
        if referral.kind == ReferralKind.VS_TO_VS
        else ReferralSource.LAW_ENFORCEMENT_FEDERAL
        if "federal" in referral.from_agency.name.lower() or "homeland" in referral.from_agency.name.lower()
        else ReferralSource.LAW_ENFORCEMENT_LOCAL
        if from_side == Side.LAW_ENFORCEMENT
        else ReferralSource.OTHER
    )
    return case_open_from_referral(
        actor=actor,
        referral_id=str(referral.pk),
        identity={
            **_names_for_receiver(referral),
            "preferred_language": referral.language,
            "safe_contact": referral.safe_contact,
            "unsafe_channels": list(referral.unsafe_channels),
            "address_confidential": referral.address_confidential,
        },
        client={
            "age_group_at_intake": sender_client.age_group_at_intake if summary_ok else "",
            "gender": sender_client.gender if summary_ok else "",
            "citizenship": sender_client.citizenship if sender_client and "immigration" in scope else "",
        },
        case={
            "trafficking_type": referral.case.trafficking_type if summary_ok else "",
            "referral_source": source,
            "minor_at_intake": referral.case.minor_at_intake if summary_ok else False,
        },
        # Always the first agency's client: a chain of referrals still counts one person.
        same_person_as=(sender_client.same_person_as or sender_client) if sender_client else None,
    )


@transaction.atomic
def referral_accept(*, actor: Actor, referral: Referral) -> Referral:
    """Accept as the receiving agency. To victim services it opens a case in the receiving
    agency. Raises ReferralConflict when already decided. Logged: ``referral.accepted``."""
    _decidable(actor, referral)
    if referral.to_agency.side == Side.VICTIM_SERVICES:
        referral.resulting_case = _open_case_for(actor, referral)
    referral.status, referral.decided_by_id, referral.decided_at = (
        Referral.Status.ACCEPTED,
        actor.user_id,
        timezone.now(),
    )
    referral.save(update_fields=["status", "resulting_case", "decided_by", "decided_at", "updated_at"])
    audit_record(action="referral.accepted", actor=actor, target=referral)
    return referral


@transaction.atomic
def referral_decline(*, actor: Actor, referral: Referral, reason: str) -> Referral:
    """Decline with a reason. Logged: ``referral.declined``."""
    _decidable(actor, referral)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the referral is declined."})
    referral.status, referral.decline_reason = Referral.Status.DECLINED, reason.strip()[:300]
    referral.decided_by_id, referral.decided_at = actor.user_id, timezone.now()
    referral.save(update_fields=["status", "decline_reason", "decided_by", "decided_at", "updated_at"])
    audit_record(action="referral.declined", actor=actor, target=referral)
    return referral


@transaction.atomic
def referral_withdraw(*, actor: Actor, referral: Referral) -> Referral:
    """The sender takes back a referral not yet decided. Logged: ``referral.withdrawn``."""
    _require(policies.can_withdraw_referral(actor, referral))
    if _locked(referral).status != Referral.Status.SENT:
        raise ReferralConflict
    referral.status = Referral.Status.WITHDRAWN
    referral.save(update_fields=["status", "updated_at"])
    audit_record(action="referral.withdrawn", actor=actor, target=referral)
    return referral


@transaction.atomic
def referral_complete(*, actor: Actor, referral: Referral) -> Referral:
    """The receiver marks an accepted referral done. Logged: ``referral.completed``."""
    _require(policies.visible_referrals(actor).filter(pk=referral.pk).exists())
    _require(policies.can_decide_referral(actor, referral))
    if _locked(referral).status != Referral.Status.ACCEPTED:
        raise ReferralConflict
    referral.status = Referral.Status.COMPLETED
    referral.save(update_fields=["status", "updated_at"])
    audit_record(action="referral.completed", actor=actor, target=referral)
    return referral


def trafficking_charges_recount(*, actor: Actor) -> int:
    """Re-decide every charge of the task force after its trafficking statutes changed, so the
    reports count defendants charged with trafficking by the new list. Returns how many changed."""
    listed = TaskForce.objects.values_list("trafficking_statutes", flat=True).get(pk=actor.task_force_id)
    # The admin who changed the list may not see law-enforcement records (for_actor would give
    # none): this is the platform recomputing a derived flag in the admin's task force (RLS
    # holds the scope), and nothing of the charges goes back to the admin.
    charges = Charge.objects.filter(task_force_id=actor.task_force_id)
    changed = []
    for charge in charges.only("id", "statute", "is_trafficking"):
        decided = statutes.is_trafficking(charge.statute, listed)
        if decided != charge.is_trafficking:
            charge.is_trafficking = decided
            changed.append(charge)
    Charge.objects.bulk_update(changed, ["is_trafficking"], batch_size=500)
    return len(changed)
