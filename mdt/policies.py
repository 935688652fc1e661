"""Who may see and change MDT records (access.md; California PC 13753).

- Tenant admins and coordinators manage teams and rosters (admins see the roster only, never
  meetings or reviews).
- Coordinators facilitate: they see and run every meeting of the task force's teams.
- A roster member sees their team's meetings, reviews and action items only while they hold a
  current confidentiality agreement (checked at read time: removal from the roster or an
  expired agreement answers 404 on the next request). Facilitators on the roster edit meetings.
- A review is edited by its presenting agency's members on the roster (and facilitators).
- Everyone else, other task forces and superusers: nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db.models import Q, QuerySet

from cases.services import today_for
from mdt.models import ActionItem, Agreement, CaseReview, MdtMeeting, MdtTeam, RosterMember
from taskforce.access import Actor, Role, get_or_not_found

MANAGERS = frozenset({Role.TENANT_ADMIN, Role.COORDINATOR})


def can_manage_rosters(actor: Actor) -> bool:
    return actor.role in MANAGERS


def is_coordinator(actor: Actor) -> bool:
    return actor.role == Role.COORDINATOR


def my_roster_rows(actor: Actor) -> QuerySet[RosterMember]:
    return RosterMember.objects.for_actor(actor).filter(membership_id=actor.membership_id, is_active=True)


def _current_agreements(actor: Actor, today: dt.date) -> QuerySet[Agreement]:
    return Agreement.objects.for_actor(actor).filter(
        roster_member__membership_id=actor.membership_id,
        roster_member__is_active=True,
        signed_on__lte=today,
        expires_on__gte=today,
    )


def cleared_team_ids(actor: Actor) -> QuerySet:
    """Teams whose meetings the actor may see: every team for the coordinator, else the teams
    where the actor is an active roster member with a current agreement."""
    if is_coordinator(actor):
        return MdtTeam.objects.for_actor(actor).values_list("pk", flat=True)
    if actor.role in (Role.TENANT_ADMIN, Role.ANALYST):
        # Admins manage rosters and analysts count: neither reads what is said at the MDT.
        return MdtTeam.objects.none().values_list("pk", flat=True)
    return _current_agreements(actor, today_for(actor)).values_list("team_id", flat=True)


def visible_teams(actor: Actor) -> QuerySet[MdtTeam]:
    """Teams shown at all: managers see every team; members see the teams they are on."""
    teams = MdtTeam.objects.for_actor(actor)
    if can_manage_rosters(actor):
        return teams
    return teams.filter(pk__in=my_roster_rows(actor).values("team_id"))


def access_team(actor: Actor, team_id: uuid.UUID | str) -> MdtTeam:
    return get_or_not_found(visible_teams(actor), team_id)


def visible_roster(actor: Actor) -> QuerySet[RosterMember]:
    return (
        RosterMember.objects.for_actor(actor)
        .filter(team_id__in=visible_teams(actor).values("pk"))
        .select_related("membership__user", "membership__agency")
    )


def visible_agreements(actor: Actor) -> QuerySet[Agreement]:
    """Agreements (who signed what, when): rosters' managers, and each member their own."""
    agreements = Agreement.objects.for_actor(actor)
    if can_manage_rosters(actor):
        return agreements
    return agreements.filter(roster_member__membership_id=actor.membership_id, roster_member__is_active=True)


def visible_meetings(actor: Actor) -> QuerySet[MdtMeeting]:
    return MdtMeeting.objects.for_actor(actor).filter(team_id__in=cleared_team_ids(actor))


def access_meeting(actor: Actor, meeting_id: uuid.UUID | str) -> MdtMeeting:
    return get_or_not_found(visible_meetings(actor).select_related("team"), meeting_id)


def is_facilitator(actor: Actor, team_id: uuid.UUID) -> bool:
    if is_coordinator(actor):
        return MdtTeam.objects.for_actor(actor).filter(pk=team_id).exists()
    return my_roster_rows(actor).filter(team_id=team_id, is_facilitator=True).exists()


def can_edit_meeting(actor: Actor, meeting: MdtMeeting) -> bool:
    """Facilitators (the coordinator and roster facilitators) plan and run meetings."""
    return is_facilitator(actor, meeting.team_id)


def can_plan_meetings(actor: Actor, team: MdtTeam) -> bool:
    return is_facilitator(actor, team.pk)


def visible_reviews(actor: Actor) -> QuerySet[CaseReview]:
    return CaseReview.objects.for_actor(actor).filter(meeting_id__in=visible_meetings(actor).values("pk"))


def access_review(actor: Actor, review_id: uuid.UUID | str) -> CaseReview:
    return get_or_not_found(visible_reviews(actor).select_related("meeting", "presenting_agency"), review_id)


def can_present(actor: Actor, meeting: MdtMeeting) -> bool:
    """Put a review on the agenda: roster members with a current agreement (for their own
    agency) and facilitators."""
    return visible_meetings(actor).filter(pk=meeting.pk).exists() and (
        is_facilitator(actor, meeting.team_id)
        or my_roster_rows(actor).filter(team_id=meeting.team_id).exists()
    )


def can_edit_review(actor: Actor, review: CaseReview) -> bool:
    """The presenting agency's people who see the meeting, and facilitators."""
    if not visible_reviews(actor).filter(pk=review.pk).exists():
        return False
    return review.pk in editable_review_ids(actor, [review], review.meeting.team_id)


def visible_action_items(actor: Actor) -> QuerySet[ActionItem]:
    return ActionItem.objects.for_actor(actor).filter(team_id__in=cleared_team_ids(actor))


def access_action_item(actor: Actor, item_id: uuid.UUID | str) -> ActionItem:
    return get_or_not_found(visible_action_items(actor), item_id)


def my_action_items(actor: Actor) -> QuerySet[ActionItem]:
    """Items owned by the actor, or by the actor's agency, on teams the actor is cleared for."""
    return visible_action_items(actor).filter(
        Q(owner_member__membership_id=actor.membership_id) | Q(owner_agency_id=actor.agency_id)
    )


def can_update_action_item(actor: Actor, item: ActionItem) -> bool:
    """Its owner (member or agency) updates the status; facilitators edit everything."""
    if not visible_action_items(actor).filter(pk=item.pk).exists():
        return False
    return item.pk in updatable_action_item_ids(actor, [item])


def facilitated_team_ids(actor: Actor) -> set:
    """Teams the actor facilitates (every team of the task force for the coordinator)."""
    if is_coordinator(actor):
        return set(MdtTeam.objects.for_actor(actor).values_list("pk", flat=True))
    return set(my_roster_rows(actor).filter(is_facilitator=True).values_list("team_id", flat=True))


def updatable_action_item_ids(actor: Actor, items: list[ActionItem]) -> set:
    """``can_update_action_item`` for a page of items the actor already sees, in two queries."""
    facilitated = facilitated_team_ids(actor)
    mine = set(my_roster_rows(actor).values_list("pk", flat=True))
    return {
        item.pk
        for item in items
        if item.team_id in facilitated
        or item.owner_agency_id == actor.agency_id
        or item.owner_member_id in mine
    }


def editable_review_ids(actor: Actor, reviews: list[CaseReview], team_id: uuid.UUID) -> set:
    """``can_edit_review`` for an agenda the actor already sees (one meeting's team)."""
    if is_facilitator(actor, team_id):
        return {review.pk for review in reviews}
    return {review.pk for review in reviews if review.presenting_agency_id == actor.agency_id}
