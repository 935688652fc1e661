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
