"""Demo structure: two task forces, the agencies of the seed deck, and the accounts of api.md.

Synthetic: no real person. Idempotent: records are found by natural keys and brought to the
state below, so a second run changes nothing but the passwords it is given.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from taskforce.access import Role, Side
from taskforce.models import Agency, Membership, TaskForce, User
from taskforce.rls import set_scope

TODAY = dt.date(2026, 1, 1)


def _today() -> dt.date:
    return timezone.localdate()


@dataclass
class DemoWorld:
    """What later apps' demo loaders build on: task forces, agencies and members by key."""

    task_forces: dict[str, TaskForce] = field(default_factory=dict)
    agencies: dict[tuple[str, str], Agency] = field(default_factory=dict)
    members: dict[str, Membership] = field(default_factory=dict)


TASK_FORCES = [
    {
        "slug": "contra-costa",
        "name": "Contra Costa County Human Trafficking Task Force",
        "jurisdiction": "Contra Costa County, California",
        "public_tip_form_enabled": True,
        "investigation_number_pattern": "CC-HT-{year}-{seq:03d}",
    },
    {
        "slug": "solano",
        "name": "Solano County Human Trafficking Task Force",
        "jurisdiction": "Solano County, California",
        "public_tip_form_enabled": False,
        "investigation_number_pattern": "SOL-HT-{year}-{seq:03d}",
    },
]

AGENCIES = {
    "contra-costa": [
        ("HT Task Force", Side.COORDINATION),
        ("District Attorney's Office", Side.LAW_ENFORCEMENT),
        ("Richmond Police Department", Side.LAW_ENFORCEMENT),
        ("Antioch Police Department", Side.LAW_ENFORCEMENT),
        ("Concord Police Department", Side.LAW_ENFORCEMENT),
        ("Contra Costa County Sheriff's Office", Side.LAW_ENFORCEMENT),
        ("California Department of Justice", Side.LAW_ENFORCEMENT),
        ("Homeland Security Investigations", Side.LAW_ENFORCEMENT),
        ("Federal Bureau of Investigation", Side.LAW_ENFORCEMENT),
        ("Alliance to End Abuse (EHSD)", Side.VICTIM_SERVICES),
        ("STAND!", Side.VICTIM_SERVICES),
        ("Community Violence Solutions", Side.VICTIM_SERVICES),
        ("Calli House", Side.VICTIM_SERVICES),
        ("Bay Area Legal Aid", Side.VICTIM_SERVICES),
        ("International Rescue Committee", Side.VICTIM_SERVICES),
        ("Family Justice Center", Side.VICTIM_SERVICES),
        ("Contra Costa County Office of Education", Side.PARTNER),
        ("Contra Costa Health", Side.PARTNER),
    ],
    "solano": [
        ("HT Task Force", Side.COORDINATION),
        ("District Attorney's Office", Side.LAW_ENFORCEMENT),
        ("Vallejo Police Department", Side.LAW_ENFORCEMENT),
        ("Solano Harbor House Shelter", Side.VICTIM_SERVICES),
    ],
}

# (task force, email, full name, agency, role): exactly the accounts of api.md.
ACCOUNTS = [
    ("contra-costa", "admin@cc.demo", "Avery Admin", "HT Task Force", Role.TENANT_ADMIN),
    ("contra-costa", "coordinator@cc.demo", "Casey Coordinator", "HT Task Force", Role.COORDINATOR),
    (
        "contra-costa",
        "investigator@cc.demo",
        "Ira Investigator",
        "District Attorney's Office",
        Role.LE_INVESTIGATOR,
    ),
    (
        "contra-costa",
        "detective@cc.demo",
        "Dana Detective",
        "Richmond Police Department",
        Role.LE_INVESTIGATOR,
    ),
    (
        "contra-costa",
        "prosecutor@cc.demo",
        "Parker Prosecutor",
        "District Attorney's Office",
        Role.PROSECUTOR,
    ),
    ("contra-costa", "lesup@cc.demo", "Lee Supervisor", "District Attorney's Office", Role.LE_SUPERVISOR),
    ("contra-costa", "cm.stand@cc.demo", "Morgan Casemanager", "STAND!", Role.VS_CASE_MANAGER),
    ("contra-costa", "cm2.stand@cc.demo", "Riley Casemanager", "STAND!", Role.VS_CASE_MANAGER),
    ("contra-costa", "sup.stand@cc.demo", "Sam Supervisor", "STAND!", Role.VS_SUPERVISOR),
    (
        "contra-costa",
        "cm.cvs@cc.demo",
        "Jordan Advocate",
        "Community Violence Solutions",
        Role.VS_CASE_MANAGER,
    ),
    ("contra-costa", "legal.bala@cc.demo", "Taylor Attorney", "Bay Area Legal Aid", Role.VS_CASE_MANAGER),
    ("contra-costa", "analyst@cc.demo", "Alex Analyst", "HT Task Force", Role.ANALYST),
    ("solano", "coordinator@sol.demo", "Quinn Coordinator", "HT Task Force", Role.COORDINATOR),
    (
        "solano",
        "investigator@sol.demo",
        "Rowan Investigator",
        "District Attorney's Office",
        Role.LE_INVESTIGATOR,
    ),
    (
        "solano",
        "cm.shelter@sol.demo",
        "Skyler Casemanager",
        "Solano Harbor House Shelter",
        Role.VS_CASE_MANAGER,
    ),
]


def _mou_dates(index: int) -> tuple[dt.date, dt.date]:
    signed = TODAY - dt.timedelta(days=400 + 30 * index)
    # Spread expiries so the MOU alerts have something to show: a few soon, one lapsed.
    expires = _today() + dt.timedelta(days=(index * 37) % 500 - 20)
    return signed, max(expires, signed)


def load(*, password: str, slug: str) -> DemoWorld:
    """Create or update the demo structure of one task force, and scope the caller's
    transaction to it (there is no scope that writes two task forces at once)."""
    world = DemoWorld()
    for spec in TASK_FORCES:
        if spec["slug"] != slug:
            continue
        # The task force table is structure without row-level security: no scope needed yet.
        task_force, _ = TaskForce.objects.update_or_create(slug=spec["slug"], defaults=spec)
        set_scope(task_force_id=task_force.pk)
        world.task_forces[task_force.slug] = task_force
        for index, (name, side) in enumerate(AGENCIES[task_force.slug]):
            signed, expires = _mou_dates(index)
            agency, _ = Agency.objects.get_or_create(
                task_force=task_force,
                name=name,
                defaults={"side": side, "mou_signed_on": signed, "mou_expires_on": expires},
            )
            world.agencies[(task_force.slug, name)] = agency
    for account_slug, email, full_name, agency_name, role in ACCOUNTS:
        if account_slug != slug:
            continue
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(email=email)
        user.full_name = full_name
        user.is_active = True
        user.set_password(password)
        user.save()
        membership, _ = Membership.objects.update_or_create(
            task_force=world.task_forces[account_slug],
            user=user,
            defaults={"agency": world.agencies[(slug, agency_name)], "role": role, "is_active": True},
        )
        world.members[email] = membership
    return world
