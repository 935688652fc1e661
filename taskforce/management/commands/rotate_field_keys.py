"""Re-encrypt every encrypted column with the current key (the first of TASKFORCE_FIELD_KEYS).

Resumable: it works one task force at a time (each under its own row-level security scope, no
bypass), one table at a time, in batches by primary key, each batch its own transaction; values
already under the current key are skipped, so an interrupted run is simply started again.
Once it reports nothing left, the old keys can be dropped from TASKFORCE_FIELD_KEYS.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from taskforce.audit import audit_record
from taskforce.crypto import Sealed, current_key_id, encrypted_fields, encrypted_models, key_id_of, reencrypt
from taskforce.models import TaskForce
from taskforce.rls import task_force_scope


def rotate_model(model: Any, task_force_id: Any, *, batch_size: int, current: str) -> int:
    fields = encrypted_fields(model)
    manager = model._base_manager
    rotated = 0
    last = None
    while True:
        with task_force_scope(task_force_id):
            rows = manager.filter(task_force_id=task_force_id)
            if last is not None:
                rows = rows.filter(pk__gt=last)
            # values_list gives the stored ciphertext (Sealed), never decrypted plaintext.
            batch = list(rows.order_by("pk").values_list("pk", *(f.attname for f in fields))[:batch_size])
            for pk, *tokens in batch:
                updates = {
                    field.attname: Sealed(reencrypt(token, field._aad(pk)))
                    for field, token in zip(fields, tokens, strict=True)
                    if isinstance(token, Sealed) and key_id_of(token) != current
                }
                if updates:
                    manager.filter(pk=pk).update(**updates)
                    rotated += 1
        if len(batch) < batch_size:
            return rotated
        last = batch[-1][0]


class Command(BaseCommand):
    help = "Re-encrypt encrypted columns with the current key, in resumable batches."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--task-force", help="Only this task force (slug).")

    def handle(self, *args: Any, batch_size: int, task_force: str | None, **options: Any) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        current = current_key_id()
        task_forces = TaskForce.objects.order_by("pk")
        if task_force:
            task_forces = task_forces.filter(slug=task_force)
            if not task_forces.exists():
                raise CommandError(f"no task force {task_force!r}")
        for tf in task_forces:
            counts = {
                model._meta.label: rotate_model(model, tf.pk, batch_size=batch_size, current=current)
                for model in encrypted_models()
            }
            with task_force_scope(tf.pk):
                audit_record(
                    action="crypto.keys_rotated",
                    task_force_id=tf.pk,
                    detail={"key_id": current, "rows": sum(counts.values())},
                )
            self.stdout.write(f"{tf.slug}: {sum(counts.values())} row(s) re-encrypted with key {current!r}")
        self.stdout.write(self.style.SUCCESS("Every encrypted value is under the current key."))
