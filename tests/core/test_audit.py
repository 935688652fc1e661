"""The audit log: append-only in the database, hash-chained, verified by a command."""

from __future__ import annotations

from itertools import pairwise

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse

from taskforce.audit import audit_chain_breaks, audit_record
from taskforce.models import AuditEvent
from tests.world import PASSWORD, World

pytestmark = pytest.mark.django_db


def _some_events(world: World, count: int = 3) -> list[AuditEvent]:
    for index in range(count):
        audit_record(action=f"test.event{index}", actor=world.actor("alpha.coordinator"))
    return list(AuditEvent.objects.filter(action__startswith="test.event").order_by("seq"))


def test_update_is_refused_by_the_database(world: World) -> None:
    event = _some_events(world, 1)[0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE taskforce_auditevent SET outcome = 'success' WHERE seq = %s", [event.pk])


def test_delete_is_refused_by_the_database(world: World) -> None:
    event = _some_events(world, 1)[0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_rows_are_chained_per_task_force(world: World) -> None:
    events = _some_events(world)
    for previous, current in pairwise(events):
        assert current.prev_hash == previous.row_hash
        assert current.chain_key == str(world.task_forces["alpha"].pk)
    assert all(len(e.row_hash) == 64 for e in events)
    assert audit_chain_breaks() == []
    call_command("verify_audit_chain")


def test_verification_catches_an_edited_row(world: World) -> None:
    events = _some_events(world)
    victim = events[1]
    with connection.cursor() as cursor:
        # Only the table owner can do this, and only by switching the guard off first.
        cursor.execute("ALTER TABLE taskforce_auditevent DISABLE TRIGGER audit_append_only")
        cursor.execute("ALTER TABLE taskforce_auditevent NO FORCE ROW LEVEL SECURITY")
        cursor.execute("UPDATE taskforce_auditevent SET target_id = 'forged' WHERE seq = %s", [victim.pk])
        cursor.execute("ALTER TABLE taskforce_auditevent ENABLE TRIGGER audit_append_only")
    breaks = audit_chain_breaks()
    assert [b["seq"] for b in breaks] == [victim.pk]
    assert breaks[0]["problem"] == "altered row"
    with pytest.raises(CommandError, match="broken"):
        call_command("verify_audit_chain")


def test_verification_catches_a_removed_row(world: World) -> None:
    events = _some_events(world)
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE taskforce_auditevent DISABLE TRIGGER audit_append_only")
        cursor.execute("ALTER TABLE taskforce_auditevent NO FORCE ROW LEVEL SECURITY")
        cursor.execute("DELETE FROM taskforce_auditevent WHERE seq = %s", [events[1].pk])
        cursor.execute("ALTER TABLE taskforce_auditevent ENABLE TRIGGER audit_append_only")
    assert [b["seq"] for b in audit_chain_breaks()] == [events[2].pk]


def test_login_logout_and_failed_login_are_recorded(world: World, client) -> None:
    user = world.users["alpha.analyst"]
    response = client.post(reverse("login"), {"username": user.email, "password": "wrong-password-123"})
    assert response.status_code == 200
    failed = AuditEvent.objects.filter(action="auth.login_failed").latest("seq")
    assert failed.user_id == user.pk
    assert failed.outcome == "failure"
    assert user.email not in str(failed.detail)

    client.post(reverse("login"), {"username": "nobody@nowhere.test", "password": "whatever-123456"})
    unknown = AuditEvent.objects.filter(action="auth.login_failed").latest("seq")
    assert unknown.user_id is None
    assert "nobody" not in str(unknown.detail)

    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="auth.login", user_id=user.pk).exists()
    assert AuditEvent.objects.filter(action="auth.login").latest("seq").source_ip == "127.0.0.1"

    client.post(reverse("logout"))
    assert AuditEvent.objects.filter(action="auth.logout", user_id=user.pk).exists()


def test_audit_events_api_is_metadata_for_tenant_admins(world: World) -> None:
    audit_record(
        action="case.viewed",
        actor=world.actor("alpha.vs_supervisor"),
        target_type="cases.case",
        target_id="x",
    )
    audit_record(
        action="case.viewed", actor=world.actor("beta.vs_supervisor"), target_type="cases.case", target_id="y"
    )
    response = world.api("alpha.tenant_admin").get(
        reverse("api:audit-event-list", kwargs={"task_force": "alpha"})
    )
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {"id", "occurred_at", "action", "target_type", "target_id", "outcome", "user_id"} <= set(rows[0])
    assert "detail" not in rows[0]
    assert [r["target_id"] for r in rows if r["action"] == "case.viewed"] == ["x"]
    assert response.json()["next"] is None or "cursor=" in response.json()["next"]


def test_audit_page_for_tenant_admin_shows_who_not_what(world: World) -> None:
    audit_record(
        action="case.viewed",
        actor=world.actor("alpha.vs_supervisor"),
        target_type="cases.case",
        target_id="z",
    )
    response = world.client("alpha.tenant_admin").get(reverse("audit-list", kwargs={"task_force": "alpha"}))
    assert response.status_code == 200
    assert b"case.viewed" in response.content
    assert world.users["alpha.vs_supervisor"].email.encode() in response.content


def test_a_failed_audit_write_fails_the_read(world: World, monkeypatch) -> None:
    from taskforce import audit

    client = world.client("alpha.vs_supervisor")
    monkeypatch.setattr(audit, "_INSERT", "INSERT INTO no_such_table VALUES (" + ", ".join(["%s"] * 12) + ")")
    record = world.records["alpha.vs_record"]
    with pytest.raises(DatabaseError):
        client.get(reverse("wall-vs-detail", kwargs={"task_force": "alpha", "record_id": record.pk}))
