"""PostgreSQL row-level security: the database's own copy of the tenant wall.

Every task-force-owned table gets ENABLE + FORCE ROW LEVEL SECURITY and a policy that reads
the transaction-local setting ``app.task_force_id``. Without it, a query sees no rows and an
insert fails: a forgotten filter in the application returns nothing instead of another task
force's data. The settings are always set with ``is_local => true``, so they end with the
transaction and a pooled connection never carries one request's task force into the next.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, migrations, transaction

SETTING_TASK_FORCE = "app.task_force_id"
SETTING_USER = "app.user_id"
SETTING_BYPASS = "app.bypass_rls"

_BYPASS = f"current_setting('{SETTING_BYPASS}', true) = 'on'"
_SAME_TASK_FORCE = f"task_force_id = NULLIF(current_setting('{SETTING_TASK_FORCE}', true), '')::uuid"
_SAME_USER = f"user_id = NULLIF(current_setting('{SETTING_USER}', true), '')::uuid"

TENANT_POLICY = f"({_BYPASS} OR {_SAME_TASK_FORCE})"
# A user may read their own memberships of every task force (switcher, /me) before a
# task force is chosen; writes still need the task force.
MEMBERSHIP_READ_POLICY = f"({_BYPASS} OR {_SAME_TASK_FORCE} OR {_SAME_USER})"
# ... and the agencies of those memberships (their names appear in the switcher and /me).
AGENCY_READ_POLICY = (
    f"({_BYPASS} OR {_SAME_TASK_FORCE} OR id IN (SELECT agency_id FROM taskforce_membership"  # noqa: S608
    f" WHERE is_active AND user_id = NULLIF(current_setting('{SETTING_USER}', true), '')::uuid))"
)


class EnableRowLevelSecurity(migrations.operations.base.Operation):
    """Enable and force RLS on a model's table with a fail-closed task force policy."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str, using: str = TENANT_POLICY, check: str = TENANT_POLICY) -> None:
        self.model_name = model_name
        self.using = using
        self.check = check

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def _table(self, app_label: str, state: Any) -> str:
        return state.apps.get_model(app_label, self.model_name)._meta.db_table

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        table = schema_editor.quote_name(self._table(app_label, to_state))
        schema_editor.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        schema_editor.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        schema_editor.execute(
            f"CREATE POLICY task_force_isolation ON {table} USING {self.using} WITH CHECK {self.check}"
        )

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        table = schema_editor.quote_name(self._table(app_label, from_state))
        schema_editor.execute(f"DROP POLICY IF EXISTS task_force_isolation ON {table}")
        schema_editor.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        schema_editor.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")

    def describe(self) -> str:
        return f"Enable row-level security on {self.model_name}"

    @property
    def migration_name_fragment(self) -> str:
        return f"rls_{self.model_name.lower()}"

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        kwargs: dict[str, Any] = {"model_name": self.model_name}
        if self.using != TENANT_POLICY:
            kwargs["using"] = self.using
        if self.check != TENANT_POLICY:
            kwargs["check"] = self.check
        return self.__class__.__qualname__, [], kwargs


def _require_transaction() -> None:
    # Outside a transaction set_config(..., true) would vanish after its own statement,
    # leaving the caller silently without scope. Refuse loudly instead.
    if not connection.in_atomic_block:
        raise RuntimeError("row-level security settings need an open transaction (transaction.atomic)")


def _as_setting(value: uuid.UUID | str | None) -> str:
    return "" if value is None else str(value)


def set_scope(
    *, task_force_id: uuid.UUID | str | None, user_id: uuid.UUID | str | None = None, bypass: bool = False
) -> None:
    """Set the RLS settings for the rest of the current transaction."""
    _require_transaction()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config(%s, %s, true), set_config(%s, %s, true), set_config(%s, %s, true)",
            [
                SETTING_TASK_FORCE,
                _as_setting(task_force_id),
                SETTING_USER,
                _as_setting(user_id),
                SETTING_BYPASS,
                "on" if bypass else "off",
            ],
        )


def swap_scope(
    *, task_force_id: uuid.UUID | str | None, user_id: uuid.UUID | str | None = None, bypass: bool = False
) -> tuple[str, str, str]:
    """Set the scope and return the previous one, in one round trip (for a later restore)."""
    _require_transaction()
    with connection.cursor() as cursor:
        # The subquery is scanned before the outer projection runs, so the old values are
        # read before set_config changes them.
        cursor.execute(
            "SELECT prev.tf, prev.usr, prev.byp, set_config(%s, %s, true), set_config(%s, %s, true),"
            " set_config(%s, %s, true) FROM (SELECT coalesce(current_setting(%s, true), '') AS tf,"
            " coalesce(current_setting(%s, true), '') AS usr, coalesce(current_setting(%s, true), '') AS byp"
            " OFFSET 0) AS prev",
            [
                SETTING_TASK_FORCE,
                _as_setting(task_force_id),
                SETTING_USER,
                _as_setting(user_id),
                SETTING_BYPASS,
                "on" if bypass else "off",
                SETTING_TASK_FORCE,
                SETTING_USER,
                SETTING_BYPASS,
            ],
        )
        row = cursor.fetchone()
    return row[0], row[1], row[2]


def restore_scope(previous: tuple[str, str, str]) -> None:
    task_force_id, user_id, bypass = previous
    set_scope(task_force_id=task_force_id or None, user_id=user_id or None, bypass=bypass == "on")


def current_scope() -> tuple[str, str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(current_setting(%s, true), ''), coalesce(current_setting(%s, true), ''),"
            " coalesce(current_setting(%s, true), '')",
            [SETTING_TASK_FORCE, SETTING_USER, SETTING_BYPASS],
        )
        row = cursor.fetchone()
    return row[0], row[1], row[2]


@contextmanager
def task_force_scope(
    task_force_id: uuid.UUID | str, *, user_id: uuid.UUID | str | None = None
) -> Iterator[None]:
    """Run a block (Celery task, management command) inside one task force, in a transaction."""
    with transaction.atomic():
        previous = swap_scope(task_force_id=task_force_id, user_id=user_id)
        try:
            yield
        finally:
            restore_scope(previous)


@contextmanager
def platform_bypass(*, reason: str, user_id: uuid.UUID | str | None = None) -> Iterator[None]:
    """The one way past row-level security: for platform jobs that span task forces
    (demo loading, audit chain verification, platform reports). Audited on entry.
    """
    from taskforce.audit import audit_record

    if not reason:
        raise ValueError("a platform bypass needs a reason")
    with transaction.atomic():
        previous = swap_scope(task_force_id=None, user_id=user_id, bypass=True)
        try:
            audit_record(action="platform.rls_bypass", user_id=user_id, detail={"reason": reason[:200]})
            yield
        finally:
            restore_scope(previous)
