"""Correcting what was entered, without losing what was there.

Services are corrected in place or voided, each time with a reason; the earlier values stay
in ``ServiceCorrection`` and nothing is ever deleted. A voided service stays on the case and
stops counting in reports. Notes are never edited: an addendum amends one and the original
stays as written.

Logged: ``service.corrected`` and ``service.voided`` (the changed field names and the case,
never values or the reason's text), ``note.amended`` (the case and the privileged flag).
Corrections and voids are also kept in the case's "Changes" (``cases.changes``).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from cases.changes import case_change_record
from cases.models import Case, CaseChange, CaseNote, NoteAddendum, ServiceCorrection, ServiceDelivery
from cases.policies import can_add_addendum, can_write_case, visible_cases
from cases.services import check_providing_agency, today_for
from taskforce.access import Actor, get_or_not_found
from taskforce.audit import audit_record
from taskforce.models import Agency

# What a correction may change; the case, client and agency of a service never move.
CORRECTABLE = ("service_type", "delivered_on", "units", "providing_agency", "note")


class ServiceVoided(Exception):
    """The service is already voided: nothing more can change on it (a 409 at the API)."""


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why (kept with the service's history)."})
    if len(reason) > 300:
        raise ValidationError({"reason": "At most 300 characters."})
    return reason


def _writable_case_of(actor: Actor, service: ServiceDelivery) -> Case:
    case = get_or_not_found(visible_cases(actor), service.case_id)
    if not can_write_case(actor, case):
        raise PermissionDenied
    return case


def _as_json(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _refresh_last_contact(case: Case) -> None:
    """Last contact is the latest service that still counts."""
    latest = (
        ServiceDelivery.objects.filter(
            task_force_id=case.task_force_id, case_id=case.pk, voided_at__isnull=True
        )
        .aggregate(latest=Max("delivered_on"))
        .get("latest")
    )
    if latest != case.last_contact_on:
        case.last_contact_on = latest
        case.save(update_fields=["last_contact_on", "updated_at"])


@transaction.atomic
def service_correct(
    *, actor: Actor, service: ServiceDelivery, changes: dict[str, Any], reason: str
) -> list[str]:
    """Correct a service delivery's type, date, units, providing agency or note, with a reason.

    Who may: whoever may write its case. A voided service cannot be corrected. The same date
    rules as recording (not before the case opened, not in the future; a providing agency
    that is the case's own or one referred to under a current release). Reports count the
    corrected figures. Logged: ``service.corrected`` with the changed field names.
    Returns the changed field names (empty: nothing differed, nothing written).
    """
    case = _writable_case_of(actor, service)
    reason = _reason(reason)
    service = ServiceDelivery.objects.for_actor(actor).select_for_update().get(pk=service.pk)
    if service.voided_at is not None:
        raise ServiceVoided
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This cannot be corrected."))
    previous: dict[str, Any] = {}
    before_on = service.delivered_on
    for name, value in changes.items():
        if name == "providing_agency":
            agency: Agency | None = value
            if agency is not None and agency.task_force_id != actor.task_force_id:
                raise ValidationError({"providing_agency": "Select an agency of this task force."})
            agency_id = agency.pk if agency is not None else case.agency_id
            if agency_id != service.providing_agency_id:
                # The same rule as recording: the case's agency or one referred to under a release.
                check_providing_agency(case, agency)
                previous[name] = str(service.providing_agency_id)
                service.providing_agency_id = agency_id
            continue
        if value is None:
            raise ValidationError({name: "This field cannot be empty."})
        if value != getattr(service, name):
            previous[name] = _as_json(getattr(service, name))
            setattr(service, name, value)
    if not previous:
        return []
    if "delivered_on" in previous:
        if service.delivered_on < case.opened_on:
            raise ValidationError({"delivered_on": "A service cannot be dated before the case opened."})
        if service.delivered_on > today_for(actor):
            raise ValidationError({"delivered_on": "A service cannot be dated in the future."})
    service.corrected_at = timezone.now()
    service.full_clean()
    fields = sorted(previous)
    service.save(update_fields=[*(f for f in CORRECTABLE if f in previous), "corrected_at", "updated_at"])
    ServiceCorrection.objects.create(
        task_force_id=actor.task_force_id,
        service=service,
        agency_id=service.agency_id,
        kind=ServiceCorrection.Kind.CORRECTED,
        fields=fields,
        previous=json.dumps(previous, sort_keys=True),
        reason=reason,
        delivered_on=service.delivered_on,
        previous_delivered_on=before_on,
        changed_by_id=actor.user_id,
    )
    if "delivered_on" in previous:
        _refresh_last_contact(case)
    audit_record(
        action="service.corrected",
        actor=actor,
        target=service,
        detail={"case": str(case.pk), "fields": fields},
    )
    case_change_record(actor=actor, case=case, kind=CaseChange.Kind.SERVICE_CORRECTED, fields=fields)
    return fields


@transaction.atomic
def service_void(*, actor: Actor, service: ServiceDelivery, reason: str) -> ServiceDelivery:
    """Void a service entered in error: it stays listed on the case, marked voided with the
    reason, and no longer counts in reports or as the last contact. Never deleted.

    Who may: whoever may write its case. Logged: ``service.voided``.
    """
    case = _writable_case_of(actor, service)
    reason = _reason(reason)
    service = ServiceDelivery.objects.for_actor(actor).select_for_update().get(pk=service.pk)
    if service.voided_at is not None:
        raise ServiceVoided
    service.voided_at, service.voided_by_id, service.void_reason = timezone.now(), actor.user_id, reason
    service.save(update_fields=["voided_at", "voided_by", "void_reason", "updated_at"])
    ServiceCorrection.objects.create(
        task_force_id=actor.task_force_id,
        service=service,
        agency_id=service.agency_id,
        kind=ServiceCorrection.Kind.VOIDED,
        fields=[],
        previous="",
        reason=reason,
        delivered_on=service.delivered_on,
        previous_delivered_on=service.delivered_on,
        changed_by_id=actor.user_id,
    )
    _refresh_last_contact(case)
    audit_record(action="service.voided", actor=actor, target=service, detail={"case": str(case.pk)})
    case_change_record(actor=actor, case=case, kind=CaseChange.Kind.SERVICE_VOIDED)
    return service


@transaction.atomic
def note_addendum_add(*, actor: Actor, case: Case, note: CaseNote, text: str) -> NoteAddendum:
    """Amend a note with an addendum; the note stays as written.

    Who may: whoever may write the case, for an ordinary note; the author only for a privileged
    note. The addendum is seen exactly by who sees the note. Logged: ``note.amended``.
    """
    if not can_add_addendum(actor, case, note):
        raise PermissionDenied
    if not text.strip():
        raise ValidationError({"text": "Write the addendum."})
    addendum = NoteAddendum(
        task_force_id=actor.task_force_id,
        note=note,
        agency_id=note.agency_id,
        author_id=actor.user_id,
        text=text,
    )
    addendum.full_clean()
    addendum.save()
    audit_record(
        action="note.amended",
        actor=actor,
        target=note,
        detail={"case": str(case.pk), "addendum": str(addendum.pk), "privileged": note.privileged},
    )
    return addendum
