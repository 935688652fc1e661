"""Report reads and writes: the monthly report, training and outreach logs, month locks and
exports. Each takes the acting ``actor`` and checks ``reporting.policies``.

Logged: ``report.viewed`` (month and blocks), ``training.recorded``, ``outreach.recorded``,
``month.locked``, ``month.reopened`` (with the reason), ``report.changes_viewed``, ``export.requested``,
``export.completed``, ``export.refused``, ``export.downloaded``. Never a figure or a name.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone

from cases.services import today_for, zone_for
from reporting import exports, measures, policies
from reporting.models import DISCIPLINES, MonthLock, OutreachEvent, ReportExport, TrainingEvent
from taskforce.access import Actor, NotFoundOrForbidden
from taskforce.audit import audit_record
from taskforce.models import Agency, Membership, TaskForce

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_month(value: str | None, *, actor: Actor) -> dt.date:
    """``YYYY-MM`` -> the first day of that month; not in the future (400 otherwise)."""
    match = MONTH.match((value or "").strip())
    if not match:
        raise ValidationError({"month": "Give the month as YYYY-MM."})
    month = dt.date(int(match.group(1)), int(match.group(2)), 1)
    if month > today_for(actor).replace(day=1):
        raise ValidationError({"month": "That month has not started yet."})
    if month.year < 2000:
        raise ValidationError({"month": "That month is too far back."})
    return month


def _require_scope(actor: Actor) -> policies.ReportScope:
    scope = policies.report_scope(actor)
    if scope is None:
        raise NotFoundOrForbidden
    return scope


def report_blocks(*, actor: Actor, period: measures.Period) -> dict[str, list[dict[str, Any]]]:
    """The blocks the actor may see for a period, computed in the database (no audit)."""
    scope = _require_scope(actor)
    # One statement for every block: the agency narrows the victim-services block only.
    computed = measures.compute_blocks(
        scope.blocks,
        task_force_id=actor.task_force_id,
        period=period,
        zone=str(zone_for(actor)),
        agency_id=scope.agency_id,
    )
    return {block: computed[block] for block in scope.blocks}


def monthly_report(*, actor: Actor, month: dt.date) -> dict[str, Any]:
    """api.md: {"task_force", "month", "measures": [{"code", "label", "value"}]}."""
    blocks = report_blocks(actor=actor, period=measures.month_period(month))
    audit_record(
        action="report.viewed",
        actor=actor,
        target_type="reporting.monthly",
        target_id=f"{month:%Y-%m}",
        detail={"blocks": list(blocks)},
    )
    return {
        "task_force": actor.task_force_slug,
        "month": f"{month:%Y-%m}",
        "measures": [row for rows in blocks.values() for row in rows],
    }


def monthly_changes(*, actor: Actor, month: dt.date) -> dict[str, Any]:
    """The month's lock ("prepared") and the services of the month corrected or voided since:
    counted per agency for whoever sees the report's victim-services part, listed one by one
    for the agency's own VS supervisor. Who may: whoever sees the monthly report (404
    otherwise). Logged: ``report.changes_viewed`` with the month and a count."""
    _require_scope(actor)
    lock = current_lock(actor=actor, month=month)
    changes = service_changes_since_lock(actor=actor, lock=lock) if lock else []
    counts = service_change_counts_since_lock(actor=actor, lock=lock) if lock else []
    audit_record(
        action="report.changes_viewed",
        actor=actor,
        target_type="reporting.monthly",
        target_id=f"{month:%Y-%m}",
        detail={"count": sum(row["corrected"] + row["voided"] for row in counts)},
    )
    return {
        "task_force": actor.task_force_slug,
        "month": f"{month:%Y-%m}",
        "prepared": {"locked_at": lock.locked_at} if lock else None,
        "changed_since_prepared": changes,
        "changed_since_prepared_by_agency": counts,
    }


PERIOD_MONTHS = (1, 3, 6, 12)


def period_report(*, actor: Actor, first_month: dt.date, months: int) -> dict[str, Any]:
    """A quarter, half or fiscal year built from months: unduplicated client counts recounted
    over the whole period (never summed from months). The period stays inside one federal
    fiscal year and must have started. Logged: ``report.viewed`` with the period."""
    if months not in PERIOD_MONTHS:
        raise ValidationError({"months": "Choose 1, 3, 6 or 12 months."})
    period = measures.months_period(first_month, months)
    fiscal_end = dt.date(period.fiscal_year_start.year + 1, 9, 30)
    if period.end > fiscal_end:
        raise ValidationError({"months": "A period stays inside one fiscal year (October to September)."})
    blocks = report_blocks(actor=actor, period=period)
    audit_record(
        action="report.viewed",
        actor=actor,
        target_type="reporting.period",
        target_id=f"{first_month:%Y-%m}+{months}",
        detail={"blocks": list(blocks)},
    )
    return {
        "task_force": actor.task_force_slug,
        "from": f"{period.start:%Y-%m}",
        "to": f"{period.end:%Y-%m}",
        "months": months,
        "measures": [row for rows in blocks.values() for row in rows],
    }


def _agency(actor: Actor, agency: Agency | None) -> Agency:
    if agency is None:
        return Agency.objects.for_actor(actor).get(pk=actor.agency_id)
    if agency.task_force_id != actor.task_force_id:
        raise ValidationError({"delivering_agency": "Select an agency of this task force."})
    return agency


def _past(actor: Actor, day: dt.date | None, field: str) -> dt.date:
    if day is None:
        raise ValidationError({field: "When was it?"})
    if day > today_for(actor):
        raise ValidationError({field: "Cannot be in the future."})
    return day


@transaction.atomic
def training_record(*, actor: Actor, data: dict[str, Any]) -> TrainingEvent:
    """Log a training. Who may: every member but tenant admins and analysts.
    Logged: ``training.recorded``."""
    if not policies.can_log_events(actor):
        raise PermissionDenied
    event = TrainingEvent(
        task_force_id=actor.task_force_id,
        held_on=_past(actor, data.get("held_on"), "held_on"),
        title=(data.get("title") or "").strip(),
        topics=(data.get("topics") or "").strip(),
        delivering_agency=_agency(actor, data.get("delivering_agency")),
        hours=data.get("hours") or 0,
        recorded_by_id=actor.user_id,
        **{f"attendees_{code}": data.get(f"attendees_{code}") or 0 for code, _ in DISCIPLINES},
    )
    event.full_clean()
    event.save()
    audit_record(action="training.recorded", actor=actor, target=event)
    return event


@transaction.atomic
def outreach_record(*, actor: Actor, data: dict[str, Any]) -> OutreachEvent:
    """Log an outreach or awareness event. Logged: ``outreach.recorded``."""
    if not policies.can_log_events(actor):
        raise PermissionDenied
    event = OutreachEvent(
        task_force_id=actor.task_force_id,
        held_on=_past(actor, data.get("held_on"), "held_on"),
        kind=data.get("kind") or "",
        audience=data.get("audience") or OutreachEvent.Audience.GENERAL_PUBLIC,
        title=(data.get("title") or "").strip(),
        people_reached=data.get("people_reached") or 0,
        materials_distributed=data.get("materials_distributed") or 0,
        language=(data.get("language") or "English").strip(),
        delivering_agency=_agency(actor, data.get("delivering_agency")),
        recorded_by_id=actor.user_id,
    )
    event.full_clean()
    event.save()
    audit_record(action="outreach.recorded", actor=actor, target=event)
    return event


def current_lock(*, actor: Actor, month: dt.date) -> MonthLock | None:
    return (
        policies.visible_locks(actor)
        .filter(month=month, reopened_at__isnull=True)
        .order_by("-locked_at")
        .first()
    )


@transaction.atomic
def month_lock(*, actor: Actor, month: dt.date) -> MonthLock:
    """Lock a closed month: the task force's figures as they stand are kept with the lock.
    Who may: coordinator and analyst. Logged: ``month.locked``."""
    if not policies.can_lock_months(actor):
        raise PermissionDenied
    period = measures.month_period(month)
    if period.end >= today_for(actor):
        raise ValidationError({"month": "Only a month that has ended can be locked."})
    if current_lock(actor=actor, month=month):
        raise ValidationError({"month": "This month is already locked."})
    blocks = report_blocks(actor=actor, period=period)
    lock = MonthLock.objects.create(
        task_force_id=actor.task_force_id,
        month=month,
        locked_at=timezone.now(),
        locked_by_id=actor.user_id,
        measures={row["code"]: row["value"] for rows in blocks.values() for row in rows},
    )
    audit_record(action="month.locked", actor=actor, target=lock, detail={"month": f"{month:%Y-%m}"})
    return lock


@transaction.atomic
def month_reopen(*, actor: Actor, lock: MonthLock, reason: str) -> MonthLock:
    """Reopen a locked month; the reason is kept. Logged: ``month.reopened``."""
    if not policies.can_lock_months(actor):
        raise PermissionDenied
    if lock.reopened_at is not None:
        raise ValidationError({"month": "This lock was already reopened."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why the month is reopened."})
    lock.reopened_at, lock.reopened_by_id, lock.reopen_reason = (
        timezone.now(),
        actor.user_id,
        reason.strip()[:300],
    )
    lock.save(update_fields=["reopened_at", "reopened_by", "reopen_reason", "updated_at"])
    audit_record(action="month.reopened", actor=actor, target=lock, detail={"month": f"{lock.month:%Y-%m}"})
    return lock


CHANGES_LIMIT = 200


def _corrections_since_lock(actor: Actor, scope: policies.ReportScope, lock: MonthLock) -> models.QuerySet:
    from cases.models import ServiceCorrection

    period = measures.month_period(lock.month)
    # Grant staff read across agencies without the VS compartment: the task force is the
    # scope here (as for every report figure), and the agency narrows a supervisor's part.
    rows = ServiceCorrection.objects.filter(
        models.Q(delivered_on__range=(period.start, period.end))
        | models.Q(previous_delivered_on__range=(period.start, period.end)),
        task_force_id=actor.task_force_id,
        created_at__gt=lock.locked_at,
    )
    if scope.agency_id is not None:
        rows = rows.filter(agency_id=scope.agency_id)
    return rows


def service_changes_since_lock(*, actor: Actor, lock: MonthLock) -> list[dict[str, Any]]:
    """Service deliveries of a locked month corrected or voided after the lock (moved into or
    out of the month included), newest first, at most 200, in one query: which service, who,
    and the reason.

    Who may: victim-services staff of the agency that made the changes (a VS supervisor, whose
    report is their own agency's), for that agency only. Everyone else gets none: across
    agencies (coordinators, analysts, an analyst who sits at a VS agency included) the matrix
    gives aggregates only, ``service_change_counts_since_lock``.
    """
    scope = _require_scope(actor)
    if "victim_services" not in scope.blocks or not (actor.is_vs and scope.agency_id == actor.agency_id):
        return []
    found = (
        _corrections_since_lock(actor, scope, lock)
        .select_related("service", "agency", "changed_by")
        .order_by("-created_at")[:CHANGES_LIMIT]
    )
    return [
        {
            "change": row.kind,
            "fields": list(row.fields),
            "service_type": row.service.service_type,
            "delivered_on": row.delivered_on,
            "previous_delivered_on": row.previous_delivered_on,
            "agency": row.agency.name,
            "changed_at": row.created_at,
            "changed_by": row.changed_by.full_name or row.changed_by.email,
            "service": str(row.service_id),
            "case": str(row.service.case_id),
            "reason": row.reason,
        }
        for row in found
    ]


def service_change_counts_since_lock(*, actor: Actor, lock: MonthLock) -> list[dict[str, Any]]:
    """Per agency, how many services of a locked month were corrected and voided after the
    lock: counts only (no service, date, person or reason), in one aggregate query.

    Who may: whoever's report has the victim-services block; a VS supervisor's counts are their
    own agency's."""
    from cases.models import ServiceCorrection

    scope = _require_scope(actor)
    if "victim_services" not in scope.blocks:
        return []
    kind = ServiceCorrection.Kind
    counted = (
        _corrections_since_lock(actor, scope, lock)
        .values("agency__name")
        .annotate(
            corrected=models.Count("pk", filter=models.Q(kind=kind.CORRECTED)),
            voided=models.Count("pk", filter=models.Q(kind=kind.VOIDED)),
        )
        .order_by("agency__name")
    )
    return [
        {"agency": row["agency__name"], "corrected": row["corrected"], "voided": row["voided"]}
        for row in counted
    ]


def changes_since_lock(*, actor: Actor, lock: MonthLock) -> list[dict[str, Any]]:
    """Records of the locked month changed after the lock, counted per kind (no ids, no names),
    and the measures whose value now differs from the locked one."""
    from cases.models import ServiceDelivery
    from referrals.models import Tip

    period = measures.month_period(lock.month)
    counts = [
        (
            "Service deliveries",
            ServiceDelivery.objects.filter(
                task_force_id=actor.task_force_id,
                delivered_on__range=(period.start, period.end),
                updated_at__gt=lock.locked_at,
            ).count(),
        ),
        (
            "Tips",
            Tip.objects.filter(
                task_force_id=actor.task_force_id,
                updated_at__gt=lock.locked_at,
                received_at__date__range=(period.start, period.end),
            ).count(),
        ),
        (
            "Training events",
            TrainingEvent.objects.filter(
                task_force_id=actor.task_force_id,
                held_on__range=(period.start, period.end),
                updated_at__gt=lock.locked_at,
            ).count(),
        ),
        (
            "Outreach events",
            OutreachEvent.objects.filter(
                task_force_id=actor.task_force_id,
                held_on__range=(period.start, period.end),
                updated_at__gt=lock.locked_at,
            ).count(),
        ),
    ]
    now = report_blocks(actor=actor, period=period)
    differing = [
        {
            "code": row["code"],
            "label": row["label"],
            "locked": lock.measures.get(row["code"], 0),
            "now": row["value"],
        }
        for rows in now.values()
        for row in rows
        if lock.measures.get(row["code"], 0) != row["value"]
    ]
    return [{"kind": kind, "changed": n} for kind, n in counts if n] + [{"measures": differing}]


@transaction.atomic
def export_request(*, actor: Actor, month: dt.date, file_format: str, flavour: str = "grant") -> ReportExport:
    """Queue an export of the monthly report. It runs on a worker after this transaction
    commits, re-checking the requester's access. Logged: ``export.requested``."""
    _require_scope(actor)
    if file_format not in ReportExport.Format.values:
        raise ValidationError({"format": "Choose csv or xlsx."})
    if flavour not in ReportExport.Flavour.values:
        raise ValidationError({"flavour": "Choose grant or coalition."})
    export = ReportExport.objects.create(
        task_force_id=actor.task_force_id,
        month=month,
        format=file_format,
        flavour=flavour,
        requested_by_id=actor.user_id,
        membership_id=actor.membership_id,
    )
    audit_record(action="export.requested", actor=actor, target=export, detail={"format": file_format})
    from reporting.tasks import run_export

    transaction.on_commit(lambda: run_export.delay(str(export.pk), str(actor.task_force_id)))
    return export


def _progress(export: ReportExport, **fields: Any) -> None:
    """Write progress in its own short transaction so a poller sees it at once."""
    from taskforce.rls import task_force_scope

    with task_force_scope(export.task_force_id):
        ReportExport.objects.filter(pk=export.pk).update(**fields, updated_at=timezone.now())


def export_run(*, export_id: uuid.UUID | str, task_force_id: uuid.UUID | str) -> str:
    """The worker's side: rebuild the requester's actor, re-check access, compute, write the
    file. Someone who lost access before it runs gets nothing (the export fails)."""
    from taskforce.access import Actor as ActorClass
    from taskforce.rls import task_force_scope

    with task_force_scope(task_force_id):
        export = ReportExport.objects.filter(pk=export_id, task_force_id=task_force_id).first()
        if export is None or export.status in (ReportExport.Status.DONE, ReportExport.Status.FAILED):
            return "skipped"
        membership = (
            Membership.objects.select_related("agency", "task_force", "user")
            .filter(pk=export.membership_id, is_active=True, user__is_active=True)
            .first()
            if export.membership_id
            else None
        )
    if export.membership_id and membership is None:
        _progress(export, status=ReportExport.Status.FAILED, error="The requester no longer has access.")
        with task_force_scope(task_force_id):
            audit_record(action="export.refused", task_force_id=task_force_id, target=export)
        return "refused"
    _progress(export, status=ReportExport.Status.RUNNING, progress=10)
    with task_force_scope(task_force_id):
        task_force = TaskForce.objects.get(pk=task_force_id)
        if membership is not None:
            actor = ActorClass.from_membership(membership)
            if policies.report_scope(actor) is None:
                ReportExport.objects.filter(pk=export.pk).update(
                    status=ReportExport.Status.FAILED, error="The requester no longer may see reports."
                )
                audit_record(action="export.refused", actor=actor, target=export)
                return "refused"
            blocks = report_blocks(actor=actor, period=measures.month_period(export.month))
            by_whom = membership.user.email
        else:
            computed = measures.compute_blocks(
                policies.ALL_BLOCKS,
                task_force_id=task_force.pk,
                period=measures.month_period(export.month),
                zone=task_force.time_zone,
            )
            blocks = {block: computed[block] for block in policies.ALL_BLOCKS}
            by_whom = "the scheduler"
    _progress(export, progress=60)
    coalition = export.flavour == ReportExport.Flavour.COALITION
    if export.format == ReportExport.Format.CSV:
        content = exports.csv_bytes(blocks, coalition=coalition)
    else:
        content = exports.xlsx_bytes(
            blocks,
            coalition=coalition,
            cover=[
                ("Task force", task_force.name),
                ("Period", f"{export.month:%B %Y}"),
                ("Generated at", timezone.now().strftime("%Y-%m-%d %H:%M UTC")),
                ("Generated by", by_whom),
                ("Flavour", dict(ReportExport.Flavour.choices)[export.flavour]),
            ],
        )
    _progress(export, progress=90)
    name = f"{task_force.slug}-{export.month:%Y-%m}-{export.flavour}.{export.format}"
    with task_force_scope(task_force_id):
        export.file.save(name, ContentFile(content), save=False)
        ReportExport.objects.filter(pk=export.pk).update(
            file=export.file.name,
            status=ReportExport.Status.DONE,
            progress=100,
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
        audit_record(action="export.completed", task_force_id=task_force_id, target=export)
    return "done"


def export_download(*, actor: Actor, export: ReportExport) -> ReportExport:
    """Check the file may still be fetched by this actor. Logged: ``export.downloaded``."""
    _require_scope(actor)
    if export.status != ReportExport.Status.DONE or not export.file:
        raise ValidationError({"status": "The export is not ready."})
    audit_record(action="export.downloaded", actor=actor, target=export)
    return export


def prepare_previous_month(*, task_force_id: uuid.UUID | str) -> ReportExport | None:
    """The scheduler's report of last month (XLSX, grant flavour), once per month."""
    from taskforce.rls import task_force_scope

    with task_force_scope(task_force_id):
        task_force = TaskForce.objects.get(pk=task_force_id)
        first = timezone.localdate().replace(day=1)
        month = (first - dt.timedelta(days=1)).replace(day=1)
        if ReportExport.objects.filter(
            task_force_id=task_force.pk, month=month, requested_by__isnull=True
        ).exists():
            return None
        export = ReportExport.objects.create(
            task_force_id=task_force.pk, month=month, format=ReportExport.Format.XLSX
        )
    export_run(export_id=export.pk, task_force_id=task_force.pk)
    return export
