"""Encrypt the generated rows the way the application stores them.

The generator writes with SQL (``INSERT ... SELECT generate_series``), which cannot run
AES-256-GCM; the application refuses to read a plaintext value where it expects a sealed one
(taskforce.crypto). This pass, run once after the fill as the superuser (row-level security
does not bind it), seals every non-empty value of every encrypted column with the current key,
bound to its table, column and row id, exactly as ``Model.save`` would. So the benchmark pays
the real decryption cost on every page.

Run by benchmarks/generate.py as ``python benchmarks/seal.py`` with ``DATABASE_URL`` set to the
benchmark database (as the superuser).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BATCH = 5000


def main() -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taskforce.settings.local")
    import django

    django.setup()
    from django.apps import apps
    from django.db import connection, transaction

    from taskforce.crypto import EncryptedMixin

    sealed = 0
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedMixin)]
        if not fields:
            continue
        table = model._meta.db_table
        pk = model._meta.pk.column
        quoted = [connection.ops.quote_name(f.column) for f in fields]
        columns = ", ".join(quoted)
        plain = " OR ".join(f"({q} <> '' AND {q} NOT LIKE 'v1:%%')" for q in quoted)
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {connection.ops.quote_name(pk)}, {columns} FROM {table} WHERE {plain} LIMIT %s",
                    [BATCH],
                )
                rows = cursor.fetchall()
                if not rows:
                    break
                updates = []
                for row in rows:
                    row_id, values = row[0], row[1:]
                    tokens = []
                    for field, value in zip(fields, values, strict=True):
                        if value in (None, "") or str(value).startswith("v1:"):
                            tokens.append(value)
                        else:
                            tokens.append(str(field.seal(field.to_python(value), row_id)))
                    updates.append([*tokens, row_id])
                assignments = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
                cursor.executemany(
                    f"UPDATE {table} SET {assignments} WHERE {connection.ops.quote_name(pk)} = %s",
                    updates,
                )
                sealed += len(updates)
    print(f"  sealed {sealed} rows", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
