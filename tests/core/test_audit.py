"""The audit log: append-only in the database, hash-chained, verified by a command."""

from __future__ import annotations

from itertools import pairwise

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse

from taskforce.audit import audit_chain_breaks, audit_record, verify_all_chains
from taskforce.models import AuditEvent, TaskForce
from tests.conftest import owner_connection
from tests.world import PASSWORD, World, in_scope

pytestmark = pytest.mark.django_db


def _some_events(world: World, count: int = 3) -> list[AuditEvent]:
    for index in range(count):
        audit_record(action=f"test.event{index}", actor=world.actor("alpha.coordinator"))
    return list(AuditEvent.objects.filter(action__startswith="test.event").order_by("seq"))


REFUSED = "append-only|permission denied"


def test_update_is_refused_by_the_database(world: World) -> None:
    event = _some_events(world, 1)[0]
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    with (
        pytest.raises(DatabaseError, match=REFUSED),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE taskforce_auditevent SET outcome = 'success' WHERE seq = %s", [event.pk])


def test_delete_is_refused_by_the_database(world: World) -> None:
    event = _some_events(world, 1)[0]
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
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


def _committed_events(count: int = 3) -> list[AuditEvent]:
    """Committed rows (transactional tests): the owner's separate connection must see them."""
    task_force = TaskForce.objects.create(slug="gamma", name="Gamma")
    with in_scope(task_force):
        for index in range(count):
            audit_record(action=f"test.event{index}", task_force_id=task_force.pk)
        return list(AuditEvent.objects.filter(action__startswith="test.event").order_by("seq"))


def _as_owner_with_guards_off(*statements: tuple[str, list]) -> None:
    """What only the schema's owner could do, and only by switching the guards off first."""
    with owner_connection() as owner, owner.cursor() as cursor:
        cursor.execute("ALTER TABLE taskforce_auditevent DISABLE TRIGGER audit_append_only")
        cursor.execute("ALTER TABLE taskforce_auditevent NO FORCE ROW LEVEL SECURITY")
        try:
            for sql, params in statements:
                cursor.execute(sql, params)
        finally:
            cursor.execute("ALTER TABLE taskforce_auditevent FORCE ROW LEVEL SECURITY")
            cursor.execute("ALTER TABLE taskforce_auditevent ENABLE TRIGGER audit_append_only")


@pytest.mark.django_db(transaction=True)
def test_verification_catches_an_edited_row() -> None:
    events = _committed_events()
    victim = events[1]
    _as_owner_with_guards_off(
        ("UPDATE taskforce_auditevent SET target_id = 'forged' WHERE seq = %s", [victim.pk])
    )
    breaks = verify_all_chains()
    assert [b["seq"] for b in breaks] == [victim.pk]
    assert breaks[0]["problem"] == "altered row"
    with pytest.raises(CommandError, match="broken"):
        call_command("verify_audit_chain")


@pytest.mark.django_db(transaction=True)
def test_verification_catches_a_removed_row() -> None:
    events = _committed_events()
    _as_owner_with_guards_off(("DELETE FROM taskforce_auditevent WHERE seq = %s", [events[1].pk]))
    assert [b["seq"] for b in verify_all_chains()] == [events[2].pk]


@pytest.mark.django_db(transaction=True)
def test_verification_catches_a_removed_tail() -> None:
    """Weakness 7: deleting the last rows of a chain left every remaining link intact."""
    events = _committed_events()
    call_command("verify_audit_chain")
    _as_owner_with_guards_off(("DELETE FROM taskforce_auditevent WHERE seq >= %s", [events[1].pk]))
    breaks = verify_all_chains()
    assert [(b["seq"], b["problem"]) for b in breaks] == [(events[2].pk, "removed tail")]
    with pytest.raises(CommandError, match="broken"):
        call_command("verify_audit_chain")


@pytest.mark.django_db(transaction=True)
def test_verification_catches_a_chain_emptied_to_its_head() -> None:
    events = _committed_events(2)
    _as_owner_with_guards_off(("DELETE FROM taskforce_auditevent WHERE seq >= %s", [events[0].pk]))
    assert [b["problem"] for b in verify_all_chains()] == ["removed tail (no row left)"]


def test_truncate_is_refused_even_for_the_owner() -> None:
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE taskforce_auditevent")
    # The owner has the right to TRUNCATE; the trigger still refuses it.
    import psycopg2

    with owner_connection() as owner, owner.cursor() as cursor:
        cursor.execute("SET lock_timeout = '10s'")
        with pytest.raises(psycopg2.Error, match="append-only"):
            cursor.execute("TRUNCATE taskforce_auditevent")
        with pytest.raises(psycopg2.Error, match="append-only"):
            cursor.execute("TRUNCATE taskforce_auditchainhead")


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


@pytest.mark.parametrize(
    ("reader", "record", "route"),
    [
        ("alpha.investigator", "alpha.vs_record", "wall-vs-detail"),  # another compartment's
        ("alpha.detective", "alpha.le_restricted", "wall-le-detail"),  # a restricted investigation
        ("alpha.case_manager", "beta.vs_record", "wall-vs-detail"),  # another task force's id
    ],
)
def test_denied_reads_are_audited_without_content(world: World, reader: str, record: str, route: str) -> None:
    """Weakness 4: a 404 for a real id wrote no audit row."""
    target = world.records[record]
    response = world.client(reader).get(
        reverse(route, kwargs={"task_force": "alpha", "record_id": target.pk})
    )
    assert response.status_code == 404
    world.use("alpha")
    denied = AuditEvent.objects.filter(action="access.denied", target_id=str(target.pk))
    assert denied.count() == 1
    event = denied.get()
    assert (event.user_id, event.outcome, event.task_force_id) == (
        world.users[reader].pk,
        "denied",
        world.task_forces["alpha"].pk,
    )
    assert target.secret not in str(event.detail)
    assert "SECRET" not in f"{event.detail} {event.target_type} {event.target_id}"


def test_denied_api_reads_are_audited(world: World) -> None:
    target = world.records["alpha.le_restricted"]
    response = world.api("alpha.detective").get(
        reverse("wall-api:wall-le-record-detail", kwargs={"task_force": "alpha", "pk": target.pk})
    )
    assert response.status_code == 404
    world.use("alpha")
    event = AuditEvent.objects.get(action="access.denied", target_id=str(target.pk))
    assert event.user_id == world.users["alpha.detective"].pk
    assert event.target_type == "wallapp.lerecord"


def test_reading_the_audit_log_is_audited(world: World) -> None:
    """Weakness 5: ``GET audit-events/`` added no row."""
    admin = world.users["alpha.tenant_admin"]
    response = world.api("alpha.tenant_admin").get(
        reverse("api:audit-event-list", kwargs={"task_force": "alpha"})
    )
    assert response.status_code == 200
    response = world.client("alpha.tenant_admin").get(reverse("audit-list", kwargs={"task_force": "alpha"}))
    assert response.status_code == 200
    world.use("alpha")
    assert AuditEvent.objects.filter(action="audit.read", user_id=admin.pk).count() == 2


def test_tenant_admin_sees_the_sign_ins_of_members_only(world: World, client) -> None:
    member = world.users["alpha.analyst"]
    outsider = world.users["beta.analyst"]
    for user in (member, outsider):
        client.post(reverse("login"), {"username": user.email, "password": "wrong-password-123"})
    response = world.api("alpha.tenant_admin").get(
        reverse("api:audit-event-list", kwargs={"task_force": "alpha"}), {"page_size": 200}
    )
    failed = {row["user_id"] for row in response.json()["results"] if row["action"] == "auth.login_failed"}
    assert failed == {str(member.pk)}
