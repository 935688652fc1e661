"""The policy matrix without HTTP and with row-level security open: the application layer alone
must keep the wall (RLS is the second, independent line, tested in tests/core/test_rls.py).
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
from dataclasses import replace

import pytest

from cases import policies as case_policies
from mdt import policies as mdt_policies
from referrals import policies as le_policies
from reporting import policies as report_policies
from reporting import services as report_services
from taskforce.access import NotFoundOrForbidden
from taskforce.policies import access_agency, access_membership, visible_agencies, visible_audit_events
from tests.core.edges import APPS
from tests.wall.matrix import (
    ALL_ACTORS,
    ALL_RECORD_TYPES,
    RECORD_TYPES,
    RecordType,
    everyone,
    may_read,
    referral_envelope_readers,
)
from tests.wallapp.policies import access_le_record, access_vs_record
from tests.world import TASK_FORCES, World, local_today

pytestmark = pytest.mark.django_db

ACCESSORS = {
    "agency": access_agency,
    "membership": access_membership,
    "vs_record": access_vs_record,
    "le_record": access_le_record,
    "le_restricted": access_le_record,
}


def _actor(world: World, key: str):
    return world.actor(key) if key in world.memberships else None


@pytest.mark.parametrize("record", RECORD_TYPES, ids=lambda r: r.name)
@pytest.mark.parametrize("record_tf", TASK_FORCES)
def test_access_functions(world: World, record, record_tf: str) -> None:
    access = ACCESSORS[record.name]
    obj = record.get(world, record_tf)
    for actor_key in ALL_ACTORS:
        actor = _actor(world, actor_key)
        if actor is None:  # a superuser without membership has no actor at all
            continue
        if may_read(record, actor_key, record_tf):
            assert access(actor, obj.pk) == obj, actor_key
        else:
            with pytest.raises(NotFoundOrForbidden):
                access(actor, obj.pk)


def test_random_and_malformed_ids_answer_like_foreign_ones(world: World) -> None:
    actor = world.actor("alpha.vs_supervisor")
    foreign = world.records["beta.vs_record"].pk
    for record_id in (foreign, "00000000-0000-0000-0000-000000000000", "not-a-uuid"):
        with pytest.raises(NotFoundOrForbidden) as caught:
            access_vs_record(actor, record_id)
        assert str(caught.value) == "Not found."


def test_lists_hold_only_own_task_force(world: World) -> None:
    for tf in TASK_FORCES:
        actor = world.actor(f"{tf}.coordinator")
        assert {a.task_force_id for a in visible_agencies(actor)} == {world.task_forces[tf].pk}


def test_audit_metadata_for_tenant_admin_only(world: World) -> None:
    from taskforce.audit import audit_record

    for tf in TASK_FORCES:
        audit_record(action="test.event", actor=world.actor(f"{tf}.coordinator"))
    admin = world.actor("alpha.tenant_admin")
    events = list(visible_audit_events(admin))
    assert events
    assert {e.task_force_id for e in events} == {world.task_forces["alpha"].pk}
    for key in ("alpha.coordinator", "alpha.analyst", "alpha.le_supervisor", "alpha.vs_supervisor"):
        assert not visible_audit_events(world.actor(key)).exists()


def _add_events(world: World) -> None:
    """One training and one outreach event per task force, logged by its coordinator."""
    for tf in TASK_FORCES:
        actor = world.actor(f"{tf}.coordinator")
        common = {"held_on": local_today(tf), "delivering_agency": world.agencies[f"{tf}.coord"]}
        world.records[f"{tf}.training"] = report_services.training_record(
            actor=actor, data={**common, "title": f"Training {tf}", "hours": 1}
        )
        world.records[f"{tf}.outreach"] = report_services.outreach_record(
            actor=actor, data={**common, "title": f"Outreach {tf}", "kind": "presentation"}
        )


EVENT_TYPES = [
    RecordType(name=name, get=lambda world, tf, name=name: world.records[f"{tf}.{name}"], readers=everyone)
    for name in ("training", "outreach")
]

# Every domain accessor, against each record type of the wall matrix it answers for; the
# accessors of a case's children take the case too (the child's own case is passed).
IN_CASE = {case_policies.access_service, case_policies.access_note}
DOMAIN_ACCESSORS = {
    "case": case_policies.access_case,
    "service": case_policies.access_service,
    "note": case_policies.access_note,
    "privileged_note": case_policies.access_note,
    "consent": case_policies.access_consent,
    "tip": le_policies.access_tip,
    "investigation": le_policies.access_investigation,
    "restricted_investigation": le_policies.access_investigation,
    "prosecution": le_policies.access_prosecution,
    "referral": le_policies.access_referral,
    "certification": le_policies.access_certification,
    "certification_le": le_policies.access_certification,
    "mdt_team": mdt_policies.access_team,
    "mdt_meeting": mdt_policies.access_meeting,
    "mdt_review": mdt_policies.access_review,
    "mdt_action_item": mdt_policies.access_action_item,
    "export": report_policies.access_export,
    "training": report_policies.access_training,
    "outreach": report_policies.access_outreach,
}
DOMAIN_RECORDS = {r.name: r for r in ALL_RECORD_TYPES + EVENT_TYPES if r.name in DOMAIN_ACCESSORS}


def test_every_access_function_is_in_the_matrix() -> None:
    """A new ``access_*`` in any app's policies fails here until it joins a row below or above."""
    tested = set(ACCESSORS.values()) | set(DOMAIN_ACCESSORS.values())
    doorways = [f"{app}.{kind}" for app in APPS for kind in ("policies", "selectors")]
    modules = [importlib.import_module(name) for name in doorways if importlib.util.find_spec(name)]
    assert len(modules) >= 5
    for module in modules:
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("access_") and function.__module__ == module.__name__:
                assert function in tested, f"{module.__name__}.{name}"
    assert set(DOMAIN_RECORDS) == set(DOMAIN_ACCESSORS)


@pytest.mark.parametrize("name", DOMAIN_ACCESSORS)
def test_domain_access_functions(wall_world: World, name: str) -> None:
    """Own task force: exactly the readers of the wall matrix get the record; the other side of
    the wall and every member of the other task force get the not-found error."""
    if name in ("training", "outreach"):
        _add_events(wall_world)
    record, accessor = DOMAIN_RECORDS[name], DOMAIN_ACCESSORS[name]
    # access_referral is the envelope's doorway (the coordinator opens it too); what the sender
    # wrote is can_read_payload's to decide, tested with the pages.
    readers_of = replace(record, readers=referral_envelope_readers) if name == "referral" else record

    def access(actor, obj):
        return accessor(actor, obj.case, obj.pk) if accessor in IN_CASE else accessor(actor, obj.pk)

    for record_tf in TASK_FORCES:
        obj = record.get(wall_world, record_tf)
        readers = 0
        for actor_key in ALL_ACTORS:
            actor = _actor(wall_world, actor_key)
            if actor is None:
                continue
            if may_read(readers_of, actor_key, record_tf):
                assert access(actor, obj) == obj, (actor_key, record_tf)
                readers += 1
            else:
                with pytest.raises(NotFoundOrForbidden):
                    access(actor, obj)
        assert readers, f"no one reads {name} in {record_tf}: the row proves nothing"
