"""The case page's "Changes": who changed which fields of a case, its client or its services,
and when. Field names only, never values.

Kept in its own table (``CaseChange``), written by the services that make each change next to
their audit rows: the page reads one index range of its case, and what it shows is case data,
seen by who sees the case, not the audit log (whose metadata is for tenant admins).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cases.models import Case, CaseChange
from cases.policies import visible_case_changes
from taskforce.access import Actor

CHANGES_LIMIT = 50


def case_change_record(
    *, actor: Actor, case: Case, kind: CaseChange.Kind, fields: Iterable[str] = ()
) -> None:
    """Note a change of ``case`` (or its client or one of its services) by ``actor``.

    Called by the services that change the record, inside their transaction and after their
    own policy check; not audited apart (the service's own audit row records the change)."""
    CaseChange.objects.create(
        task_force_id=actor.task_force_id,
        case=case,
        agency_id=case.agency_id,
        changed_by_id=actor.user_id,
        kind=kind,
        fields=list(fields),
    )


def case_change_rows(*, actor: Actor, case: Case) -> list[dict[str, Any]]:
    """The case's changes, newest first, at most 50, in one query: when, who, what, which fields.
    Who may: whoever sees the case (nothing otherwise). A note's addendum is not listed here:
    that a privileged note exists is kept from who may not read it, and addenda show on their
    note."""
    changes = (
        visible_case_changes(actor)
        .filter(case_id=case.pk)
        .select_related("changed_by")
        .only("changed_at", "kind", "fields", "changed_by__full_name", "changed_by__email")
        .order_by("-changed_at")[:CHANGES_LIMIT]
    )
    return [
        {
            "at": change.changed_at,
            "who": (change.changed_by.full_name or change.changed_by.email)
            if change.changed_by
            else "A former member",
            "label": change.get_kind_display(),
            "fields": list(change.fields),
        }
        for change in changes
    ]
