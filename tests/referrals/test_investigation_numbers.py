"""Investigation numbers follow the task force's own pattern (issue 12, item 9): a new
investigation opened without a number gets the next one of its year, restricted ones counted."""

from __future__ import annotations

import pytest
from django.urls import reverse

from referrals import services
from taskforce.models import AuditEvent, TaskForce
from tests.world import World, local_today

pytestmark = pytest.mark.django_db


def _open(world: World, key: str = "alpha.investigator", **data: object) -> str:
    investigation = services.investigation_create(
        actor=world.actor(key), data={"title": "Nail salon", **data}
    )
    return investigation.case_number


def test_numbers_follow_the_default_pattern_and_count_restricted_ones(world: World) -> None:
    year = local_today().year
    assert _open(world) == f"HT-{year}-001"
    assert _open(world, "alpha.le_supervisor", restricted=True) == f"HT-{year}-002"
    assert _open(world) == f"HT-{year}-003"
    # Another task force counts its own.
    assert _open(world, "beta.investigator") == f"HT-{year}-001"


def test_the_task_force_pattern_continues_after_typed_numbers(world: World) -> None:
    year = local_today().year
    TaskForce.objects.filter(slug="alpha").update(investigation_number_pattern="CC-HT-{year}-{seq:03d}")
    assert _open(world, case_number=f"CC-HT-{year}-036") == f"CC-HT-{year}-036"
    assert _open(world, case_number="OLD-7") == "OLD-7"
    assert _open(world) == f"CC-HT-{year}-037"


def test_the_admin_sets_the_pattern(world: World) -> None:
    admin = world.client("alpha.tenant_admin")
    address = reverse("task-force-settings", kwargs={"task_force": "alpha"})
    form = {
        "triage_target_immediate_minutes": 60,
        "triage_target_business_days": 2,
        "trafficking_statutes": "PC 236.1",
        "investigation_number_pattern": "CC-HT-{year}-{month}",
    }
    response = admin.post(address, form)
    assert response.status_code == 400
    assert "{seq}" in response.content.decode()
    response = admin.post(address, {**form, "investigation_number_pattern": "HT-{seq}-{seq}"})
    assert response.status_code == 400
    assert TaskForce.objects.get(slug="alpha").investigation_number_pattern == "HT-{year}-{seq:03d}"
    response = admin.post(address, {**form, "investigation_number_pattern": "CC-HT-{year}-{seq:03d}"})
    assert response.status_code == 302
    assert _open(world) == f"CC-HT-{local_today().year}-001"
    event = AuditEvent.objects.filter(action="task_force.changed").latest("seq")
    assert "investigation_number_pattern" in event.detail["fields"]
