"""Rebuild the connections index (``referrals.IdentifierKey``) of every tip and suspect from
their decrypted identifiers: after TASKFORCE_BLIND_INDEX_KEY changes (run it next to
``rebuild_blind_indexes``), or to repair the index. One task force at a time under its own
scope, each in one transaction, so a page never sees a half-built index."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from referrals import connections
from referrals.models import IdentifierKey, Suspect, Tip
from taskforce.audit import audit_record
from taskforce.models import TaskForce
from taskforce.rls import task_force_scope


class Command(BaseCommand):
    help = "Rebuild the index that connects tips and investigations sharing an identifier."

    def handle(self, *args: Any, **options: Any) -> None:
        for tf in TaskForce.objects.order_by("pk"):
            with task_force_scope(tf.pk):
                IdentifierKey.objects.filter(task_force_id=tf.pk).delete()
                tips = Tip.objects.filter(task_force_id=tf.pk).order_by("pk")
                for tip in tips.iterator(chunk_size=500):
                    connections.index_tip(tip, fresh=True)
                suspects = Suspect.objects.filter(task_force_id=tf.pk).order_by("pk")
                for suspect in suspects.iterator(chunk_size=500):
                    connections.index_suspect(suspect, fresh=True)
                keys = IdentifierKey.objects.filter(task_force_id=tf.pk).count()
                audit_record(
                    action="crypto.connection_index_rebuilt", task_force_id=tf.pk, detail={"keys": keys}
                )
            self.stdout.write(f"{tf.slug}: {keys} identifier keys")
