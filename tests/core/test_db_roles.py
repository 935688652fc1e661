"""The running role (DATABASE_URL) can change nothing about the wall: it owns no table, holds
DML rights only, and no setting it can change widens what it sees (issue 9, weaknesses 6, 8)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection, transaction
from django.db.backends.postgresql.base import DatabaseWrapper
from django.db.backends.signals import connection_created

from taskforce.dbroles import check_running_role, running_role_problems
from tests.core.test_rls import _rls_tables
from tests.world import World, use_scope

pytestmark = pytest.mark.django_db

STRUCTURE_TABLES = {"taskforce_agency", "taskforce_membership"}


def _refused(sql: str) -> str:
    with pytest.raises(DatabaseError) as caught, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    return str(caught.value)


def test_the_running_role_owns_nothing_and_is_bound_by_rls() -> None:
    assert running_role_problems(connection) == []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner"
            " WHERE r.rolname = current_user AND c.relnamespace = current_schema()::regnamespace"
        )
        assert cursor.fetchone()[0] == 0


@pytest.mark.parametrize(
    "sql",
    [
        "ALTER TABLE cases_case NO FORCE ROW LEVEL SECURITY",
        "ALTER TABLE cases_case DISABLE ROW LEVEL SECURITY",
        "ALTER TABLE taskforce_auditevent DISABLE TRIGGER audit_append_only",
        "ALTER TABLE taskforce_auditevent DISABLE TRIGGER ALL",
        "ALTER TABLE taskforce_auditevent ADD COLUMN smuggled text",
        "DROP POLICY task_force_isolation ON cases_case",
        "CREATE POLICY open_door ON cases_case USING (true)",
        "TRUNCATE taskforce_auditevent",
        "TRUNCATE cases_case",
        "DROP TABLE taskforce_auditevent",
        "CREATE TABLE smuggled (id int)",
        "UPDATE taskforce_auditchainhead SET last_seq = 0",
        "DELETE FROM taskforce_auditevent",
        "UPDATE taskforce_auditevent SET action = 'x'",
    ],
)
def test_the_running_role_cannot_change_the_wall(sql: str) -> None:
    message = _refused(sql)
    assert re.search(r"permission denied|must be owner|append-only|does not exist", message), message


def test_no_app_setting_but_the_task_force_opens_another_task_forces_rows(world: World) -> None:
    alpha, beta = world.task_forces["alpha"], world.task_forces["beta"]
    content = [table for table in _rls_tables() if table not in STRUCTURE_TABLES]
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(qual, '') || ' ' || coalesce(with_check, '') FROM pg_policies")
        named = set(
            re.findall(r"current_setting\('(app\.[a-z_]+)'", " ".join(r[0] for r in cursor.fetchall()))
        )
    assert named == {"app.task_force_id", "app.user_id"}
    settings_to_try = named - {"app.task_force_id"} | {
        "app.bypass_rls",
        "app.bypass",
        "app.platform",
        "app.superuser",
        "app.role",
        "app.admin",
    }
    values = ["on", "true", "1", str(beta.pk), str(world.users["beta.vs_supervisor"].pk), "*"]
    use_scope(alpha)
    with connection.cursor() as cursor:
        for setting in sorted(settings_to_try):
            for value in values:
                for local in (True, False):
                    cursor.execute("SELECT set_config(%s, %s, %s)", [setting, value, local])
                    for table in content:
                        cursor.execute(f"SELECT count(*) FROM {table} WHERE task_force_id = %s", [beta.pk])
                        assert cursor.fetchone()[0] == 0, (setting, value, table)
                cursor.execute(f"SET {setting} = 'on'")
                cursor.execute("SELECT count(*) FROM wallapp_vsrecord WHERE task_force_id = %s", [beta.pk])
                assert cursor.fetchone()[0] == 0, setting
                cursor.execute(f"RESET {setting}")


def test_pg_policies_have_no_bypass_and_the_tenant_policy_is_the_plain_equality() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, policyname, coalesce(qual, ''), coalesce(with_check, '') FROM pg_policies"
        )
        policies = cursor.fetchall()
    assert policies
    for table, name, using, check in policies:
        assert "bypass" not in f"{name} {using} {check}".lower(), table
        if name == "task_force_isolation" and table not in STRUCTURE_TABLES:
            assert " OR " not in using.upper(), (table, using)
            assert " OR " not in check.upper(), (table, check)
            assert "current_setting('app.task_force_id'" in using, table


def _wrapper(credentials: dict | None) -> DatabaseWrapper:
    settings_dict = {**connection.settings_dict, **(credentials or {})}
    return DatabaseWrapper(settings_dict, alias="default")


def test_production_refuses_to_run_as_a_role_that_owns_tables() -> None:
    assert settings.TASKFORCE_OWNER_DATABASE, "run the tests with DATABASE_OWNER_URL (two roles)"
    connection_created.connect(check_running_role, dispatch_uid="test-check-running-role")
    owner = _wrapper(settings.TASKFORCE_OWNER_DATABASE)
    running = _wrapper(settings.TASKFORCE_RUNNING_DATABASE)
    try:
        with pytest.raises(ImproperlyConfigured, match="owns"):
            owner.ensure_connection()
        running.ensure_connection()  # the running role passes
    finally:
        connection_created.disconnect(dispatch_uid="test-check-running-role")
        owner.close()
        running.close()
