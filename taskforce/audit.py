"""The one helper every service calls to write the audit log, and its reading selector.

Rows are inserted with plain SQL (no RETURNING): the table's row-level security lets anyone
append but only a task force's own scope read, and an INSERT ... RETURNING would need both.
The hash chain is computed by the database trigger (migration 0002), so no caller can
forge or skip it. A failed audit write raises, and the surrounding read or write fails with
it (fail closed).
"""

from __future__ import annotations

import contextvars
import json
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from taskforce.models import AuditEvent

if TYPE_CHECKING:
    from taskforce.access import Actor


@dataclass(frozen=True, slots=True)
class RequestMeta:
    source_ip: str | None


# Set by the request middleware; Celery tasks and commands leave it empty.
current_request_meta: contextvars.ContextVar[RequestMeta | None] = contextvars.ContextVar(
    "current_request_meta", default=None
)

_INSERT = (
    "INSERT INTO taskforce_auditevent (public_id, occurred_at, task_force_id, user_id, agency_id, role,"
    " action, target_type, target_id, outcome, source_ip, detail, chain_key, prev_hash, row_hash)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, '', '', '')"
)


def _target_parts(target: Model | None, target_type: str, target_id: str) -> tuple[str, str]:
    if target is None:
        return target_type, target_id
    return target._meta.label_lower, str(target.pk)


def audit_record(
    *,
    action: str,
    actor: Actor | None = None,
    target: Model | None = None,
    target_type: str = "",
    target_id: str | uuid.UUID = "",
    outcome: str = AuditEvent.Outcome.SUCCESS,
    user_id: uuid.UUID | str | None = None,
    task_force_id: uuid.UUID | str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one audit row. ``detail`` is metadata only (counts, codes, ids): never content."""
    target_type, target_id = _target_parts(target, target_type, str(target_id))
    meta = current_request_meta.get()
    if actor is not None:
        user_id = user_id or actor.user_id
        task_force_id = task_force_id or actor.task_force_id
    params = [
        str(uuid.uuid4()),
        timezone.now(),
        str(task_force_id) if task_force_id else None,
        str(user_id) if user_id else None,
        str(actor.agency_id) if actor is not None and actor.agency_id else None,
        actor.role if actor is not None else "",
        action,
        target_type,
        target_id,
        outcome,
        meta.source_ip if meta else None,
        json.dumps(detail or {}, sort_keys=True, default=str),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_INSERT, params)


def audit_chain_breaks(*, limit: int = 100) -> list[dict[str, Any]]:
    """Rows whose stored hash or back-link does not match a recomputation. Needs the platform bypass."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT seq, chain_key, problem FROM (
                SELECT seq, chain_key,
                    CASE
                        WHEN prev_hash <> coalesce(lag(row_hash) OVER w, '') THEN 'broken link'
                        WHEN row_hash <> taskforce_audit_digest(prev_hash, e) THEN 'altered row'
                    END AS problem
                FROM taskforce_auditevent e
                WINDOW w AS (PARTITION BY chain_key ORDER BY seq)
            ) checked
            WHERE problem IS NOT NULL
            ORDER BY seq
            LIMIT %s
            """,
            [limit],
        )
        return [{"seq": seq, "chain": chain, "problem": problem} for seq, chain, problem in cursor.fetchall()]
