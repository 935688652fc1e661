"""Case lists and the case page: filters, search inside the own agency, constant query counts."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import identity_index, services
from cases.codes import ConsentCategory, ServiceCategory, TraffickingType
from cases.models import Case, CaseNote, CaseUserObjectPermission, Client, ClientIdentity, ServiceDelivery
from cases.selectors import TIMELINE_LIMIT, CaseFilters, case_list, case_timeline, consents_by_state
from taskforce.models import TaskForce
from tests.world import World

pytestmark = pytest.mark.django_db


def today(world: World) -> dt.date:
    task_force = TaskForce.objects.get(pk=world.task_forces["alpha"].pk)
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(task_force.time_zone))


def ago(world: World, days: int) -> dt.date:
    return today(world) - dt.timedelta(days=days)


def intake(world: World, key: str, first: str, last: str, kind: str = TraffickingType.SEX, **client) -> Case:
    return services.intake_create(
        actor=world.actor(key),
        client={"first_name": first, "last_name": last, **client},
        case={"opened_on": ago(world, 120), "trafficking_type": kind},
    )


def release(world: World, case: Case, key: str, signed_on: dt.date, recipient: str = "alpha.vs2"):
    return services.consent_record(
        actor=world.actor(key),
        case=case,
        recipient_agency=world.agencies[recipient],
        scope=[ConsentCategory.SERVICES],
        purpose="Coordination",
        signed_by="Client",
        signed_on=signed_on,
    )


def ids(queryset) -> set:
    return {case.pk for case in queryset}


@pytest.fixture
def caseload(world: World) -> dict[str, Case]:
    cm = "alpha.case_manager"
    cases = {
        "open_sex": intake(world, cm, "Talia", "Quenby", aliases="Tally, Q"),
        "intake_labor": intake(world, cm, "Bastian", "Orrell", TraffickingType.LABOR, preferred_name="Bas"),
        "closed_sex": intake(world, cm, "Corin", "Vale"),
        "expired": intake(world, cm, "Dessa", "Marrow", TraffickingType.BOTH),
        "revoked": intake(world, cm, "Emric", "Thorne"),
        "unassigned": intake(world, "alpha.vs_supervisor", "Fenna", "Quenby", TraffickingType.LABOR),
        "other_manager": intake(world, "alpha.case_manager_2", "Gideon", "Ashby"),
        # The same name in another VS agency and in the other task force.
        "vs2_same_name": intake(world, "alpha.other_agency_cm", "Talia", "Quenby"),
        "beta_same_name": intake(world, "beta.case_manager", "Talia", "Quenby"),
    }
    actor = world.actor(cm)
    for key in ("open_sex", "closed_sex", "expired", "revoked"):
        services.service_record(
            actor=actor,
            case=cases[key],
            service_type=ServiceCategory.CASE_MANAGEMENT,
            delivered_on=ago(world, 100),
        )
    services.case_close(actor=actor, case=cases["closed_sex"], reason=Case.ClosureReason.GOALS_MET)
    release(world, cases["open_sex"], cm, ago(world, 80))  # ten days left: expiring
    release(world, cases["intake_labor"], cm, ago(world, 1))  # 89 days left: not yet
    release(world, cases["expired"], cm, ago(world, 95))  # ended five days ago
    services.consent_revoke(actor=actor, consent=release(world, cases["revoked"], cm, ago(world, 82)))
    release(world, cases["vs2_same_name"], "alpha.other_agency_cm", ago(world, 80), recipient="alpha.vs")
    for key, case in cases.items():
        with world.scope("beta" if key.startswith("beta") else "alpha"):
            case.refresh_from_db()
    return cases


def test_lists_hold_the_actor_caseload_only(world: World, caseload: dict[str, Case]) -> None:
    own = {k for k in caseload if k not in {"unassigned", "other_manager", "vs2_same_name", "beta_same_name"}}
    assert ids(case_list(actor=world.actor("alpha.case_manager"))) == {caseload[k].pk for k in own}
    supervisor = ids(case_list(actor=world.actor("alpha.vs_supervisor")))
    assert supervisor == {caseload[k].pk for k in own | {"unassigned", "other_manager"}}
    assert ids(case_list(actor=world.actor("alpha.other_agency_cm"))) == {caseload["vs2_same_name"].pk}
    for key in ("alpha.investigator", "alpha.coordinator", "alpha.tenant_admin", "alpha.analyst"):
        assert not case_list(actor=world.actor(key)).exists(), key


def test_status_and_trafficking_type_filters(world: World, caseload: dict[str, Case]) -> None:
    supervisor = world.actor("alpha.vs_supervisor")
    assert ids(case_list(actor=supervisor, filters=CaseFilters(status=Case.Status.CLOSED))) == {
        caseload["closed_sex"].pk
    }
    assert ids(case_list(actor=supervisor, filters=CaseFilters(status=Case.Status.INTAKE))) == {
        caseload["intake_labor"].pk,
        caseload["unassigned"].pk,
        caseload["other_manager"].pk,
    }
    assert ids(case_list(actor=supervisor, filters=CaseFilters(trafficking_type=TraffickingType.LABOR))) == {
        caseload["intake_labor"].pk,
        caseload["unassigned"].pk,
    }
    both = CaseFilters(status=Case.Status.OPEN, trafficking_type=TraffickingType.SEX)
    assert ids(case_list(actor=supervisor, filters=both)) == {caseload["open_sex"].pk, caseload["revoked"].pk}


def test_assigned_to_me(world: World, caseload: dict[str, Case]) -> None:
    mine = CaseFilters(assigned_to_me=True)
    second = world.actor("alpha.case_manager_2")
    assert ids(case_list(actor=second, filters=mine)) == {caseload["other_manager"].pk}
    # A supervisor sees the agency's cases through the agency, but none is assigned to them.
    assert not case_list(actor=world.actor("alpha.vs_supervisor"), filters=mine).exists()
    services.case_assign(
        actor=world.actor("alpha.vs_supervisor"),
        case=caseload["unassigned"],
        membership=world.memberships["alpha.case_manager_2"],
    )
    assert ids(case_list(actor=second, filters=mine)) == {
        caseload["other_manager"].pk,
        caseload["unassigned"].pk,
    }


def test_consent_expiring_filter(world: World, caseload: dict[str, Case]) -> None:
    expiring = CaseFilters(consent_expiring=True)
    for key in ("alpha.case_manager", "alpha.vs_supervisor"):
        assert ids(case_list(actor=world.actor(key), filters=expiring)) == {caseload["open_sex"].pk}, key
    assert ids(case_list(actor=world.actor("alpha.other_agency_cm"), filters=expiring)) == {
        caseload["vs2_same_name"].pk
    }
    assert not case_list(actor=world.actor("alpha.case_manager_2"), filters=expiring).exists()


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("quenby", {"open_sex", "unassigned"}),
        ("Talia Quenby", {"open_sex"}),
        # Whole words, any case and spacing (names are encrypted: a blind index, no substrings).
        ("  talia   QUENBY ", {"open_sex"}),
        ("  tal   QUEN ", set()),
        ("Quenby-Talia", set()),
        ("Bas", {"intake_labor"}),  # preferred name
        ("Tally", {"open_sex"}),  # alias
        ("Ashby", {"other_manager"}),
        ("Nobody", set()),
    ],
)
def test_search_by_name_stays_inside_the_agency(
    world: World, caseload: dict[str, Case], term: str, expected: set[str]
) -> None:
    found = ids(case_list(actor=world.actor("alpha.vs_supervisor"), filters=CaseFilters(search=term)))
    assert found == {caseload[k].pk for k in expected}
    assert caseload["vs2_same_name"].pk not in found
    assert caseload["beta_same_name"].pk not in found


def test_search_never_crosses_agencies_or_assignments(world: World, caseload: dict[str, Case]) -> None:
    search = CaseFilters(search="Quenby")
    assert ids(case_list(actor=world.actor("alpha.case_manager"), filters=search)) == {
        caseload["open_sex"].pk
    }
    assert not case_list(actor=world.actor("alpha.case_manager_2"), filters=search).exists()
    assert ids(case_list(actor=world.actor("alpha.other_agency_cm"), filters=search)) == {
        caseload["vs2_same_name"].pk
    }
    assert ids(case_list(actor=world.actor("beta.vs_supervisor"), filters=search)) == {
        caseload["beta_same_name"].pk
    }
    assert not case_list(actor=world.actor("alpha.investigator"), filters=search).exists()


def test_consents_by_state(world: World, caseload: dict[str, Case]) -> None:
    timeline = case_timeline(actor=world.actor("alpha.case_manager"), case=caseload["open_sex"])
    grouped = consents_by_state(timeline.consents)
    assert [len(grouped[state]) for state in ("active", "expiring", "expired", "revoked")] == [0, 1, 0, 0]
    later = consents_by_state(timeline.consents, now=timezone.now() + dt.timedelta(days=30))
    assert len(later["expired"]) == 1


# -- query budgets ----------------------------------------------------------------------------


def _bulk_cases(world: World, count: int, *, assign_to: str | None = None) -> list[Case]:
    tf, agency = world.task_forces["alpha"], world.agencies["alpha.vs"]
    clients = Client.objects.bulk_create([Client(task_force=tf, agency=agency) for _ in range(count)])
    identities = ClientIdentity.objects.bulk_create(
        [
            ClientIdentity(task_force=tf, client=client, first_name=f"First{i}", last_name="Bulkname")
            for i, client in enumerate(clients)
        ]
    )
    identity_index.reindex(identities)
    cases = Case.objects.bulk_create(
        [Case(task_force=tf, agency=agency, client=client, opened_on=ago(world, 10)) for client in clients]
    )
    if assign_to:
        permission = Permission.objects.get(content_type__app_label="cases", codename="view_case")
        user = world.users[assign_to]
        CaseUserObjectPermission.objects.bulk_create(
            [
                CaseUserObjectPermission(task_force=tf, user=user, permission=permission, content_object=case)
                for case in cases
            ]
        )
    return cases


def _list_queries(world: World, key: str, filters: CaseFilters | None = None) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        rows = list(case_list(actor=world.actor(key), filters=filters))
        names = [case.client.identity.first_name for case in rows]
    assert all(names)
    return len(queries), len(rows)


@pytest.mark.parametrize(
    ("key", "filters"),
    [
        ("alpha.vs_supervisor", None),
        ("alpha.case_manager", None),
        ("alpha.case_manager", CaseFilters(assigned_to_me=True, search="Bulkname", status="intake")),
        (
            "alpha.vs_supervisor",
            CaseFilters(consent_expiring=False, trafficking_type=TraffickingType.UNKNOWN),
        ),
    ],
)
def test_case_list_query_count_does_not_grow_with_the_caseload(
    world: World, key: str, filters: CaseFilters | None
) -> None:
    _bulk_cases(world, 25, assign_to="alpha.case_manager")
    small, small_rows = _list_queries(world, key, filters)
    _bulk_cases(world, 75, assign_to="alpha.case_manager")
    large, large_rows = _list_queries(world, key, filters)
    assert (small_rows, large_rows) == (25, 100)
    assert small == large
    assert large <= 2


def test_case_timeline_query_count_does_not_grow_with_the_history(world: World) -> None:
    actor = world.actor("alpha.case_manager")
    short = services.intake_create(
        actor=actor,
        client={"first_name": "Short", "last_name": "History"},
        case={"opened_on": ago(world, 60)},
    )
    long = services.intake_create(
        actor=actor, client={"first_name": "Long", "last_name": "History"}, case={"opened_on": ago(world, 60)}
    )
    for case, n in ((short, 1), (long, TIMELINE_LIMIT + 5)):
        ServiceDelivery.objects.bulk_create(
            [
                ServiceDelivery(
                    task_force=case.task_force,
                    case=case,
                    client_id=case.client_id,
                    agency_id=case.agency_id,
                    providing_agency_id=case.agency_id,
                    delivered_on=ago(world, i % 60),
                    service_type=ServiceCategory.CASE_MANAGEMENT,
                    recorded_by=world.users["alpha.case_manager"],
                )
                for i in range(n)
            ]
        )
        CaseNote.objects.bulk_create(
            [
                CaseNote(
                    task_force=case.task_force,
                    case=case,
                    agency_id=case.agency_id,
                    author=world.users["alpha.case_manager"],
                    text=f"note {i}",
                    privileged=i % 3 == 0,
                )
                for i in range(n)
            ]
        )
        release(world, case, "alpha.case_manager", ago(world, 5))
        services.plan_item_add(actor=actor, case=case, need=ServiceCategory.MEDICAL, goal="Check-up")

    def measure(case: Case) -> tuple[int, object]:
        with CaptureQueriesContext(connection) as queries:
            timeline = case_timeline(actor=actor, case=case)
            for service in timeline.services:
                assert service.providing_agency.name
            for note in timeline.notes:
                assert note.author.email
            for consent in timeline.consents:
                assert consent.recipient_agency.name
        return len(queries), timeline

    short_count, short_timeline = measure(short)
    long_count, long_timeline = measure(long)
    assert short_count == long_count
    assert len(short_timeline.services) == 1
    assert len(long_timeline.services) == TIMELINE_LIMIT
    assert len(long_timeline.notes) == TIMELINE_LIMIT
    assert [s.delivered_on for s in long_timeline.services] == sorted(
        (s.delivered_on for s in long_timeline.services), reverse=True
    )
    # A privileged note by the author shows in the author's own timeline; another case manager's
    # timeline (once assigned) holds the plain notes only.
    services.case_assign(
        actor=world.actor("alpha.vs_supervisor"),
        case=long,
        membership=world.memberships["alpha.case_manager_2"],
    )
    other = case_timeline(actor=world.actor("alpha.case_manager_2"), case=long)
    assert other.notes
    assert not any(note.privileged for note in other.notes)
    assert any(note.privileged for note in long_timeline.notes)
