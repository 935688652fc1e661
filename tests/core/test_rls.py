"""Row-level security: the database keeps the tenant wall even when the application forgets."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.db.utils import ProgrammingError
from django.urls import reverse

from taskforce import rls
from taskforce.access import TaskForceOwned
from taskforce.models import Agency, AuditEvent, Membership, TaskForce
from taskforce.permissions import TaskForceUserObjectPermission
from taskforce.rls import current_scope, per_task_force, set_scope, task_force_scope
from tests.world import World, build_world, use_scope

pytestmark = pytest.mark.django_db


def _rls_tables() -> list[str]:
    models = [
        m
        for m in apps.get_models()
        if issubclass(m, TaskForceOwned | TaskForceUserObjectPermission) and not m._meta.abstract
    ]
    return sorted({m._meta.db_table for m in models} | {AuditEvent._meta.db_table})


def test_every_task_force_owned_table_has_forced_rls_and_a_policy() -> None:
    tables = _rls_tables()
    assert "taskforce_agency" in tables
    assert "wallapp_vsrecord" in tables
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                "SELECT c.relrowsecurity, c.relforcerowsecurity,"
                " (SELECT count(*) FROM pg_policies p WHERE p.tablename = c.relname)"
                " FROM pg_class c WHERE c.relname = %s",
                [table],
            )
            enabled, forced, policies = cursor.fetchone()
            assert (enabled, forced) == (True, True), table
            assert policies >= 1, table


def test_application_role_is_bound_by_rls() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (False, False)


def test_raw_query_without_task_force_returns_no_rows(world: World) -> None:
    set_scope(task_force_id=None)  # what a forgotten scope looks like
    with connection.cursor() as cursor:
        for table in ("taskforce_agency", "taskforce_membership", "wallapp_vsrecord", "wallapp_lerecord"):
            cursor.execute(f"SELECT count(*) FROM {table}")
            assert cursor.fetchone()[0] == 0, table
    assert not Agency.objects.exists()
    assert not AuditEvent.objects.exclude(task_force_id=None).exists()


def test_raw_query_sees_only_the_scoped_task_force(world: World) -> None:
    alpha = world.task_forces["alpha"]
    set_scope(task_force_id=alpha.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT task_force_id FROM taskforce_agency")
        assert cursor.fetchall() == [(alpha.pk,)]
        cursor.execute("SELECT count(*) FROM wallapp_vsrecord")
        assert cursor.fetchone()[0] == 1


def test_insert_into_another_task_force_is_refused(world: World) -> None:
    set_scope(task_force_id=world.task_forces["alpha"].pk)
    with pytest.raises(ProgrammingError, match="row-level security"), transaction.atomic():
        Agency.objects.create(task_force=world.task_forces["beta"], name="Smuggled", side="partner")


def test_user_reads_own_memberships_across_task_forces_only(world: World) -> None:
    user = world.users["alpha.coordinator"]
    # The same person joins beta too.
    with world.scope("beta"):
        Membership.objects.create(
            task_force=world.task_forces["beta"],
            user=user,
            agency=world.agencies["beta.coord"],
            role="analyst",
        )
    set_scope(task_force_id=None, user_id=user.pk)
    mine = list(Membership.objects.values_list("user_id", flat=True))
    assert mine == [user.pk, user.pk]


@pytest.mark.django_db(transaction=True)
def test_scope_needs_a_transaction() -> None:
    with pytest.raises(RuntimeError):
        set_scope(task_force_id=None)


def test_task_force_scope_restores_the_previous_scope(world: World) -> None:
    before = current_scope()
    with task_force_scope(world.task_forces["beta"].pk):
        assert {a.task_force_id for a in Agency.objects.all()} == {world.task_forces["beta"].pk}
    assert current_scope() == before


def test_there_is_no_bypass(world: World) -> None:
    """Weakness 8: ``set_config('app.bypass_rls', 'on', false)`` showed every task force's rows."""
    assert not hasattr(rls, "platform_bypass")
    assert not hasattr(rls, "SETTING_BYPASS")
    use_scope(None)
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.bypass_rls', 'on', false)")
        for table in ("wallapp_vsrecord", "wallapp_lerecord", "taskforce_agency", "taskforce_membership"):
            cursor.execute(f"SELECT count(*) FROM {table}")
            assert cursor.fetchone()[0] == 0, table
        cursor.execute(
            "SELECT count(*) FROM pg_policies WHERE qual ILIKE '%bypass%' OR with_check ILIKE '%bypass%'"
        )
        assert cursor.fetchone()[0] == 0
        cursor.execute("RESET app.bypass_rls")


def test_jobs_visit_task_forces_one_by_one(world: World) -> None:
    seen = {}
    for task_force_id in per_task_force():
        seen[task_force_id] = {a.task_force_id for a in Agency.objects.all()}
    assert seen == {tf.pk: {tf.pk} for tf in TaskForce.objects.all()}


@pytest.mark.django_db(transaction=True)
def test_pooled_connection_never_carries_a_previous_requests_task_force() -> None:
    world = build_world()
    alpha_api = world.api("alpha.coordinator")
    beta_api = world.api("beta.coordinator")

    response = alpha_api.get(reverse("api:agency-list", kwargs={"task_force": "alpha"}))
    assert response.status_code == 200
    # The request's transaction is over: the same connection carries no scope any more.
    assert connection.connection is not None
    assert current_scope() == ("", "")
    with transaction.atomic():
        assert not Agency.objects.exists()

    response = beta_api.get(reverse("api:agency-list", kwargs={"task_force": "beta"}), {"page_size": 100})
    assert response.status_code == 200
    listed = {row["id"] for row in response.json()["results"]}
    expected = {str(a.pk) for key, a in world.agencies.items() if key.startswith("beta.")}
    assert listed == expected  # beta's own, none of alpha's from the previous request
    assert current_scope() == ("", "")
