"""Writes on the victim-services side. Each takes the acting ``actor``, re-checks the policy,
validates (a ValidationError with field errors becomes a 400 at the edge), writes, audits.

Logged actions: ``case.created``, ``case.changed``, ``case.closed``, ``case.reopened``,
``case.assigned``, ``case.unassigned``, ``service.recorded``, ``note.added``,
``consent.recorded``, ``consent.revoked``, ``screening.recorded``, ``plan_item.added``,
``plan_item.changed``, ``family_member.added``, ``client.changed`` (field names only).
Never with content: ids and codes only. Changes of a case's or its client's fields are also
kept for the case page (``cases.changes``), field names only.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cases import identity_index
from cases import screening as screening_rules
from cases.changes import case_change_record
from cases.codes import AgeGroup
from cases.models import (
    Case,
    CaseChange,
    CaseNote,
    CaseStatusChange,
    Client,
    ClientIdentity,
    Consent,
    FamilyMember,
    PlanItem,
    Screening,
    ServiceDelivery,
)
from cases.policies import (
    ASSIGNED,
    can_assign,
    can_take_intake,
    can_write_case,
    providing_agencies,
    visible_cases,
)
from taskforce import clock
from taskforce.access import Actor, Role, get_or_not_found
from taskforce.audit import audit_record
from taskforce.models import Agency, Membership, TaskForce
from taskforce.permissions import grant, revoke

IDENTITY_FIELDS = (
    "first_name",
    "last_name",
    "preferred_name",
    "aliases",
    "date_of_birth",
    "phone",
    "email",
    "address",
    "preferred_language",
    "immigration_status",
    "safe_contact",
    "unsafe_channels",
    "address_confidential",
)
CLIENT_FIELDS = ("age_group_at_intake", "gender", "citizenship", "race_ethnicity")
CASE_FIELDS = ("trafficking_type", "referral_source", "minor_at_intake", "opened_on")


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def today_for(actor: Actor) -> dt.date:
    """Today in the task force's time zone: every date check here and every form default uses it,
    so an evening entry in California is not "in the future"."""
    return clock.local_today(actor.time_zone)


def zone_for(actor: Actor) -> zoneinfo.ZoneInfo:
    """The task force's time zone (UTC when its setting is not a known zone)."""
    return clock.zone(actor.time_zone)


def intake_duplicates(*, actor: Actor, first_name: str, last_name: str, date_of_birth: dt.date | None) -> int:
    """How many clients of the actor's own agency share this name (and birth date when given).

    Never looks across agencies: no client is matched between agencies by name, birth date or
    any hash of them (the blind index is keyed per agency). Returns a count only; the case
    itself stays behind its own policy.
    """
    if actor.agency_id is None or ClientIdentity.compartment not in actor.compartments:
        return 0
    # The agency's own blind index (its own key): a name in another agency hashes differently.
    return identity_index.duplicate_client_ids(
        task_force_id=actor.task_force_id,
        agency_id=actor.agency_id,
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date_of_birth,
    ).count()


def _validate_identity(data: dict[str, Any], today: dt.date) -> None:
    errors: dict[str, str] = {}
    if not (data.get("first_name") or "").strip():
        errors["first_name"] = "Enter a first name (or the name the client uses)."
    if not (data.get("last_name") or "").strip():
        errors["last_name"] = "Enter a last name."
    dob = data.get("date_of_birth")
    if dob is not None and dob > today:
        errors["date_of_birth"] = "A date of birth cannot be in the future."
    if errors:
        raise ValidationError(errors)


def _age_at_intake(client: dict[str, Any], case: dict[str, Any], opened_on: dt.date) -> tuple[str, bool]:
    """The age group and the minor flag, made to agree: the birth date decides when it is known,
    a ticked "minor" sets an unreported age group, and a contradiction is a 400 (the report
    counts minors from both, so a disagreement would be counted twice or not at all)."""
    dob = client.get("date_of_birth")
    age_group = client.get("age_group_at_intake") or AgeGroup.NOT_REPORTED
    ticked = bool(case.get("minor_at_intake"))
    if dob is not None:
        by_birth = AgeGroup.MINOR if _age_on(dob, opened_on) < 18 else AgeGroup.ADULT
        if age_group not in (AgeGroup.NOT_REPORTED, by_birth):
            said = "a minor" if by_birth == AgeGroup.MINOR else "an adult"
            message = f"The date of birth makes the client {said} at intake."
            raise ValidationError({"age_group_at_intake": message})
        if ticked and by_birth == AgeGroup.ADULT:
            raise ValidationError(
                {"minor_at_intake": "The date of birth makes the client an adult at intake."}
            )
        age_group = by_birth
    if ticked and age_group == AgeGroup.ADULT:
        raise ValidationError(
            {"minor_at_intake": "The age group says adult: untick minor, or choose the minor age group."}
        )
    if ticked and age_group == AgeGroup.NOT_REPORTED:
        age_group = AgeGroup.MINOR
    return age_group, ticked or age_group == AgeGroup.MINOR


@transaction.atomic
def intake_create(
    *,
    actor: Actor,
    client: dict[str, Any],
    case: dict[str, Any],
    answers: dict[str, str] | None = None,
) -> Case:
    """Take in a client: client, identity, case and (optionally) the short screening at once.

    Who may: VS case managers and supervisors, for their own agency. A case manager who takes
    the intake is assigned to the case. Logged: ``case.created`` (and ``screening.recorded``).
    """
    _require(can_take_intake(actor))
    today = today_for(actor)
    _validate_identity(client, today)
    opened_on = case.get("opened_on") or today
    if opened_on > today:
        raise ValidationError({"opened_on": "A case cannot open in the future."})
    first_contact = case.get("first_contact_on")
    if first_contact is not None and first_contact > opened_on:
        raise ValidationError({"first_contact_on": "The first contact cannot be after the case opened."})
    age_group, minor = _age_at_intake(client, case, opened_on)

    record = Client(
        task_force_id=actor.task_force_id,
        agency_id=actor.agency_id,
        age_group_at_intake=age_group,
        **{f: client[f] for f in CLIENT_FIELDS if f in client and f != "age_group_at_intake" and client[f]},
    )
    record.full_clean()
    record.save()
    identity = ClientIdentity(
        task_force_id=actor.task_force_id,
        client=record,
        **{f: client[f] for f in IDENTITY_FIELDS if f in client and client[f] is not None},
    )
    identity.full_clean()
    identity.save()
    identity_index.reindex([identity])
    new_case = Case(
        task_force_id=actor.task_force_id,
        agency_id=actor.agency_id,
        client=record,
        status=Case.Status.INTAKE,
        opened_on=opened_on,
        minor_at_intake=minor,
        first_contact_on=first_contact,
        **{f: case[f] for f in ("trafficking_type", "referral_source") if case.get(f)},
    )
    new_case.full_clean()
    new_case.save()
    audit_record(action="case.created", actor=actor, target=new_case)
    _assign_taker(actor, new_case)
    if answers:
        screening_record(
            actor=actor,
            case=new_case,
            form=screening_rules.Form.SHORT,
            answers=answers,
            screened_on=opened_on,
        )
    return new_case


@transaction.atomic
def case_open_from_referral(
    *,
    actor: Actor,
    referral_id: str,
    identity: dict[str, Any],
    client: dict[str, Any],
    case: dict[str, Any],
    same_person_as: Client | None = None,
) -> Case:
    """Open the receiving agency's own case from what an accepted referral carried.

    Who may: whoever may take an intake in the receiving agency (the caller has checked that the
    referral is theirs to decide). Unlike intake, the legal name may be missing: a referral
    carries names only under a release that covers identity, and otherwise the receiving agency
    records the name itself. Logged: ``case.created`` with the referral's id.
    """
    _require(can_take_intake(actor))
    record = Client(
        task_force_id=actor.task_force_id,
        agency_id=actor.agency_id,
        same_person_as=same_person_as,
        **{f: client[f] for f in CLIENT_FIELDS if client.get(f)},
    )
    record.full_clean()
    record.save()
    new_identity = ClientIdentity(
        task_force_id=actor.task_force_id,
        client=record,
        **{f: identity[f] for f in IDENTITY_FIELDS if identity.get(f) is not None},
    )
    new_identity.full_clean(exclude=[] if new_identity.first_name else ["first_name"])
    new_identity.save()
    identity_index.reindex([new_identity])
    new_case = Case(
        task_force_id=actor.task_force_id,
        agency_id=actor.agency_id,
        client=record,
        status=Case.Status.INTAKE,
        opened_on=today_for(actor),
        minor_at_intake=bool(case.get("minor_at_intake")),
        **{f: case[f] for f in ("trafficking_type", "referral_source") if case.get(f)},
    )
    new_case.full_clean()
    new_case.save()
    _assign_taker(actor, new_case)
    audit_record(action="case.created", actor=actor, target=new_case, detail={"referral": referral_id})
    return new_case


_EMPTY: dict[str, Any] = {"unsafe_channels": [], "address_confidential": False, "date_of_birth": None}


@transaction.atomic
def client_update(*, actor: Actor, case: Case, data: dict[str, Any]) -> list[str]:
    """Correct the client of a case after intake: identity, contact, safety profile and coded
    attributes, any subset of them. All or nothing: the same checks as intake (a blank first
    name, a birth date in the future, a bad email, an unknown code) refuse the whole change.

    Who may: whoever may write the case (its assigned case managers, the agency's VS
    supervisors). Logged: ``client.changed`` with the changed field names, never their values.
    Returns the changed field names (empty when nothing differed: then nothing is written).
    """
    _require(can_write_case(actor, case))
    unknown = set(data) - set(IDENTITY_FIELDS) - set(CLIENT_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Not a client field."))
    client = Client.objects.for_actor(actor).select_for_update().get(pk=case.client_id)
    identity = ClientIdentity.objects.for_actor(actor).select_for_update().get(client_id=client.pk)
    merged = {name: getattr(identity, name) for name in IDENTITY_FIELDS}
    merged.update({name: value for name, value in data.items() if name in IDENTITY_FIELDS})
    try:
        _validate_identity(merged, today_for(actor))
    except ValidationError as exc:
        # A referral may have brought no legal name: a change that leaves the name alone is
        # not refused for it.
        errors = {k: v for k, v in exc.message_dict.items() if k in data}
        if errors:
            raise ValidationError(errors) from None
    changed_identity = []
    for name in IDENTITY_FIELDS:
        if name in data:
            value = data[name]
            if value is None:
                value = _EMPTY.get(name, "")
            if name == "unsafe_channels":
                value = list(dict.fromkeys(value))
                if set(value) == set(identity.unsafe_channels or []):
                    continue
            if value != getattr(identity, name):
                setattr(identity, name, value)
                changed_identity.append(name)
    changed_client = []
    for name in CLIENT_FIELDS:
        if name in data and data[name] is not None and data[name] != getattr(client, name):
            setattr(client, name, data[name])
            changed_client.append(name)
    # Validate both rows before writing either, so one bad value changes nothing.
    errors: dict[str, list[str]] = {}
    for record, changed in ((identity, changed_identity), (client, changed_client)):
        if changed:
            try:
                record.full_clean(exclude=[f.name for f in record._meta.fields if f.name not in changed])
            except ValidationError as exc:
                errors.update(exc.message_dict)
    if {"date_of_birth", "age_group_at_intake"} & {*changed_identity, *changed_client}:
        # The same agreement as at intake: the report counts minors from both the age group
        # and the case's minor flag, so a correction must not leave them contradicting.
        try:
            _age_at_intake(
                {"date_of_birth": identity.date_of_birth, "age_group_at_intake": client.age_group_at_intake},
                {"minor_at_intake": case.minor_at_intake},
                case.opened_on,
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    if changed_identity:
        identity.save(update_fields=[*changed_identity, "updated_at"])
        identity.client = client
        identity_index.reindex([identity])
    if changed_client:
        client.save(update_fields=[*changed_client, "updated_at"])
    changed = [*changed_identity, *changed_client]
    if changed:
        audit_record(
            action="client.changed",
            actor=actor,
            target=client,
            detail={"case": str(case.pk), "fields": changed},
        )
        case_change_record(actor=actor, case=case, kind=CaseChange.Kind.CLIENT_CHANGED, fields=changed)
    return changed


def _assign_taker(actor: Actor, case: Case) -> None:
    """A case manager who opens a case works on it; a supervisor assigns it later."""
    if actor.role == Role.VS_CASE_MANAGER:
        membership = Membership.objects.get(pk=actor.membership_id)
        grant(actor=actor, perm=ASSIGNED, membership=membership, obj=case)


def _age_on(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@transaction.atomic
def case_update(*, actor: Actor, case: Case, data: dict[str, Any]) -> Case:
    """Change coded fields of a case, or its status (closing needs a closure reason).
    Logged: ``case.changed`` with the field names, or ``case.closed`` / ``case.reopened``."""
    _require(can_write_case(actor, case))
    data = dict(data)
    status = data.pop("status", None)
    reason = data.pop("closure_reason", "") or ""
    if status and status not in Case.Status.values:
        raise ValidationError({"status": "Choose intake, open or closed."})
    changed = []
    for field in ("trafficking_type", "referral_source"):
        if field in data and data[field] != getattr(case, field):
            setattr(case, field, data[field])
            changed.append(field)
    if changed:
        case.full_clean()
        case.save(update_fields=[*changed, "updated_at"])
        audit_record(action="case.changed", actor=actor, target=case, detail={"fields": changed})
        case_change_record(actor=actor, case=case, kind=CaseChange.Kind.CASE_CHANGED, fields=changed)
    if status and status != case.status:
        if status == Case.Status.CLOSED:
            case_close(actor=actor, case=case, reason=reason)
        elif case.status == Case.Status.CLOSED:
            case_reopen(actor=actor, case=case, reason=data.get("reopen_reason") or reason, status=status)
        else:
            _set_status(actor=actor, case=case, status=status, reason="")
            audit_record(
                action="case.changed",
                actor=actor,
                target=case,
                detail={"fields": ["status"], "status": status},
            )
            case_change_record(actor=actor, case=case, kind=CaseChange.Kind.CASE_CHANGED, fields=["status"])
    return case


def _set_status(*, actor: Actor, case: Case, status: str, reason: str) -> None:
    CaseStatusChange.objects.create(
        task_force_id=case.task_force_id,
        case=case,
        from_status=case.status,
        to_status=status,
        reason=reason,
        changed_by_id=actor.user_id,
    )
    case.status = status
    case.save(update_fields=["status", "closure_reason", "closed_on", "updated_at"])


@transaction.atomic
def case_close(*, actor: Actor, case: Case, reason: str, closed_on: dt.date | None = None) -> Case:
    """Close a case with one of the closure reasons. Logged: ``case.closed``."""
    _require(can_write_case(actor, case))
    if case.status == Case.Status.CLOSED:
        raise ValidationError({"status": "The case is already closed."})
    if reason not in Case.ClosureReason.values:
        raise ValidationError({"closure_reason": "Choose why the case is closing."})
    closed_on = closed_on or today_for(actor)
    if closed_on > today_for(actor):
        raise ValidationError({"closed_on": "A case cannot close in the future."})
    if closed_on < case.opened_on:
        raise ValidationError({"closed_on": "A case cannot close before it opened."})
    case.closure_reason, case.closed_on = reason, closed_on
    _set_status(actor=actor, case=case, status=Case.Status.CLOSED, reason=reason)
    audit_record(action="case.closed", actor=actor, target=case, detail={"reason": reason})
    return case


@transaction.atomic
def case_reopen(*, actor: Actor, case: Case, reason: str, status: str = Case.Status.OPEN) -> Case:
    """Reopen a closed case; the reason is kept in the status history. Logged: ``case.reopened``."""
    _require(can_write_case(actor, case))
    if case.status != Case.Status.CLOSED:
        raise ValidationError({"status": "Only a closed case can be reopened."})
    if status not in (Case.Status.INTAKE, Case.Status.OPEN):
        raise ValidationError({"status": "A case reopens as intake or open."})
    if not reason.strip():
        raise ValidationError({"reopen_reason": "Say why the case is reopened."})
    case.closure_reason, case.closed_on = "", None
    _set_status(actor=actor, case=case, status=status, reason=reason.strip()[:300])
    audit_record(action="case.reopened", actor=actor, target=case)
    return case


def _case_manager(actor: Actor, membership: Membership) -> Membership:
    if (
        membership.task_force_id != actor.task_force_id
        or membership.agency_id != actor.agency_id
        or membership.role != Role.VS_CASE_MANAGER
        or not membership.is_active
    ):
        raise ValidationError({"membership": "Choose an active case manager of your agency."})
    return membership


@transaction.atomic
def case_assign(*, actor: Actor, case: Case, membership: Membership) -> None:
    """Assign a case manager of the agency. Who may: the agency's VS supervisors.
    Logged: ``case.assigned`` (and ``grant.added``)."""
    _require(can_assign(actor, case))
    grant(actor=actor, perm=ASSIGNED, membership=_case_manager(actor, membership), obj=case)
    audit_record(action="case.assigned", actor=actor, target=case, detail={"membership": str(membership.id)})


@transaction.atomic
def case_unassign(*, actor: Actor, case: Case, membership: Membership) -> None:
    """Take a case manager off a case: their access ends on their next request.
    Logged: ``case.unassigned`` (and ``grant.removed``)."""
    _require(can_assign(actor, case))
    if membership.task_force_id != actor.task_force_id or membership.agency_id != actor.agency_id:
        raise ValidationError({"membership": "Choose a case manager of your agency."})
    revoke(actor=actor, perm=ASSIGNED, membership=membership, obj=case)
    audit_record(
        action="case.unassigned", actor=actor, target=case, detail={"membership": str(membership.id)}
    )


def case_assignees(*, actor: Actor, case: Case) -> list[Membership]:
    """The case managers assigned to a case (for its page), in one query."""
    from cases.models import CaseUserObjectPermission

    users = CaseUserObjectPermission.objects.filter(
        task_force_id=actor.task_force_id, content_object=case, permission__codename=ASSIGNED
    ).values("user_id")
    return list(
        Membership.objects.for_actor(actor)
        .filter(agency_id=case.agency_id, user_id__in=users)
        .select_related("user")
        .order_by("user__full_name")
    )


def _agency_of_task_force(actor: Actor, agency: Agency | None, field: str) -> Agency | None:
    if agency is not None and agency.task_force_id != actor.task_force_id:
        raise ValidationError({field: "Select an agency of this task force."})
    return agency


def check_providing_agency(case: Case, agency: Agency | None) -> None:
    """Refuse a providing agency other than the case's own or one the client was referred to
    under a current release (``cases.policies.providing_agencies``). For recording and changing."""
    if agency is not None and not providing_agencies(case).filter(pk=agency.pk).exists():
        raise ValidationError(
            {
                "providing_agency": "Choose your agency, or an agency the client was referred to "
                "under a current release."
            }
        )


@transaction.atomic
def service_record(
    *,
    actor: Actor,
    case: Case,
    service_type: str,
    delivered_on: dt.date,
    units: Decimal | int = 1,
    providing_agency: Agency | None = None,
    note: str = "",
) -> ServiceDelivery:
    """Record one service delivery. Logged: ``service.recorded``."""
    _require(can_write_case(actor, case))
    if delivered_on < case.opened_on:
        raise ValidationError({"delivered_on": "A service cannot be dated before the case opened."})
    if delivered_on > today_for(actor):
        raise ValidationError({"delivered_on": "A service cannot be dated in the future."})
    providing = _agency_of_task_force(actor, providing_agency, "providing_agency")
    check_providing_agency(case, providing)
    service = ServiceDelivery(
        task_force_id=actor.task_force_id,
        case=case,
        client_id=case.client_id,
        agency_id=case.agency_id,
        providing_agency_id=providing.pk if providing else case.agency_id,
        delivered_on=delivered_on,
        service_type=service_type,
        units=units,
        note=note,
        recorded_by_id=actor.user_id,
    )
    service.full_clean()
    service.save()
    if case.last_contact_on is None or delivered_on > case.last_contact_on:
        case.last_contact_on = delivered_on
        fields = ["last_contact_on", "updated_at"]
        if case.status == Case.Status.INTAKE:
            case.status = Case.Status.OPEN
            fields.append("status")
        case.save(update_fields=fields)
    audit_record(action="service.recorded", actor=actor, target=service, detail={"case": str(case.id)})
    return service


@transaction.atomic
def note_add(*, actor: Actor, case: Case, text: str, privileged: bool = False) -> CaseNote:
    """Add a case note; ``privileged`` keeps it to the author and the agency's supervisors.
    Logged: ``note.added`` (with the privileged flag, never the text)."""
    _require(can_write_case(actor, case))
    if not text.strip():
        raise ValidationError({"text": "Write the note."})
    note = CaseNote(
        task_force_id=actor.task_force_id,
        case=case,
        agency_id=case.agency_id,
        author_id=actor.user_id,
        text=text,
        privileged=privileged,
    )
    note.full_clean()
    note.save()
    audit_record(
        action="note.added", actor=actor, target=note, detail={"case": str(case.id), "privileged": privileged}
    )
    return note


def consent_limit_days(actor: Actor) -> int:
    days = TaskForce.objects.filter(pk=actor.task_force_id).values_list("consent_max_days", flat=True).first()
    return min(Consent.MAX_DAYS, days or Consent.MAX_DAYS)


def consent_expires_at(actor: Actor, expires_on: dt.date) -> dt.datetime:
    """The end of the expiry day in the task force's time zone."""
    return dt.datetime.combine(expires_on + dt.timedelta(days=1), dt.time.min, tzinfo=zone_for(actor))


@transaction.atomic
def consent_record(
    *,
    actor: Actor,
    case: Case,
    recipient_agency: Agency,
    scope: list[str],
    purpose: str,
    signed_by: str,
    signed_on: dt.date | None = None,
    expires_on: dt.date | None = None,
    guardian_name: str = "",
    guardian_relationship: str = "",
    guardian_not_suspect: bool = False,
) -> Consent:
    """Record a client's release of information to one agency.

    Expiry is mandatory: 90 days by default, at most 365 (or the task force's shorter limit).
    A minor's consent also needs a parent or guardian who is not the suspected trafficker.
    Logged: ``consent.recorded`` with recipient and categories.
    """
    _require(can_write_case(actor, case))
    today = today_for(actor)
    signed_on = signed_on or today
    errors: dict[str, str] = {}
    _agency_of_task_force(actor, recipient_agency, "recipient_agency")
    if recipient_agency.pk == case.agency_id:
        errors["recipient_agency"] = "A release names another agency than your own."
    if not scope:
        errors["scope"] = "Choose what may be shared."
    if not purpose.strip():
        errors["purpose"] = "Say what the information is for."
    if not signed_by.strip():
        errors["signed_by"] = "Who signed the release?"
    if signed_on > today:
        errors["signed_on"] = "A consent cannot be signed in the future."
    limit = consent_limit_days(actor)
    if expires_on is None:
        expires_on = signed_on + dt.timedelta(days=min(Consent.DEFAULT_DAYS, limit))
    if expires_on < signed_on:
        errors["expires_on"] = "The expiry cannot be before the signature."
    elif expires_on > signed_on + dt.timedelta(days=limit):
        errors["expires_on"] = f"A release can last at most {limit} days."
    minor = (
        case.minor_at_intake
        or Client.objects.filter(pk=case.client_id, age_group_at_intake=AgeGroup.MINOR).exists()
    )
    if minor:
        if not guardian_name.strip():
            errors["guardian_name"] = "A minor's release needs a parent or guardian's signature too."
        if not guardian_not_suspect:
            errors["guardian_not_suspect"] = (
                "Confirm that the parent or guardian is not the suspected trafficker."
            )
    if errors:
        raise ValidationError(errors)
    consent = Consent(
        task_force_id=actor.task_force_id,
        case=case,
        client_id=case.client_id,
        agency_id=case.agency_id,
        recipient_agency=recipient_agency,
        scope=sorted(set(scope)),
        purpose=purpose.strip(),
        signed_by=signed_by.strip(),
        guardian_name=guardian_name.strip(),
        guardian_relationship=guardian_relationship.strip(),
        guardian_not_suspect=guardian_not_suspect,
        signed_on=signed_on,
        expires_on=expires_on,
        expires_at=consent_expires_at(actor, expires_on),
        recorded_by_id=actor.user_id,
    )
    consent.full_clean()
    consent.save()
    audit_record(
        action="consent.recorded",
        actor=actor,
        target=consent,
        detail={"case": str(case.id), "recipient": str(recipient_agency.pk), "scope": consent.scope},
    )
    return consent


@transaction.atomic
def consent_revoke(*, actor: Actor, consent: Consent, note: str = "") -> Consent:
    """Revoke a release now. Whatever rested on it ends at once (checked at read time).
    Logged: ``consent.revoked``."""
    case = get_or_not_found(visible_cases(actor), consent.case_id)
    _require(can_write_case(actor, case))
    if consent.revoked_at is not None:
        raise ValidationError({"consent": "This release is already revoked."})
    consent.revoked_at = timezone.now()
    consent.revocation_note = note.strip()[:300]
    consent.save(update_fields=["revoked_at", "revocation_note", "updated_at"])
    audit_record(action="consent.revoked", actor=actor, target=consent, detail={"case": str(consent.case_id)})
    return consent


@transaction.atomic
def screening_record(
    *, actor: Actor, case: Case, form: str, answers: dict[str, str], screened_on: dt.date | None = None
) -> Screening:
    """Record a screening. Every answer is yes / no / unsure / declined; unknown questions are
    refused. Logged: ``screening.recorded`` with the form and whether it flagged."""
    _require(can_write_case(actor, case))
    if form not in screening_rules.Form.values:
        raise ValidationError({"form": "Choose the short or the long form."})
    allowed = {q.code for _, q in screening_rules.questions_for(form)}
    errors = {}
    for code, answer in answers.items():
        if code not in allowed:
            errors[code] = "Not a question of this form."
        elif answer not in screening_rules.Answer.values:
            errors[code] = "Answer yes, no, not sure or prefers not to say."
    if errors:
        raise ValidationError(errors)
    screened_on = screened_on or today_for(actor)
    if screened_on > today_for(actor):
        raise ValidationError({"screened_on": "A screening cannot be dated in the future."})
    summary = screening_rules.summarize(answers, minor=case.minor_at_intake)
    screening = Screening(
        task_force_id=actor.task_force_id,
        case=case,
        form=form,
        screened_on=screened_on,
        answers=answers,
        summary=summary,
        flagged=bool(summary["flagged"]),
        screened_by_id=actor.user_id,
    )
    screening.full_clean()
    screening.save()
    audit_record(
        action="screening.recorded",
        actor=actor,
        target=screening,
        detail={"form": form, "flagged": screening.flagged},
    )
    return screening


@transaction.atomic
def plan_item_add(
    *, actor: Actor, case: Case, need: str, goal: str, target_on: dt.date | None = None
) -> PlanItem:
    """Add a need and goal to the service plan. Logged: ``plan_item.added``."""
    _require(can_write_case(actor, case))
    item = PlanItem(
        task_force_id=actor.task_force_id, case=case, need=need, goal=goal.strip(), target_on=target_on
    )
    item.full_clean()
    item.save()
    audit_record(action="plan_item.added", actor=actor, target=item, detail={"case": str(case.id)})
    return item


@transaction.atomic
def plan_item_set_status(*, actor: Actor, item: PlanItem, status: str) -> PlanItem:
    """Logged: ``plan_item.changed`` with the new status."""
    case = get_or_not_found(visible_cases(actor), item.case_id)
    _require(can_write_case(actor, case))
    item.status = status
    item.full_clean()
    item.save(update_fields=["status", "updated_at"])
    audit_record(action="plan_item.changed", actor=actor, target=item, detail={"status": status})
    return item


@transaction.atomic
def family_member_add(
    *, actor: Actor, case: Case, relationship: str, age_group: str, served_from: dt.date | None = None
) -> FamilyMember:
    """An eligible family member served with the client. Logged: ``family_member.added``."""
    _require(can_write_case(actor, case))
    served_from = served_from or today_for(actor)
    if served_from > today_for(actor):
        raise ValidationError({"served_from": "Cannot be in the future."})
    if served_from < case.opened_on:
        raise ValidationError({"served_from": "Cannot be before the case opened."})
    member = FamilyMember(
        task_force_id=actor.task_force_id,
        client_id=case.client_id,
        agency_id=case.agency_id,
        relationship=relationship,
        age_group=age_group,
        served_from=served_from,
    )
    member.full_clean()
    member.save()
    audit_record(action="family_member.added", actor=actor, target=member, detail={"case": str(case.id)})
    return member
