"""Helpers for the data migrations that encrypt existing rows (cases 0004, referrals 0006).

Migration-time code (the loader skips modules whose name starts with ``_``): it names tables and
columns from the migration's own constants. Row-level security is FORCED on every tenant table,
so rows are read and written one task force at a time under ``app.task_force_id`` (no bypass).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from taskforce.crypto import associated_data, encrypt


def task_force_ids(cursor: Any) -> list[str]:
    cursor.execute("SELECT id FROM taskforce_taskforce ORDER BY id")
    return [str(row[0]) for row in cursor.fetchall()]


def each_task_force(schema_editor: Any) -> Iterator[tuple[Any, str]]:
    """Yield (cursor, task force id) with the RLS scope set to that task force."""
    with schema_editor.connection.cursor() as cursor:
        for tf_id in task_force_ids(cursor):
            cursor.execute("SELECT set_config('app.task_force_id', %s, true)", [tf_id])
            yield cursor, tf_id
        cursor.execute("SELECT set_config('app.task_force_id', '', true)")


def encrypt_columns(
    schema_editor: Any,
    table: str,
    columns: tuple[str, ...],
    *,
    transform: Callable[[str, Any], Any] | None = None,
) -> None:
    """Encrypt every non-empty value of ``columns`` in place, bound to table, column and row."""
    select = ", ".join(columns)
    for cursor, tf_id in each_task_force(schema_editor):
        cursor.execute(f"SELECT id, {select} FROM {table} WHERE task_force_id = %s ORDER BY id", [tf_id])
        for row_id, *values in cursor.fetchall():
            updates = {}
            for column, value in zip(columns, values, strict=True):
                if transform is not None:
                    value = transform(column, value)
                if value is None or value == "":
                    updates[column] = value
                    continue
                updates[column] = encrypt(str(value), associated_data(table, column, row_id))
            assignments = ", ".join(f"{column} = %s" for column in updates)
            cursor.execute(f"UPDATE {table} SET {assignments} WHERE id = %s", [*updates.values(), row_id])
