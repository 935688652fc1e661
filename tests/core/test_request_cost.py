"""What one request costs the database: the fixed statements every page pays, the session
written only when it changes, and the audit row written last (issue 10, "queries per request").

The suite runs each request inside the test's transaction, so Django adds a SAVEPOINT and its
RELEASE and the edge saves and restores the test's scope around it; ``_own`` leaves those out,
which leaves exactly what production runs between its BEGIN and COMMIT.
"""

from __future__ import annotations

import time

import pytest
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from taskforce import audit
from taskforce.audit import audit_record, current_actor
from taskforce.middleware import SESSION_TOUCHED_KEY
from tests.world import World, audit_events_since, last_audit_seq

pytestmark = pytest.mark.django_db


def _own(queries: list[dict]) -> list[str]:
    statements = [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    # The test-only scope save (first) and restore (last) around the request.
    assert statements[0].startswith("SELECT prev.tf"), statements[0]
    assert statements[-1].startswith("SELECT set_config"), statements[-1]
    return statements[1:-1]


def _capture(client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response.status_code, [q["sql"] for q in ctx.captured_queries]


def test_an_api_list_runs_five_statements_and_writes_the_audit_row_last(world: World) -> None:
    api = world.api("alpha.investigator")
    api.get("/api/v1/tf/alpha/tips/")
    with CaptureQueriesContext(connection) as ctx:
        assert api.get("/api/v1/tf/alpha/tips/").status_code == 200
    own = _own(ctx.captured_queries)
    # The token, the task force and its scope in one round trip, the memberships, the page,
    # the audit row: with BEGIN and COMMIT, seven in production.
    assert len(own) == 5, own
    assert "taskforce_apitoken" in own[0]
    assert "set_config" in own[1]
    assert "taskforce_taskforce" in own[1]
    assert "taskforce_membership" in own[2]
    assert "referrals_tip" in own[3]
    assert own[4].startswith("INSERT INTO taskforce_auditevent")


def test_an_html_list_reads_session_user_and_membership_once_and_saves_no_session(world: World) -> None:
    html = world.client("alpha.vs_supervisor")
    html.get("/tf/alpha/cases/")
    status, statements = _capture(html, "/tf/alpha/cases/")
    assert status == 200
    # The browser session's own record comes with the user (one query), not on its own.
    tables = ("django_session", "taskforce_user", "signin_usersession")
    reads = [s for s in statements if any(table in s for table in tables)]
    assert len(reads) == 2, reads
    assert "signin_usersession" in reads[1]
    assert "taskforce_user" in reads[1]
    assert not any(s.startswith("UPDATE") for s in statements), statements
    # The switcher reuses the memberships the tenant edge read.
    assert sum("taskforce_membership" in s for s in statements) == 1
    # Session, user, scope, memberships, page, the MDT menu check, the audit row.
    body = [s for s in statements if not s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    assert len(body) - 2 <= 7, body


def test_the_session_is_saved_at_most_once_a_minute_and_the_idle_deadline_moves(world: World) -> None:
    client = world.client("alpha.coordinator")
    assert client.get("/api/v1/me/").status_code == 200
    key = client.session.session_key
    session = client.session
    session[SESSION_TOUCHED_KEY] = time.time() - 61
    session.save()
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + timezone.timedelta(minutes=5))

    status, statements = _capture(client, "/api/v1/me/")
    assert status == 200
    assert any(s.startswith('UPDATE "django_session"') for s in statements)
    left = (Session.objects.get(pk=key).expire_date - timezone.now()).total_seconds()
    assert 29 * 60 < left <= 30 * 60

    status, statements = _capture(client, "/api/v1/me/")
    assert status == 200
    assert not any("django_session" in s and not s.startswith("SELECT") for s in statements)


def test_held_back_audit_rows_follow_their_savepoints(world: World) -> None:
    """A row written inside a savepoint that rolls back is dropped, as an immediate INSERT would
    have been; the others are written, in order, in one statement."""
    actor = world.actor("alpha.vs_supervisor")
    since = last_audit_seq()
    actor_token = current_actor.set(actor)
    rows_token = audit.begin_request_audit()
    try:
        with transaction.atomic():
            audit_record(action="first.kept", actor=actor)
            try:
                with transaction.atomic():
                    audit_record(action="second.dropped", actor=actor)
                    raise RuntimeError
            except RuntimeError:
                pass
            with transaction.atomic():
                audit_record(action="third.kept", actor=actor)
            assert audit_events_since(since) == []  # nothing written before the flush
            with CaptureQueriesContext(connection) as ctx:
                assert audit.flush_request_audit() == 2
            assert len(ctx.captured_queries) == 1
    finally:
        audit.end_request_audit(rows_token)
        current_actor.reset(actor_token)
    assert [event.action for event in audit_events_since(since)] == ["first.kept", "third.kept"]


def test_rows_of_another_chain_are_written_at_once(world: World) -> None:
    """Only the request's own task force waits for the flush; a platform row or another task
    force's is written immediately, under the scope its caller set."""
    actor = world.actor("alpha.vs_supervisor")
    since = last_audit_seq()
    actor_token = current_actor.set(actor)
    rows_token = audit.begin_request_audit()
    try:
        with transaction.atomic():
            audit_record(action="platform.thing", user_id=actor.user_id)
            assert [event.action for event in audit_events_since(since)] == ["platform.thing"]
            assert audit.flush_request_audit() == 0
    finally:
        audit.end_request_audit(rows_token)
        current_actor.reset(actor_token)


def test_a_list_page_is_limited_before_its_joins(world: World) -> None:
    """The page's ids are chosen on the list's own table (index order, LIMIT) and only they are
    joined to the client and identity: the planner cannot then join a whole task force first."""
    api = world.api("alpha.vs_supervisor")
    with CaptureQueriesContext(connection) as ctx:
        assert api.get("/api/v1/tf/alpha/cases/").status_code == 200
    (page,) = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith('SELECT "cases_case"."id"')]
    inner = page[page.index('"cases_case"."id" IN (SELECT') :]
    assert "LIMIT 26" in inner
    assert "cases_clientidentity" not in inner


def test_requests_start_no_parallel_workers() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone() == ("0",)


def test_a_report_is_one_statement_whatever_the_blocks(world: World) -> None:
    """Every block the reader may see (the coordinator sees three) in one round trip."""
    from tests.world import local_today

    first = local_today("alpha").replace(day=1)
    month = (first - timezone.timedelta(days=1)).strftime("%Y-%m")
    api = world.api("alpha.coordinator")
    url = f"/api/v1/tf/alpha/reports/monthly/?month={month}"
    assert api.get(url).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(url)
    assert response.status_code == 200
    codes = {row["code"] for row in response.json()["measures"]}
    assert {"clients_served", "tips_received", "training.events"} <= codes
    own = _own(ctx.captured_queries)
    assert len(own) == 5, own  # token, scope, memberships, the report, the audit row
