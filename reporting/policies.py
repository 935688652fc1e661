"""Who sees which part of the grant reports, and who logs training and outreach (access.md).

- Coordinator and analyst: every block, for the whole task force.
- LE roles: the law-enforcement block.
- VS supervisor: the victim-services block computed from their own agency only.
- Everyone else (case managers, tenant admins, other task forces, superusers): nothing (404).
No figure ever comes with names or record ids: the measures are counts.

Training and outreach events are listed for every member; every member but the tenant admin and
the analyst records them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from reporting.models import MonthLock, OutreachEvent, ReportExport, TrainingEvent
from taskforce.access import LE_ROLES, Actor, Role, get_or_not_found

ALL_BLOCKS = ("victim_services", "law_enforcement", "activity")


@dataclass(frozen=True, slots=True)
class ReportScope:
    blocks: tuple[str, ...]
    agency_id: uuid.UUID | None  # set: the victim-services block of this agency only


def report_scope(actor: Actor) -> ReportScope | None:
    if actor.role in (Role.COORDINATOR, Role.ANALYST):
        return ReportScope(ALL_BLOCKS, None)
    if actor.role in LE_ROLES:
        return ReportScope(("law_enforcement",), None)
    if actor.role == Role.VS_SUPERVISOR:
        return ReportScope(("victim_services",), actor.agency_id)
    return None


def can_lock_months(actor: Actor) -> bool:
    """Lock and reopen a month: the coordinator and the analyst (grant staff)."""
    return actor.role in (Role.COORDINATOR, Role.ANALYST)


def visible_training(actor: Actor) -> QuerySet[TrainingEvent]:
    return TrainingEvent.objects.for_actor(actor).select_related("delivering_agency")


def visible_outreach(actor: Actor) -> QuerySet[OutreachEvent]:
    return OutreachEvent.objects.for_actor(actor).select_related("delivering_agency")


def access_training(actor: Actor, event_id: uuid.UUID | str) -> TrainingEvent:
    return get_or_not_found(visible_training(actor), event_id)


def access_outreach(actor: Actor, event_id: uuid.UUID | str) -> OutreachEvent:
    return get_or_not_found(visible_outreach(actor), event_id)


def can_log_events(actor: Actor) -> bool:
    return actor.role not in (Role.TENANT_ADMIN, Role.ANALYST)


def visible_locks(actor: Actor) -> QuerySet[MonthLock]:
    if report_scope(actor) is None:
        return MonthLock.objects.none()
    return MonthLock.objects.for_actor(actor)


def visible_exports(actor: Actor) -> QuerySet[ReportExport]:
    """Exports the actor requested, while they may still see reports (re-checked at download)."""
    scope = report_scope(actor)
    if scope is None:
        return ReportExport.objects.none()
    mine = Q(requested_by_id=actor.user_id, membership_id=actor.membership_id)
    if scope.blocks == ALL_BLOCKS and scope.agency_id is None:
        # The report prepared on the 1st is the whole task force's: full-report readers only.
        mine |= Q(requested_by__isnull=True)
    return ReportExport.objects.for_actor(actor).filter(mine)


def access_export(actor: Actor, export_id: uuid.UUID | str) -> ReportExport:
    return get_or_not_found(visible_exports(actor), export_id)
