"""Recompute every blind index (client identity per agency, suspect identifiers per task force,
the connections between tips and investigations)
from the decrypted values: after TASKFORCE_BLIND_INDEX_KEY changes, or to repair an index.
One task force at a time under its own scope, in batches by primary key."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from cases import identity_index
from cases.models import ClientIdentity
from referrals import suspect_index
from referrals.models import Suspect
from taskforce.audit import audit_record
from taskforce.models import TaskForce
from taskforce.rls import task_force_scope


def _batches(queryset: Any, task_force_id: Any, size: int) -> Any:
    last = None
    while True:
        with task_force_scope(task_force_id):
            rows = queryset.filter(task_force_id=task_force_id)
            if last is not None:
                rows = rows.filter(pk__gt=last)
            batch = list(rows.order_by("pk")[:size])
        if batch:
            yield batch
        if len(batch) < size:
            return
        last = batch[-1].pk


class Command(BaseCommand):
    help = "Rebuild the keyed blind indexes (duplicate check, search, deconfliction)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        for tf in TaskForce.objects.order_by("pk"):
            identities = suspects = 0
            for batch in _batches(ClientIdentity.objects.select_related("client"), tf.pk, batch_size):
                with task_force_scope(tf.pk):
                    identity_index.reindex(batch)
                identities += len(batch)
            for batch in _batches(Suspect.objects.all(), tf.pk, batch_size):
                for suspect in batch:
                    suspect_index.index(suspect)
                with task_force_scope(tf.pk):
                    Suspect.objects.bulk_update(batch, suspect_index.INDEX_FIELDS)
                suspects += len(batch)
            with task_force_scope(tf.pk):
                audit_record(
                    action="crypto.blind_indexes_rebuilt",
                    task_force_id=tf.pk,
                    detail={"identities": identities, "suspects": suspects},
                )
            self.stdout.write(f"{tf.slug}: {identities} identities, {suspects} suspects indexed")
        # The connections between tips and investigations use the same key: one command after a
        # key change rebuilds every index.
        call_command("rebuild_connection_index", stdout=self.stdout)
