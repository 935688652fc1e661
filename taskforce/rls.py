"""PostgreSQL row-level security: the database's own copy of the tenant wall.

Every task-force-owned table gets ENABLE + FORCE ROW LEVEL SECURITY and a policy that reads
the transaction-local setting ``app.task_force_id``. Without it, a query sees no rows and an
insert fails: a forgotten filter in the application returns nothing instead of another task
force's data. The settings are always set with ``is_local => true``, so they end with the
transaction and a pooled connection never carries one request's task force into the next.

There is no bypass: no setting the running role can change widens what it sees. A job that
spans task forces (demo loading, audit verification, reminders, the platform admin) visits them
one by one, each under its own scope (``per_task_force``); the task force table itself is
structure without row-level security, so the list of task forces needs no scope.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, migrations, transaction

SETTING_TASK_FORCE = "app.task_force_id"
SETTING_USER = "app.user_id"

_SAME_TASK_FORCE = f"task_force_id = NULLIF(current_setting('{SETTING_TASK_FORCE}', true), '')::uuid"
_SAME_USER = f"user_id = NULLIF(current_setting('{SETTING_USER}', true), '')::uuid"

# The plain equality: a missing or empty setting compares with NULL and matches no row. No
# other setting widens it (there is no bypass), and the planner can use the task force index.
TENANT_POLICY = f"({_SAME_TASK_FORCE})"
# The one OR: a user may read their own memberships of every task force (switcher, /me)
# before a task force is chosen; writes still need the task force. It opens no content table.
MEMBERSHIP_READ_POLICY = f"({_SAME_TASK_FORCE} OR {_SAME_USER})"
# ... and the agencies of those memberships (their names appear in the switcher and /me).
AGENCY_READ_POLICY = (
    f"({_SAME_TASK_FORCE} OR id IN (SELECT agency_id FROM taskforce_membership"  # noqa: S608
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


def set_scope(*, task_force_id: uuid.UUID | str | None, user_id: uuid.UUID | str | None = None) -> None:
    """Set the RLS settings for the rest of the current transaction."""
    _require_transaction()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config(%s, %s, true), set_config(%s, %s, true)",
            [SETTING_TASK_FORCE, _as_setting(task_force_id), SETTING_USER, _as_setting(user_id)],
        )


def enter_task_force(*, slug: str, user_id: uuid.UUID | str) -> uuid.UUID | None:
    """Scope the transaction to the task force named ``slug`` and return its id, in one round
    trip. An unknown slug still sets a scope, a random id that matches nothing (fail closed), so
    the caller's next queries run the same either way."""
    _require_transaction()
    with connection.cursor() as cursor:
        # The task force table has no row-level security: the subquery needs no scope.
        cursor.execute(
            "SELECT tf.id, set_config(%s, coalesce(tf.id::text, %s), true), set_config(%s, %s, true)"
            " FROM (SELECT (SELECT id FROM taskforce_taskforce WHERE slug = %s) AS id) AS tf",
            [SETTING_TASK_FORCE, str(uuid.uuid4()), SETTING_USER, _as_setting(user_id), slug],
        )
        row = cursor.fetchone()
    return row[0]


def swap_scope(
    *, task_force_id: uuid.UUID | str | None, user_id: uuid.UUID | str | None = None
) -> tuple[str, str]:
    """Set the scope and return the previous one, in one round trip (for a later restore)."""
    _require_transaction()
    with connection.cursor() as cursor:
        # The subquery is scanned before the outer projection runs, so the old values are
        # read before set_config changes them.
        cursor.execute(
            "SELECT prev.tf, prev.usr, set_config(%s, %s, true), set_config(%s, %s, true)"
            " FROM (SELECT coalesce(current_setting(%s, true), '') AS tf,"
            " coalesce(current_setting(%s, true), '') AS usr OFFSET 0) AS prev",
            [
                SETTING_TASK_FORCE,
                _as_setting(task_force_id),
                SETTING_USER,
                _as_setting(user_id),
                SETTING_TASK_FORCE,
                SETTING_USER,
            ],
        )
        row = cursor.fetchone()
    return row[0], row[1]


def restore_scope(previous: tuple[str, str]) -> None:
    task_force_id, user_id = previous
    set_scope(task_force_id=task_force_id or None, user_id=user_id or None)


def current_scope() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(current_setting(%s, true), ''), coalesce(current_setting(%s, true), '')",
            [SETTING_TASK_FORCE, SETTING_USER],
        )
        row = cursor.fetchone()
    return row[0], row[1]


@contextmanager
def task_force_scope(
    task_force_id: uuid.UUID | str | None, *, user_id: uuid.UUID | str | None = None
) -> Iterator[None]:
    """Run a block (Celery task, management command) inside one task force, in a transaction."""
    with transaction.atomic():
        previous = swap_scope(task_force_id=task_force_id, user_id=user_id)
        try:
            yield
        finally:
            restore_scope(previous)


def task_force_ids() -> list[uuid.UUID]:
    """Every task force's id. The task force table is structure, not tenant-owned: it has no
    row-level security, so this list needs no scope at all."""
    from taskforce.models import TaskForce

    return list(TaskForce.objects.order_by("slug").values_list("pk", flat=True))


def per_task_force(*, user_id: uuid.UUID | str | None = None) -> Iterator[uuid.UUID]:
    """Visit the task forces one by one, each inside its own scope (a job spanning task forces).

    The body of the loop runs inside that task force's scope and transaction; nothing ever
    sees two task forces at once.
    """
    for task_force_id in task_force_ids():
        with task_force_scope(task_force_id, user_id=user_id):
            yield task_force_id
