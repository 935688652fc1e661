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
# The request's acting membership, once the tenant edge has resolved it (for denial events
# raised deep in a policy that has no actor at hand).
current_actor: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("current_actor", default=None)

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


def audit_denied(
    *, target_type: str = "", target_id: str | uuid.UUID = "", actor: Actor | None = None, **detail: Any
) -> None:
    """A refused access (404 or 403 of an access check): who, where, which record type and id.
    Never content: the id is the one the caller asked for, nothing is read from the record."""
    actor = actor or current_actor.get()
    task_force_id = user_id = None
    if actor is None:
        from taskforce.rls import current_scope

        task_force_id, user_id = (value or None for value in current_scope())
    audit_record(
        action="access.denied",
        actor=actor,
        task_force_id=task_force_id,
        user_id=user_id,
        target_type=target_type,
        target_id=str(target_id)[:64],
        outcome=AuditEvent.Outcome.DENIED,
        detail={key: str(value)[:200] for key, value in detail.items()},
    )


PLATFORM_CHAIN = "platform"


def audit_chain_breaks(*, chain_key: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """Rows whose stored hash or back-link does not match a recomputation, and chains whose
    stored head (last position and hash, kept by the trigger) is not their last row: rows
    removed from the end of a chain.

    Checks the chains the current scope can read (a task force's own and the platform's),
    or only ``chain_key``. Spanning every chain is ``verify_all_chains``.
    """
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
                WHERE %(chain)s::text IS NULL OR chain_key = %(chain)s::text
                WINDOW w AS (PARTITION BY chain_key ORDER BY seq)
            ) checked
            WHERE problem IS NOT NULL
            ORDER BY seq
            LIMIT %(limit)s
            """,
            {"chain": chain_key, "limit": limit},
        )
        breaks = [
            {"seq": seq, "chain": chain, "problem": problem} for seq, chain, problem in cursor.fetchall()
        ]
        # The heads of the chains this scope reads: each must be the chain's last row.
        cursor.execute(
            """
            SELECT h.chain_key, h.last_seq, last.seq,
                CASE
                    WHEN last.seq IS NULL THEN 'removed tail (no row left)'
                    WHEN last.seq < h.last_seq THEN 'removed tail'
                    WHEN last.seq > h.last_seq OR last.row_hash <> h.last_hash THEN 'head mismatch'
                END
            FROM taskforce_auditchainhead h
            LEFT JOIN LATERAL (
                SELECT e.seq, e.row_hash FROM taskforce_auditevent e
                WHERE e.chain_key = h.chain_key ORDER BY e.seq DESC LIMIT 1
            ) last ON true
            WHERE (%(chain)s::text IS NULL AND (h.chain_key = %(platform)s
                    OR h.chain_key = NULLIF(current_setting('app.task_force_id', true), '')))
                OR h.chain_key = %(chain)s::text
            ORDER BY h.chain_key
            """,
            {"chain": chain_key, "platform": PLATFORM_CHAIN},
        )
        for chain, head_seq, last_seq, problem in cursor.fetchall():
            if problem:
                breaks.append({"seq": head_seq, "chain": chain, "problem": problem, "last_seq": last_seq})
    return breaks[:limit]


def verify_all_chains(*, limit: int = 100) -> list[dict[str, Any]]:
    """Every chain, each read under its own scope: the platform chain without a task force,
    then each task force's chain inside that task force (there is no scope that sees all)."""
    from taskforce.rls import per_task_force, task_force_scope

    with task_force_scope(None):
        breaks = audit_chain_breaks(chain_key=PLATFORM_CHAIN, limit=limit)
    for task_force_id in per_task_force():
        breaks += audit_chain_breaks(chain_key=str(task_force_id), limit=limit)
    return breaks[:limit]
