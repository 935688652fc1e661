"""The test world (after Zulip's several realms): two task forces, every role in each, and one
record of each reference type whose text carries a unique marker, so a leak is a string match.

Row-level security binds the tests as it binds production, and it has no bypass: a test reads
and writes one task force at a time. ``use_scope(tf)`` scopes the rest of the test's
transaction, ``in_scope(tf)`` a block, ``across_task_forces()`` visits each in turn, and
``world.actor(key)`` also moves the scope to that member's task force (what a request does).
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from taskforce.access import Actor, Role, Side
from taskforce.models import Agency, AuditEvent, Membership, TaskForce, User
from taskforce.permissions import grant
from taskforce.rls import set_scope, task_force_scope
from taskforce.tokens import token_issue

TASK_FORCES = ("alpha", "beta")

AGENCIES = {
    "coord": ("Task Force Office", Side.COORDINATION),
    "da": ("District Attorney", Side.LAW_ENFORCEMENT),
    "pd": ("City Police", Side.LAW_ENFORCEMENT),
    "vs": ("Shelter One", Side.VICTIM_SERVICES),
    "vs2": ("Legal Aid Two", Side.VICTIM_SERVICES),
    "partner": ("School District", Side.PARTNER),
}

# key -> (agency key, role). Every role of access.md, some twice to tell "own" from "other".
MEMBERS = {
    "tenant_admin": ("coord", Role.TENANT_ADMIN),
    "coordinator": ("coord", Role.COORDINATOR),
    "investigator": ("da", Role.LE_INVESTIGATOR),
    "detective": ("pd", Role.LE_INVESTIGATOR),
    "prosecutor": ("da", Role.PROSECUTOR),
    "le_supervisor": ("da", Role.LE_SUPERVISOR),
    "case_manager": ("vs", Role.VS_CASE_MANAGER),
    "case_manager_2": ("vs", Role.VS_CASE_MANAGER),
    "vs_supervisor": ("vs", Role.VS_SUPERVISOR),
    "other_agency_cm": ("vs2", Role.VS_CASE_MANAGER),
    "analyst": ("coord", Role.ANALYST),
}

PASSWORD = "a-long-test-password-1"

TaskForceRef = TaskForce | uuid.UUID | str | None
T = TypeVar("T")


def _task_force_id(task_force: TaskForceRef) -> uuid.UUID | str | None:
    """A task force, its id, or its slug (a string that is not a UUID)."""
    if task_force is None or isinstance(task_force, uuid.UUID):
        return task_force
    if isinstance(task_force, TaskForce):
        return task_force.pk
    try:
        return uuid.UUID(task_force)
    except ValueError:
        return TaskForce.objects.get(slug=task_force).pk


def use_scope(task_force: TaskForceRef, *, user: User | None = None) -> None:
    """Scope the rest of the test's transaction to one task force (None: no task force)."""
    set_scope(task_force_id=_task_force_id(task_force), user_id=user.pk if user else None)


@contextmanager
def in_scope(task_force: TaskForceRef, *, user: User | None = None) -> Iterator[None]:
    """A block inside one task force (a savepoint); the previous scope comes back after it."""
    with task_force_scope(_task_force_id(task_force), user_id=user.pk if user else None):
        yield


def everywhere(read: Callable[[], T]) -> list[T]:
    """``read()`` once inside each task force's scope (for before/after snapshots that must not
    depend on which task force the test last acted in)."""
    return [read() for _ in across_task_forces()]


def audit_events_since(seq: int) -> list[AuditEvent]:
    """Audit rows after ``seq`` in every chain, each read inside its own task force."""
    found = {
        event.seq: event
        for events in everywhere(lambda: list(AuditEvent.objects.filter(seq__gt=seq)))
        for event in events
    }
    return [found[key] for key in sorted(found)]


def last_audit_seq() -> int:
    return max(
        [
            0,
            *everywhere(
                lambda: AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
            ),
        ]
    )


def across_task_forces() -> Iterator[TaskForce]:
    """Each task force in turn, the loop body inside its scope (as platform jobs do)."""
    for task_force in list(TaskForce.objects.order_by("slug")):
        with in_scope(task_force):
            yield task_force


def world_time_zone(now: dt.datetime | None = None) -> str:
    """The test task forces' zone: one whose date is not UTC's date right now.

    A task force's "today" is its own local date; code or a test that takes the server's UTC
    date instead is wrong for part of every day (in California from 4 or 5 p.m.). Picking a
    zone on the other side of midnight makes that mistake fail on every run, at any hour, instead
    of only when CI happens to run in the evening. TEST_TASK_FORCE_ZONE pins a zone.
    """
    if pinned := os.environ.get("TEST_TASK_FORCE_ZONE"):
        return pinned
    now = now or dt.datetime.now(dt.UTC)
    # UTC-11 is on the previous date until 11:00 UTC; UTC+14 is on the next date from 10:00 UTC.
    return "Pacific/Pago_Pago" if now.hour < 10 else "Pacific/Kiritimati"


@dataclass
class World:
    task_forces: dict[str, TaskForce] = field(default_factory=dict)
    agencies: dict[str, Agency] = field(default_factory=dict)
    memberships: dict[str, Membership] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    records: dict[str, Any] = field(default_factory=dict)

    def actor(self, key: str) -> Actor:
        """The member's acting identity; the test's scope moves to their task force, as a
        request's would (call it again to switch back)."""
        membership = self.memberships[key]
        if connection.in_atomic_block:
            use_scope(membership.task_force_id, user=membership.user)
        return Actor.from_membership(membership)

    def use(self, slug: str) -> None:
        """Scope the rest of the test's transaction to task force ``slug``."""
        use_scope(self.task_forces[slug])

    def each_task_force(self) -> Iterator[str]:
        """Each task force's slug in turn, the loop body inside its scope; the test's scope
        comes back after the loop."""
        for slug in self.task_forces:
            with in_scope(self.task_forces[slug]):
                yield slug

    def scope(self, slug: str):
        """A block inside task force ``slug``."""
        return in_scope(self.task_forces[slug])

    def client(self, key: str) -> Client:
        client = Client()
        client.force_login(self.users[key])
        return client

    def api(self, key: str) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=self.users[key])}")
        return client

    def slug(self, key: str) -> str:
        return key.split(".", 1)[0]


def build_world() -> World:
    world = World()
    for slug in TASK_FORCES:
        task_force = TaskForce.objects.create(
            slug=slug, name=f"{slug.title()} Task Force", time_zone=world_time_zone()
        )
        world.task_forces[slug] = task_force
        with in_scope(task_force):
            _build_task_force(world, slug, task_force)
    with in_scope(world.task_forces["alpha"]):
        # No skeleton key: a platform superuser with no membership, and one who is also a member.
        world.users["superuser"] = User.objects.create_superuser(
            email="root@platform.test", password=PASSWORD
        )
        member_root = User.objects.create_superuser(email="root-member@platform.test", password=PASSWORD)
        world.users["alpha.superuser_member"] = member_root
        world.memberships["alpha.superuser_member"] = Membership.objects.create(
            task_force=world.task_forces["alpha"],
            user=member_root,
            agency=world.agencies["alpha.vs2"],
            role=Role.VS_CASE_MANAGER,
        )
    # A model-wide permission granted by mistake must widen nothing.
    mistaken = world.users["alpha.case_manager_2"]
    mistaken.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_vsrecord", "view_lerecord", "change_vsrecord"])
    )
    if connection.in_atomic_block:
        # Most tests act in alpha first; a test of beta says so (world.use, world.actor).
        use_scope(world.task_forces["alpha"])
    return world


def local_today(slug: str = "alpha") -> dt.date:
    """Today where the task force is: the date its forms and checks use."""
    from taskforce import clock

    return clock.local_today(TaskForce.objects.get(slug=slug).time_zone)


def _build_task_force(world: World, slug: str, task_force: TaskForce) -> None:
    from tests.wallapp.models import LeRecord, VsRecord

    for key, (name, side) in AGENCIES.items():
        world.agencies[f"{slug}.{key}"] = Agency.objects.create(task_force=task_force, name=name, side=side)
    for key, (agency_key, role) in MEMBERS.items():
        user = User.objects.create_user(email=f"{key}@{slug}.test", password=PASSWORD, full_name=key)
        world.users[f"{slug}.{key}"] = user
        world.memberships[f"{slug}.{key}"] = Membership.objects.create(
            task_force=task_force, user=user, agency=world.agencies[f"{slug}.{agency_key}"], role=role
        )
    vs_record = VsRecord.objects.create(
        task_force=task_force, agency=world.agencies[f"{slug}.vs"], secret=f"VS-SECRET-{slug}"
    )
    le_record = LeRecord.objects.create(
        task_force=task_force, agency=world.agencies[f"{slug}.da"], secret=f"LE-SECRET-{slug}"
    )
    le_restricted = LeRecord.objects.create(
        task_force=task_force,
        agency=world.agencies[f"{slug}.da"],
        restricted=True,
        secret=f"LE-RESTRICTED-{slug}",
    )
    world.records[f"{slug}.vs_record"] = vs_record
    world.records[f"{slug}.le_record"] = le_record
    world.records[f"{slug}.le_restricted"] = le_restricted
    grant(
        actor=Actor.from_membership(world.memberships[f"{slug}.vs_supervisor"]),
        perm="view_vsrecord",
        membership=world.memberships[f"{slug}.case_manager"],
        obj=vs_record,
    )
    grant(
        actor=Actor.from_membership(world.memberships[f"{slug}.le_supervisor"]),
        perm="view_lerecord",
        membership=world.memberships[f"{slug}.investigator"],
        obj=le_restricted,
    )
