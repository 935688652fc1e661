"""The grant report measures: one task force with known records, an exact expected value for
every measure code of reporting.md, for months either side of the fiscal-year boundary and for a
quarter. Records are created through the services (MDT rows and dates the services stamp with
"now" are placed by the ORM: they are fixture data, the measures only read them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services as case_services
from cases.models import Case, Client
from mdt.models import ActionItem, CaseReview, MdtMeeting, MdtTeam
from referrals import certifications
from referrals import services as le_services
from referrals.models import CertificationRequest, Referral
from reporting import measures, services
from reporting.measures import BLOCKS
from reporting.models import OutreachEvent
from taskforce.access import Actor, Role
from taskforce.models import Membership, TaskForce, User
from tests.world import World

UTC = dt.UTC
D = dt.date


def at(day: dt.date, hour: int = 18) -> dt.datetime:
    """Mid-day in California (18:00 UTC) unless told otherwise."""
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def expected(block: str, **values: int) -> dict[str, int]:
    """Every code of the block at zero, but those given (``__`` stands for ``.``)."""
    codes = {code: 0 for code, _ in BLOCKS[block]}
    for key, value in values.items():
        code = key.replace("__", ".")
        assert code in codes, f"not a code of {block}: {code}"
        codes[code] = value
    return codes


def figures(actor: Actor, period: measures.Period) -> dict[str, dict[str, int]]:
    blocks = services.report_blocks(actor=actor, period=period)
    return {block: {row["code"]: row["value"] for row in rows} for block, rows in blocks.items()}


def month(year: int, number: int) -> measures.Period:
    return measures.month_period(D(year, number, 1))


# ----------------------------------------------------------------------------------- the fixture


@dataclass
class Fixture:
    world: World
    vs2_supervisor: Actor


def _intake(actor: Actor, name: str, opened_on: dt.date, client: dict[str, Any], **case: Any) -> Case:
    return case_services.intake_create(
        actor=actor,
        client={"first_name": name, "last_name": "Testclient", **client},
        case={"opened_on": opened_on, **case},
    )


def _serve(actor: Actor, case: Case, *deliveries: tuple[str, dt.date]) -> None:
    for service_type, day in deliveries:
        case_services.service_record(actor=actor, case=case, service_type=service_type, delivered_on=day)


def _victim_services(world: World) -> None:
    shelter = world.actor("alpha.vs_supervisor")  # Shelter One
    legal = world.actor("alpha.other_agency_cm")  # Legal Aid Two

    # A: first served in September 2025 (FY2025), again in October (FY2026 starts) and November.
    a = _intake(
        shelter,
        "Ana",
        D(2025, 9, 1),
        {"age_group_at_intake": "adult", "gender": "female", "citizenship": "us_citizen"},
        trafficking_type="sex",
        referral_source="hotline",
    )
    _serve(
        shelter,
        a,
        ("case_management", D(2025, 9, 10)),
        ("case_management", D(2025, 10, 5)),
        ("crisis_intervention", D(2025, 10, 6)),
        ("case_management", D(2025, 11, 3)),
    )
    case_services.family_member_add(
        actor=shelter, case=a, relationship="spouse", age_group="adult", served_from=D(2025, 9, 10)
    )

    # B: a minor, served in October and December (counted once in the quarter), a child served.
    b = _intake(
        shelter,
        "Bo",
        D(2025, 10, 1),
        {"age_group_at_intake": "minor", "gender": "male", "citizenship": "foreign_national"},
        trafficking_type="labor",
        referral_source="law_enforcement_local",
    )
    _serve(
        shelter,
        b,
        ("emergency_shelter", D(2025, 10, 15)),
        ("emergency_shelter", D(2025, 10, 20)),
        ("medical", D(2025, 12, 1)),
    )
    case_services.family_member_add(
        actor=shelter, case=b, relationship="child", age_group="minor", served_from=D(2025, 10, 15)
    )

    # C: age and citizenship not reported, served in September only; a sibling served.
    c = _intake(
        shelter,
        "Cy",
        D(2025, 9, 15),
        {"gender": "nonbinary"},
        trafficking_type="both",
        referral_source="community",
    )
    _serve(shelter, c, ("legal_immigration", D(2025, 9, 20)))
    case_services.family_member_add(
        actor=shelter, case=c, relationship="sibling", age_group="adult", served_from=D(2025, 9, 20)
    )

    # D: referred under consent to Legal Aid Two, which serves the same person: counted once.
    d = _intake(
        shelter,
        "Di",
        D(2025, 9, 1),
        {"age_group_at_intake": "adult", "gender": "transgender", "citizenship": "lpr"},
        referral_source="self",
    )
    _serve(shelter, d, ("safety_planning", D(2025, 10, 2)))
    consent = case_services.consent_record(
        actor=shelter,
        case=d,
        recipient_agency=world.agencies["alpha.vs2"],
        scope=["identity", "case_summary"],
        purpose="Civil legal help",
        signed_by="Di",
        signed_on=world_today(shelter) - dt.timedelta(days=1),
    )
    referral = le_services.referral_send(
        actor=shelter,
        to_agency=world.agencies["alpha.vs2"],
        payload={"summary": "Needs civil legal help", "name_or_alias": "Di"},
        case=d,
        consent=consent,
    )
    le_services.referral_accept(actor=legal, referral=referral)
    referral.refresh_from_db()
    linked_case = referral.resulting_case
    assert linked_case is not None
    assert linked_case.client.same_person_as_id == d.client_id
    # Sent and accepted in October 2025; the new case opened then (the services stamp "now").
    Referral.objects.filter(pk=referral.pk).update(
        created_at=at(D(2025, 10, 8)), decided_at=at(D(2025, 10, 9))
    )
    Case.objects.filter(pk=linked_case.pk).update(opened_on=D(2025, 10, 9))
    linked_case.refresh_from_db()
    _serve(legal, linked_case, ("legal_civil", D(2025, 10, 10)))

    # E at Shelter One and E at Legal Aid Two: the same name, no consented link -> two clients.
    same = {"age_group_at_intake": "adult", "gender": "female", "citizenship": "us_citizen"}
    e1 = _intake(shelter, "Eve", D(2025, 10, 1), same, trafficking_type="sex", referral_source="health")
    _serve(shelter, e1, ("case_management", D(2025, 10, 12)))
    e2 = _intake(legal, "Eve", D(2025, 10, 1), same, trafficking_type="sex", referral_source="health")
    _serve(legal, e2, ("case_management", D(2025, 10, 13)))

    # F: nothing reported at all; served once in October.
    f = _intake(shelter, "Fay", D(2025, 10, 1), {})
    _serve(shelter, f, ("basic_needs", D(2025, 10, 25)))

    # Certification requests from Legal Aid Two to the DA, decided by the prosecutor.
    prosecutor = world.actor("alpha.prosecutor")
    da = world.agencies["alpha.da"]
    u_visa = certifications.certification_request(
        actor=legal, case=e2, kind="u_visa", certifying_agency=da, requested_on=D(2025, 10, 9)
    )
    certifications.certification_request(
        actor=legal, case=e2, kind="t_visa", certifying_agency=da, requested_on=D(2025, 10, 11)
    )
    certifications.certification_request(
        actor=legal, case=e2, kind="continued_presence", certifying_agency=da, requested_on=D(2025, 10, 14)
    )
    t_visa_sept = certifications.certification_request(
        actor=legal, case=e2, kind="t_visa", certifying_agency=da, requested_on=D(2025, 9, 15)
    )
    declined = certifications.certification_request(
        actor=legal, case=e2, kind="u_visa", certifying_agency=da, requested_on=D(2025, 9, 16)
    )
    for request, status, decided in (
        (u_visa, "signed", D(2025, 10, 20)),
        (t_visa_sept, "signed", D(2025, 10, 2)),
        (declined, "declined", D(2025, 10, 3)),
    ):
        certifications.certification_set_status(actor=prosecutor, request=request, status=status, reason="-")
        CertificationRequest.objects.filter(pk=request.pk).update(decided_on=decided)


def world_today(actor: Actor) -> dt.date:
    return case_services.today_for(actor)


def _law_enforcement(world: World) -> None:
    investigator = world.actor("alpha.investigator")
    prosecutor = world.actor("alpha.prosecutor")
    for received_at, kind in (
        (at(D(2025, 9, 30)), "sex"),
        (at(D(2025, 10, 3)), "sex"),
        (at(D(2025, 10, 20)), "labor"),
        (at(D(2025, 10, 21)), None),  # unknown by default
        # 31 October, 20:00 in California: October in the task force's zone, November in UTC.
        (dt.datetime(2025, 11, 1, 3, tzinfo=UTC), "both"),
        (at(D(2025, 11, 2)), "sex"),
    ):
        data: dict[str, Any] = {
            "narrative": "Seen at a motel",
            "source": "hotline",
            "received_at": received_at,
        }
        if kind:
            data["trafficking_type"] = kind
        le_services.tip_create(actor=investigator, data=data)

    def investigation(opened_on: dt.date, title: str) -> Any:
        return le_services.investigation_create(
            actor=investigator, data={"title": title, "opened_on": opened_on, "trafficking_type": "sex"}
        )

    inv1 = investigation(D(2025, 10, 5), "October case")
    inv2 = investigation(D(2025, 9, 10), "September case")
    investigation(D(2025, 8, 1), "Summer case, still open")
    inv4 = investigation(D(2025, 6, 1), "Early summer case")
    le_services.investigation_update(
        actor=investigator, investigation=inv2, data={"status": "closed", "closed_on": D(2025, 10, 25)}
    )
    le_services.investigation_update(
        actor=investigator, investigation=inv4, data={"status": "closed", "closed_on": D(2025, 8, 15)}
    )
    for name, inv, day in (
        ("V1", inv1, D(2025, 10, 6)),
        ("V2", inv1, D(2025, 10, 6)),
        ("V3", inv2, D(2025, 9, 11)),
    ):
        le_services.victim_identify(
            actor=investigator, investigation=inv, data={"name_or_alias": name, "identified_on": day}
        )

    s1, _ = le_services.suspect_add(actor=investigator, investigation=inv1, data={"full_name": "Sam One"})
    s3, _ = le_services.suspect_add(actor=investigator, investigation=inv1, data={"full_name": "Sid Three"})
    s2, _ = le_services.suspect_add(actor=investigator, investigation=inv2, data={"full_name": "Sol Two"})
    le_services.arrest_record(actor=investigator, investigation=inv1, suspect=s1, arrested_on=D(2025, 10, 7))
    le_services.arrest_record(actor=investigator, investigation=inv2, suspect=s2, arrested_on=D(2025, 9, 20))

    october = le_services.prosecution_create(
        actor=prosecutor,
        investigation=inv1,
        data={"filed_on": D(2025, 10, 10), "court": "Superior Court", "court_case_number": "25-CR-1"},
    )
    september = le_services.prosecution_create(
        actor=prosecutor,
        investigation=inv2,
        data={"filed_on": D(2025, 9, 25), "court": "Superior Court", "court_case_number": "25-CR-2"},
    )
    d1 = le_services.defendant_add(
        actor=prosecutor, prosecution=october, suspect=s1, charged_on=D(2025, 10, 10)
    )
    le_services.charge_add(actor=prosecutor, defendant=d1, statute="PC 236.1")
    le_services.charge_add(actor=prosecutor, defendant=d1, statute="PC 266h")
    d3 = le_services.defendant_add(
        actor=prosecutor, prosecution=october, suspect=s3, charged_on=D(2025, 10, 12)
    )
    le_services.charge_add(actor=prosecutor, defendant=d3, statute="PC 211")
    d2 = le_services.defendant_add(
        actor=prosecutor, prosecution=september, suspect=s2, charged_on=D(2025, 9, 25)
    )
    le_services.charge_add(actor=prosecutor, defendant=d2, statute="18 U.S.C. 1589")
    le_services.defendant_dispose(
        actor=prosecutor, defendant=d1, disposition="plea", disposition_on=D(2025, 10, 28)
    )
    le_services.defendant_dispose(
        actor=prosecutor, defendant=d3, disposition="dismissed", disposition_on=D(2025, 10, 30)
    )
    le_services.defendant_dispose(
        actor=prosecutor, defendant=d2, disposition="convicted", disposition_on=D(2025, 10, 15)
    )


def _activity(world: World) -> None:
    coordinator = world.actor("alpha.coordinator")
    case_manager = world.actor("alpha.case_manager")
    services.training_record(
        actor=coordinator,
        data={
            "held_on": D(2025, 10, 8),
            "title": "Recognising trafficking",
            "hours": Decimal("3.5"),
            "attendees_law_enforcement": 10,
            "attendees_prosecution": 2,
            "attendees_victim_services": 5,
            "attendees_health": 1,
            "attendees_child_welfare": 3,
            "attendees_community": 4,
            "attendees_other": 1,
        },
    )
    services.training_record(
        actor=case_manager,
        data={
            "held_on": D(2025, 10, 22),
            "title": "Trauma-informed care",
            "hours": 2,
            "attendees_victim_services": 7,
            "attendees_community": 3,
        },
    )
    services.training_record(
        actor=coordinator,
        data={"held_on": D(2025, 9, 29), "title": "Roll call", "hours": 1, "attendees_law_enforcement": 6},
    )
    for day, reached in ((D(2025, 10, 3), 120), (D(2025, 10, 30), 45), (D(2025, 11, 2), 300)):
        services.outreach_record(
            actor=coordinator,
            data={"held_on": day, "kind": OutreachEvent.Kind.PRESENTATION, "people_reached": reached},
        )

    # MDT rows placed directly (the meeting services refuse past planning dates by design).
    task_force = world.task_forces["alpha"]
    user = world.users["alpha.coordinator"]
    team = MdtTeam.objects.create(task_force=task_force, name="Adult MDT")

    def meeting(starts_at: dt.datetime, status: str, reviews: int) -> MdtMeeting:
        row = MdtMeeting.objects.create(
            task_force=task_force, team=team, starts_at=starts_at, status=status, created_by=user
        )
        for position in range(reviews):
            CaseReview.objects.create(
                task_force=task_force,
                meeting=row,
                presenting_agency=world.agencies["alpha.vs"],
                mdt_code=f"A-{row.pk.hex[:4]}-{position}",
                position=position,
                presented_by=user,
            )
        return row

    m1 = meeting(at(D(2025, 10, 14)), "held", 2)
    meeting(at(D(2025, 10, 28)), "held", 1)
    meeting(at(D(2025, 10, 21)), "cancelled", 1)
    meeting(dt.datetime(2025, 11, 1, 2, tzinfo=UTC), "held", 0)  # 31 October in California
    meeting(at(D(2025, 9, 16)), "held", 1)
    for status, completed_on in (("done", D(2025, 10, 20)), ("done", D(2025, 11, 5)), ("open", None)):
        ActionItem.objects.create(
            task_force=task_force,
            team=team,
            meeting=m1,
            description="Follow up",
            owner_agency=world.agencies["alpha.vs"],
            due_on=D(2025, 10, 31),
            status=status,
            completed_on=completed_on,
        )


def _noise_in_beta(world: World) -> None:
    """Records of the other task force: never counted in alpha's report."""
    beta = world.actor("beta.vs_supervisor")
    case = _intake(beta, "Other", D(2025, 10, 1), {"gender": "female"}, trafficking_type="sex")
    _serve(beta, case, ("case_management", D(2025, 10, 2)))
    le_services.tip_create(
        actor=world.actor("beta.investigator"),
        data={"narrative": "Elsewhere", "source": "hotline", "received_at": at(D(2025, 10, 4))},
    )
    services.training_record(
        actor=world.actor("beta.coordinator"),
        data={"held_on": D(2025, 10, 8), "title": "Beta", "hours": 1, "attendees_other": 50},
    )


@pytest.fixture
def fx(world: World) -> Fixture:
    # The fixture's hours are written for California (a tip at 03:00 UTC on 1 November is
    # October there), so this task force keeps the demo's zone whatever the test world picks.
    TaskForce.objects.filter(pk=world.task_forces["alpha"].pk).update(time_zone="America/Los_Angeles")
    world.task_forces["alpha"].refresh_from_db()
    user = User.objects.create_user(
        email="sup2@alpha.test", password="a-long-test-password-1", full_name="sup2"
    )
    vs2_supervisor = Membership.objects.create(
        task_force=world.task_forces["alpha"],
        user=user,
        agency=world.agencies["alpha.vs2"],
        role=Role.VS_SUPERVISOR,
    )
    _victim_services(world)
    _law_enforcement(world)
    _activity(world)
    _noise_in_beta(world)
    return Fixture(world=world, vs2_supervisor=Actor.from_membership(vs2_supervisor))


# ------------------------------------------------------------------------------ expected values

VS_OCTOBER_2025 = expected(
    "victim_services",
    # A, B, D (served by two agencies, linked under consent: once), E at each agency (twice), F.
    clients_served=6,
    clients_new=6,  # FY2026 starts on 1 October: A, first served in September, is new again
    clients_continuing=0,
    clients_served__sex=3,  # A, E, E
    clients_served__labor=1,  # B
    clients_served__unknown=2,  # D, F
    clients_new__minor=1,
    clients_new__adult=4,
    clients_new__age_not_reported=1,  # F
    clients_new__gender__female=3,
    clients_new__gender__male=1,
    clients_new__gender__transgender=1,
    clients_new__gender__not_reported=1,
    clients_new__us_citizen_or_lpr=4,  # A, D (LPR), E, E
    clients_new__foreign_national=1,
    clients_new__citizenship_not_reported=1,
    clients_new__referral_source__hotline=1,
    clients_new__referral_source__law_enforcement_local=1,
    clients_new__referral_source__self=1,  # D's first delivery of the year was at Shelter One
    clients_new__referral_source__health=2,
    clients_new__referral_source__other=1,  # F, the default
    services__case_management__clients=3,
    services__case_management__deliveries=3,
    services__crisis_intervention__clients=1,
    services__crisis_intervention__deliveries=1,
    services__emergency_shelter__clients=1,
    services__emergency_shelter__deliveries=2,
    services__safety_planning__clients=1,
    services__safety_planning__deliveries=1,
    services__legal_civil__clients=1,
    services__legal_civil__deliveries=1,
    services__basic_needs__clients=1,
    services__basic_needs__deliveries=1,
    family_members_served=2,  # A's spouse, B's child (C's sibling: C not served in October)
    referrals__sent=1,
    referrals__received=1,
    referrals__accepted=1,
)

VS_SEPTEMBER_2025 = expected(
    "victim_services",
    clients_served=2,  # A, C (D's case opened but was not served)
    clients_new=2,
    clients_served__sex=1,
    clients_served__both=1,
    clients_new__adult=1,
    clients_new__age_not_reported=1,
    clients_new__gender__female=1,
    clients_new__gender__nonbinary=1,
    clients_new__us_citizen_or_lpr=1,
    clients_new__citizenship_not_reported=1,
    clients_new__referral_source__hotline=1,
    clients_new__referral_source__community=1,
    services__case_management__clients=1,
    services__case_management__deliveries=1,
    services__legal_immigration__clients=1,
    services__legal_immigration__deliveries=1,
    family_members_served=2,  # A's spouse, C's sibling
)

VS_NOVEMBER_2025 = expected(
    "victim_services",
    clients_served=1,
    clients_new=0,
    clients_continuing=1,  # A: first served this fiscal year in October
    clients_served__sex=1,
    services__case_management__clients=1,
    services__case_management__deliveries=1,
    family_members_served=1,
)

VS_Q1_FY2026 = expected(
    "victim_services",
    clients_served=6,  # A (October and November) and B (October and December) once each
    clients_new=6,
    clients_served__sex=3,
    clients_served__labor=1,
    clients_served__unknown=2,
    clients_new__minor=1,
    clients_new__adult=4,
    clients_new__age_not_reported=1,
    clients_new__gender__female=3,
    clients_new__gender__male=1,
    clients_new__gender__transgender=1,
    clients_new__gender__not_reported=1,
    clients_new__us_citizen_or_lpr=4,
    clients_new__foreign_national=1,
    clients_new__citizenship_not_reported=1,
    clients_new__referral_source__hotline=1,
    clients_new__referral_source__law_enforcement_local=1,
    clients_new__referral_source__self=1,
    clients_new__referral_source__health=2,
    clients_new__referral_source__other=1,
    services__case_management__clients=3,
    services__case_management__deliveries=4,
    services__crisis_intervention__clients=1,
    services__crisis_intervention__deliveries=1,
    services__emergency_shelter__clients=1,
    services__emergency_shelter__deliveries=2,
    services__medical__clients=1,
    services__medical__deliveries=1,
    services__safety_planning__clients=1,
    services__safety_planning__deliveries=1,
    services__legal_civil__clients=1,
    services__legal_civil__deliveries=1,
    services__basic_needs__clients=1,
    services__basic_needs__deliveries=1,
    family_members_served=2,
    referrals__sent=1,
    referrals__received=1,
    referrals__accepted=1,
)

LE_OCTOBER_2025 = expected(
    "law_enforcement",
    tips_received=4,  # the 31 October evening tip is October in the task force's zone
    tips_received__sex=1,
    tips_received__labor=1,
    tips_received__both=1,
    tips_received__unknown=1,
    investigations_opened=1,
    investigations_active=3,  # opened in October, closed in October, open since August
    investigations_closed=1,
    victims_identified=2,
    arrests=1,
    defendants_charged=2,
    defendants_charged__ht_charge=1,
    convictions=2,  # a plea and a trial conviction; a dismissal is not one
    certifications__requested=2,  # continued presence is apart
    certifications__signed=2,  # one requested in September; the declined one is not signed
    continued_presence__requested=1,
)

LE_SEPTEMBER_2025 = expected(
    "law_enforcement",
    tips_received=1,
    tips_received__sex=1,
    investigations_opened=1,
    investigations_active=2,
    victims_identified=1,
    arrests=1,
    defendants_charged=1,
    defendants_charged__ht_charge=1,
    certifications__requested=2,
)

LE_Q1_FY2026 = expected(
    "law_enforcement",
    tips_received=5,
    tips_received__sex=2,
    tips_received__labor=1,
    tips_received__both=1,
    tips_received__unknown=1,
    investigations_opened=1,
    investigations_active=3,
    investigations_closed=1,
    victims_identified=2,
    arrests=1,
    defendants_charged=2,
    defendants_charged__ht_charge=1,
    convictions=2,
    certifications__requested=2,
    certifications__signed=2,
    continued_presence__requested=1,
)

ACTIVITY_OCTOBER_2025 = expected(
    "activity",
    training__events=2,
    training__people_trained=36,
    training__people_trained__law_enforcement=10,
    training__people_trained__prosecution=2,
    training__people_trained__victim_services=12,
    training__people_trained__health=1,
    training__people_trained__child_welfare=3,
    training__people_trained__community=7,
    training__people_trained__other=1,
    outreach__events=2,
    outreach__people_reached=165,
    mdt__meetings=3,  # two held, one held on 31 October evening; the cancelled one is not
    mdt__cases_reviewed=3,
    mdt__action_items_completed=1,
)

ACTIVITY_SEPTEMBER_2025 = expected(
    "activity",
    training__events=1,
    training__people_trained=6,
    training__people_trained__law_enforcement=6,
    mdt__meetings=1,
    mdt__cases_reviewed=1,
)

ACTIVITY_Q1_FY2026 = expected(
    "activity",
    training__events=2,
    training__people_trained=36,
    training__people_trained__law_enforcement=10,
    training__people_trained__prosecution=2,
    training__people_trained__victim_services=12,
    training__people_trained__health=1,
    training__people_trained__child_welfare=3,
    training__people_trained__community=7,
    training__people_trained__other=1,
    outreach__events=3,
    outreach__people_reached=465,
    mdt__meetings=3,
    mdt__cases_reviewed=3,
    mdt__action_items_completed=2,
)


def _assert_blocks(got: dict[str, dict[str, int]], want: dict[str, dict[str, int]]) -> None:
    assert set(got) == set(want)
    for block in want:
        wrong = {
            code: (got[block].get(code), value)
            for code, value in want[block].items()
            if got[block].get(code) != value
        }
        assert not wrong, f"{block}: code -> (computed, expected): {wrong}"
        assert list(got[block]) == [code for code, _ in BLOCKS[block]]


# ------------------------------------------------------------------------------------- the tests


@pytest.mark.django_db
def test_every_code_has_an_expected_value() -> None:
    """The expected tables above name every code of reporting.md, nothing more."""
    for table, block in (
        (VS_OCTOBER_2025, "victim_services"),
        (LE_OCTOBER_2025, "law_enforcement"),
        (ACTIVITY_OCTOBER_2025, "activity"),
    ):
        assert list(table) == [code for code, _ in BLOCKS[block]]
    codes = [code for rows in BLOCKS.values() for code, _ in rows]
    assert len(codes) == len(set(codes))
    for required in (
        "clients_new.gender.not_reported",
        "clients_new.citizenship_not_reported",
        "clients_new.referral_source.law_enforcement_federal",
        "services.family_reunification.deliveries",
        "training.people_trained.child_welfare",
        "continued_presence.requested",
        "mdt.action_items_completed",
    ):
        assert required in codes


@pytest.mark.django_db
def test_october_2025_every_code(fx: Fixture) -> None:
    got = figures(fx.world.actor("alpha.analyst"), month(2025, 10))
    _assert_blocks(
        got,
        {
            "victim_services": VS_OCTOBER_2025,
            "law_enforcement": LE_OCTOBER_2025,
            "activity": ACTIVITY_OCTOBER_2025,
        },
    )


@pytest.mark.django_db
def test_september_2025_is_the_end_of_the_previous_fiscal_year(fx: Fixture) -> None:
    got = figures(fx.world.actor("alpha.coordinator"), month(2025, 9))
    _assert_blocks(
        got,
        {
            "victim_services": VS_SEPTEMBER_2025,
            "law_enforcement": LE_SEPTEMBER_2025,
            "activity": ACTIVITY_SEPTEMBER_2025,
        },
    )


@pytest.mark.django_db
def test_november_2025_client_first_served_in_october_is_continuing(fx: Fixture) -> None:
    got = figures(fx.world.actor("alpha.analyst"), month(2025, 11))
    assert got["victim_services"] == VS_NOVEMBER_2025


@pytest.mark.django_db
def test_quarter_recounts_clients_over_the_whole_period(fx: Fixture) -> None:
    quarter = measures.months_period(D(2025, 10, 1), 3)
    assert (quarter.start, quarter.end) == (D(2025, 10, 1), D(2025, 12, 31))
    got = figures(fx.world.actor("alpha.analyst"), quarter)
    _assert_blocks(
        got,
        {"victim_services": VS_Q1_FY2026, "law_enforcement": LE_Q1_FY2026, "activity": ACTIVITY_Q1_FY2026},
    )
    months = [figures(fx.world.actor("alpha.analyst"), month(2025, n)) for n in (10, 11, 12)]
    summed = sum(m["victim_services"]["clients_served"] for m in months)
    assert summed == 8  # A twice, B twice: a sum of months would overcount
    assert got["victim_services"]["clients_served"] == 6
    # Event counts are sums of months.
    assert got["activity"]["outreach.people_reached"] == sum(
        m["activity"]["outreach.people_reached"] for m in months
    )


@pytest.mark.django_db
def test_vs_supervisor_part_counts_only_their_agency(fx: Fixture) -> None:
    shelter = figures(fx.world.actor("alpha.vs_supervisor"), month(2025, 10))
    assert set(shelter) == {"victim_services"}
    assert shelter["victim_services"] == expected(
        "victim_services",
        clients_served=5,  # A, B, D, E, F: not Legal Aid Two's clients
        clients_new=5,
        clients_served__sex=2,
        clients_served__labor=1,
        clients_served__unknown=2,
        clients_new__minor=1,
        clients_new__adult=3,
        clients_new__age_not_reported=1,
        clients_new__gender__female=2,
        clients_new__gender__male=1,
        clients_new__gender__transgender=1,
        clients_new__gender__not_reported=1,
        clients_new__us_citizen_or_lpr=3,
        clients_new__foreign_national=1,
        clients_new__citizenship_not_reported=1,
        clients_new__referral_source__hotline=1,
        clients_new__referral_source__law_enforcement_local=1,
        clients_new__referral_source__self=1,
        clients_new__referral_source__health=1,
        clients_new__referral_source__other=1,
        services__case_management__clients=2,
        services__case_management__deliveries=2,
        services__crisis_intervention__clients=1,
        services__crisis_intervention__deliveries=1,
        services__emergency_shelter__clients=1,
        services__emergency_shelter__deliveries=2,
        services__safety_planning__clients=1,
        services__safety_planning__deliveries=1,
        services__basic_needs__clients=1,
        services__basic_needs__deliveries=1,
        family_members_served=2,
        referrals__sent=1,  # sent by Shelter One
    )
    legal_aid = figures(fx.vs2_supervisor, month(2025, 10))
    assert legal_aid["victim_services"] == expected(
        "victim_services",
        clients_served=2,  # the referred client and Eve
        clients_new=2,
        clients_served__sex=1,
        clients_served__unknown=1,
        clients_new__adult=2,
        clients_new__gender__female=1,
        clients_new__gender__transgender=1,
        clients_new__us_citizen_or_lpr=2,
        clients_new__referral_source__service_provider=1,  # the case the referral opened
        clients_new__referral_source__health=1,
        services__case_management__clients=1,
        services__case_management__deliveries=1,
        services__legal_civil__clients=1,
        services__legal_civil__deliveries=1,
        referrals__received=1,
        referrals__accepted=1,
    )


@pytest.mark.django_db
def test_law_enforcement_roles_get_the_le_block_only(fx: Fixture) -> None:
    for key in ("alpha.investigator", "alpha.prosecutor", "alpha.le_supervisor", "alpha.detective"):
        got = figures(fx.world.actor(key), month(2025, 10))
        assert got == {"law_enforcement": LE_OCTOBER_2025}, key


@pytest.mark.django_db
def test_monthly_report_answers_every_code_in_order(fx: Fixture) -> None:
    report = services.monthly_report(actor=fx.world.actor("alpha.analyst"), month=D(2025, 10, 1))
    assert report["task_force"] == "alpha"
    assert report["month"] == "2025-10"
    codes = [row["code"] for row in report["measures"]]
    assert codes == [code for rows in BLOCKS.values() for code, _ in rows]
    values = {row["code"]: row["value"] for row in report["measures"]}
    assert values == {**VS_OCTOBER_2025, **LE_OCTOBER_2025, **ACTIVITY_OCTOBER_2025}
    assert all(isinstance(row["label"], str) and row["label"] for row in report["measures"])


@pytest.mark.django_db
def test_other_task_force_counts_only_its_own(fx: Fixture) -> None:
    got = figures(fx.world.actor("beta.analyst"), month(2025, 10))
    assert got["victim_services"]["clients_served"] == 1
    assert got["law_enforcement"]["tips_received"] == 1
    assert got["activity"]["training.people_trained"] == 50
    assert got["activity"]["mdt.meetings"] == 0


def _deliveries(actor: Actor, case: Case, count: int, start: int) -> Iterable[None]:
    for n in range(start, start + count):
        case_services.service_record(
            actor=actor,
            case=case,
            service_type="case_management" if n % 2 else "mental_health",
            delivered_on=D(2025, 3, 1 + n % 28),
        )
        yield None


@pytest.mark.django_db
def test_no_query_growth_with_rows(world: World) -> None:
    supervisor = world.actor("alpha.vs_supervisor")
    analyst = world.actor("alpha.analyst")
    cases = [_intake(supervisor, f"Q{n}", D(2025, 2, 1), {"gender": "female"}) for n in range(5)]
    for case in cases:
        list(_deliveries(supervisor, case, 1, 0))

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            report = services.monthly_report(actor=analyst, month=D(2025, 3, 1))
        values = {row["code"]: row["value"] for row in report["measures"]}
        return len(queries), values["services.mental_health.deliveries"] + values[
            "services.case_management.deliveries"
        ]

    few, deliveries = count()
    assert deliveries == 5
    for case in cases:
        list(_deliveries(supervisor, case, 9, 1))
    many, deliveries = count()
    assert deliveries == 50
    assert many == few


@pytest.mark.django_db
def test_clients_are_never_matched_across_agencies_by_identity(world: World) -> None:
    """Same name and birth date at two agencies, no referral: two clients."""
    shelter = world.actor("alpha.vs_supervisor")
    legal = world.actor("alpha.other_agency_cm")
    same = {"date_of_birth": D(1990, 5, 1), "gender": "female"}
    for actor in (shelter, legal):
        case = _intake(actor, "Twin", D(2025, 4, 1), same)
        _serve(actor, case, ("case_management", D(2025, 4, 2)))
    got = figures(world.actor("alpha.analyst"), month(2025, 4))
    assert got["victim_services"]["clients_served"] == 2
    assert (
        Client.objects.filter(task_force=world.task_forces["alpha"], same_person_as__isnull=False).count()
        == 0
    )
