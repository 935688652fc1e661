"""Shared fixtures. The database is real PostgreSQL; Redis is real where a test needs it.

Two roles, as in production (when DATABASE_OWNER_URL is set): the owner role creates and
migrates the test database, then ``default`` reconnects as the running role, which owns no
table. Row-level security is on in the test database as in production and has no bypass: a
test starts with no task force in scope and writes or reads one task force at a time
(tests/world.py: ``use_scope``, ``in_scope``, ``across_task_forces``, ``world.actor``). Every
request made through a test client sets its own scope and restores the test's afterwards.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

import psycopg2
import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection, connections

from taskforce.rls import set_scope
from tests.world import World, build_world


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker) -> Iterator[None]:
    """After pytest-django has created and migrated the test database as the owner role,
    run every test as the running role (DATABASE_URL's)."""
    running = settings.TASKFORCE_RUNNING_DATABASE
    if not running:
        yield
        return
    default = connections["default"]
    owner = {key: default.settings_dict[key] for key in ("USER", "PASSWORD")}
    with django_db_blocker.unblock():
        default.close()
    default.settings_dict.update(running)
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            default.close()
        default.settings_dict.update(owner)  # the owner drops the test database


@contextlib.contextmanager
def owner_connection() -> Iterator[psycopg2.extensions.connection]:
    """A separate connection to the test database as the schema's owner (autocommit): what
    only an administrator could do, to tamper with the audit log in a test. It sees committed
    rows only (use it from transactional tests)."""
    params = dict(connection.get_connection_params())
    params.update(
        {
            "user": settings.TASKFORCE_OWNER_DATABASE["USER"],
            "password": settings.TASKFORCE_OWNER_DATABASE["PASSWORD"],
        }
        if settings.TASKFORCE_OWNER_DATABASE
        else {}
    )
    params.pop("cursor_factory", None)
    params.pop("context", None)
    owner = psycopg2.connect(**params)
    owner.autocommit = True
    try:
        yield owner
    finally:
        owner.close()


@pytest.fixture(autouse=True)
def _rls_starts_empty(request: pytest.FixtureRequest) -> None:
    """Each test starts with no task force in scope: it sees nothing until it names one."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or "live_server" in request.fixturenames
    if marker is not None and marker.kwargs.get("transaction"):
        transactional = True
    if transactional:
        return
    if "db" in request.fixturenames or marker is not None:
        request.getfixturevalue("db")
        if connection.in_atomic_block:
            set_scope(task_force_id=None)


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
