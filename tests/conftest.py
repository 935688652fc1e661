"""Shared fixtures. The database is real PostgreSQL; Redis is real where a test needs it.

Row-level security is on in the test database as in production. Each test runs inside one
transaction; ``_rls_open_for_setup`` opens the platform bypass for that transaction so
fixtures can write rows of any task force. Every request made through a test client sets
its own scope (bypass off) and restores the test's afterwards, so requests are subject to
RLS exactly as in production.
"""

from __future__ import annotations

import pytest
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
