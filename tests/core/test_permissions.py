"""The guardian wrapper and the grant service: no skeleton key, no grant across the wall."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from taskforce.models import AuditEvent, Membership
from taskforce.permissions import WallViolation, grant, has_grant, objects_granted, revoke
from tests.wallapp.models import LeRecord, VsRecord
from tests.wallapp.policies import visible_vs_records, vs_records_granted_via_guardian
from tests.world import World

pytestmark = pytest.mark.django_db


def test_wrapper_returns_direct_grants_only(world: World) -> None:
    granted = vs_records_granted_via_guardian(world.actor("alpha.case_manager"))
    assert list(granted) == [world.records["alpha.vs_record"]]
    assert not vs_records_granted_via_guardian(world.actor("alpha.case_manager_2")).exists()


def test_superuser_gets_nothing_from_being_superuser(world: World) -> None:
    actor = world.actor("alpha.superuser_member")
    assert world.users["alpha.superuser_member"].is_superuser
    assert not vs_records_granted_via_guardian(actor).exists()
    assert not visible_vs_records(actor).exists()
    assert not objects_granted(actor, "wallapp.view_lerecord", LeRecord.objects.all()).exists()


def test_global_permission_widens_nothing(world: World) -> None:
    user = world.users["alpha.case_manager_2"]
    assert user.has_perm("wallapp.view_vsrecord")  # the mistake is real
    actor = world.actor("alpha.case_manager_2")
    assert not vs_records_granted_via_guardian(actor).exists()
    assert not visible_vs_records(actor).exists()


def test_inactive_user_holds_no_grant(world: World) -> None:
    user = world.users["alpha.case_manager"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    actor = world.actor("alpha.case_manager")
    assert not vs_records_granted_via_guardian(actor).exists()
    assert not visible_vs_records(actor).exists()


@pytest.mark.parametrize(
    ("member", "record"),
    [
        ("alpha.investigator", "alpha.vs_record"),  # LE on a VS record
        ("alpha.le_supervisor", "alpha.vs_record"),
        ("alpha.coordinator", "alpha.vs_record"),
        ("alpha.tenant_admin", "alpha.vs_record"),
        ("alpha.analyst", "alpha.vs_record"),
        ("alpha.case_manager", "alpha.le_restricted"),  # VS on an LE record
        ("alpha.vs_supervisor", "alpha.le_record"),
        ("alpha.coordinator", "alpha.le_restricted"),
        ("beta.case_manager", "alpha.vs_record"),  # another task force
        ("beta.investigator", "alpha.le_restricted"),
    ],
)
def test_grants_across_the_wall_are_refused(world: World, member: str, record: str) -> None:
    obj = world.records[record]
    membership = world.memberships[member]
    before = AuditEvent.objects.filter(action="grant.added").count()
    with pytest.raises(WallViolation):
        grant(actor=world.actor("alpha.vs_supervisor"), perm="view_vsrecord", membership=membership, obj=obj)
    model = type(obj)
    grant_model = (
        model.vsrecorduserobjectpermission_set
        if model is VsRecord
        else model.lerecorduserobjectpermission_set
    )
    assert not grant_model.rel.related_model.objects.filter(user=membership.user, content_object=obj).exists()
    assert AuditEvent.objects.filter(action="grant.added").count() == before


def test_grant_to_an_inactive_membership_is_refused(world: World) -> None:
    membership = world.memberships["alpha.case_manager_2"]
    Membership.objects.filter(pk=membership.pk).update(is_active=False)
    membership.refresh_from_db()
    with pytest.raises(WallViolation):
        grant(
            actor=world.actor("alpha.vs_supervisor"),
            perm="view_vsrecord",
            membership=membership,
            obj=world.records["alpha.vs_record"],
        )


def test_grant_and_revoke_take_effect_and_are_audited(world: World) -> None:
    supervisor = world.actor("alpha.vs_supervisor")
    membership = world.memberships["alpha.case_manager_2"]
    record = world.records["alpha.vs_record"]
    actor = world.actor("alpha.case_manager_2")
    assert not has_grant(actor, "view_vsrecord", record)

    grant(actor=supervisor, perm="view_vsrecord", membership=membership, obj=record)
    assert has_grant(actor, "view_vsrecord", record)
    assert list(visible_vs_records(actor)) == [record]
    added = AuditEvent.objects.filter(action="grant.added").latest("seq")
    assert added.target_id == str(record.pk)
    assert added.task_force_id == world.task_forces["alpha"].pk

    revoke(actor=supervisor, perm="view_vsrecord", membership=membership, obj=record)
    assert not has_grant(actor, "view_vsrecord", record)
    assert not visible_vs_records(actor).exists()
    assert AuditEvent.objects.filter(action="grant.removed", target_id=str(record.pk)).exists()


def test_grant_rows_carry_the_task_force_and_cascade(world: World) -> None:
    from tests.wallapp.models import VsRecordUserObjectPermission

    rows = VsRecordUserObjectPermission.objects.filter(content_object=world.records["alpha.vs_record"])
    assert {row.task_force_id for row in rows} == {world.task_forces["alpha"].pk}
    assert Permission.objects.filter(codename="view_vsrecord").exists()
    record_id = world.records["alpha.vs_record"].pk
    VsRecord.objects.filter(pk=record_id).delete()
    assert not VsRecordUserObjectPermission.objects.filter(content_object_id=record_id).exists()
