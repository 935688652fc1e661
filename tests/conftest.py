"""Shared fixtures. The database is real PostgreSQL; Redis is real where a test needs it.

Row-level security is on in the test database as in production. Each test runs inside one
transaction; ``_rls_open_for_setup`` opens the platform bypass for that transaction so
fixtures can write rows of any task force. Every request made through a test client sets
its own scope (bypass off) and restores the test's afterwards, so requests are subject to
RLS exactly as in production.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection

from taskforce.rls import set_scope
from tests.world import World, build_world


@pytest.fixture(autouse=True)
def _rls_open_for_setup(request: pytest.FixtureRequest) -> None:
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or "live_server" in request.fixturenames
    if marker is not None and marker.kwargs.get("transaction"):
        transactional = True
    if transactional:
        return
    if "db" in request.fixturenames or marker is not None:
        request.getfixturevalue("db")
        if connection.in_atomic_block:
            set_scope(task_force_id=None, bypass=True)


@pytest.fixture
def world(db: None) -> World:
    """Two task forces, every role in each, one record per compartment with a secret marker."""
    return build_world()


@pytest.fixture
def real_worker() -> Iterator[None]:
    """A real Celery worker thread consuming from the real Redis broker on a queue of its own."""
    from taskforce.celery import app

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
    _forget_backend(app)
    try:
        with start_worker(app, pool="solo", queues=[queue], perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.update(saved)
        _forget_backend(app)


def _forget_backend(app) -> None:
    """Celery caches its result backend per thread on first use: drop it when the settings change."""
    with contextlib.suppress(AttributeError):
        del app._local.backend
