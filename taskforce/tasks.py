"""Platform jobs of the core. Tasks take ids only and rebuild their scope when they run."""

from __future__ import annotations

import logging

from celery import shared_task

from taskforce.audit import audit_record, verify_all_chains
from taskforce.rls import task_force_scope

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def verify_audit_chains() -> int:
    """Nightly: recompute every audit hash chain. Idempotent (it only reads, then appends one
    row saying what it found). Returns the number of broken rows; a break is also logged."""
    breaks = verify_all_chains()
    with task_force_scope(None):
        audit_record(
            action="platform.audit_chain_verified",
            outcome="failure" if breaks else "success",
            detail={"broken_rows": len(breaks), "first_broken_seq": breaks[0]["seq"] if breaks else None},
        )
    if breaks:
        logger.error("audit chain broken at %d row(s), first seq %s", len(breaks), breaks[0]["seq"])
    return len(breaks)
