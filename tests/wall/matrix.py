"""The wall as data: for each record type, where it lives (HTML and API) and who may see it.

Later issues extend ``RECORD_TYPES`` with their records; ``test_matrix`` turns every row into
role x task force x action probes, in HTML and API, and the route-coverage test fails for any
object route that no row names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse

from taskforce.access import LE_ROLES, Role
from tests.world import MEMBERS, TASK_FORCES, World

MEMBER_KEYS = list(MEMBERS)
# Everyone who asks: each member of both task forces, and the platform superusers.
ALL_ACTORS = [f"{tf}.{key}" for tf in TASK_FORCES for key in MEMBER_KEYS] + [
    "superuser",
    "alpha.superuser_member",
]


def _role(key: str) -> str | None:
    member = key.split(".", 1)[1] if "." in key else None
    if member == "superuser_member":
        return Role.VS_CASE_MANAGER
    return MEMBERS[member][1] if member in MEMBERS else None


def same_task_force(actor_key: str, record_tf: str) -> bool:
    return actor_key.startswith(f"{record_tf}.")


@dataclass(frozen=True)
class RecordType:
    name: str
    # record key suffix in World.records, or a callable returning the object
    get: Callable[[World, str], object]
    readers: Callable[[str], bool]  # member key (without task force) -> may read
    html_detail: str | None = None  # URL name taking task_force and an id kwarg
    api_detail: str | None = None
    html_list: str | None = None
    api_list: str | None = None
    id_kwarg: str = "pk"
    secret: Callable[[object], str] | None = None
    # What shows the record on a list page (HTML lists need not print ids).
    shown_as: Callable[[object], str] = lambda obj: str(obj.pk)
    route_names: tuple[str, ...] = field(default=())

    def detail_urls(self, world: World, record_tf: str) -> list[str]:
        obj = self.get(world, record_tf)
        urls = []
        if self.html_detail:
            urls.append(reverse(self.html_detail, kwargs={"task_force": record_tf, self.id_kwarg: obj.pk}))
        if self.api_detail:
            urls.append(reverse(self.api_detail, kwargs={"task_force": record_tf, "pk": obj.pk}))
        return urls

    def list_urls(self, record_tf: str) -> list[str]:
        return [
            reverse(name, kwargs={"task_force": record_tf})
            for name in (self.html_list, self.api_list)
            if name
        ]


def _member(key: str) -> str:
    return key.split(".", 1)[1] if "." in key else ""


def everyone(key: str) -> bool:
    return True


def tenant_admin_only(key: str) -> bool:
    return _role(key) == Role.TENANT_ADMIN


def vs_record_readers(key: str) -> bool:
    # The assigned case manager (grant) and the agency's supervisor (column). Nobody else.
    return _member(key) in {"case_manager", "vs_supervisor"}


def le_readers(key: str) -> bool:
    return _role(key) in LE_ROLES


def le_restricted_readers(key: str) -> bool:
    return _member(key) in {"investigator", "le_supervisor"}


RECORD_TYPES = [
    RecordType(
        name="agency",
        get=lambda world, tf: world.agencies[f"{tf}.vs"],
        readers=everyone,
        shown_as=lambda obj: obj.name,
        api_detail="api:agency-detail",
        html_list="agency-list",
        api_list="api:agency-list",
        route_names=("api:agency-detail", "agency-edit"),
    ),
    RecordType(
        name="membership",
        get=lambda world, tf: world.memberships[f"{tf}.case_manager"],
        readers=everyone,
        shown_as=lambda obj: obj.user.email,
        api_detail="api:membership-detail",
        html_list="membership-list",
        api_list="api:membership-list",
        route_names=(
            "api:membership-detail",
            "membership-edit",
            "membership-deactivate",
            "membership-reactivate",
        ),
    ),
    RecordType(
        name="vs_record",
        get=lambda world, tf: world.records[f"{tf}.vs_record"],
        readers=vs_record_readers,
        html_detail="wall-vs-detail",
        api_detail="wall-api:wall-vs-record-detail",
        html_list="wall-vs-list",
        api_list="wall-api:wall-vs-record-list",
        id_kwarg="record_id",
        secret=lambda obj: obj.secret,
        route_names=("wall-vs-detail", "wall-api:wall-vs-record-detail"),
    ),
    RecordType(
        name="le_record",
        get=lambda world, tf: world.records[f"{tf}.le_record"],
        readers=le_readers,
        html_detail="wall-le-detail",
        api_detail="wall-api:wall-le-record-detail",
        api_list="wall-api:wall-le-record-list",
        id_kwarg="record_id",
        secret=lambda obj: obj.secret,
        route_names=("wall-le-detail", "wall-api:wall-le-record-detail"),
    ),
    RecordType(
        name="le_restricted",
        get=lambda world, tf: world.records[f"{tf}.le_restricted"],
        readers=le_restricted_readers,
        html_detail="wall-le-detail",
        api_detail="wall-api:wall-le-record-detail",
        api_list="wall-api:wall-le-record-list",
        id_kwarg="record_id",
        secret=lambda obj: obj.secret,
    ),
]

# Tenant-level pages without an object: who gets 200 (others of the task force: as listed).
TENANT_PAGES = [
    # (url name, html?, readers, status for other members of the task force)
    ("audit-list", True, tenant_admin_only, 404),
    ("api:audit-event-list", False, tenant_admin_only, 404),
    ("tf-home", True, everyone, 404),
]

# Object routes every row above covers; the route-coverage test compares with the URLconf.
COVERED_OBJECT_ROUTES = {name for record in RECORD_TYPES for name in record.route_names}


def may_read(record: RecordType, actor_key: str, record_tf: str) -> bool:
    return same_task_force(actor_key, record_tf) and record.readers(actor_key)
