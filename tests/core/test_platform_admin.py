"""The platform admin shows structure only, one task force at a time, audited."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse

from taskforce.access import Compartment, TaskForceOwned
from taskforce.models import Agency, AuditEvent, Membership, TaskForce, User
from tests.world import World

pytestmark = pytest.mark.django_db

STRUCTURE = {TaskForce, Agency, Membership, User, Group}


def test_only_structure_is_registered() -> None:
    registered = set(admin.site._registry)
    assert registered <= STRUCTURE, registered - STRUCTURE
    for model in registered:
        if issubclass(model, TaskForceOwned):
            assert model.compartment == Compartment.SHARED, model
    assert AuditEvent not in registered


def test_platform_staff_see_one_task_force_at_a_time_and_it_is_audited(world: World, client) -> None:
    """There is no scope that reads two task forces: staff choose one, and it is audited there."""
    client.force_login(world.users["superuser"])
    changelist = reverse("admin:taskforce_agency_changelist")
    response = client.get(changelist)
    assert response.status_code == 200
    for tf in ("alpha", "beta"):
        assert str(world.agencies[f"{tf}.vs"].pk).encode() not in response.content
    for tf, other in (("alpha", "beta"), ("beta", "alpha")):
        assert client.get(reverse("admin:choose_task_force", args=[tf])).status_code == 302
        response = client.get(changelist)
        assert response.status_code == 200
        assert str(world.agencies[f"{tf}.vs"].pk).encode() in response.content
        assert str(world.agencies[f"{other}.vs"].pk).encode() not in response.content
    # Task forces themselves are structure without row-level security: all are listed.
    response = client.get(reverse("admin:taskforce_taskforce_changelist"))
    assert world.task_forces["alpha"].name.encode() in response.content
    assert world.task_forces["beta"].name.encode() in response.content
    with world.scope("beta"):
        assert AuditEvent.objects.filter(
            action="platform.admin_request",
            user_id=world.users["superuser"].pk,
            task_force_id=world.task_forces["beta"].pk,
            detail__path__icontains="/platform-admin/",
        ).exists()


def test_task_force_members_cannot_enter_the_platform_admin(world: World) -> None:
    response = world.client("alpha.tenant_admin").get(reverse("admin:taskforce_agency_changelist"))
    assert response.status_code == 302
    assert "/platform-admin/login/" in response["Location"]


def test_token_endpoint_is_throttled(world: World, monkeypatch) -> None:
    from django.core.cache import cache
    from rest_framework.test import APIClient
    from rest_framework.throttling import ScopedRateThrottle

    cache.clear()
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth": "3/min"})
    client = APIClient()
    codes = [
        client.post(
            reverse("api:token"), {"username": "nobody@x.test", "password": "wrong-password-1"}, format="json"
        ).status_code
        for _ in range(4)
    ]
    assert codes == [400, 400, 400, 429]
    cache.clear()


def test_a_platform_admin_request_shows_only_in_the_audit_view_of_the_task_force_it_concerns(
    world: World, client
) -> None:
    """Review finding: a staff member's platform-admin requests with no task force chosen (and
    so no task force on the row) were listed to the tenant admins of every task force the staff
    member belongs to, paths included. Only the task force a request was made in sees it; the
    members' own sign-in rows of the platform chain stay (the designed behaviour)."""
    from taskforce.access import Role
    from taskforce.audit import audit_record
    from tests.world import in_scope

    staff = world.users["alpha.superuser_member"]  # a member of alpha, and now of beta too
    with in_scope("beta"):
        Membership.objects.create(
            task_force=world.task_forces["beta"],
            user=staff,
            agency=world.agencies["beta.vs"],
            role=Role.ANALYST,
        )
    client.force_login(staff)
    # No task force chosen: the row has none; then a request made inside beta.
    assert client.get(reverse("admin:taskforce_taskforce_changelist")).status_code == 200
    assert client.get(reverse("admin:choose_task_force", args=["beta"])).status_code == 302
    assert client.get(reverse("admin:taskforce_agency_changelist")).status_code == 200
    # A platform-chain sign-in of the member (as written before sign-ins went per task force).
    with in_scope(None):
        audit_record(action="auth.login", user_id=staff.pk)
    for tf in ("alpha", "beta"):
        rows = world.api(f"{tf}.tenant_admin").get(
            reverse("api:audit-event-list", kwargs={"task_force": tf}), {"page_size": 200}
        )
        assert rows.status_code == 200
        theirs = [r for r in rows.json()["results"] if r["user_id"] == str(staff.pk)]
        requests = [r for r in theirs if r["action"] == "platform.admin_request"]
        # Only the request made inside beta; none of the unscoped ones, anywhere.
        assert len(requests) == (1 if tf == "beta" else 0), requests
        assert "auth.login" in {r["action"] for r in theirs}
    page = world.client("alpha.tenant_admin").get(reverse("audit-list", kwargs={"task_force": "alpha"}))
    assert "platform.admin_request" not in page.content.decode()
