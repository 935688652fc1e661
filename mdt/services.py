"""Writes on the MDT. Each takes the acting ``actor``, re-checks the policy, validates
(ValidationError with field errors -> 400), writes, audits (ids only, never what was said).

Logged: ``mdt_team.created``, ``roster.added``, ``roster.removed``, ``agreement.signed``,
``agreement.guest_signed``, ``meeting.created``, ``meeting.changed``, ``attendance.recorded``,
``review.added``, ``review.changed``, ``action_item.added``, ``action_item.changed``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cases.models import Case
from cases.policies import visible_cases
from cases.services import today_for, zone_for
from mdt import policies
from mdt.models import (
    AGREEMENT_DAYS,
    AGREEMENT_VERSION,
    ActionItem,
    Agreement,
    Attendance,
    CaseReview,
    MdtMeeting,
    MdtTeam,
    RosterMember,
)
from referrals.models import Investigation
from referrals.policies import visible_investigations
from taskforce.access import Actor
from taskforce.audit import audit_record
from taskforce.models import Agency, Membership


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


@transaction.atomic
def team_create(*, actor: Actor, name: str, kind: str = MdtTeam.Kind.ADULT) -> MdtTeam:
    """Who may: tenant admins and coordinators. Logged: ``mdt_team.created``."""
    _require(policies.can_manage_rosters(actor))
    team = MdtTeam(task_force_id=actor.task_force_id, name=name.strip(), kind=kind)
    team.full_clean()
    team.save()
    audit_record(action="mdt_team.created", actor=actor, target=team)
    return team


@transaction.atomic
def roster_add(
    *, actor: Actor, team: MdtTeam, membership: Membership, is_facilitator: bool = False
) -> RosterMember:
    """Put a member of the task force on a team's roster (or back on it).
    Logged: ``roster.added``."""
    _require(policies.can_manage_rosters(actor) and team.task_force_id == actor.task_force_id)
    if membership.task_force_id != actor.task_force_id or not membership.is_active:
        raise ValidationError({"membership": "Choose an active member of this task force."})
    row, _ = RosterMember.objects.for_actor(actor).get_or_create(
        team=team,
        membership=membership,
        defaults={"task_force_id": actor.task_force_id, "is_facilitator": is_facilitator},
    )
    row.is_active, row.is_facilitator = True, is_facilitator
    row.save(update_fields=["is_active", "is_facilitator", "updated_at"])
    audit_record(action="roster.added", actor=actor, target=row, detail={"team": str(team.pk)})
    return row


@transaction.atomic
def roster_remove(*, actor: Actor, row: RosterMember) -> RosterMember:
    """Take someone off the roster: they see nothing of the team from their next request.
    Logged: ``roster.removed``."""
    _require(policies.can_manage_rosters(actor) and row.task_force_id == actor.task_force_id)
    row.is_active = False
    row.save(update_fields=["is_active", "updated_at"])
    audit_record(action="roster.removed", actor=actor, target=row, detail={"team": str(row.team_id)})
    return row


@transaction.atomic
def agreement_sign(
    *, actor: Actor, row: RosterMember, signed_on: dt.date | None = None, expires_on: dt.date | None = None
) -> Agreement:
    """Record a roster member's confidentiality agreement (current text version), valid one
    year. Who may: roster managers for anyone, a member for their own row.
    Logged: ``agreement.signed``."""
    _require(row.task_force_id == actor.task_force_id)
    _require(policies.can_manage_rosters(actor) or row.membership_id == actor.membership_id)
    today = today_for(actor)
    signed_on = signed_on or today
    if signed_on > today:
        raise ValidationError({"signed_on": "Cannot be signed in the future."})
    expires_on = expires_on or signed_on + dt.timedelta(days=AGREEMENT_DAYS)
    if expires_on < signed_on:
        raise ValidationError({"expires_on": "The agreement cannot expire before it was signed."})
    if expires_on > signed_on + dt.timedelta(days=AGREEMENT_DAYS):
        raise ValidationError({"expires_on": "An agreement lasts at most one year."})
    agreement = Agreement(
        task_force_id=actor.task_force_id,
        team_id=row.team_id,
        roster_member=row,
        version=AGREEMENT_VERSION,
        signed_on=signed_on,
        expires_on=expires_on,
        recorded_by_id=actor.user_id,
    )
    agreement.full_clean()
    agreement.save()
    audit_record(
        action="agreement.signed", actor=actor, target=agreement, detail={"version": AGREEMENT_VERSION}
    )
    return agreement


@transaction.atomic
def guest_sign(
    *, actor: Actor, meeting: MdtMeeting, guest_name: str, guest_organization: str = ""
) -> Attendance:
    """A guest signs the agreement for one meeting and is recorded as attending.
    Logged: ``agreement.guest_signed``."""
    _require(policies.can_edit_meeting(actor, meeting))
    if not guest_name.strip():
        raise ValidationError({"guest_name": "Enter the guest's name."})
    if len(guest_name.strip()) > 200 or len(guest_organization.strip()) > 200:
        raise ValidationError({"guest_name": "At most 200 characters."})
    day = timezone.localtime(meeting.starts_at).date()
    agreement = Agreement.objects.create(
        task_force_id=actor.task_force_id,
        team_id=meeting.team_id,
        meeting=meeting,
        guest_name=guest_name.strip(),
        guest_organization=guest_organization.strip(),
        signed_on=day,
        expires_on=day,
        recorded_by_id=actor.user_id,
    )
    attendance = Attendance.objects.create(
        task_force_id=actor.task_force_id,
        meeting=meeting,
        guest_agreement=agreement,
        status=Attendance.Status.GUEST,
    )
    audit_record(
        action="agreement.guest_signed", actor=actor, target=agreement, detail={"meeting": str(meeting.pk)}
    )
    return attendance


def _check_meeting_time(actor: Actor, status: str, starts_at: dt.datetime) -> None:
    if status == MdtMeeting.Status.PLANNED and starts_at < timezone.now() - dt.timedelta(hours=12):
        raise ValidationError(
            {"starts_at": "A meeting in the past cannot be planned; mark it held or cancelled."}
        )
    # Starting early would record attendance and decisions against a day that has not come:
    # the minutes and the PC 13753 record must carry the day the team really met.
    day = timezone.localtime(starts_at, zone_for(actor)).date()
    if status == MdtMeeting.Status.IN_PROGRESS and day > today_for(actor):
        raise ValidationError(
            {"status": f"This meeting is on {day:%Y-%m-%d}; it can be started on that day."}
        )


def can_start_today(actor: Actor, meeting: MdtMeeting) -> bool:
    return timezone.localtime(meeting.starts_at, zone_for(actor)).date() <= today_for(actor)


@transaction.atomic
def meeting_create(*, actor: Actor, team: MdtTeam, data: dict[str, Any]) -> MdtMeeting:
    """Plan a meeting. Who may: facilitators. Logged: ``meeting.created``."""
    _require(policies.can_plan_meetings(actor, team))
    status = data.get("status") or MdtMeeting.Status.PLANNED
    if not data.get("starts_at"):
        raise ValidationError({"starts_at": "When does the meeting start?"})
    _check_meeting_time(actor, status, data["starts_at"])
    meeting = MdtMeeting(
        task_force_id=actor.task_force_id,
        team=team,
        starts_at=data["starts_at"],
        place=data.get("place", ""),
        video_link=data.get("video_link", ""),
        status=status,
        created_by_id=actor.user_id,
    )
    meeting.full_clean()
    meeting.save()
    audit_record(action="meeting.created", actor=actor, target=meeting)
    return meeting


@transaction.atomic
def meeting_update(*, actor: Actor, meeting: MdtMeeting, data: dict[str, Any]) -> MdtMeeting:
    """Change time, place, status or minutes. Logged: ``meeting.changed`` (field names only)."""
    _require(policies.can_edit_meeting(actor, meeting))
    fields = ("starts_at", "place", "video_link", "status", "minutes")
    changed = [f for f in fields if f in data and data[f] is not None and getattr(meeting, f) != data[f]]
    for field in changed:
        setattr(meeting, field, data[field])
    if {"starts_at", "status"} & set(changed):
        _check_meeting_time(actor, meeting.status, meeting.starts_at)
    if changed:
        meeting.full_clean()
        meeting.save(update_fields=[*changed, "updated_at"])
        audit_record(action="meeting.changed", actor=actor, target=meeting, detail={"fields": changed})
    return meeting


@transaction.atomic
def meeting_record_save(
    *,
    actor: Actor,
    meeting: MdtMeeting,
    attendance: list[tuple[RosterMember, str]],
    minutes: str | None,
    decisions: dict[CaseReview, dict[str, str]],
) -> list[str]:
    """Save what was typed on the running meeting's page in one go: attendance, the minutes and
    each review's decisions. All or nothing, so a refused part never half-saves the rest; only
    what changed is written (and audited). Returns the parts that changed."""
    _require(policies.can_edit_meeting(actor, meeting))
    changed: list[str] = []
    current = {
        a.roster_member_id: a.status
        for a in Attendance.objects.for_actor(actor).filter(meeting=meeting, roster_member__isnull=False)
    }
    marked = [(row, status) for row, status in attendance if status and current.get(row.pk) != status]
    for row, status in marked:
        attendance_record(actor=actor, meeting=meeting, row=row, status=status)
    if marked:
        changed.append("attendance")
    if minutes is not None and minutes != meeting.minutes:
        meeting_update(actor=actor, meeting=meeting, data={"minutes": minutes})
        changed.append("minutes")
    for review, data in decisions.items():
        if review.meeting_id != meeting.pk:
            raise ValidationError({"review": "Choose a review of this meeting."})
        if any(getattr(review, field) != value for field, value in data.items()):
            review_update(actor=actor, review=review, data=data)
            if "decisions" not in changed:
                changed.append("decisions")
    return changed


@transaction.atomic
def attendance_record(*, actor: Actor, meeting: MdtMeeting, row: RosterMember, status: str) -> Attendance:
    """Mark a roster member present or absent. Logged: ``attendance.recorded``."""
    _require(policies.can_edit_meeting(actor, meeting))
    if row.team_id != meeting.team_id or not row.is_active:
        raise ValidationError({"roster_member": "Not on this team's roster."})
    if status not in (Attendance.Status.PRESENT, Attendance.Status.ABSENT):
        raise ValidationError({"status": "Present or absent."})
    attendance, _ = Attendance.objects.for_actor(actor).update_or_create(
        meeting=meeting, roster_member=row, defaults={"status": status, "task_force_id": actor.task_force_id}
    )
    audit_record(action="attendance.recorded", actor=actor, target=attendance, detail={"status": status})
    return attendance


def _roster_agencies(actor: Actor, team_id: Any) -> set:
    return set(
        RosterMember.objects.for_actor(actor)
        .filter(team_id=team_id, is_active=True)
        .values_list("membership__agency_id", flat=True)
    )


def _next_code(actor: Actor, meeting: MdtMeeting) -> str:
    # The team row's lock makes two presenters adding at once take turns for the number.
    MdtTeam.objects.for_actor(actor).select_for_update().filter(pk=meeting.team_id).first()
    year = timezone.localtime(meeting.starts_at).year
    prefix = {"adult": "A", "youth": "Y"}.get(meeting.team.kind, "M")
    count = CaseReview.objects.for_actor(actor).filter(mdt_code__startswith=f"{prefix}-{year}-").count()
    return f"{prefix}-{year}-{count + 1:03d}"


@transaction.atomic
def review_add(
    *,
    actor: Actor,
    meeting: MdtMeeting,
    data: dict[str, Any],
    presenting_agency: Agency | None = None,
    case: Case | None = None,
    investigation: Investigation | None = None,
) -> CaseReview:
    """Put a case review on the agenda, presented by the actor's agency (a facilitator may name
    another agency on the roster). Identified by a pseudonymous MDT code; the presenter writes
    the summary. A link to the presenter's own case or investigation must be one the presenter
    sees; nothing else of it is copied (privileged notes can never reach the MDT).
    Logged: ``review.added``."""
    _require(policies.can_present(actor, meeting))
    agency = presenting_agency
    if agency is None or agency.pk == actor.agency_id:
        agency_id = actor.agency_id
    else:
        _require(policies.is_facilitator(actor, meeting.team_id))
        agency_id = agency.pk
    if agency_id not in _roster_agencies(actor, meeting.team_id):
        raise ValidationError(
            {"presenting_agency": "The presenting agency has nobody on this team's roster."}
        )
    if case is not None and not visible_cases(actor).filter(pk=case.pk).exists():
        raise ValidationError({"case": "Choose a case you work on."})
    if investigation is not None and not visible_investigations(actor).filter(pk=investigation.pk).exists():
        raise ValidationError({"investigation": "Choose an investigation you work on."})
    position = CaseReview.objects.for_actor(actor).filter(meeting=meeting).count() + 1
    review = CaseReview(
        task_force_id=actor.task_force_id,
        meeting=meeting,
        presenting_agency_id=agency_id,
        mdt_code=_next_code(actor, meeting),
        position=position,
        summary=data.get("summary", ""),
        risk_level=data.get("risk_level") or CaseReview.Risk.MODERATE,
        needs_barriers=data.get("needs_barriers", ""),
        case=case,
        investigation=investigation,
        presented_by_id=actor.user_id,
    )
    review.full_clean()
    review.save()
    audit_record(action="review.added", actor=actor, target=review, detail={"meeting": str(meeting.pk)})
    return review


@transaction.atomic
def review_update(*, actor: Actor, review: CaseReview, data: dict[str, Any]) -> CaseReview:
    """Logged: ``review.changed`` (field names only)."""
    _require(policies.can_edit_review(actor, review))
    fields = ("summary", "risk_level", "needs_barriers", "decisions", "recommendations", "position")
    changed = [f for f in fields if f in data and data[f] is not None and getattr(review, f) != data[f]]
    for field in changed:
        setattr(review, field, data[field])
    if changed:
        review.full_clean()
        review.save(update_fields=[*changed, "updated_at"])
        audit_record(action="review.changed", actor=actor, target=review, detail={"fields": changed})
    return review


@transaction.atomic
def action_item_add(
    *,
    actor: Actor,
    meeting: MdtMeeting,
    description: str,
    due_on: dt.date,
    owner_member: RosterMember | None = None,
    owner_agency: Agency | None = None,
    review: CaseReview | None = None,
) -> ActionItem:
    """Record an action item with an owner on the team (a roster member, or an agency with
    someone on the roster). Who may: facilitators. Logged: ``action_item.added``."""
    _require(policies.can_edit_meeting(actor, meeting))
    if owner_member is None and owner_agency is None:
        raise ValidationError({"owner": "Choose who owns this: a team member or an agency."})
    if owner_member is not None and (owner_member.team_id != meeting.team_id or not owner_member.is_active):
        raise ValidationError({"owner_member": "The owner must be on this team's roster."})
    if owner_agency is not None and owner_agency.pk not in _roster_agencies(actor, meeting.team_id):
        raise ValidationError({"owner_agency": "The owning agency has nobody on this team's roster."})
    if review is not None and review.meeting_id != meeting.pk:
        raise ValidationError({"review": "Choose a review of this meeting."})
    if not description.strip():
        raise ValidationError({"description": "Describe what is to be done."})
    item = ActionItem(
        task_force_id=actor.task_force_id,
        team_id=meeting.team_id,
        meeting=meeting,
        review=review,
        description=description.strip(),
        owner_member=owner_member,
        owner_agency=owner_agency,
        due_on=due_on,
    )
    item.full_clean()
    item.save()
    audit_record(action="action_item.added", actor=actor, target=item, detail={"meeting": str(meeting.pk)})
    return item


@transaction.atomic
def action_item_update(*, actor: Actor, item: ActionItem, data: dict[str, Any]) -> ActionItem:
    """Owners update the status; facilitators may also change the description and due date.
    Logged: ``action_item.changed``."""
    _require(policies.can_update_action_item(actor, item))
    changed = []
    status = data.get("status")
    if status is not None and status != item.status:
        if status not in ActionItem.Status.values:
            raise ValidationError({"status": "Choose a status."})
        item.status = status
        item.completed_on = today_for(actor) if status == ActionItem.Status.DONE else None
        changed += ["status", "completed_on"]
    if policies.is_facilitator(actor, item.team_id):
        for field in ("description", "due_on"):
            if data.get(field) is not None and getattr(item, field) != data[field]:
                setattr(item, field, data[field])
                changed.append(field)
    if changed:
        item.full_clean()
        item.save(update_fields=[*changed, "updated_at"])
        audit_record(action="action_item.changed", actor=actor, target=item, detail={"fields": changed})
    return item
