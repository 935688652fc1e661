"""Who sees MDT records (access.md; California PC 13753): one table, every reader against every
record type. A member's access rests on the roster and a current confidentiality agreement,
checked at read time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db.models import QuerySet

from mdt import policies, selectors, services
from taskforce.access import Actor, NotFoundOrForbidden
from tests.mdt.test_services import Mdt, build_mdt, today
from tests.world import World

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)

# The roster of the team under test (the coordinator facilitates it):
#   investigator       current agreement
#   case_manager       current agreement (presents the review, owns the action item)
#   other_agency_cm    on the roster, never signed
#   vs_supervisor      signed 400 days ago, agreement expired
#   le_supervisor      signed, then removed from the roster
#   tenant_admin       (manages rosters; not on it)
# Not on it: case_manager_2, analyst, superuser_member; beta.* is another task force.
ROSTER = ("investigator", "case_manager", "other_agency_cm", "vs_supervisor", "le_supervisor")

RECORDS = ("meeting", "review", "action_item", "roster", "agreement")

ALL = frozenset(RECORDS)
NOTHING: frozenset[str] = frozenset()
# A member whose agreement is missing or lapsed still sees the team's roster and their own
# agreement (policies.visible_teams: members see the teams they are on; that is how they learn
# they must sign), never a meeting, review or action item.
ROSTER_ONLY = frozenset({"roster", "agreement"})

EXPECTED: dict[str, frozenset[str]] = {
    "alpha.coordinator": ALL,
    "alpha.investigator": ALL,
    "alpha.case_manager": ALL,
    "alpha.other_agency_cm": ROSTER_ONLY,  # never signed
    "alpha.vs_supervisor": ROSTER_ONLY,  # agreement expired
    "alpha.le_supervisor": NOTHING,  # removed from the roster
    "alpha.case_manager_2": NOTHING,  # not on the roster
    "alpha.tenant_admin": ROSTER_ONLY,  # structure: rosters and agreements, no meetings
    "alpha.analyst": NOTHING,
    "alpha.prosecutor": NOTHING,
    "alpha.superuser_member": NOTHING,
    "beta.coordinator": NOTHING,
    "beta.tenant_admin": NOTHING,
    "beta.case_manager": NOTHING,
}


def _setup(world: World) -> tuple[Mdt, dict[str, object]]:
    mdt = build_mdt(world, members=ROSTER, agreements=False)
    coordinator = world.actor("alpha.coordinator")
    now = today(world)
    agreements = {}
    for key in ("coordinator", "investigator", "case_manager", "le_supervisor"):
        agreements[key] = services.agreement_sign(actor=coordinator, row=mdt.rows[key])
    agreements["vs_supervisor"] = services.agreement_sign(
        actor=coordinator,
        row=mdt.rows["vs_supervisor"],
        signed_on=now - 400 * DAY,
        expires_on=now - 35 * DAY,
    )
    services.roster_remove(actor=coordinator, row=mdt.rows["le_supervisor"])
    review = services.review_add(
        actor=world.actor("alpha.case_manager"), meeting=mdt.meeting, data={"summary": "Summary"}
    )
    item = services.action_item_add(
        actor=coordinator,
        meeting=mdt.meeting,
        description="Follow up",
        due_on=now + 7 * DAY,
        owner_member=mdt.rows["case_manager"],
        review=review,
    )
    # Beta has a team of its own: nothing of it shows in alpha and the reverse.
    build_mdt(world, "beta", members=("case_manager",))
    return mdt, {"meeting": mdt.meeting, "review": review, "action_item": item}


VISIBLE: dict[str, Callable[[Actor], QuerySet]] = {
    "meeting": policies.visible_meetings,
    "review": policies.visible_reviews,
    "action_item": policies.visible_action_items,
    "roster": policies.visible_roster,
    "agreement": policies.visible_agreements,
}

ACCESS = {
    "meeting": policies.access_meeting,
    "review": policies.access_review,
    "action_item": policies.access_action_item,
}


@pytest.mark.parametrize("reader", list(EXPECTED))
def test_who_sees_what(world: World, reader: str) -> None:
    mdt, records = _setup(world)
    actor = world.actor(reader)
    expected = EXPECTED[reader]
    alpha = world.task_forces["alpha"].pk
    for record in RECORDS:
        rows = list(VISIBLE[record](actor))
        assert all(row.task_force_id == actor.task_force_id for row in rows), (reader, record)
        if record in ACCESS:
            target = records[record]
            assert (target.pk in {row.pk for row in rows}) == (record in expected), (reader, record)
            if record in expected:
                assert ACCESS[record](actor, target.pk).pk == target.pk
            else:
                with pytest.raises(NotFoundOrForbidden):
                    ACCESS[record](actor, target.pk)
        elif record == "roster":
            team_rows = {row.pk for row in rows if row.team_id == mdt.team.pk}
            if record in expected:
                assert team_rows == {row.pk for row in mdt.rows.values()}, reader
                assert policies.access_team(actor, mdt.team.pk).pk == mdt.team.pk
            else:
                assert team_rows == set(), reader
                with pytest.raises(NotFoundOrForbidden):
                    policies.access_team(actor, mdt.team.pk)
        else:  # agreements: managers see every one; a member their own
            seen = {row.pk for row in rows if row.task_force_id == alpha}
            if record not in expected:
                assert seen == set(), reader
            elif policies.can_manage_rosters(actor) or reader == "alpha.coordinator":
                assert len(seen) == 5, reader  # coordinator, investigator, case manager, expired, removed
            else:
                own = {
                    row.pk
                    for row in rows
                    if row.roster_member_id and row.roster_member.membership_id == actor.membership_id
                }
                assert seen == own, reader
                assert len(own) == (0 if reader == "alpha.other_agency_cm" else 1), reader


def test_expiry_and_removal_take_effect_at_read_time(world: World) -> None:
    mdt, records = _setup(world)
    coordinator = world.actor("alpha.coordinator")
    investigator = world.actor("alpha.investigator")
    assert policies.visible_meetings(investigator).filter(pk=mdt.meeting.pk).exists()
    services.roster_remove(actor=coordinator, row=mdt.rows["investigator"])
    assert not policies.visible_meetings(investigator).exists()
    assert not policies.visible_action_items(investigator).exists()
    # Back on the roster: the agreement they signed still counts.
    services.roster_add(actor=coordinator, team=mdt.team, membership=world.memberships["alpha.investigator"])
    assert policies.visible_reviews(investigator).filter(pk=records["review"].pk).exists()
    # A signature renewed by the supervisor themselves lets them back in.
    supervisor = world.actor("alpha.vs_supervisor")
    assert not policies.visible_meetings(supervisor).exists()
    services.agreement_sign(actor=supervisor, row=mdt.rows["vs_supervisor"])
    assert policies.visible_meetings(supervisor).filter(pk=mdt.meeting.pk).exists()


def test_a_guest_agreement_clears_nobody(world: World) -> None:
    mdt, _ = _setup(world)
    services.guest_sign(actor=world.actor("alpha.coordinator"), meeting=mdt.meeting, guest_name="Guest")
    for key in ("alpha.other_agency_cm", "alpha.case_manager_2"):
        assert not policies.visible_meetings(world.actor(key)).exists()


def test_who_may_act(world: World) -> None:
    mdt, records = _setup(world)
    meeting, review, item = records["meeting"], records["review"], records["action_item"]
    table = {
        # key: (plan meetings, edit meeting, present, edit review, update action item)
        "alpha.coordinator": (True, True, True, True, True),
        "alpha.case_manager": (False, False, True, True, True),
        "alpha.investigator": (False, False, True, False, False),
        "alpha.other_agency_cm": (False, False, False, False, False),
        "alpha.vs_supervisor": (False, False, False, False, False),
        "alpha.tenant_admin": (False, False, False, False, False),
        "alpha.analyst": (False, False, False, False, False),
        "alpha.case_manager_2": (False, False, False, False, False),
    }
    for key, expected in table.items():
        actor = world.actor(key)
        got = (
            policies.can_plan_meetings(actor, mdt.team),
            policies.can_edit_meeting(actor, meeting),
            policies.can_present(actor, meeting),
            policies.can_edit_review(actor, review),
            policies.can_update_action_item(actor, item),
        )
        assert got == expected, key
    assert policies.can_manage_rosters(world.actor("alpha.tenant_admin"))
    assert not policies.can_manage_rosters(world.actor("alpha.investigator"))


def test_my_items_and_overdue_lists_follow_the_policy(world: World) -> None:
    _mdt, records = _setup(world)
    item = records["action_item"]
    assert [i.pk for i in policies.my_action_items(world.actor("alpha.case_manager"))] == [item.pk]
    assert list(policies.my_action_items(world.actor("alpha.investigator"))) == []
    # The agreement lapsed: their own item is out of sight too.
    assert list(policies.my_action_items(world.actor("alpha.vs_supervisor"))) == []
    later = today(world) + 30 * DAY
    assert [i.pk for i in selectors.overdue_items(actor=world.actor("alpha.coordinator"), today=later)] == [
        item.pk
    ]
    assert list(selectors.overdue_items(actor=world.actor("alpha.tenant_admin"), today=later)) == []
    assert list(selectors.overdue_items(actor=world.actor("beta.coordinator"), today=later)) == []
