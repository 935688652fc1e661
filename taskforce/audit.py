"""The one helper every service calls to write the audit log, and its reading selector.

Rows are inserted with plain SQL (no RETURNING): the table's row-level security lets anyone
append but only a task force's own scope read, and an INSERT ... RETURNING would need both.
The hash chain is computed by the database trigger (migration 0002), so no caller can
forge or skip it. A failed audit write raises, and the surrounding read or write fails with
it (fail closed).

Inside a web request the rows are held back and written in one INSERT just before the
request's transaction commits (``flush_request_audit``): the trigger locks the task force's
chain head until COMMIT, so a row written early in a request would serialise every other
request of that task force behind this one's rendering. Written last, the lock is held for one
round trip. A row written inside a savepoint that is rolled back is dropped with it, exactly as
an immediate INSERT would have been.
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

# One static statement for one row or many: the columns arrive as arrays, in order.
_INSERT = (
    "INSERT INTO taskforce_auditevent (public_id, occurred_at, task_force_id, user_id, agency_id, role,"
    " action, target_type, target_id, outcome, source_ip, detail, chain_key, prev_hash, row_hash)"
    " SELECT r.public_id, r.occurred_at, r.task_force_id, r.user_id, r.agency_id, r.role, r.action,"
    " r.target_type, r.target_id, r.outcome, r.source_ip, r.detail::jsonb, '', '', ''"
    " FROM unnest(%s::uuid[], %s::timestamptz[], %s::uuid[], %s::uuid[], %s::uuid[], %s::text[],"
    " %s::text[], %s::text[], %s::text[], %s::text[], %s::inet[], %s::text[])"
    " WITH ORDINALITY AS r(public_id, occurred_at, task_force_id, user_id, agency_id, role, action,"
    " target_type, target_id, outcome, source_ip, detail, position)"
    " ORDER BY r.position"
)


class _Pending:
    """One held-back row and the marker that tells whether its savepoint survived."""

    __slots__ = ("marker", "params")

    def __init__(self, params: list[Any]) -> None:
        self.params = params

        def marker() -> None:  # run after COMMIT by Django, does nothing
            return None

        self.marker = marker
        # Django drops on-commit callbacks registered inside a savepoint that rolls back;
        # the marker's presence at flush time says the row's savepoint was not rolled back.
        connection.on_commit(marker)


# A list while a web request's transaction is open (RequestTransactionMiddleware), else None.
_request_rows: contextvars.ContextVar[list[_Pending] | None] = contextvars.ContextVar(
    "request_audit_rows", default=None
)


def begin_request_audit() -> contextvars.Token:
    return _request_rows.set([])


def end_request_audit(token: contextvars.Token) -> None:
    _request_rows.reset(token)


def _insert(rows: list[list[Any]]) -> None:
    columns = [list(column) for column in zip(*rows, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(_INSERT, columns)


def flush_request_audit() -> int:
    """Write the request's held-back rows (those whose savepoints survived) in one INSERT.

    Called by the request middleware as the last statement before COMMIT.
    """
    rows = _request_rows.get()
    if not rows or connection.needs_rollback:
        # A transaction marked for rollback keeps nothing: neither would immediate rows have.
        return 0
    alive = {id(func) for _sids, func, _robust in connection.run_on_commit}
    kept = [row.params for row in rows if id(row.marker) in alive]
    rows.clear()
    if kept:
        _insert(kept)
    return len(kept)


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
    pending = _request_rows.get()
    request_actor = current_actor.get()
    if (
        pending is not None
        and request_actor is not None
        and connection.in_atomic_block
        and str(request_actor.task_force_id) == params[2]
    ):
        # Held back only within the request's own task force, whose scope the tenant edge set
        # and which is still in force at the flush; any other chain is written now, under the
        # scope its caller set, so row-level security checks it exactly as before.
        pending.append(_Pending(params))
        return
    _insert([params])


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
