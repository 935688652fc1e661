"""Read use-cases of the victim-services side, built on ``cases.policies`` only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from cases.identity_index import client_ids_matching
from cases.models import Case, CaseNote, Consent, PlanItem, Screening, ServiceDelivery
from cases.policies import (
    ASSIGNED,
    visible_addenda,
    visible_cases,
    visible_consents,
    visible_notes,
    visible_plan_items,
    visible_screenings,
    visible_services,
)
from taskforce.access import Actor
from taskforce.permissions import granted_ids


@dataclass(frozen=True, slots=True)
class CaseFilters:
    status: str = ""
    trafficking_type: str = ""
    assigned_to_me: bool = False
    consent_expiring: bool = False
    search: str = ""


def case_list(*, actor: Actor, filters: CaseFilters | None = None) -> QuerySet[Case]:
    """The actor's caseload, newest first, with the client's name in the same query.

    Search matches names inside the actor's own agency only (``visible_cases`` is already
    limited to it); nothing is ever matched across agencies.
    """
    filters = filters or CaseFilters()
    cases = visible_cases(actor).select_related("client__identity")
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.trafficking_type:
        cases = cases.filter(trafficking_type=filters.trafficking_type)
    if filters.assigned_to_me:
        cases = cases.filter(pk__in=granted_ids(actor, ASSIGNED, Case))
    if filters.consent_expiring:
        now = timezone.now()
        cases = cases.filter(
            Exists(
                Consent.objects.for_actor(actor).filter(
                    case_id=OuterRef("pk"),
                    revoked_at__isnull=True,
                    expires_at__gt=now,
                    expires_at__lte=now + dt.timedelta(days=Consent.EXPIRING_DAYS),
                )
            )
        )
    term = filters.search.strip()
    if term:
        # Names are encrypted: whole words, aliases and phones match through the agency's
        # blind index (its own key), in the same query as the list.
        cases = cases.filter(
            client_id__in=client_ids_matching(actor.agency_id, term, task_force_id=actor.task_force_id)
        )
    return cases


@dataclass(frozen=True, slots=True)
class CaseTimeline:
    services: list[ServiceDelivery]
    notes: list[CaseNote]
    consents: list[Consent]
    screenings: list[Screening]
    plan: list[PlanItem]


NO_CONTACT_DAYS = 30


def cases_assigned_to(cases: QuerySet[Case], user_id: object) -> QuerySet[Case]:
    """Narrow already visible cases to those assigned to one person (one grant row matches both)."""
    return cases.filter(
        caseuserobjectpermission__user_id=user_id,
        caseuserobjectpermission__permission__codename=ASSIGNED,
    )


def cases_unassigned(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.exclude(caseuserobjectpermission__permission__codename=ASSIGNED)


def cases_without_contact(
    cases: QuerySet[Case], today: dt.date, days: int = NO_CONTACT_DAYS
) -> QuerySet[Case]:
    """Open cases with no service recorded (or opened) in the last ``days`` days."""
    cutoff = today - dt.timedelta(days=days)
    return cases.exclude(status=Case.Status.CLOSED).filter(
        Q(last_contact_on__lt=cutoff) | Q(last_contact_on__isnull=True, opened_on__lt=cutoff)
    )


TIMELINE_LIMIT = 50


def case_timeline(*, actor: Actor, case: Case) -> CaseTimeline:
    """The case page's history: the last 50 services and notes, every consent, screening and
    plan item, each in one query whatever the case's length."""
    return CaseTimeline(
        services=list(
            visible_services(actor)
            .filter(case=case)
            .select_related("providing_agency", "voided_by")
            .order_by("-delivered_on", "-created_at")[:TIMELINE_LIMIT]
        ),
        notes=list(notes_with_addenda(actor).filter(case=case).order_by("-created_at")[:TIMELINE_LIMIT]),
        consents=list(
            visible_consents(actor)
            .filter(case=case)
            .select_related("recipient_agency")
            .order_by("-signed_on")
        ),
        screenings=list(visible_screenings(actor).filter(case=case).order_by("-screened_on", "-created_at")),
        plan=list(visible_plan_items(actor).filter(case=case).order_by("status", "created_at")),
    )


def notes_with_addenda(actor: Actor) -> QuerySet[CaseNote]:
    """Visible notes with their author and their addenda (oldest first), in two queries
    whatever the number of notes; an addendum is visible exactly when its note is."""
    return (
        visible_notes(actor)
        .select_related("author")
        .prefetch_related(
            Prefetch(
                "addenda",
                queryset=visible_addenda(actor).select_related("author").order_by("created_at"),
            )
        )
    )


def consents_by_state(consents: list[Consent], now: dt.datetime | None = None) -> dict[str, list[Consent]]:
    now = now or timezone.now()
    grouped: dict[str, list[Consent]] = {state: [] for state in Consent.State.values}
    for consent in consents:
        grouped[consent.state_at(now)].append(consent)
    return grouped
