"""Read use-cases of the MDT, built on ``mdt.policies``."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from cases.models import Consent
from cases.policies import visible_cases
from mdt import policies
from mdt.models import ActionItem, CaseReview, MdtMeeting, RosterMember
from referrals.policies import visible_investigations
from taskforce.access import Actor

OPEN_ITEMS = (ActionItem.Status.OPEN, ActionItem.Status.IN_PROGRESS)


def agenda(*, actor: Actor, meeting: MdtMeeting) -> list[CaseReview]:
    return list(
        policies.visible_reviews(actor)
        .filter(meeting=meeting)
        .select_related("presenting_agency")
        .order_by("position", "created_at")
    )


def carried_over(*, actor: Actor, meeting: MdtMeeting) -> list[ActionItem]:
    """Open items of the team from earlier meetings: they stay on the agenda until done."""
    return list(
        policies.visible_action_items(actor)
        .filter(team_id=meeting.team_id, status__in=OPEN_ITEMS, meeting__starts_at__lt=meeting.starts_at)
        .select_related("owner_member__membership__user", "owner_agency")
        .order_by("due_on")
    )


def meeting_items(*, actor: Actor, meeting: MdtMeeting) -> list[ActionItem]:
    return list(
        policies.visible_action_items(actor)
        .filter(meeting=meeting)
        .select_related("owner_member__membership__user", "owner_agency")
        .order_by("due_on")
    )


def overdue_items(*, actor: Actor, today: dt.date) -> QuerySet[ActionItem]:
    """For facilitators: every overdue open item of the teams they may see."""
    return (
        policies.visible_action_items(actor)
        .filter(status__in=OPEN_ITEMS, due_on__lt=today)
        .select_related("team", "owner_member__membership__user", "owner_agency")
        .order_by("due_on")
    )


def roster_with_agreements(*, actor: Actor, team_id: object, today: dt.date) -> list[dict]:
    """The roster with each member's latest agreement and whether it is current."""
    rows = list(
        policies.visible_roster(actor)
        .filter(team_id=team_id)
        .order_by("-is_active", "membership__agency__name", "membership__user__full_name")
    )
    latest: dict = {}
    for agreement in (
        policies.visible_agreements(actor)
        .filter(roster_member__in=rows)
        .order_by("roster_member_id", "-expires_on")
    ):
        latest.setdefault(agreement.roster_member_id, agreement)
    return [
        {
            "row": row,
            "agreement": latest.get(row.pk),
            "current": bool(latest.get(row.pk) and latest[row.pk].is_current(today)),
        }
        for row in rows
    ]


def review_client_name(*, actor: Actor, review: CaseReview) -> str | None:
    """The client's name may appear on the agenda only when a current consent with identity in
    its scope names every other agency on the team's roster. Otherwise: the MDT code only."""
    if review.case_id is None:
        return None
    others = set(
        RosterMember.objects.for_actor(actor)
        .filter(team_id=review.meeting.team_id, is_active=True)
        .exclude(membership__agency_id=review.presenting_agency_id)
        .values_list("membership__agency_id", flat=True)
    )
    now = timezone.now()
    consented = set(
        Consent.objects.for_actor(actor)
        .filter(
            case_id=review.case_id, revoked_at__isnull=True, expires_at__gt=now, scope__contains=["identity"]
        )
        .values_list("recipient_agency_id", flat=True)
    )
    # Consent rows are VS records: read here only to decide a yes/no, by the platform rule above.
    if not others or not others <= consented:
        return None
    identity = review.case.client.identity if review.case_id else None
    return identity.display_name if identity else None


def review_links(*, actor: Actor, review: CaseReview) -> dict[str, bool]:
    """Show the link to the presenter's own record only to who may already see it."""
    return {
        "case": review.case_id is not None and visible_cases(actor).filter(pk=review.case_id).exists(),
        "investigation": review.investigation_id is not None
        and visible_investigations(actor).filter(pk=review.investigation_id).exists(),
    }
