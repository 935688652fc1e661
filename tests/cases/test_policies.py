"""The wall for victim-service records, as a table: every asker of tests.wall.matrix.ALL_ACTORS
against every record hanging off a case, in both task forces, through the policies alone.

Visible exactly to the assigned case manager and the agency's VS supervisor; a privileged note
to its author and the supervisor only. Everyone else sees nothing: law enforcement, the
coordinator, the tenant admin, the analyst, another VS agency, the other task force, a
superuser who is a member, and a case manager of the same agency who is not assigned (and holds
a model-wide permission granted by mistake).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Permission
from django.db.models import QuerySet

from cases import policies, services
from cases.codes import AgeGroup, ConsentCategory, ServiceCategory
from cases.screening import Answer, Form
from taskforce.access import Actor, NotFoundOrForbidden
from tests.wall.matrix import ALL_ACTORS
from tests.world import TASK_FORCES, World

pytestmark = pytest.mark.django_db

ASSIGNED_AND_SUPERVISOR = frozenset({"case_manager", "vs_supervisor"})


@dataclass(frozen=True)
class Row:
    name: str
    visible: Callable[[Actor], QuerySet]
    readers: frozenset[str] = ASSIGNED_AND_SUPERVISOR
    access: Callable[[Actor, object], object] | None = None


ROWS = [
    Row("case", policies.visible_cases, access=policies.access_case),
    Row("client", policies.visible_clients),
    Row("identity", policies.visible_identities),
    Row("family_member", policies.visible_family_members),
    Row("service", policies.visible_services),
    Row("note", policies.visible_notes),
    Row("privileged_note", policies.visible_notes),
    Row("supervisor_privileged_note", policies.visible_notes, readers=frozenset({"vs_supervisor"})),
    Row("consent", policies.visible_consents, access=policies.access_consent),
    Row("screening", policies.visible_screenings),
    Row("plan_item", policies.visible_plan_items),
]


@pytest.fixture
def records(world: World) -> dict[str, object]:
    """One case per task force taken in by its case manager (so assigned), with one of each record."""
    built: dict[str, object] = {}
    for tf in TASK_FORCES:
        manager = world.actor(f"{tf}.case_manager")
        supervisor = world.actor(f"{tf}.vs_supervisor")
        case = services.intake_create(
            actor=manager,
            client={
                "first_name": f"Secret-{tf}",
                "last_name": "Client",
                "date_of_birth": dt.date(1991, 3, 4),
            },
            case={"opened_on": dt.date(2025, 1, 6)},
            answers={"control_leave": Answer.YES},
        )
        client_id = case.client_id
        built[f"{tf}.case"] = case
        built[f"{tf}.client"] = case.client
        built[f"{tf}.identity"] = policies.visible_identities(manager).get(client_id=client_id)
        built[f"{tf}.screening"] = policies.visible_screenings(manager).get(case=case, form=Form.SHORT)
        built[f"{tf}.family_member"] = services.family_member_add(
            actor=manager,
            case=case,
            relationship="child",
            age_group=AgeGroup.MINOR,
            served_from=dt.date(2025, 2, 1),
        )
        built[f"{tf}.service"] = services.service_record(
            actor=manager,
            case=case,
            service_type=ServiceCategory.CASE_MANAGEMENT,
            delivered_on=dt.date(2025, 2, 1),
        )
        built[f"{tf}.note"] = services.note_add(actor=manager, case=case, text="plain note")
        built[f"{tf}.privileged_note"] = services.note_add(
            actor=manager, case=case, text="privileged by the case manager", privileged=True
        )
        built[f"{tf}.supervisor_privileged_note"] = services.note_add(
            actor=supervisor, case=case, text="privileged by the supervisor", privileged=True
        )
        built[f"{tf}.consent"] = services.consent_record(
            actor=manager,
            case=case,
            recipient_agency=world.agencies[f"{tf}.vs2"],
            scope=[ConsentCategory.IDENTITY],
            purpose="Legal consultation",
            signed_by="Client",
        )
        built[f"{tf}.plan_item"] = services.plan_item_add(
            actor=manager, case=case, need=ServiceCategory.MEDICAL, goal="Health check-up"
        )
    # A model-wide permission granted by mistake must widen nothing.
    mistaken = world.users["alpha.case_manager_2"]
    mistaken.user_permissions.add(*Permission.objects.filter(content_type__app_label="cases"))
    return built


def _member(actor_key: str) -> str:
    return actor_key.split(".", 1)[1]


def may_read(row: Row, actor_key: str, record_tf: str) -> bool:
    return actor_key.startswith(f"{record_tf}.") and _member(actor_key) in row.readers


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
@pytest.mark.parametrize("record_tf", TASK_FORCES)
def test_wall(world: World, records: dict[str, object], row: Row, record_tf: str) -> None:
    obj = records[f"{record_tf}.{row.name}"]
    checked = 0
    for actor_key in ALL_ACTORS:
        if actor_key not in world.memberships:  # a superuser without membership has no actor
            continue
        actor = world.actor(actor_key)
        visible = row.visible(actor)
        if may_read(row, actor_key, record_tf):
            assert visible.filter(pk=obj.pk).exists(), actor_key
            if row.access is not None:
                assert row.access(actor, obj.pk) == obj, actor_key
        else:
            assert not visible.filter(pk=obj.pk).exists(), actor_key
            if row.access is not None:
                with pytest.raises(NotFoundOrForbidden):
                    row.access(actor, obj.pk)
        checked += 1
    assert checked == len(world.memberships)


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
def test_lists_are_empty_for_everyone_without_a_right(
    world: World, records: dict[str, object], row: Row
) -> None:
    """Not just the one record: the whole list holds nothing of victim services for them."""
    for actor_key in world.memberships:
        actor = world.actor(actor_key)
        tf = actor_key.split(".", 1)[0]
        listed = set(row.visible(actor).values_list("pk", flat=True))
        if _member(actor_key) in ASSIGNED_AND_SUPERVISOR:
            assert listed, actor_key
            own = {records[f"{tf}.{r.name}"].pk for r in ROWS if r.visible is row.visible}
            assert listed <= own, actor_key
        else:
            assert listed == set(), actor_key


def test_the_mistaken_global_permission_is_real(world: World, records: dict[str, object]) -> None:
    user = world.users["alpha.case_manager_2"]
    assert user.has_perm("cases.view_case")
    assert user.has_perm("cases.view_client")
    assert not policies.visible_cases(world.actor("alpha.case_manager_2")).exists()


def test_superuser_member_gets_no_content(world: World, records: dict[str, object]) -> None:
    actor = world.actor("alpha.superuser_member")
    assert world.users["alpha.superuser_member"].is_superuser
    for row in ROWS:
        assert not row.visible(actor).exists(), row.name


def test_foreign_random_and_malformed_ids_answer_alike(world: World, records: dict[str, object]) -> None:
    actor = world.actor("alpha.vs_supervisor")
    for access, name in ((policies.access_case, "case"), (policies.access_consent, "consent")):
        for record_id in (records[f"beta.{name}"].pk, "00000000-0000-0000-0000-000000000000", "not-a-uuid"):
            with pytest.raises(NotFoundOrForbidden) as caught:
                access(actor, record_id)
            assert str(caught.value) == "Not found."


def test_write_policies_follow_the_wall(world: World, records: dict[str, object]) -> None:
    case = records["alpha.case"]
    for key in world.memberships:
        actor = world.actor(key)
        assert policies.can_assign(actor, case) == (key == "alpha.vs_supervisor"), key
        if key.startswith("alpha.") and _member(key) in ASSIGNED_AND_SUPERVISOR:
            assert policies.can_write_case(actor, case), key
        else:
            assert not policies.can_write_case(actor, case), key
    note = records["alpha.privileged_note"]
    assert policies.can_edit_note(world.actor("alpha.case_manager"), note)
    assert not policies.can_edit_note(world.actor("alpha.vs_supervisor"), note)
    assert not policies.can_edit_note(world.actor("alpha.case_manager_2"), note)
