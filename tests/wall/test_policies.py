"""The policy matrix without HTTP and with row-level security open: the application layer alone
must keep the wall (RLS is the second, independent line, tested in tests/core/test_rls.py).
"""

from __future__ import annotations

import pytest

from taskforce.access import NotFoundOrForbidden
from taskforce.policies import access_agency, access_membership, visible_agencies, visible_audit_events
from tests.wall.matrix import ALL_ACTORS, RECORD_TYPES, may_read
from tests.wallapp.policies import access_le_record, access_vs_record
from tests.world import TASK_FORCES, World

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
