"""Who sees which law-enforcement and bridge record (access.md), as a table: every actor with a
membership in either task force against one record of each kind in each task force, with
row-level security open, so the application layer alone must keep the wall."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from cases import services as case_services
from referrals import certifications, policies, services
from taskforce.access import NotFoundOrForbidden
from tests.wall.matrix import ALL_ACTORS
from tests.world import TASK_FORCES, World

pytestmark = pytest.mark.django_db

ACTORS = [key for key in ALL_ACTORS if key != "superuser"]

LE = {"investigator", "detective", "prosecutor", "le_supervisor"}
DA_LE = {"investigator", "prosecutor", "le_supervisor"}
VS_ONE = {"case_manager", "case_manager_2", "vs_supervisor"}
VS_TWO = {"other_agency_cm", "superuser_member"}
RESTRICTED_TEAM = {"le_supervisor", "detective"}


def build(world: World) -> World:
    """Per task force: a tip, an open and a restricted investigation with what hangs off them,
    a prosecution of each, an LE->VS and a VS->VS referral, and a certification request."""
    for tf in TASK_FORCES:
        actor = world.actor
        investigator, supervisor = actor(f"{tf}.investigator"), actor(f"{tf}.le_supervisor")
        prosecutor = actor(f"{tf}.prosecutor")
        records = world.records
        records[f"{tf}.tip"] = services.tip_create(
            actor=investigator, data={"source": "hotline", "narrative": f"TIP-{tf}"}
        )
        open_inv = services.investigation_create(actor=investigator, data={"case_number": f"OPEN-{tf}"})
        restricted = services.investigation_create(
            actor=supervisor, data={"case_number": f"RESTRICTED-{tf}", "restricted": True}
        )
        services.team_add(
            actor=supervisor, investigation=restricted, membership=world.memberships[f"{tf}.detective"]
        )
        records[f"{tf}.investigation"] = open_inv
        records[f"{tf}.restricted"] = restricted
        suspect, _ = services.suspect_add(
            actor=investigator, investigation=open_inv, data={"full_name": f"Suspect {tf}"}
        )
        records[f"{tf}.suspect"] = suspect
        restricted_suspect, _ = services.suspect_add(
            actor=supervisor, investigation=restricted, data={"full_name": f"Hidden {tf}"}
        )
        records[f"{tf}.restricted_suspect"] = restricted_suspect
        records[f"{tf}.victim"] = services.victim_identify(
            actor=investigator, investigation=open_inv, data={"name_or_alias": f"V-{tf}"}
        )
        records[f"{tf}.arrest"] = services.arrest_record(
            actor=investigator, investigation=open_inv, suspect=suspect, arrested_on=dt.date(2025, 1, 2)
        )
        prosecution = services.prosecution_create(
            actor=prosecutor,
            investigation=open_inv,
            data={
                "court": "Superior Court",
                "court_case_number": f"CR-{tf}",
                "filed_on": dt.date(2025, 2, 1),
            },
        )
        records[f"{tf}.prosecution"] = prosecution
        records[f"{tf}.defendant"] = services.defendant_add(
            actor=prosecutor, prosecution=prosecution, suspect=suspect
        )
        restricted_prosecution = services.prosecution_create(
            actor=supervisor,
            investigation=restricted,
            data={
                "court": "Superior Court",
                "court_case_number": f"CR-R-{tf}",
                "filed_on": dt.date(2025, 2, 1),
            },
        )
        records[f"{tf}.restricted_prosecution"] = restricted_prosecution
        records[f"{tf}.le_to_vs"] = services.referral_send(
            actor=investigator,
            to_agency=world.agencies[f"{tf}.vs"],
            payload={"summary": f"LE2VS-{tf}", "name_or_alias": "Ana"},
            investigation=open_inv,
        )
        case_manager = actor(f"{tf}.case_manager")
        case = case_services.intake_create(
            actor=case_manager, client={"first_name": "Cora", "last_name": f"Client{tf}"}, case={}
        )
        consent = case_services.consent_record(
            actor=case_manager,
            case=case,
            recipient_agency=world.agencies[f"{tf}.vs2"],
            scope=["identity", "contact", "case_summary"],
            purpose="Legal advice",
            signed_by="Cora",
        )
        records[f"{tf}.vs_to_vs"] = services.referral_send(
            actor=case_manager,
            to_agency=world.agencies[f"{tf}.vs2"],
            case=case,
            consent=consent,
            payload={"summary": f"VS2VS-{tf}", "name_or_alias": "Cora"},
        )
        records[f"{tf}.coordinator_referral"] = services.referral_send(
            actor=actor(f"{tf}.coordinator"),
            to_agency=world.agencies[f"{tf}.vs"],
            payload={"summary": f"COORD-{tf}"},
        )
        records[f"{tf}.certification"] = certifications.certification_request(
            actor=case_manager, case=case, kind="t_visa", certifying_agency=world.agencies[f"{tf}.da"]
        )
    return world


@pytest.fixture
def bridge(world: World) -> World:
    return build(world)


def _visible_check(visible: Callable) -> Callable:
    def check(actor, obj) -> bool:
        return visible(actor).filter(pk=obj.pk).exists()

    return check


def _access_check(access: Callable) -> Callable:
    def check(actor, obj) -> bool:
        try:
            found = access(actor, obj.pk)
        except NotFoundOrForbidden:
            return False
        assert found == obj
        return True

    return check


@dataclass(frozen=True)
class Row:
    name: str
    record: str
    readers: frozenset[str]
    check: Callable


def _row(name: str, record: str, readers: set[str], check: Callable) -> Row:
    return Row(name, record, frozenset(readers), check)


ROWS = [
    _row("tip", "tip", LE | {"coordinator"}, _access_check(policies.access_tip)),
    _row("tip list", "tip", LE | {"coordinator"}, _visible_check(policies.visible_tips)),
    _row(
        "investigation",
        "investigation",
        LE | {"coordinator"},
        _access_check(policies.access_investigation),
    ),
    _row(
        "restricted investigation",
        "restricted",
        RESTRICTED_TEAM,
        _access_check(policies.access_investigation),
    ),
    _row("suspect", "suspect", LE, _visible_check(policies.visible_suspects)),
    _row(
        "restricted suspect", "restricted_suspect", RESTRICTED_TEAM, _visible_check(policies.visible_suspects)
    ),
    _row("identified victim", "victim", LE, _visible_check(policies.visible_identified_victims)),
    _row("arrest", "arrest", LE, _visible_check(policies.visible_arrests)),
    _row("prosecution", "prosecution", LE | {"coordinator"}, _access_check(policies.access_prosecution)),
    _row(
        "restricted prosecution",
        "restricted_prosecution",
        RESTRICTED_TEAM,
        _access_check(policies.access_prosecution),
    ),
    _row("defendant", "defendant", LE, _visible_check(policies.visible_defendants)),
    _row(
        "referral le->vs envelope",
        "le_to_vs",
        DA_LE | VS_ONE | {"coordinator"},
        _access_check(policies.access_referral),
    ),
    _row("referral le->vs payload", "le_to_vs", DA_LE | VS_ONE, policies.can_read_payload),
    _row(
        "referral vs->vs envelope",
        "vs_to_vs",
        VS_ONE | VS_TWO | {"coordinator"},
        _access_check(policies.access_referral),
    ),
    _row("referral vs->vs payload", "vs_to_vs", VS_ONE | VS_TWO, policies.can_read_payload),
    _row(
        "certification request",
        "certification",
        {"case_manager", "vs_supervisor"} | DA_LE,
        _access_check(policies.access_certification),
    ),
]


def _member(key: str) -> str:
    return key.split(".", 1)[1]


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
def test_who_sees_what(bridge: World, row: Row) -> None:
    for record_tf in TASK_FORCES:
        obj = bridge.records[f"{record_tf}.{row.record}"]
        seen = {key for key in ACTORS if row.check(bridge.actor(key), obj)}
        expected = {key for key in ACTORS if key.startswith(f"{record_tf}.") and _member(key) in row.readers}
        assert seen == expected, (record_tf, sorted(seen ^ expected))


# -- who may change what ----------------------------------------------------------------------


def _may(bridge: World, check: Callable, record: str) -> dict[str, set[str]]:
    """For each task force's record: the actor keys for whom ``check(actor, obj)`` holds."""
    return {
        tf: {key for key in ACTORS if check(bridge.actor(key), bridge.records[f"{tf}.{record}"])}
        for tf in TASK_FORCES
    }


def _of(tf: str, members: set[str]) -> set[str]:
    return {f"{tf}.{member}" for member in members}


def test_tips_are_worked_by_le_roles_and_the_coordinator(bridge: World) -> None:
    assert {key for key in ACTORS if policies.can_work_tips(bridge.actor(key))} == {
        f"{tf}.{member}" for tf in TASK_FORCES for member in LE | {"coordinator"}
    }


def test_investigation_editors(bridge: World) -> None:
    may = _may(bridge, policies.can_edit_investigation, "investigation")
    for tf in TASK_FORCES:
        assert may[tf] == _of(tf, LE)


def test_restricted_investigation_edited_only_by_who_sees_it(bridge: World) -> None:
    """can_edit_investigation says 'LE roles who see it': an investigator outside a restricted
    investigation's team must not add suspects, victims or arrests to it."""
    may = _may(bridge, policies.can_edit_investigation, "restricted")
    for tf in TASK_FORCES:
        assert may[tf] == _of(tf, RESTRICTED_TEAM)


def test_team_managers(bridge: World) -> None:
    """LE supervisors and team members of the investigation's own task force only."""
    open_team = _may(bridge, policies.can_manage_team, "investigation")
    restricted_team = _may(bridge, policies.can_manage_team, "restricted")
    for tf in TASK_FORCES:
        assert open_team[tf] == _of(tf, {"investigator", "le_supervisor"})
        assert restricted_team[tf] == _of(tf, RESTRICTED_TEAM)


def test_prosecution_editors(bridge: World) -> None:
    may = _may(bridge, policies.can_edit_prosecution, "prosecution")
    for tf in TASK_FORCES:
        assert may[tf] == _of(tf, {"prosecutor", "le_supervisor"})


def test_restricted_prosecution_edited_only_by_who_sees_it(bridge: World) -> None:
    may = _may(bridge, policies.can_edit_prosecution, "restricted_prosecution")
    for tf in TASK_FORCES:
        assert may[tf] == _of(tf, {"le_supervisor"})


def test_referral_deciders_and_withdrawers(bridge: World) -> None:
    decide = _may(bridge, policies.can_decide_referral, "le_to_vs")
    withdraw = _may(bridge, policies.can_withdraw_referral, "le_to_vs")
    decide_vs = _may(bridge, policies.can_decide_referral, "vs_to_vs")
    withdraw_vs = _may(bridge, policies.can_withdraw_referral, "vs_to_vs")
    for tf in TASK_FORCES:
        assert decide[tf] == _of(tf, VS_ONE)
        assert withdraw[tf] == _of(tf, DA_LE)
        assert decide_vs[tf] == _of(tf, VS_TWO) - {"beta.superuser_member"}
        assert withdraw_vs[tf] == _of(tf, VS_ONE)


def test_coordinator_referral_is_worked_by_the_coordinator_not_by_analyst_or_admin(bridge: World) -> None:
    """A referral the coordinator sent: its payload is the coordinator's (and the receiver's),
    never the analyst's or the tenant admin's, who share the coordinator's agency."""
    payload = _may(bridge, policies.can_read_payload, "coordinator_referral")
    withdraw = _may(bridge, policies.can_withdraw_referral, "coordinator_referral")
    envelope = _may(bridge, _access_check(policies.access_referral), "coordinator_referral")
    for tf in TASK_FORCES:
        assert envelope[tf] == _of(tf, VS_ONE | {"coordinator"})
        assert payload[tf] == _of(tf, VS_ONE | {"coordinator"})
        assert withdraw[tf] == _of(tf, {"coordinator"})


def test_certification_reviewers_and_deciders(bridge: World) -> None:
    review = _may(bridge, policies.can_review_certification, "certification")
    decide = _may(bridge, policies.can_decide_certification, "certification")
    for tf in TASK_FORCES:
        assert review[tf] == _of(tf, DA_LE)
        assert decide[tf] == _of(tf, {"prosecutor", "le_supervisor"})


def test_deconfliction_alerts_only_for_whom_they_were_raised(bridge: World) -> None:
    detective = bridge.actor("alpha.detective")
    other = services.investigation_create(actor=detective, data={"case_number": "PD-1"})
    services.suspect_add(actor=detective, investigation=other, data={"full_name": "Suspect alpha"})
    seen = {key for key in ACTORS if policies.visible_deconfliction_alerts(bridge.actor(key)).exists()}
    assert seen == {"alpha.detective"}


def test_payload_after_consent_revocation_is_gone_for_the_receiver_only(bridge: World) -> None:
    referral = bridge.records["alpha.vs_to_vs"]
    case_services.consent_revoke(
        actor=bridge.actor("alpha.case_manager"), consent=referral.consent, note="withdrawn"
    )
    seen = {key for key in ACTORS if _access_check(policies.access_referral)(bridge.actor(key), referral)}
    assert seen == _of("alpha", VS_ONE | {"coordinator"})
