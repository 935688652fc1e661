"""Recompute the audit log's hash chains and report any altered, removed or inserted row."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from taskforce.audit import audit_chain_breaks
from taskforce.rls import platform_bypass


class Command(BaseCommand):
    help = "Verify the audit log's hash chains. Exits non-zero and lists the rows when a chain is broken."

    def handle(self, *args: Any, **options: Any) -> None:
        with platform_bypass(reason="verify_audit_chain"):
            breaks = audit_chain_breaks()
        if breaks:
            for item in breaks:
                self.stderr.write(f"chain {item['chain']}: row {item['seq']}: {item['problem']}")
            raise CommandError(f"audit chain broken at {len(breaks)} row(s)")
        self.stdout.write(self.style.SUCCESS("Audit chains intact."))
