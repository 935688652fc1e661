"""Who may see and change victim-services records (access.md, the wall).

- A VS supervisor sees every case of their own agency (the ``agency`` column).
- A VS case manager sees the cases of their own agency they are assigned to (a guardian grant
  in ``CaseUserObjectPermission``).
- Nobody else sees any of it: law enforcement, coordinators, tenant admins, analysts, other VS
  agencies, other task forces and superusers all get 404 (``for_actor`` returns nothing outside
  the VS compartment; the agency column keeps other VS agencies out).
- Everything hanging off a case (client, identity, services, notes, consents, screenings, plan)
  is visible exactly when its case is, except privileged notes: their author and the agency's VS
  supervisors only.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from cases.models import (
    Case,
    CaseChange,
    CaseNote,
    Client,
    ClientIdentity,
    Consent,
    FamilyMember,
    NoteAddendum,
    PlanItem,
    Screening,
    ServiceDelivery,
)
from taskforce.access import Actor, Role, get_or_not_found
from taskforce.models import Agency
from taskforce.permissions import granted_ids, has_grant

ASSIGNED = "view_case"


def _is_supervisor(actor: Actor) -> bool:
    return actor.role == Role.VS_SUPERVISOR


def visible_cases(actor: Actor) -> QuerySet[Case]:
    cases = Case.objects.for_actor(actor).filter(agency_id=actor.agency_id)
    if _is_supervisor(actor):
        return cases
    if actor.role == Role.VS_CASE_MANAGER:
        return cases.filter(pk__in=granted_ids(actor, ASSIGNED, Case))
    return cases.none()


def access_case(actor: Actor, case_id: uuid.UUID | str) -> Case:
    """A case id from the request -> the case, or 404 for every reason. Not audited here:
    the edge that shows the case records the read."""
    return get_or_not_found(visible_cases(actor).select_related("client"), case_id)


def visible_clients(actor: Actor) -> QuerySet[Client]:
    return Client.objects.for_actor(actor).filter(
        agency_id=actor.agency_id, pk__in=visible_cases(actor).values("client_id")
    )


def visible_identities(actor: Actor) -> QuerySet[ClientIdentity]:
    return ClientIdentity.objects.for_actor(actor).filter(client_id__in=visible_clients(actor).values("pk"))


def _on_visible_cases(actor: Actor, queryset: QuerySet) -> QuerySet:
    return queryset.filter(case_id__in=visible_cases(actor).values("pk"))


def visible_services(actor: Actor) -> QuerySet[ServiceDelivery]:
    return _on_visible_cases(actor, ServiceDelivery.objects.for_actor(actor))


def access_service(actor: Actor, case: Case, service_id: uuid.UUID | str) -> ServiceDelivery:
    """A service id from the request, on this (visible) case -> the service, or 404."""
    return get_or_not_found(visible_services(actor).filter(case_id=case.pk), service_id)


def visible_case_changes(actor: Actor) -> QuerySet[CaseChange]:
    """The field-change history of visible cases: exactly who sees the case."""
    return _on_visible_cases(actor, CaseChange.objects.for_actor(actor))


def visible_plan_items(actor: Actor) -> QuerySet[PlanItem]:
    return _on_visible_cases(actor, PlanItem.objects.for_actor(actor))


def visible_screenings(actor: Actor) -> QuerySet[Screening]:
    return _on_visible_cases(actor, Screening.objects.for_actor(actor))


def visible_consents(actor: Actor) -> QuerySet[Consent]:
    return _on_visible_cases(actor, Consent.objects.for_actor(actor))


def access_consent(actor: Actor, consent_id: uuid.UUID | str) -> Consent:
    return get_or_not_found(visible_consents(actor), consent_id)


def visible_family_members(actor: Actor) -> QuerySet[FamilyMember]:
    return FamilyMember.objects.for_actor(actor).filter(client_id__in=visible_clients(actor).values("pk"))


def visible_notes(actor: Actor) -> QuerySet[CaseNote]:
    """Notes on visible cases; privileged ones only for their author and the agency's supervisors."""
    notes = _on_visible_cases(actor, CaseNote.objects.for_actor(actor))
    if _is_supervisor(actor):
        return notes
    return notes.filter(Q(privileged=False) | Q(author_id=actor.user_id))


def access_note(actor: Actor, case: Case, note_id: uuid.UUID | str) -> CaseNote:
    """A note id from the request, on this (visible) case -> the note, or 404 (a privileged
    note of someone else is 404 to a case manager, as if it did not exist)."""
    return get_or_not_found(visible_notes(actor).filter(case_id=case.pk), note_id)


def visible_addenda(actor: Actor) -> QuerySet[NoteAddendum]:
    """Addenda of the notes the actor sees: a privileged note's addenda stay privileged."""
    return NoteAddendum.objects.for_actor(actor).filter(note_id__in=visible_notes(actor).values("pk"))


def can_write_case(actor: Actor, case: Case) -> bool:
    """Record services, notes, consents, screenings and plan items; close and reopen.
    Exactly who sees the case: its assigned case managers and the agency's supervisors."""
    if case.agency_id != actor.agency_id or case.task_force_id != actor.task_force_id:
        return False
    if _is_supervisor(actor):
        return True
    return actor.role == Role.VS_CASE_MANAGER and has_grant(actor, ASSIGNED, case)


def can_assign(actor: Actor, case: Case) -> bool:
    """Assign and reassign case managers: the agency's VS supervisors."""
    return _is_supervisor(actor) and case.agency_id == actor.agency_id


def can_take_intake(actor: Actor) -> bool:
    return actor.role in (Role.VS_CASE_MANAGER, Role.VS_SUPERVISOR)


def can_edit_note(actor: Actor, note: CaseNote) -> bool:
    """Only the author changes a note; a supervisor may read a privileged note but not edit it."""
    return note.author_id == actor.user_id


def providing_agencies(case: Case, *, now: dt.datetime | None = None) -> QuerySet[Agency]:
    """The agencies a service on this case may be recorded as provided by: the case's own agency,
    and each agency the client was referred to by it under a release that is current now
    (unexpired, unrevoked, naming that agency). Anything else would let an agency put services
    in another's name, and in its reports."""
    from referrals.models import Referral

    now = now or timezone.now()
    referred = (
        Referral.objects.filter(
            task_force_id=case.task_force_id,
            from_agency_id=case.agency_id,
            case__client_id=case.client_id,
            consent__recipient_agency_id=F("to_agency_id"),
            consent__expires_at__gt=now,
        )
        .filter(Q(consent__revoked_at__isnull=True) | Q(consent__revoked_at__gt=now))
        .exclude(status__in=[Referral.Status.DECLINED, Referral.Status.WITHDRAWN])
        .values("to_agency_id")
    )
    return Agency.objects.filter(task_force_id=case.task_force_id).filter(
        Q(pk=case.agency_id) | Q(pk__in=referred)
    )


def can_add_addendum(actor: Actor, case: Case, note: CaseNote) -> bool:
    """Amend a note with an addendum (the note itself never changes): whoever may write the
    case, for an ordinary note; only its author for a privileged one (access.md: a supervisor
    reads privileged notes but does not write them)."""
    if note.case_id != case.pk or not can_write_case(actor, case):
        return False
    return not note.privileged or can_edit_note(actor, note)
