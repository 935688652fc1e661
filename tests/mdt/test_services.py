"""MDT writes (California PC 13753): who may, validation, what each write audits, and that a
refused write changes nothing."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from cases import services as case_services
from cases.codes import ConsentCategory
from cases.models import Case
from cases.services import today_for
from mdt import selectors, services
from mdt.models import AGREEMENT_DAYS, ActionItem, Agreement, Attendance, MdtMeeting, MdtTeam, RosterMember
from referrals import services as le_services
from referrals.models import Investigation
from taskforce.models import AuditEvent
from tests.world import World, everywhere

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


# -- helpers (also used by test_policies and test_reminders) ----------------------------------


@dataclass
class Mdt:
    team: MdtTeam
    meeting: MdtMeeting
    rows: dict[str, RosterMember] = field(default_factory=dict)
    agreements: dict[str, Agreement] = field(default_factory=dict)


def build_mdt(
    world: World,
    tf: str = "alpha",
    *,
    name: str = "Adult HT MDT",
    kind: str = MdtTeam.Kind.ADULT,
    members: tuple[str, ...] = ("investigator", "case_manager", "other_agency_cm"),
    facilitators: tuple[str, ...] = (),
    agreements: bool = True,
    meeting_in: dt.timedelta = dt.timedelta(days=5),
) -> Mdt:
    """A team of ``tf`` with the coordinator (facilitator) and ``members`` on its roster, each
    with a current agreement, and one planned meeting ``meeting_in`` from now."""
    coordinator = world.actor(f"{tf}.coordinator")
    team = services.team_create(actor=coordinator, name=name, kind=kind)
    rows = {
        "coordinator": services.roster_add(
            actor=coordinator,
            team=team,
            membership=world.memberships[f"{tf}.coordinator"],
            is_facilitator=True,
        )
    }
    for key in members:
        rows[key] = services.roster_add(
            actor=coordinator,
            team=team,
            membership=world.memberships[f"{tf}.{key}"],
            is_facilitator=key in facilitators,
        )
    signed = {}
    if agreements:
        signed = {key: services.agreement_sign(actor=coordinator, row=row) for key, row in rows.items()}
    meeting = services.meeting_create(
        actor=coordinator, team=team, data={"starts_at": timezone.now() + meeting_in, "place": "Room B"}
    )
    return Mdt(team=team, meeting=meeting, rows=rows, agreements=signed)


def held_meeting(world: World, mdt: Mdt, *, days_ago: int = 20, tf: str = "alpha") -> MdtMeeting:
    return services.meeting_create(
        actor=world.actor(f"{tf}.coordinator"),
        team=mdt.team,
        data={"starts_at": timezone.now() - dt.timedelta(days=days_ago), "status": MdtMeeting.Status.HELD},
    )


def intake(
    world: World, key: str = "alpha.case_manager", *, first: str = "Zelda", last: str = "Secretclient"
) -> Case:
    return case_services.intake_create(
        actor=world.actor(key), client={"first_name": first, "last_name": last}, case={}
    )


def investigation(world: World, key: str = "alpha.investigator", **data: object) -> Investigation:
    return le_services.investigation_create(actor=world.actor(key), data={"title": "Operation Test", **data})


def today(world: World, key: str = "alpha.coordinator") -> dt.date:
    return today_for(world.actor(key))


def _rows() -> list[dict[str, object]]:
    """Every MDT row and the audit count, of each task force (read one by one); a refused access
    is written down (access.denied), which changes nothing else."""

    def state() -> dict[str, object]:
        found: dict[str, object] = {
            model.__name__: sorted(
                (str(pk), updated) for pk, updated in model.objects.values_list("pk", "updated_at")
            )
            for model in apps.get_app_config("mdt").get_models()
        }
        found["audit"] = AuditEvent.objects.exclude(action="access.denied").count()
        return found

    return everywhere(state)


@contextmanager
def refused(exception: type[BaseException] | tuple[type[BaseException], ...]) -> Iterator[None]:
    """The write raises ``exception`` and no MDT row and no audit row changes."""
    before = _rows()
    with pytest.raises(exception):
        yield
    assert _rows() == before


def audits(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


# -- teams and rosters ------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["alpha.tenant_admin", "alpha.coordinator"])
def test_managers_create_teams_and_rosters(world: World, key: str) -> None:
    actor = world.actor(key)
    team = services.team_create(actor=actor, name="  Adult HT MDT  ", kind=MdtTeam.Kind.ADULT)
    assert team.name == "Adult HT MDT"
    assert team.task_force_id == world.task_forces["alpha"].pk
    row = services.roster_add(actor=actor, team=team, membership=world.memberships["alpha.investigator"])
    assert row.is_active
    assert not row.is_facilitator
    services.roster_remove(actor=actor, row=row)
    row.refresh_from_db()
    assert not row.is_active
    # Back on the roster: the same row again, not a second one.
    again = services.roster_add(
        actor=actor, team=team, membership=world.memberships["alpha.investigator"], is_facilitator=True
    )
    assert again.pk == row.pk
    assert again.is_active
    assert again.is_facilitator
    assert RosterMember.objects.filter(team=team).count() == 1
    assert [e.target_id for e in audits("mdt_team.created")] == [str(team.pk)]
    assert [e.target_id for e in audits("roster.added")] == [str(row.pk), str(row.pk)]
    assert [e.detail for e in audits("roster.removed")] == [{"team": str(team.pk)}]


@pytest.mark.parametrize(
    "key",
    [
        "alpha.investigator",
        "alpha.le_supervisor",
        "alpha.case_manager",
        "alpha.vs_supervisor",
        "alpha.analyst",
        "alpha.superuser_member",
    ],
)
def test_only_managers_manage_teams_and_rosters(world: World, key: str) -> None:
    mdt = build_mdt(world)
    actor = world.actor(key)
    with refused(PermissionDenied):
        services.team_create(actor=actor, name="Shadow MDT")
    with refused(PermissionDenied):
        services.roster_add(actor=actor, team=mdt.team, membership=world.memberships["alpha.case_manager_2"])
    with refused(PermissionDenied):
        services.roster_remove(actor=actor, row=mdt.rows["investigator"])


def test_roster_add_refuses_a_membership_of_another_task_force(world: World) -> None:
    mdt = build_mdt(world)
    with refused(ValidationError):
        services.roster_add(
            actor=world.actor("alpha.coordinator"),
            team=mdt.team,
            membership=world.memberships["beta.investigator"],
        )


def test_roster_add_refuses_an_inactive_membership(world: World) -> None:
    mdt = build_mdt(world)
    membership = world.memberships["alpha.case_manager_2"]
    membership.is_active = False
    membership.save()
    with refused(ValidationError):
        services.roster_add(actor=world.actor("alpha.coordinator"), team=mdt.team, membership=membership)


CROSS_TENANT_WRITES = {
    "roster_add": lambda w, a, b: services.roster_add(
        actor=a, team=b.team, membership=w.memberships["alpha.investigator"]
    ),
    "roster_remove": lambda w, a, b: services.roster_remove(actor=a, row=b.rows["investigator"]),
    "agreement_sign": lambda w, a, b: services.agreement_sign(actor=a, row=b.rows["investigator"]),
    "meeting_create": lambda w, a, b: services.meeting_create(
        actor=a, team=b.team, data={"starts_at": timezone.now() + 3 * DAY}
    ),
    "meeting_update": lambda w, a, b: services.meeting_update(
        actor=a, meeting=b.meeting, data={"place": "X"}
    ),
    "attendance_record": lambda w, a, b: services.attendance_record(
        actor=a, meeting=b.meeting, row=b.rows["investigator"], status="present"
    ),
    "guest_sign": lambda w, a, b: services.guest_sign(actor=a, meeting=b.meeting, guest_name="Guest"),
    "review_add": lambda w, a, b: services.review_add(actor=a, meeting=b.meeting, data={}),
}


@pytest.mark.parametrize("write", list(CROSS_TENANT_WRITES))
def test_managers_cannot_write_on_another_task_forces_team(world: World, write: str) -> None:
    """Services re-check the policy: a team, row or meeting of beta handed to alpha's
    coordinator is refused (PermissionDenied, 404 or ValidationError), never linked across the
    tenant wall. (The write runs in alpha's scope, the rows are checked in each task force's.)"""
    beta = build_mdt(world, "beta", members=("investigator",))
    with refused((PermissionDenied, Http404, ValidationError)):
        CROSS_TENANT_WRITES[write](world, world.actor("alpha.coordinator"), beta)


# -- agreements -------------------------------------------------------------------------------


def test_agreement_defaults_to_one_year_and_is_audited_without_content(world: World) -> None:
    mdt = build_mdt(world, agreements=False)
    agreement = services.agreement_sign(actor=world.actor("alpha.coordinator"), row=mdt.rows["investigator"])
    assert agreement.signed_on == today(world)
    assert agreement.expires_on == today(world) + dt.timedelta(days=AGREEMENT_DAYS)
    assert agreement.roster_member_id == mdt.rows["investigator"].pk
    assert agreement.team_id == mdt.team.pk
    assert agreement.meeting_id is None
    assert agreement.recorded_by_id == world.users["alpha.coordinator"].pk
    [event] = audits("agreement.signed")
    assert event.target_id == str(agreement.pk)
    assert set(event.detail) == {"version"}


def test_agreement_dates_are_validated(world: World) -> None:
    mdt = build_mdt(world, agreements=False)
    coordinator, row, now = world.actor("alpha.coordinator"), mdt.rows["investigator"], today(world)
    with refused(ValidationError):
        services.agreement_sign(
            actor=coordinator, row=row, signed_on=now - 10 * DAY, expires_on=now - 11 * DAY
        )
    with refused(ValidationError):
        services.agreement_sign(actor=coordinator, row=row, signed_on=now + DAY)
    with refused(ValidationError):
        services.agreement_sign(actor=coordinator, row=row, signed_on=now, expires_on=now + 366 * DAY)
    # A past signature is accepted (recording a paper agreement), even one that has lapsed.
    lapsed = services.agreement_sign(
        actor=coordinator, row=row, signed_on=now - 400 * DAY, expires_on=now - 35 * DAY
    )
    assert not lapsed.is_current(now)


def test_a_member_signs_their_own_agreement_only(world: World) -> None:
    mdt = build_mdt(world, agreements=False)
    case_manager = world.actor("alpha.case_manager")
    own = services.agreement_sign(actor=case_manager, row=mdt.rows["case_manager"])
    assert own.recorded_by_id == world.users["alpha.case_manager"].pk
    with refused(PermissionDenied):
        services.agreement_sign(actor=case_manager, row=mdt.rows["investigator"])
    with refused(PermissionDenied):
        services.agreement_sign(actor=world.actor("alpha.analyst"), row=mdt.rows["investigator"])


# -- meetings ---------------------------------------------------------------------------------


def test_meetings_are_planned_by_facilitators_only(world: World) -> None:
    mdt = build_mdt(
        world, members=("investigator", "case_manager", "vs_supervisor"), facilitators=("vs_supervisor",)
    )
    starts = timezone.now() + 12 * DAY
    by_roster_facilitator = services.meeting_create(
        actor=world.actor("alpha.vs_supervisor"), team=mdt.team, data={"starts_at": starts}
    )
    assert by_roster_facilitator.status == MdtMeeting.Status.PLANNED
    assert by_roster_facilitator.created_by_id == world.users["alpha.vs_supervisor"].pk
    for key in ("alpha.investigator", "alpha.case_manager", "alpha.tenant_admin", "alpha.analyst"):
        with refused(PermissionDenied):
            services.meeting_create(actor=world.actor(key), team=mdt.team, data={"starts_at": starts})
        with refused(PermissionDenied):
            services.meeting_update(actor=world.actor(key), meeting=mdt.meeting, data={"place": "Moved"})
    assert [e.target_id for e in audits("meeting.created")] == [
        str(mdt.meeting.pk),
        str(by_roster_facilitator.pk),
    ]


def test_a_past_meeting_cannot_be_planned(world: World) -> None:
    mdt = build_mdt(world)
    coordinator = world.actor("alpha.coordinator")
    past = timezone.now() - 3 * DAY
    with refused(ValidationError):
        services.meeting_create(actor=coordinator, team=mdt.team, data={"starts_at": past})
    with refused(ValidationError):
        services.meeting_create(actor=coordinator, team=mdt.team, data={})
    held = services.meeting_create(
        actor=coordinator, team=mdt.team, data={"starts_at": past, "status": MdtMeeting.Status.HELD}
    )
    assert held.status == MdtMeeting.Status.HELD
    with refused(ValidationError):
        services.meeting_update(actor=coordinator, meeting=held, data={"status": MdtMeeting.Status.PLANNED})
    with refused(ValidationError):
        services.meeting_update(actor=coordinator, meeting=mdt.meeting, data={"starts_at": past})


def test_meeting_changes_are_audited_by_field_name_only(world: World) -> None:
    mdt = build_mdt(world)
    coordinator = world.actor("alpha.coordinator")
    services.meeting_update(
        actor=coordinator, meeting=mdt.meeting, data={"status": MdtMeeting.Status.CANCELLED}
    )
    services.meeting_update(actor=coordinator, meeting=mdt.meeting, data={"minutes": "MINUTES-MARKER said"})
    services.meeting_update(actor=coordinator, meeting=mdt.meeting, data={"minutes": "MINUTES-MARKER said"})
    mdt.meeting.refresh_from_db()
    assert mdt.meeting.status == MdtMeeting.Status.CANCELLED
    events = audits("meeting.changed")
    assert [e.detail for e in events] == [{"fields": ["status"]}, {"fields": ["minutes"]}]  # no-op: no row
    assert all(e.target_id == str(mdt.meeting.pk) for e in events)
    assert "MINUTES-MARKER" not in json.dumps([e.detail for e in AuditEvent.objects.all()])


# -- attendance and guests --------------------------------------------------------------------


def test_attendance_only_for_roster_members_of_that_team(world: World) -> None:
    mdt = build_mdt(world)
    other = build_mdt(world, name="Youth HT MDT", kind=MdtTeam.Kind.YOUTH, members=("case_manager_2",))
    coordinator = world.actor("alpha.coordinator")
    present = services.attendance_record(
        actor=coordinator, meeting=mdt.meeting, row=mdt.rows["investigator"], status="present"
    )
    again = services.attendance_record(
        actor=coordinator, meeting=mdt.meeting, row=mdt.rows["investigator"], status="absent"
    )
    assert again.pk == present.pk
    assert again.status == Attendance.Status.ABSENT
    with refused(ValidationError):
        services.attendance_record(
            actor=coordinator, meeting=mdt.meeting, row=other.rows["case_manager_2"], status="present"
        )
    with refused(ValidationError):
        services.attendance_record(
            actor=coordinator, meeting=mdt.meeting, row=mdt.rows["case_manager"], status="guest"
        )
    with refused(PermissionDenied):
        services.attendance_record(
            actor=world.actor("alpha.investigator"),
            meeting=mdt.meeting,
            row=mdt.rows["case_manager"],
            status="present",
        )
    assert [e.detail for e in audits("attendance.recorded")] == [{"status": "present"}, {"status": "absent"}]


def test_guest_signs_for_that_meeting_only(world: World) -> None:
    mdt = build_mdt(world)
    later = services.meeting_create(
        actor=world.actor("alpha.coordinator"), team=mdt.team, data={"starts_at": timezone.now() + 40 * DAY}
    )
    attendance = services.guest_sign(
        actor=world.actor("alpha.coordinator"),
        meeting=mdt.meeting,
        guest_name=" Dr. GUEST-MARKER ",
        guest_organization="County Health",
    )
    agreement = Agreement.objects.get(pk=attendance.guest_agreement_id)
    day = timezone.localtime(mdt.meeting.starts_at).date()
    assert attendance.status == Attendance.Status.GUEST
    assert attendance.meeting_id == mdt.meeting.pk
    assert agreement.meeting_id == mdt.meeting.pk
    assert agreement.roster_member_id is None
    assert agreement.guest_name == "Dr. GUEST-MARKER"
    assert (agreement.signed_on, agreement.expires_on) == (day, day)
    assert not Agreement.objects.filter(meeting=later).exists()
    assert not Attendance.objects.filter(meeting=later).exists()
    [event] = audits("agreement.guest_signed")
    assert event.detail == {"meeting": str(mdt.meeting.pk)}
    assert "GUEST-MARKER" not in json.dumps(event.detail)
    with refused(ValidationError):
        services.guest_sign(actor=world.actor("alpha.coordinator"), meeting=mdt.meeting, guest_name="  ")
    with refused(PermissionDenied):
        services.guest_sign(
            actor=world.actor("alpha.case_manager"), meeting=mdt.meeting, guest_name="Someone"
        )


# -- case reviews -----------------------------------------------------------------------------


def test_review_presented_by_own_agency_with_own_case(world: World) -> None:
    mdt = build_mdt(world)
    case = intake(world)
    review = services.review_add(
        actor=world.actor("alpha.case_manager"),
        meeting=mdt.meeting,
        data={"summary": "SUMMARY-MARKER", "risk_level": "high", "needs_barriers": "NEEDS-MARKER"},
        case=case,
    )
    assert review.presenting_agency_id == world.agencies["alpha.vs"].pk
    assert review.case_id == case.pk
    assert review.position == 1
    assert review.presented_by_id == world.users["alpha.case_manager"].pk
    [event] = audits("review.added")
    assert event.target_id == str(review.pk)
    assert event.detail == {"meeting": str(mdt.meeting.pk)}


def test_presenting_agency_must_be_on_the_roster(world: World) -> None:
    mdt = build_mdt(world)
    coordinator = world.actor("alpha.coordinator")
    # A facilitator may name another agency, but only one with someone on the roster.
    named = services.review_add(
        actor=coordinator, meeting=mdt.meeting, data={}, presenting_agency=world.agencies["alpha.vs2"]
    )
    assert named.presenting_agency_id == world.agencies["alpha.vs2"].pk
    with refused(ValidationError):
        services.review_add(
            actor=coordinator, meeting=mdt.meeting, data={}, presenting_agency=world.agencies["alpha.pd"]
        )
    # A member presents for their own agency only.
    with refused(PermissionDenied):
        services.review_add(
            actor=world.actor("alpha.case_manager"),
            meeting=mdt.meeting,
            data={},
            presenting_agency=world.agencies["alpha.vs2"],
        )
    # Off the roster, or on it without a current agreement: no presenting at all.
    with refused(PermissionDenied):
        services.review_add(actor=world.actor("alpha.case_manager_2"), meeting=mdt.meeting, data={})
    services.roster_remove(actor=coordinator, row=mdt.rows["other_agency_cm"])
    with refused(PermissionDenied):
        services.review_add(actor=world.actor("alpha.other_agency_cm"), meeting=mdt.meeting, data={})


def test_case_link_must_be_visible_to_the_presenter(world: World) -> None:
    mdt = build_mdt(world, members=("investigator", "case_manager", "other_agency_cm", "vs_supervisor"))
    other_agency_case = intake(world, "alpha.other_agency_cm", first="Other", last="Agencycase")
    colleague_case = intake(world, "alpha.case_manager_2", first="Colleague", last="Unassigned")
    case_manager = world.actor("alpha.case_manager")
    with refused(ValidationError):
        services.review_add(actor=case_manager, meeting=mdt.meeting, data={}, case=other_agency_case)
    with refused(ValidationError):  # same agency, not assigned to the presenter
        services.review_add(actor=case_manager, meeting=mdt.meeting, data={}, case=colleague_case)
    with refused(ValidationError):  # law enforcement never links a victim-services case
        services.review_add(
            actor=world.actor("alpha.investigator"), meeting=mdt.meeting, data={}, case=colleague_case
        )
    # The agency's supervisor sees every case of the agency.
    review = services.review_add(
        actor=world.actor("alpha.vs_supervisor"), meeting=mdt.meeting, data={}, case=colleague_case
    )
    assert review.case_id == colleague_case.pk


def test_investigation_link_must_be_visible_to_the_presenter(world: World) -> None:
    mdt = build_mdt(world)
    own = investigation(world)
    restricted = investigation(world, "alpha.le_supervisor", title="Covert", restricted=True)
    with refused(ValidationError):
        services.review_add(
            actor=world.actor("alpha.investigator"), meeting=mdt.meeting, data={}, investigation=restricted
        )
    with refused(ValidationError):
        services.review_add(
            actor=world.actor("alpha.case_manager"), meeting=mdt.meeting, data={}, investigation=own
        )
    review = services.review_add(
        actor=world.actor("alpha.investigator"), meeting=mdt.meeting, data={}, investigation=own
    )
    assert review.investigation_id == own.pk
    assert review.presenting_agency_id == world.agencies["alpha.da"].pk


def _year(meeting: MdtMeeting) -> int:
    return timezone.localtime(meeting.starts_at).year


def test_mdt_codes_are_sequential_per_year_and_prefixed_by_team_kind(world: World) -> None:
    adult = build_mdt(world)
    youth = build_mdt(world, name="Youth HT MDT", kind=MdtTeam.Kind.YOUTH, members=("case_manager",))
    other = build_mdt(world, name="Labor MDT", kind=MdtTeam.Kind.OTHER, members=("case_manager",))
    coordinator = world.actor("alpha.coordinator")
    year = _year(adult.meeting)
    codes = [
        services.review_add(actor=coordinator, meeting=adult.meeting, data={}).mdt_code for _ in range(3)
    ]
    assert codes == [f"A-{year}-001", f"A-{year}-002", f"A-{year}-003"]
    assert (
        services.review_add(actor=coordinator, meeting=youth.meeting, data={}).mdt_code
        == f"Y-{_year(youth.meeting)}-001"
    )
    assert (
        services.review_add(actor=coordinator, meeting=other.meeting, data={}).mdt_code
        == f"M-{_year(other.meeting)}-001"
    )
    # A meeting of an earlier year starts that year's sequence.
    old = held_meeting(world, adult, days_ago=370)
    assert _year(old) < year
    assert services.review_add(actor=coordinator, meeting=old, data={}).mdt_code == f"A-{_year(old)}-001"
    # Positions count within the meeting.
    assert [r.position for r in selectors.agenda(actor=coordinator, meeting=adult.meeting)] == [1, 2, 3]
    # Another task force has a sequence of its own.
    beta = build_mdt(world, "beta")
    beta_code = services.review_add(
        actor=world.actor("beta.coordinator"), meeting=beta.meeting, data={}
    ).mdt_code
    assert beta_code == f"A-{_year(beta.meeting)}-001"


def test_review_edited_by_presenting_agency_and_facilitators_only(world: World) -> None:
    mdt = build_mdt(world, members=("investigator", "case_manager", "other_agency_cm", "vs_supervisor"))
    review = services.review_add(
        actor=world.actor("alpha.case_manager"), meeting=mdt.meeting, data={"summary": "x"}
    )
    services.review_update(
        actor=world.actor("alpha.vs_supervisor"), review=review, data={"summary": "SUMMARY-MARKER"}
    )
    services.review_update(
        actor=world.actor("alpha.coordinator"),
        review=review,
        data={"decisions": "DECISION-MARKER", "recommendations": "RECOMMENDATION-MARKER"},
    )
    review.refresh_from_db()
    assert (review.summary, review.decisions) == ("SUMMARY-MARKER", "DECISION-MARKER")
    for key in ("alpha.other_agency_cm", "alpha.investigator", "alpha.case_manager_2", "alpha.tenant_admin"):
        with refused(PermissionDenied):
            services.review_update(actor=world.actor(key), review=review, data={"summary": "changed"})
    events = audits("review.changed")
    assert [e.detail for e in events] == [
        {"fields": ["summary"]},
        {"fields": ["decisions", "recommendations"]},
    ]
    assert "MARKER" not in json.dumps([e.detail for e in AuditEvent.objects.all()])


# -- action items -----------------------------------------------------------------------------


def test_action_item_owner_must_be_on_the_team(world: World) -> None:
    mdt = build_mdt(world)
    youth = build_mdt(world, name="Youth HT MDT", kind=MdtTeam.Kind.YOUTH, members=("case_manager_2",))
    coordinator = world.actor("alpha.coordinator")
    due = today(world) + 7 * DAY
    review = services.review_add(actor=coordinator, meeting=mdt.meeting, data={})
    other_review = services.review_add(actor=coordinator, meeting=youth.meeting, data={})
    item = services.action_item_add(
        actor=coordinator,
        meeting=mdt.meeting,
        description=" ITEM-MARKER follow up ",
        due_on=due,
        owner_member=mdt.rows["case_manager"],
        review=review,
    )
    assert item.team_id == mdt.team.pk
    assert item.description == "ITEM-MARKER follow up"
    assert item.status == ActionItem.Status.OPEN
    by_agency = services.action_item_add(
        actor=coordinator,
        meeting=mdt.meeting,
        description="Agency task",
        due_on=due,
        owner_agency=world.agencies["alpha.da"],
    )
    assert by_agency.owner_agency_id == world.agencies["alpha.da"].pk

    def add(**kwargs: object) -> None:
        services.action_item_add(
            **{"actor": coordinator, "meeting": mdt.meeting, "description": "Task", "due_on": due, **kwargs}
        )

    with refused(ValidationError):
        add()  # no owner
    with refused(ValidationError):
        add(owner_member=youth.rows["case_manager_2"])  # another team's roster
    with refused(ValidationError):
        add(owner_agency=world.agencies["alpha.pd"])  # nobody of the agency on the roster
    with refused(ValidationError):
        add(owner_member=mdt.rows["case_manager"], review=other_review)  # review of another meeting
    with refused(ValidationError):
        add(owner_member=mdt.rows["case_manager"], description="   ")
    services.roster_remove(actor=coordinator, row=mdt.rows["other_agency_cm"])
    with refused(ValidationError):
        add(owner_member=mdt.rows["other_agency_cm"])  # off the roster now
    with refused(ValidationError):
        add(owner_agency=world.agencies["alpha.vs2"])  # its only member is off the roster
    with refused(PermissionDenied):
        services.action_item_add(
            actor=world.actor("alpha.case_manager"),
            meeting=mdt.meeting,
            description="Task",
            due_on=due,
            owner_member=mdt.rows["case_manager"],
        )
    assert [e.detail for e in audits("action_item.added")] == [{"meeting": str(mdt.meeting.pk)}] * 2
    assert "ITEM-MARKER" not in json.dumps([e.detail for e in AuditEvent.objects.all()])


def test_action_item_owner_updates_status_facilitator_the_due_date(world: World) -> None:
    mdt = build_mdt(world, members=("investigator", "case_manager", "other_agency_cm", "vs_supervisor"))
    coordinator = world.actor("alpha.coordinator")
    due = today(world) + 7 * DAY
    item = services.action_item_add(
        actor=coordinator,
        meeting=mdt.meeting,
        description="Task",
        due_on=due,
        owner_member=mdt.rows["case_manager"],
    )
    owner = world.actor("alpha.case_manager")
    # The owner changes the status; a due date they send is not theirs to change.
    services.action_item_update(
        actor=owner, item=item, data={"status": "in_progress", "due_on": due + 30 * DAY}
    )
    item.refresh_from_db()
    assert (item.status, item.due_on, item.completed_on) == ("in_progress", due, None)
    services.action_item_update(actor=owner, item=item, data={"status": "done"})
    item.refresh_from_db()
    assert (item.status, item.completed_on) == ("done", today(world))
    with refused(ValidationError):
        services.action_item_update(actor=owner, item=item, data={"status": "bogus"})
    # Other members (even of the owner's agency, when owned by a member) may not.
    for key in ("alpha.investigator", "alpha.other_agency_cm", "alpha.case_manager_2", "alpha.tenant_admin"):
        with refused(PermissionDenied):
            services.action_item_update(actor=world.actor(key), item=item, data={"status": "open"})
    # The facilitator reopens it and moves the due date.
    services.action_item_update(
        actor=coordinator, item=item, data={"status": "open", "due_on": due + 14 * DAY}
    )
    item.refresh_from_db()
    assert (item.status, item.due_on, item.completed_on) == ("open", due + 14 * DAY, None)
    events = audits("action_item.changed")
    assert [e.detail for e in events] == [
        {"fields": ["status", "completed_on"]},
        {"fields": ["status", "completed_on"]},
        {"fields": ["status", "completed_on", "due_on"]},
    ]
    # An agency-owned item: that agency's people on the roster update it.
    agency_item = services.action_item_add(
        actor=coordinator,
        meeting=mdt.meeting,
        description="Agency",
        due_on=due,
        owner_agency=world.agencies["alpha.vs"],
    )
    services.action_item_update(
        actor=world.actor("alpha.vs_supervisor"), item=agency_item, data={"status": "done"}
    )
    with refused(PermissionDenied):
        services.action_item_update(
            actor=world.actor("alpha.other_agency_cm"), item=agency_item, data={"status": "open"}
        )


def test_carried_over_lists_open_items_of_earlier_meetings_of_the_team(world: World) -> None:
    mdt = build_mdt(world)
    youth = build_mdt(world, name="Youth HT MDT", kind=MdtTeam.Kind.YOUTH, members=("case_manager_2",))
    coordinator = world.actor("alpha.coordinator")
    earlier = held_meeting(world, mdt, days_ago=30)
    youth_earlier = held_meeting(world, youth, days_ago=30)
    later = services.meeting_create(
        actor=coordinator, team=mdt.team, data={"starts_at": mdt.meeting.starts_at + 30 * DAY}
    )
    owner = mdt.rows["case_manager"]

    def item(
        meeting: MdtMeeting, description: str, status: str = "open", row: RosterMember = owner
    ) -> ActionItem:
        added = services.action_item_add(
            actor=coordinator,
            meeting=meeting,
            description=description,
            due_on=today(world) - 3 * DAY,
            owner_member=row,
        )
        if status != "open":
            services.action_item_update(actor=coordinator, item=added, data={"status": status})
        return added

    still_open = item(earlier, "open")
    in_progress = item(earlier, "in progress", "in_progress")
    item(earlier, "done", "done")
    item(earlier, "cancelled", "cancelled")
    item(youth_earlier, "other team", row=youth.rows["case_manager_2"])
    item(mdt.meeting, "this meeting")
    item(later, "later meeting")
    carried = selectors.carried_over(actor=coordinator, meeting=mdt.meeting)
    assert {i.pk for i in carried} == {still_open.pk, in_progress.pk}
    # A member with a current agreement sees the same; one without, nothing.
    assert {
        i.pk for i in selectors.carried_over(actor=world.actor("alpha.case_manager"), meeting=mdt.meeting)
    } == {
        still_open.pk,
        in_progress.pk,
    }
    assert selectors.carried_over(actor=world.actor("alpha.case_manager_2"), meeting=mdt.meeting) == []


# -- what the agenda may show -----------------------------------------------------------------


def _consent(world: World, case: Case, agency: str, scope: list[str] | None = None) -> object:
    return case_services.consent_record(
        actor=world.actor("alpha.case_manager"),
        case=case,
        recipient_agency=world.agencies[agency],
        scope=scope or [ConsentCategory.IDENTITY, ConsentCategory.CASE_SUMMARY],
        purpose="MDT case review",
        signed_by="Client",
    )


ROSTER_READERS = ["alpha.case_manager", "alpha.other_agency_cm", "alpha.investigator", "alpha.coordinator"]


@pytest.mark.parametrize("reader", ROSTER_READERS)
def test_review_client_name_only_with_identity_consents_to_every_other_roster_agency(
    world: World, reader: str
) -> None:
    """Roster agencies: coord (coordinator), da (investigator), vs (presenter), vs2. The name
    appears on the agenda, for everyone who sees the agenda, only while a current consent with
    identity in scope names each of coord, da and vs2."""
    mdt = build_mdt(world)
    case = intake(world)
    review = services.review_add(
        actor=world.actor("alpha.case_manager"), meeting=mdt.meeting, data={}, case=case
    )
    actor = world.actor(reader)
    assert selectors.review_client_name(actor=actor, review=review) is None
    _consent(world, case, "alpha.coord")
    _consent(world, case, "alpha.da")
    _consent(world, case, "alpha.vs2", scope=[ConsentCategory.CASE_SUMMARY])  # no identity
    assert selectors.review_client_name(actor=actor, review=review) is None
    to_vs2 = _consent(world, case, "alpha.vs2")
    assert selectors.review_client_name(actor=actor, review=review) == "Zelda Secretclient"
    case_services.consent_revoke(actor=world.actor("alpha.case_manager"), consent=to_vs2)
    assert selectors.review_client_name(actor=actor, review=review) is None


def test_review_without_case_has_no_client_name(world: World) -> None:
    mdt = build_mdt(world)
    review = services.review_add(actor=world.actor("alpha.case_manager"), meeting=mdt.meeting, data={})
    assert selectors.review_client_name(actor=world.actor("alpha.case_manager"), review=review) is None


def test_review_links_only_for_who_already_sees_the_record(world: World) -> None:
    mdt = build_mdt(world, members=("investigator", "case_manager", "other_agency_cm", "vs_supervisor"))
    case = intake(world)
    case_review = services.review_add(
        actor=world.actor("alpha.case_manager"), meeting=mdt.meeting, data={}, case=case
    )
    own = investigation(world)
    le_review = services.review_add(
        actor=world.actor("alpha.investigator"), meeting=mdt.meeting, data={}, investigation=own
    )
    expected = {
        "alpha.case_manager": (
            {"case": True, "investigation": False},
            {"case": False, "investigation": False},
        ),
        "alpha.vs_supervisor": (
            {"case": True, "investigation": False},
            {"case": False, "investigation": False},
        ),
        "alpha.other_agency_cm": (
            {"case": False, "investigation": False},
            {"case": False, "investigation": False},
        ),
        "alpha.investigator": (
            {"case": False, "investigation": False},
            {"case": False, "investigation": True},
        ),
        "alpha.coordinator": (
            {"case": False, "investigation": False},
            {"case": False, "investigation": True},
        ),
    }
    for key, (on_case, on_investigation) in expected.items():
        actor = world.actor(key)
        assert selectors.review_links(actor=actor, review=case_review) == on_case, key
        assert selectors.review_links(actor=actor, review=le_review) == on_investigation, key


# -- the audit trail as a whole ---------------------------------------------------------------


def test_every_write_is_audited_and_no_content_reaches_the_audit_log(world: World) -> None:
    before = AuditEvent.objects.count()
    mdt = build_mdt(world)
    coordinator = world.actor("alpha.coordinator")
    case = intake(world)
    review = services.review_add(
        actor=world.actor("alpha.case_manager"),
        meeting=mdt.meeting,
        data={"summary": "SECRET-SUMMARY", "needs_barriers": "SECRET-NEEDS"},
        case=case,
    )
    services.review_update(
        actor=coordinator,
        review=review,
        data={"decisions": "SECRET-DECISION", "recommendations": "SECRET-REC"},
    )
    services.attendance_record(
        actor=coordinator, meeting=mdt.meeting, row=mdt.rows["investigator"], status="present"
    )
    services.guest_sign(
        actor=coordinator, meeting=mdt.meeting, guest_name="SECRET-GUEST", guest_organization="SECRET-ORG"
    )
    item = services.action_item_add(
        actor=coordinator,
        meeting=mdt.meeting,
        description="SECRET-ITEM",
        due_on=today(world),
        owner_member=mdt.rows["case_manager"],
    )
    services.action_item_update(actor=world.actor("alpha.case_manager"), item=item, data={"status": "done"})
    services.meeting_update(actor=coordinator, meeting=mdt.meeting, data={"minutes": "SECRET-MINUTES"})
    services.roster_remove(actor=coordinator, row=mdt.rows["other_agency_cm"])
    events = list(AuditEvent.objects.order_by("seq")[before:])
    actions = {e.action for e in events}
    assert {
        "mdt_team.created",
        "roster.added",
        "roster.removed",
        "agreement.signed",
        "agreement.guest_signed",
        "meeting.created",
        "meeting.changed",
        "attendance.recorded",
        "review.added",
        "review.changed",
        "action_item.added",
        "action_item.changed",
    } <= actions
    mdt_events = [
        e
        for e in events
        if e.action.split(".")[0]
        in {"mdt_team", "roster", "agreement", "meeting", "attendance", "review", "action_item"}
    ]
    assert all(e.task_force_id == world.task_forces["alpha"].pk and e.target_id for e in mdt_events)
    dumped = json.dumps([e.detail for e in events])
    for secret in ("SECRET", "Zelda", "Secretclient", review.mdt_code):
        assert secret not in dumped
