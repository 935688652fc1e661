"""Read use-cases of the MDT, built on ``mdt.policies``."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from cases.models import Case, ClientIdentity, Consent
from cases.policies import visible_cases
from mdt import policies
from mdt.models import ActionItem, Attendance, CaseReview, MdtMeeting, RosterMember
from referrals.policies import visible_investigations
from taskforce.access import Actor, Role
from taskforce.models import Membership

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
    its scope names every other agency on the team's roster; otherwise the MDT code only.

    The one consent-based read across the wall: the client's consent decides, whoever looks,
    so consents and the display name are read inside the task force without the viewer's
    compartment; nothing else of the case is read.
    """
    return review_client_names(actor=actor, reviews=[review])[review.pk]


def review_links(*, actor: Actor, review: CaseReview) -> dict[str, bool]:
    """Show the link to the presenter's own record only to who may already see it."""
    return {
        "case": review.case_id is not None and visible_cases(actor).filter(pk=review.case_id).exists(),
        "investigation": review.investigation_id is not None
        and visible_investigations(actor).filter(pk=review.investigation_id).exists(),
    }


def review_client_names(*, actor: Actor, reviews: list[CaseReview]) -> dict:
    """``review_client_name`` for many reviews in a fixed number of queries (lists)."""
    with_case = [r for r in reviews if r.case_id]
    if not with_case:
        return {r.pk: None for r in reviews}
    team_of = dict(
        MdtMeeting.objects.filter(pk__in={r.meeting_id for r in with_case}).values_list("pk", "team_id")
    )
    team_ids = set(team_of.values())
    roster: dict = {}
    for team_id, agency_id in (
        RosterMember.objects.for_actor(actor)
        .filter(team_id__in=team_ids, is_active=True)
        .values_list("team_id", "membership__agency_id")
    ):
        roster.setdefault(team_id, set()).add(agency_id)
    # The coordinator reads every team's meetings without being on a roster: their agency must
    # be named by the consent too, or the name would reach an office the client never agreed to.
    coordinator_agencies = set(
        Membership.objects.for_actor(actor)
        .filter(role=Role.COORDINATOR, is_active=True)
        .values_list("agency_id", flat=True)
    )
    consented: dict = {}
    for case_id, agency_id in Consent.objects.filter(
        task_force_id=actor.task_force_id,
        case_id__in={r.case_id for r in with_case},
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
        scope__contains=["identity"],
    ).values_list("case_id", "recipient_agency_id"):
        consented.setdefault(case_id, set()).add(agency_id)
    allowed = {
        r.pk
        for r in with_case
        if (
            others := (roster.get(team_of.get(r.meeting_id), set()) | coordinator_agencies)
            - {r.presenting_agency_id}
        )
        and others <= consented.get(r.case_id, set())
    }
    names = {}
    if allowed:
        case_ids = {r.case_id for r in with_case if r.pk in allowed}
        by_case = dict(
            Case.objects.filter(task_force_id=actor.task_force_id, pk__in=case_ids).values_list(
                "pk", "client_id"
            )
        )
        identities = {
            i.client_id: i.display_name
            for i in ClientIdentity.objects.filter(
                task_force_id=actor.task_force_id, client_id__in=by_case.values()
            )
        }
        names = {r.pk: identities.get(by_case.get(r.case_id)) for r in with_case if r.pk in allowed}
    return {r.pk: names.get(r.pk) for r in reviews}


def review_links_many(*, actor: Actor, reviews: list[CaseReview]) -> dict:
    """``review_links`` for many reviews in two queries."""
    cases = set(
        visible_cases(actor)
        .filter(pk__in={r.case_id for r in reviews if r.case_id})
        .values_list("pk", flat=True)
    )
    investigations = set(
        visible_investigations(actor)
        .filter(pk__in={r.investigation_id for r in reviews if r.investigation_id})
        .values_list("pk", flat=True)
    )
    return {
        r.pk: {"case": r.case_id in cases, "investigation": r.investigation_id in investigations}
        for r in reviews
    }


def meeting_attendance(*, actor: Actor, meeting: MdtMeeting) -> list[Attendance]:
    """Attendance of a meeting the actor may see (roster members and guests)."""
    return list(
        Attendance.objects.for_actor(actor)
        .filter(meeting_id__in=policies.visible_meetings(actor).filter(pk=meeting.pk).values("pk"))
        .select_related(
            "roster_member__membership__user", "roster_member__membership__agency", "guest_agreement"
        )
        .order_by("created_at")
    )
