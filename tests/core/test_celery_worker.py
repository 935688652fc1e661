"""Celery with a real worker consuming from the real Redis broker (REDIS_URL)."""

from __future__ import annotations

import pytest

from taskforce.audit import audit_record
from taskforce.celery import app
from taskforce.models import AuditEvent
from taskforce.rls import task_force_scope
from taskforce.tasks import verify_audit_chains


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_audit_chain_verification_runs_on_a_real_worker(real_worker: None) -> None:
    with task_force_scope(None):
        audit_record(action="test.before_verification")
    result = verify_audit_chains.delay()
    broken = result.get(timeout=30)
    from taskforce.audit import verify_all_chains

    assert broken == 0, verify_all_chains()
    with task_force_scope(None):
        event = AuditEvent.objects.filter(action="platform.audit_chain_verified").latest("seq")
        assert event.outcome == "success"
        assert event.detail["broken_rows"] == 0


def test_task_arguments_are_json_ids_only() -> None:
    """The broker stores arguments: tasks take ids or nothing, never instances or text."""
    signature = verify_audit_chains.s()
    assert signature.args == ()
    assert app.conf.task_serializer == "json"
    assert "json" in app.conf.accept_content
