"""Test-only ``flush`` (transactional tests end with one): the running role may not TRUNCATE
and the audit log refuses TRUNCATE by trigger, so the owner empties the tables, with the audit
triggers off for that one transaction. Production has Django's own flush, which fails there.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as DjangoFlush
from django.db import connections

GUARDED = ("taskforce_auditevent", "taskforce_auditchainhead")


class Command(DjangoFlush):
    def handle(self, **options: Any) -> None:
        from tests.conftest import owner_connection

        ops = connections[options.get("database", "default")].ops

        def execute_as_owner(sql_list: list[str]) -> None:
            with owner_connection() as owner, owner.cursor() as cursor:
                cursor.execute("BEGIN")
                for table in GUARDED:
                    cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
                for sql in sql_list:
                    cursor.execute(sql)
                for table in GUARDED:
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
                cursor.execute("COMMIT")

        ops.execute_sql_flush = execute_as_owner
        try:
            super().handle(**options)
        finally:
            del ops.execute_sql_flush
