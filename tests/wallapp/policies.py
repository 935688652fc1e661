"""Reference policies: ownership columns first, direct-FK grants for the exceptions."""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet

from taskforce.access import Actor, Role, get_or_not_found
from taskforce.permissions import granted_ids, objects_granted
from tests.wallapp.models import LeRecord, VsRecord


def visible_vs_records(actor: Actor) -> QuerySet[VsRecord]:
    """VS supervisor: the agency's records by column. Case manager: the agency's records
    they hold a grant on. Nobody else: nothing (for_actor already fails closed)."""
    records = VsRecord.objects.for_actor(actor).filter(agency_id=actor.agency_id)
    if actor.role == Role.VS_SUPERVISOR:
        return records
    if actor.role == Role.VS_CASE_MANAGER:
        return records.filter(pk__in=granted_ids(actor, "view_vsrecord", VsRecord))
    return records.none()


def access_vs_record(actor: Actor, record_id: uuid.UUID | str) -> VsRecord:
    return get_or_not_found(visible_vs_records(actor), record_id)


def visible_le_records(actor: Actor) -> QuerySet[LeRecord]:
    records = LeRecord.objects.for_actor(actor)
    if actor.role == Role.LE_SUPERVISOR:
        return records
    return records.filter(Q(restricted=False) | Q(pk__in=granted_ids(actor, "view_lerecord", LeRecord)))


def access_le_record(actor: Actor, record_id: uuid.UUID | str) -> LeRecord:
    return get_or_not_found(visible_le_records(actor), record_id)


def vs_records_granted_via_guardian(actor: Actor) -> QuerySet[VsRecord]:
    """The same grant question through guardian's own shortcut (the wrapper)."""
    return objects_granted(actor, "wallapp.view_vsrecord", VsRecord.objects.for_actor(actor))
