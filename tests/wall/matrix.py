"""The wall as data: for each record type, where it lives (HTML and API) and who may see it.

Later issues extend ``RECORD_TYPES`` with their records; ``test_matrix`` turns every row into
role x task force x action probes, in HTML and API, and the route-coverage test fails for any
object route that no row names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse

from taskforce.access import LE_ROLES, VS_ROLES, Role
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
    # More pages that show this record (a case page showing its notes, a nested API list).
    also_shown_on: Callable[[World, str], list[str]] | None = None
    # Who gets 200 on those pages (default: the readers); the secret shows only to readers.
    page_readers: Callable[[str], bool] | None = None
    # Who of the task force may open the list pages at all (the others get 404).
    list_openers: Callable[[str], bool] = lambda key: True

    def may_open(self, actor_key: str) -> bool:
        return (self.page_readers or self.readers)(actor_key)

    def detail_urls(self, world: World, record_tf: str) -> list[str]:
        obj = self.get(world, record_tf)
        urls = list(self.also_shown_on(world, record_tf)) if self.also_shown_on else []
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
            # Sign-in state of a member (tests/signin: admins of the member's task force only).
            "member-unlock",
            "member-reset-mfa",
            "api:member-unlock",
            "api:member-reset-mfa",
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


def case_readers(key: str) -> bool:
    # The assigned case managers (grants) and the agency's supervisor (column). Nobody else.
    return _member(key) in {"case_manager", "case_manager_2", "vs_supervisor"}


def privileged_readers(key: str) -> bool:
    # The author (case_manager) and the agency's supervisor; not the other assigned case manager.
    return _member(key) in {"case_manager", "vs_supervisor"}


def _case_url(name: str) -> Callable[[World, str], list[str]]:
    def urls(world: World, tf: str) -> list[str]:
        case = world.records[f"{tf}.case"]
        if name.startswith("api:"):
            return [reverse(name, kwargs={"task_force": tf, "pk": case.pk})]
        return [reverse(name, kwargs={"task_force": tf, "case_id": case.pk})]

    return urls


def _both(*builders: Callable[[World, str], list[str]]) -> Callable[[World, str], list[str]]:
    return lambda world, tf: [url for build in builders for url in build(world, tf)]


CASE_HTML_ROUTES = (
    "case-detail",
    "case-service-add",
    "case-note-add",
    "case-consent-add",
    "consent-revoke",
    "case-assign",
    "case-unassign",
    "case-close",
    "case-reopen",
    "case-screening-add",
    "case-plan-add",
    "plan-item-status",
    "case-family-add",
    "case-client-edit",
    "case-service-correct",
    "case-service-void",
    "case-note-addendum",
)
CASE_API_ROUTES = (
    "api:case-detail",
    "api:case-services",
    "api:case-notes",
    "api:case-consents",
    "api:case-screenings",
    "api:case-plan-items",
    "api:case-assign",
    "api:case-unassign",
    "api:consent-detail",
    "api:consent-revoke",
    "api:case-service-detail",
    "api:case-service-void",
    "api:case-note-addenda",
)

CASE_RECORD_TYPES = [
    RecordType(
        name="case",
        get=lambda world, tf: world.records[f"{tf}.case"],
        readers=case_readers,
        html_detail="case-detail",
        api_detail="api:case-detail",
        html_list="case-list",
        api_list="api:case-list",
        list_openers=lambda key: _role(key) in VS_ROLES,
        id_kwarg="case_id",
        secret=lambda obj: f"VSCLIENT{obj.task_force.slug}",
        route_names=CASE_HTML_ROUTES + CASE_API_ROUTES,
    ),
    RecordType(
        name="service",
        get=lambda world, tf: world.records[f"{tf}.service"],
        readers=case_readers,
        also_shown_on=_both(_case_url("case-detail"), _case_url("api:case-services")),
        secret=lambda obj: obj.note,
    ),
    RecordType(
        name="note",
        get=lambda world, tf: world.records[f"{tf}.note"],
        readers=case_readers,
        also_shown_on=_both(_case_url("case-detail"), _case_url("api:case-notes")),
        secret=lambda obj: obj.text,
    ),
    RecordType(
        name="privileged_note",
        get=lambda world, tf: world.records[f"{tf}.privileged_note"],
        readers=privileged_readers,
        page_readers=case_readers,
        also_shown_on=_both(_case_url("case-detail"), _case_url("api:case-notes")),
        secret=lambda obj: obj.text,
    ),
    RecordType(
        name="consent",
        get=lambda world, tf: world.records[f"{tf}.consent"],
        readers=case_readers,
        api_detail="api:consent-detail",
        also_shown_on=_both(_case_url("case-detail"), _case_url("api:case-consents")),
        secret=lambda obj: obj.purpose,
    ),
    RecordType(
        name="client_identity",
        get=lambda world, tf: world.records[f"{tf}.client"],
        readers=case_readers,
        also_shown_on=_both(_case_url("case-detail"), _case_url("api:case-detail")),
        secret=lambda obj: f"555-{obj.task_force.slug}",
    ),
]

# Tenant-level pages without an object: who gets 200 (others of the task force: as listed).
TENANT_PAGES = [
    # (url name, html?, readers, status for other members of the task force)
    ("audit-list", True, tenant_admin_only, 404),
    ("api:audit-event-list", False, tenant_admin_only, 404),
    ("tf-home", True, everyone, 404),
    ("report-dashboard", True, lambda key: report_readers(key), 404),
]

LE_KEYS = {"investigator", "detective", "prosecutor", "le_supervisor"}


def le_and_coordinator(key: str) -> bool:
    return _member(key) in LE_KEYS | {"coordinator"}


def le_only(key: str) -> bool:
    return _member(key) in LE_KEYS


def restricted_team(key: str) -> bool:
    return _member(key) in {"investigator", "le_supervisor"}


def referral_payload_readers(key: str) -> bool:
    # The sending agency's LE people (the DA's office) and the receiving agency's VS people.
    return _member(key) in {
        "investigator",
        "prosecutor",
        "le_supervisor",
        "case_manager",
        "case_manager_2",
        "vs_supervisor",
    }


def referral_envelope_readers(key: str) -> bool:
    return referral_payload_readers(key) or _member(key) == "coordinator"


def certification_readers(key: str) -> bool:
    # The requesting legal aid case manager, and the certifying DA's office LE roles.
    return _member(key) in {"other_agency_cm", "investigator", "prosecutor", "le_supervisor"}


def certification_le_readers(key: str) -> bool:
    # Started by the DA investigator from the restricted investigation (on its team), certified
    # by the city police: the requesting agency's people who see the investigation (the
    # investigator, the LE supervisor) and the certifying agency's LE roles (the detective).
    return _member(key) in {"investigator", "le_supervisor", "detective"}


def _inv_page(world: World, tf: str) -> list[str]:
    inv = world.records[f"{tf}.investigation"]
    return [reverse("investigation-detail", kwargs={"task_force": tf, "investigation_id": inv.pk})]


def _inv_suspects_api(world: World, tf: str) -> list[str]:
    inv = world.records[f"{tf}.investigation"]
    return [reverse("api:investigation-suspects", kwargs={"task_force": tf, "pk": inv.pk})]


LE_RECORD_TYPES = [
    RecordType(
        name="tip",
        get=lambda world, tf: world.records[f"{tf}.tip"],
        readers=le_and_coordinator,
        html_detail="tip-detail",
        api_detail="api:tip-detail",
        html_list="tip-list",
        api_list="api:tip-list",
        list_openers=le_and_coordinator,
        id_kwarg="tip_id",
        secret=lambda obj: obj.narrative,
        route_names=(
            "tip-detail",
            "tip-triage",
            "tip-assign",
            "tip-close",
            "tip-merge",
            "tip-convert",
            "api:tip-detail",
            "api:tip-assign",
            "api:tip-close",
            "api:tip-merge",
            "api:tip-convert",
        ),
    ),
    RecordType(
        name="investigation",
        get=lambda world, tf: world.records[f"{tf}.investigation"],
        readers=le_and_coordinator,
        html_detail="investigation-detail",
        api_detail="api:investigation-detail",
        html_list="investigation-list",
        api_list="api:investigation-list",
        list_openers=le_and_coordinator,
        id_kwarg="investigation_id",
        secret=lambda obj: obj.title,
        route_names=(
            "investigation-detail",
            "investigation-edit",
            "investigation-certification-new",
            "investigation-team-add",
            "investigation-team-remove",
            "suspect-add",
            "victim-add",
            "arrest-add",
            "prosecution-create",
            "api:investigation-detail",
            "api:investigation-team",
            "api:investigation-team-remove",
            "api:investigation-suspects",
            "api:investigation-victims",
            "api:investigation-arrests",
        ),
    ),
    RecordType(
        name="restricted_investigation",
        get=lambda world, tf: world.records[f"{tf}.restricted"],
        readers=restricted_team,
        html_detail="investigation-detail",
        api_detail="api:investigation-detail",
        html_list="investigation-list",
        api_list="api:investigation-list",
        list_openers=le_and_coordinator,
        id_kwarg="investigation_id",
        secret=lambda obj: obj.title,
    ),
    RecordType(
        name="suspect_on_page",
        get=lambda world, tf: world.records[f"{tf}.suspect"],
        readers=le_only,
        page_readers=le_and_coordinator,
        also_shown_on=_inv_page,
        secret=lambda obj: obj.full_name,
    ),
    RecordType(
        name="suspect_api",
        get=lambda world, tf: world.records[f"{tf}.suspect"],
        readers=le_only,
        also_shown_on=_inv_suspects_api,
        secret=lambda obj: obj.full_name,
    ),
    RecordType(
        name="prosecution",
        get=lambda world, tf: world.records[f"{tf}.prosecution"],
        readers=le_and_coordinator,
        html_detail="prosecution-detail",
        api_detail="api:prosecution-detail",
        html_list="prosecution-list",
        api_list="api:prosecution-list",
        list_openers=le_and_coordinator,
        id_kwarg="prosecution_id",
        secret=lambda obj: obj.court_case_number,
        route_names=(
            "prosecution-detail",
            "prosecution-edit",
            "defendant-add",
            "charge-add",
            "defendant-dispose",
            "api:prosecution-detail",
            "api:prosecution-defendants",
            "api:prosecution-defendant-charges",
            "api:prosecution-defendant-disposition",
        ),
    ),
    RecordType(
        name="referral",
        get=lambda world, tf: world.records[f"{tf}.referral"],
        readers=referral_payload_readers,
        page_readers=referral_envelope_readers,
        html_detail="referral-detail",
        api_detail="api:referral-detail",
        id_kwarg="referral_id",
        secret=lambda obj: obj.summary,
        route_names=(
            "referral-detail",
            "referral-accept",
            "referral-decline",
            "referral-withdraw",
            "referral-complete",
            "case-referral-new",
            "api:referral-detail",
            "api:referral-accept",
            "api:referral-decline",
            "api:referral-withdraw",
            "api:referral-complete",
        ),
    ),
    RecordType(
        name="certification",
        get=lambda world, tf: world.records[f"{tf}.certification"],
        readers=certification_readers,
        html_detail="certification-detail",
        api_detail="api:certification-detail",
        id_kwarg="request_id",
        route_names=(
            "certification-detail",
            "certification-status",
            "certification-link",
            "certification-release",
            "case-certification-new",
            "api:certification-detail",
            "api:certification-status",
            "api:certification-investigation",
            "api:certification-release",
        ),
    ),
    RecordType(
        name="certification_le",
        get=lambda world, tf: world.records[f"{tf}.certification_le"],
        readers=certification_le_readers,
        html_detail="certification-detail",
        api_detail="api:certification-detail",
        html_list="certification-list",
        api_list="api:certification-list",
        id_kwarg="request_id",
        secret=lambda obj: obj.victim_name,
        list_openers=lambda key: _role(key) in LE_ROLES or _role(key) in VS_ROLES,
    ),
]


def mdt_cleared(key: str) -> bool:
    # The coordinator, and roster members with a current agreement.
    return _member(key) in {"coordinator", "investigator", "case_manager"}


def mdt_roster_readers(key: str) -> bool:
    # Roster managers (tenant admin, coordinator) and everyone on the roster, signed or not.
    return _member(key) in {"tenant_admin", "coordinator", "investigator", "case_manager", "other_agency_cm"}


MDT_RECORD_TYPES = [
    RecordType(
        name="mdt_team",
        get=lambda world, tf: world.records[f"{tf}.mdt_team"],
        readers=mdt_roster_readers,
        html_detail="mdt-team",
        api_detail="api:mdt-team-detail",
        id_kwarg="team_id",
        secret=lambda obj: obj.name,
        route_names=(
            "mdt-team",
            "mdt-roster-add",
            "mdt-roster-remove",
            "mdt-agreement-sign",
            "mdt-meeting-create",
            "api:mdt-team-detail",
            "api:mdt-team-roster",
        ),
    ),
    RecordType(
        name="mdt_meeting",
        get=lambda world, tf: world.records[f"{tf}.mdt_meeting"],
        readers=mdt_cleared,
        html_detail="mdt-meeting",
        api_detail="api:mdt-meeting-detail",
        html_list="mdt-meetings",
        api_list="api:mdt-meeting-list",
        list_openers=mdt_cleared,
        id_kwarg="meeting_id",
        secret=lambda obj: obj.place,
        route_names=(
            "mdt-meeting",
            "mdt-meeting-edit",
            "mdt-meeting-status",
            "mdt-meeting-print",
            "mdt-attendance",
            "mdt-meeting-record",
            "mdt-guest-add",
            "mdt-review-add",
            "mdt-action-add",
            "api:mdt-meeting-detail",
        ),
    ),
    RecordType(
        name="mdt_review",
        get=lambda world, tf: world.records[f"{tf}.mdt_review"],
        readers=mdt_cleared,
        html_detail="mdt-review",
        api_detail="api:mdt-review-detail",
        id_kwarg="review_id",
        secret=lambda obj: obj.summary,
        route_names=("mdt-review", "mdt-review-edit", "api:mdt-review-detail"),
    ),
    RecordType(
        name="mdt_action_item",
        get=lambda world, tf: world.records[f"{tf}.mdt_item"],
        readers=mdt_cleared,
        api_detail="api:mdt-action-item-detail",
        secret=lambda obj: obj.description,
        route_names=("mdt-action-status", "api:mdt-action-item-detail"),
    ),
]


def export_readers(key: str) -> bool:
    # Only whoever asked for it (and, for the scheduler's monthly file, full-report readers).
    return _member(key) == "analyst"


def report_readers(key: str) -> bool:
    return _member(key) in LE_KEYS | {"coordinator", "analyst", "vs_supervisor"}


REPORT_RECORD_TYPES = [
    RecordType(
        name="export",
        get=lambda world, tf: world.records[f"{tf}.export"],
        readers=export_readers,
        html_detail="export-detail",
        api_detail="api:export-detail",
        id_kwarg="export_id",
        route_names=("export-detail", "export-download", "api:export-detail", "api:export-download"),
    ),
]

ALL_RECORD_TYPES = RECORD_TYPES + CASE_RECORD_TYPES + LE_RECORD_TYPES + MDT_RECORD_TYPES + REPORT_RECORD_TYPES

# Object routes every row above covers; the route-coverage test compares with the URLconf.
COVERED_OBJECT_ROUTES = {name for record in ALL_RECORD_TYPES for name in record.route_names}


def may_read(record: RecordType, actor_key: str, record_tf: str) -> bool:
    return same_task_force(actor_key, record_tf) and record.readers(actor_key)


def may_open(record: RecordType, actor_key: str, record_tf: str) -> bool:
    return same_task_force(actor_key, record_tf) and record.may_open(actor_key)
