"""Celery with a real worker consuming from the real Redis broker (REDIS_URL)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from celery.contrib.testing.worker import start_worker

from taskforce.audit import audit_record
from taskforce.celery import app
from taskforce.models import AuditEvent
from taskforce.rls import platform_bypass
from taskforce.tasks import verify_audit_chains


@pytest.fixture
def real_worker() -> Iterator[None]:
    redis_url = os.environ.get("REDIS_URL")
    assert redis_url, "the Celery worker tests need REDIS_URL (make test starts a Redis when it is unset)"
    queue = f"test-{uuid.uuid4().hex}"  # a queue of our own: other workers on this Redis never take our tasks
    saved = {
        key: app.conf[key]
        for key in ("task_always_eager", "broker_url", "result_backend", "task_default_queue")
    }
    app.conf.update(
        task_always_eager=False, broker_url=redis_url, result_backend=redis_url, task_default_queue=queue
    )
    try:
        with start_worker(app, pool="solo", queues=[queue], perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.update(saved)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_audit_chain_verification_runs_on_a_real_worker(real_worker: None) -> None:
    with platform_bypass(reason="test setup"):
        audit_record(action="test.before_verification")
    result = verify_audit_chains.delay()
    assert result.get(timeout=30) == 0
    with platform_bypass(reason="test check"):
        event = AuditEvent.objects.filter(action="platform.audit_chain_verified").latest("seq")
        assert event.outcome == "success"
        assert event.detail["broken_rows"] == 0


def test_task_arguments_are_json_ids_only() -> None:
    """The broker stores arguments: tasks take ids or nothing, never instances or text."""
    signature = verify_audit_chains.s()
    assert signature.args == ()
    assert app.conf.task_serializer == "json"
    assert "json" in app.conf.accept_content
