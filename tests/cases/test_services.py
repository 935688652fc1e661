"""Victim-service writes: validation, who may, what each write grants and what it audits."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from cases import services
from cases.codes import AgeGroup, ConsentCategory, Gender, ServiceCategory, TraffickingType
from cases.models import (
    Case,
    CaseNote,
    CaseStatusChange,
    CaseUserObjectPermission,
    Client,
    ClientIdentity,
    Consent,
    Screening,
    ServiceDelivery,
)
from cases.policies import visible_cases, visible_clients, visible_identities, visible_notes
from cases.screening import Answer, Form
from taskforce.access import Actor
from taskforce.models import AuditEvent, TaskForce
from tests.world import World, audit_events_since, everywhere, in_scope, last_audit_seq

pytestmark = pytest.mark.django_db

LA = zoneinfo.ZoneInfo("America/Los_Angeles")
SECOND = dt.timedelta(seconds=1)


# -- helpers ----------------------------------------------------------------------------------


def today(world: World, tf: str = "alpha") -> dt.date:
    task_force = TaskForce.objects.get(pk=world.task_forces[tf].pk)
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(task_force.time_zone))


def days_ago(world: World, days: int) -> dt.date:
    return today(world) - dt.timedelta(days=days)


def intake(
    world: World,
    key: str = "alpha.case_manager",
    *,
    first: str = "Wrenna",
    last: str = "Testwood",
    dob: dt.date | None = None,
    opened_on: dt.date | None = None,
    answers: dict[str, str] | None = None,
    **client: object,
) -> Case:
    case: dict[str, object] = {"trafficking_type": TraffickingType.LABOR, "referral_source": "hotline"}
    if opened_on is not None:
        case["opened_on"] = opened_on
    return services.intake_create(
        actor=world.actor(key),
        client={"first_name": first, "last_name": last, "date_of_birth": dob, **client},
        case=case,
        answers=answers,
    )


def refer_under_release(world: World, case: Case, to: str, key: str = "alpha.case_manager") -> None:
    from referrals.services import referral_send

    release = services.consent_record(
        actor=world.actor(key),
        case=case,
        recipient_agency=world.agencies[to],
        scope=["identity", "contact", "case_summary"],
        purpose="Services",
        signed_by="The client",
    )
    referral_send(
        actor=world.actor(key),
        to_agency=world.agencies[to],
        case=case,
        consent=release,
        payload={"summary": "Refer"},
    )


def rows() -> dict[str, int]:
    """Rows of every victim-services table and of the grant table, summed over the task forces."""

    def counts() -> dict[str, int]:
        found = {model.__name__: model.objects.count() for model in apps.get_app_config("cases").get_models()}
        found["grants"] = CaseUserObjectPermission.objects.count()
        return found

    each = everywhere(counts)
    return {key: sum(c[key] for c in each) for key in each[0]}


def last_seq() -> int:
    return last_audit_seq()


def events_since(seq: int) -> list[AuditEvent]:
    return audit_events_since(seq)


def actions_since(seq: int) -> list[str]:
    return [event.action for event in events_since(seq)]


def assert_no_content(seq: int, *texts: str) -> None:
    for event in events_since(seq):
        blob = json.dumps(event.detail) + event.target_type + event.target_id
        for text in texts:
            assert text not in blob, (event.action, text)


def consent(world: World, case: Case, key: str = "alpha.case_manager", **kwargs: object) -> Consent:
    values: dict[str, object] = {
        "recipient_agency": world.agencies["alpha.vs2"],
        "scope": [ConsentCategory.IDENTITY, ConsentCategory.SERVICES],
        "purpose": "Legal consultation",
        "signed_by": "Wrenna Testwood",
    }
    values.update(kwargs)
    return services.consent_record(actor=world.actor(key), case=case, **values)


# -- intake -----------------------------------------------------------------------------------


def test_intake_creates_client_identity_case_and_assigns_the_case_manager(world: World) -> None:
    before, seq = rows(), last_seq()
    case = intake(world, first="Oriana", last="Pellwick", gender=Gender.NONBINARY)
    after = rows()
    for model in ("Client", "ClientIdentity", "Case"):
        assert after[model] == before[model] + 1, model
    assert after["grants"] == before["grants"] + 1
    case.refresh_from_db()
    assert case.status == Case.Status.INTAKE
    assert case.agency_id == world.agencies["alpha.vs"].pk
    assert case.task_force_id == world.task_forces["alpha"].pk
    client = Client.objects.get(pk=case.client_id)
    assert client.gender == Gender.NONBINARY
    assert client.agency_id == case.agency_id
    assert ClientIdentity.objects.get(client=client).last_name == "Pellwick"

    assert list(visible_cases(world.actor("alpha.case_manager"))) == [case]
    assert list(visible_clients(world.actor("alpha.case_manager"))) == [client]
    assert not visible_cases(world.actor("alpha.case_manager_2")).exists()
    assert list(visible_cases(world.actor("alpha.vs_supervisor"))) == [case]

    actions = actions_since(seq)
    assert actions.count("case.created") == 1
    assert "grant.added" in actions
    created = next(e for e in events_since(seq) if e.action == "case.created")
    assert created.target_id == str(case.pk)
    assert_no_content(seq, "Oriana", "Pellwick")


def test_supervisor_intake_leaves_the_case_unassigned(world: World) -> None:
    before = rows()
    case = intake(world, "alpha.vs_supervisor")
    assert rows()["grants"] == before["grants"]
    assert list(visible_cases(world.actor("alpha.vs_supervisor"))) == [case]
    for key in ("alpha.case_manager", "alpha.case_manager_2"):
        assert not visible_cases(world.actor(key)).exists(), key


def test_future_date_of_birth_is_refused_and_nothing_written(world: World) -> None:
    before, seq = rows(), last_seq()
    with pytest.raises(ValidationError) as caught:
        intake(world, dob=today(world) + dt.timedelta(days=1))
    assert "date_of_birth" in caught.value.message_dict
    assert rows() == before
    assert events_since(seq) == []


def test_future_opening_date_and_missing_names_are_refused(world: World) -> None:
    before = rows()
    with pytest.raises(ValidationError) as caught:
        intake(world, opened_on=today(world) + dt.timedelta(days=1))
    assert "opened_on" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        intake(world, first="  ", last="")
    assert set(caught.value.message_dict) >= {"first_name", "last_name"}
    assert rows() == before


@pytest.mark.parametrize(
    "key",
    [
        "alpha.investigator",
        "alpha.detective",
        "alpha.prosecutor",
        "alpha.le_supervisor",
        "alpha.coordinator",
        "alpha.tenant_admin",
        "alpha.analyst",
    ],
)
def test_intake_is_refused_outside_victim_services(world: World, key: str) -> None:
    before, seq = rows(), last_seq()
    with pytest.raises(PermissionDenied):
        intake(world, key)
    assert rows() == before
    assert events_since(seq) == []


def test_age_group_is_derived_from_date_of_birth_at_opening(world: World) -> None:
    adult = intake(world, first="Ada", dob=today(world).replace(year=today(world).year - 30))
    assert Client.objects.get(pk=adult.client_id).age_group_at_intake == AgeGroup.ADULT
    assert adult.minor_at_intake is False

    minor = intake(world, first="Mina", dob=today(world).replace(year=today(world).year - 16))
    assert Client.objects.get(pk=minor.client_id).age_group_at_intake == AgeGroup.MINOR
    assert minor.minor_at_intake is True

    # Eighteen today, but seventeen on the day the case opened: a minor at intake.
    opened = days_ago(world, 30)
    born = today(world).replace(year=today(world).year - 18) - dt.timedelta(days=1)
    late = intake(world, first="Lena", dob=born, opened_on=opened)
    assert Client.objects.get(pk=late.client_id).age_group_at_intake == AgeGroup.MINOR
    assert late.minor_at_intake is True

    unknown = intake(world, first="Nora")
    assert Client.objects.get(pk=unknown.client_id).age_group_at_intake == AgeGroup.NOT_REPORTED
    assert unknown.minor_at_intake is False


def test_duplicates_are_counted_inside_the_own_agency_only(world: World) -> None:
    born = dt.date(1990, 5, 17)
    intake(world, first="Talia", last="Quenby", dob=born)
    intake(world, "alpha.other_agency_cm", first="Talia", last="Quenby", dob=born)
    intake(world, "beta.case_manager", first="Talia", last="Quenby", dob=born)
    for key in ("alpha.case_manager", "alpha.case_manager_2", "alpha.vs_supervisor"):
        count = services.intake_duplicates(
            actor=world.actor(key), first_name=" talia ", last_name="QUENBY", date_of_birth=born
        )
        assert count == 1, key
    assert (
        services.intake_duplicates(
            actor=world.actor("alpha.case_manager"),
            first_name="Talia",
            last_name="Quenby",
            date_of_birth=dt.date(1991, 5, 17),
        )
        == 0
    )
    # vs2 sees its own one only; law enforcement counts nothing at all.
    assert (
        services.intake_duplicates(
            actor=world.actor("alpha.other_agency_cm"),
            first_name="Talia",
            last_name="Quenby",
            date_of_birth=None,
        )
        == 1
    )
    assert (
        services.intake_duplicates(
            actor=world.actor("alpha.investigator"),
            first_name="Talia",
            last_name="Quenby",
            date_of_birth=None,
        )
        == 0
    )


def test_intake_answers_record_the_short_screening(world: World) -> None:
    seq = last_seq()
    case = intake(world, answers={"control_leave": Answer.YES, "threat_harm": Answer.NO})
    screening = Screening.objects.get(case=case)
    assert screening.form == Form.SHORT
    assert screening.flagged is True  # a sign of coercion
    assert actions_since(seq).count("screening.recorded") == 1


def test_backdated_intake_dates_its_short_screening_on_the_opening_day(world: World) -> None:
    """BUG: intake_create records the intake's short screening with ``screened_on=today`` even
    when the intake is entered with an earlier ``opened_on``; it was asked at intake."""
    opened = days_ago(world, 20)
    case = intake(world, opened_on=opened, answers={"control_leave": Answer.NO})
    assert Screening.objects.get(case=case).screened_on == opened


# -- services ---------------------------------------------------------------------------------


def test_service_dates_are_checked(world: World) -> None:
    case = intake(world, opened_on=days_ago(world, 10))
    actor = world.actor("alpha.case_manager")
    before = rows()
    with pytest.raises(ValidationError) as caught:
        services.service_record(
            actor=actor,
            case=case,
            service_type=ServiceCategory.CASE_MANAGEMENT,
            delivered_on=days_ago(world, 11),
        )
    assert "delivered_on" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.service_record(
            actor=actor,
            case=case,
            service_type=ServiceCategory.CASE_MANAGEMENT,
            delivered_on=today(world) + dt.timedelta(days=1),
        )
    assert "delivered_on" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.service_record(actor=actor, case=case, service_type="massage", delivered_on=today(world))
    assert rows() == before
    # The opening day and today are both fine.
    services.service_record(
        actor=actor, case=case, service_type=ServiceCategory.CASE_MANAGEMENT, delivered_on=days_ago(world, 10)
    )
    services.service_record(
        actor=actor, case=case, service_type=ServiceCategory.CASE_MANAGEMENT, delivered_on=today(world)
    )
    assert ServiceDelivery.objects.filter(case=case).count() == 2


def test_providing_agency_of_another_task_force_is_refused(world: World) -> None:
    case = intake(world)
    before = rows()
    with pytest.raises(ValidationError) as caught:
        services.service_record(
            actor=world.actor("alpha.case_manager"),
            case=case,
            service_type=ServiceCategory.LEGAL_IMMIGRATION,
            delivered_on=today(world),
            providing_agency=world.agencies["beta.vs2"],
        )
    assert "providing_agency" in caught.value.message_dict
    assert rows() == before
    # Another agency of the task force provides only once the client is referred there under a
    # current release (tests/cases/test_providing_agency.py).
    refer_under_release(world, case, "alpha.vs2")
    service = services.service_record(
        actor=world.actor("alpha.case_manager"),
        case=case,
        service_type=ServiceCategory.LEGAL_IMMIGRATION,
        delivered_on=today(world),
        providing_agency=world.agencies["alpha.vs2"],
    )
    assert service.providing_agency_id == world.agencies["alpha.vs2"].pk
    assert service.agency_id == world.agencies["alpha.vs"].pk
    assert service.client_id == case.client_id


def test_first_service_opens_the_case_and_moves_last_contact(world: World) -> None:
    case = intake(world, opened_on=days_ago(world, 30))
    actor = world.actor("alpha.case_manager")
    assert case.status == Case.Status.INTAKE
    seq = last_seq()
    services.service_record(
        actor=actor,
        case=case,
        service_type=ServiceCategory.CRISIS_INTERVENTION,
        delivered_on=days_ago(world, 20),
    )
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN
    assert case.last_contact_on == days_ago(world, 20)
    assert actions_since(seq) == ["service.recorded"]
    # A later service moves the last contact; an earlier one entered afterwards does not.
    services.service_record(
        actor=actor, case=case, service_type=ServiceCategory.BASIC_NEEDS, delivered_on=days_ago(world, 5)
    )
    services.service_record(
        actor=actor, case=case, service_type=ServiceCategory.BASIC_NEEDS, delivered_on=days_ago(world, 25)
    )
    case.refresh_from_db()
    assert case.last_contact_on == days_ago(world, 5)


# -- consents ---------------------------------------------------------------------------------


def test_consent_expires_after_ninety_days_by_default(world: World) -> None:
    case = intake(world)
    seq = last_seq()
    record = consent(world, case, signed_on=days_ago(world, 2))
    assert record.expires_on == days_ago(world, 2) + dt.timedelta(days=90)
    assert record.recipient_agency_id == world.agencies["alpha.vs2"].pk
    assert actions_since(seq) == ["consent.recorded"]
    assert_no_content(seq, "Wrenna", "Testwood", "Legal consultation")


def test_consent_longer_than_a_year_or_ending_before_signature_is_refused(world: World) -> None:
    case = intake(world)
    signed = days_ago(world, 1)
    before = rows()
    with pytest.raises(ValidationError) as caught:
        consent(world, case, signed_on=signed, expires_on=signed + dt.timedelta(days=366))
    assert "expires_on" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        consent(world, case, signed_on=signed, expires_on=signed - dt.timedelta(days=1))
    assert "expires_on" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        consent(world, case, signed_on=today(world) + dt.timedelta(days=1))
    assert "signed_on" in caught.value.message_dict
    assert rows() == before
    assert consent(world, case, signed_on=signed, expires_on=signed + dt.timedelta(days=365)).pk


def test_task_force_limit_shorter_than_a_year_is_enforced(world: World) -> None:
    TaskForce.objects.filter(pk=world.task_forces["alpha"].pk).update(consent_max_days=30)
    case = intake(world)
    signed = days_ago(world, 1)
    with pytest.raises(ValidationError) as caught:
        consent(world, case, signed_on=signed, expires_on=signed + dt.timedelta(days=31))
    assert "expires_on" in caught.value.message_dict
    assert consent(world, case, signed_on=signed, expires_on=signed + dt.timedelta(days=30)).pk
    # The default shrinks to the limit too.
    assert consent(world, case, signed_on=signed).expires_on == signed + dt.timedelta(days=30)
    # Beta keeps the year.
    beta_case = intake(world, "beta.case_manager")
    record = services.consent_record(
        actor=world.actor("beta.case_manager"),
        case=beta_case,
        recipient_agency=world.agencies["beta.vs2"],
        scope=[ConsentCategory.IDENTITY],
        purpose="Referral",
        signed_by="Client",
        signed_on=signed,
        expires_on=signed + dt.timedelta(days=200),
    )
    assert record.pk


def test_minor_consent_needs_a_guardian_who_is_not_the_suspect(world: World) -> None:
    case = intake(world, dob=today(world).replace(year=today(world).year - 15))
    before = rows()
    with pytest.raises(ValidationError) as caught:
        consent(world, case)
    assert set(caught.value.message_dict) >= {"guardian_name", "guardian_not_suspect"}
    with pytest.raises(ValidationError) as caught:
        consent(world, case, guardian_name="Guardian Testwood", guardian_not_suspect=False)
    assert "guardian_not_suspect" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        consent(world, case, guardian_name="  ", guardian_not_suspect=True)
    assert "guardian_name" in caught.value.message_dict
    assert rows() == before
    record = consent(world, case, guardian_name="Guardian Testwood", guardian_not_suspect=True)
    assert record.guardian_not_suspect is True


def test_minor_flag_from_reported_age_group_alone_also_needs_a_guardian(world: World) -> None:
    case = intake(world, age_group_at_intake=AgeGroup.MINOR)
    assert case.minor_at_intake is True
    with pytest.raises(ValidationError):
        consent(world, case)


def test_recipient_must_be_another_agency_of_the_task_force(world: World) -> None:
    case = intake(world)
    before = rows()
    with pytest.raises(ValidationError) as caught:
        consent(world, case, recipient_agency=world.agencies["alpha.vs"])
    assert "recipient_agency" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        consent(world, case, recipient_agency=world.agencies["beta.vs2"])
    assert "recipient_agency" in caught.value.message_dict
    assert rows() == before


def test_validity_ends_at_the_end_of_the_expiry_day_in_the_task_force_zone(world: World) -> None:
    task_force = world.task_forces["alpha"]
    task_force.time_zone = "America/Los_Angeles"
    task_force.save(update_fields=["time_zone"])
    case = intake(world)
    signed = days_ago(world, 3)
    expires_on = signed + dt.timedelta(days=10)
    record = consent(world, case, signed_on=signed, expires_on=expires_on)
    record.refresh_from_db()
    end = dt.datetime.combine(expires_on + dt.timedelta(days=1), dt.time.min, tzinfo=LA)
    assert record.expires_at == end
    assert record.is_valid_at(end - SECOND)
    assert not record.is_valid_at(end)
    assert not record.is_valid_at(end + SECOND)
    assert record.state_at(end - SECOND) == Consent.State.EXPIRING
    assert record.state_at(end + SECOND) == Consent.State.EXPIRED
    # Midnight UTC after the expiry day is still the expiry day in California: valid.
    utc_midnight = dt.datetime.combine(expires_on + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    assert record.is_valid_at(utc_midnight)

    # The same release in a task force kept in UTC ends seven or eight hours earlier.
    task_force.time_zone = "UTC"
    task_force.save(update_fields=["time_zone"])
    utc_record = consent(world, case, signed_on=signed, expires_on=expires_on)
    utc_record.refresh_from_db()
    assert utc_record.expires_at == utc_midnight
    assert end - utc_record.expires_at in (dt.timedelta(hours=7), dt.timedelta(hours=8))
    assert utc_record.is_valid_at(utc_midnight - SECOND)
    assert not utc_record.is_valid_at(utc_midnight + SECOND)


def test_expiring_within_fourteen_days(world: World) -> None:
    case = intake(world, opened_on=days_ago(world, 100))
    soon = consent(world, case, signed_on=days_ago(world, 80))  # 90 days: ten left
    later = consent(world, case, signed_on=days_ago(world, 1))
    now = timezone.now()
    assert soon.state_at(now) == Consent.State.EXPIRING
    assert soon.is_valid_at(now)
    assert later.state_at(now) == Consent.State.ACTIVE
    boundary = later.expires_at - dt.timedelta(days=Consent.EXPIRING_DAYS)
    assert later.state_at(boundary - SECOND) == Consent.State.ACTIVE
    assert later.state_at(boundary) == Consent.State.EXPIRING


def test_revocation_takes_effect_at_once_and_only_once(world: World) -> None:
    case = intake(world)
    record = consent(world, case)
    before_revocation = timezone.now()
    seq = last_seq()
    services.consent_revoke(actor=world.actor("alpha.case_manager"), consent=record, note="Client withdrew")
    record.refresh_from_db()
    assert record.revoked_at is not None
    assert record.state_at(timezone.now()) == Consent.State.REVOKED
    assert not record.is_valid_at(timezone.now())
    assert record.state_at(record.revoked_at) == Consent.State.REVOKED
    assert record.is_valid_at(before_revocation - SECOND)
    assert actions_since(seq) == ["consent.revoked"]
    assert_no_content(seq, "Client withdrew")
    with pytest.raises(ValidationError):
        services.consent_revoke(actor=world.actor("alpha.case_manager"), consent=record)
    record.refresh_from_db()
    assert record.revocation_note == "Client withdrew"


# -- close and reopen -------------------------------------------------------------------------


def test_close_and_reopen_keep_a_history_with_reasons(world: World) -> None:
    actor = world.actor("alpha.case_manager")
    case = intake(world, opened_on=days_ago(world, 40))
    services.service_record(
        actor=actor, case=case, service_type=ServiceCategory.CASE_MANAGEMENT, delivered_on=days_ago(world, 39)
    )
    before = rows()
    with pytest.raises(ValidationError) as caught:
        services.case_close(actor=actor, case=case, reason="")
    assert "closure_reason" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.case_close(actor=actor, case=case, reason="bored")
    with pytest.raises(ValidationError) as caught:
        services.case_close(actor=actor, case=case, reason="goals_met", closed_on=days_ago(world, 41))
    assert "closed_on" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.case_reopen(actor=actor, case=case, reason="not closed yet")
    assert rows() == before

    seq = last_seq()
    services.case_close(
        actor=actor, case=case, reason=Case.ClosureReason.GOALS_MET, closed_on=days_ago(world, 1)
    )
    case.refresh_from_db()
    assert (case.status, case.closure_reason, case.closed_on) == (
        Case.Status.CLOSED,
        Case.ClosureReason.GOALS_MET,
        days_ago(world, 1),
    )
    with pytest.raises(ValidationError):
        services.case_close(actor=actor, case=case, reason=Case.ClosureReason.GOALS_MET)
    with pytest.raises(ValidationError) as caught:
        services.case_reopen(actor=actor, case=case, reason="   ")
    assert "reopen_reason" in caught.value.message_dict
    services.case_reopen(actor=actor, case=case, reason="Client came back for housing help")
    case.refresh_from_db()
    assert (case.status, case.closure_reason, case.closed_on) == (Case.Status.OPEN, "", None)

    history = list(CaseStatusChange.objects.filter(case=case).order_by("created_at"))
    assert [(h.from_status, h.to_status, h.reason) for h in history] == [
        (Case.Status.OPEN, Case.Status.CLOSED, Case.ClosureReason.GOALS_MET),
        (Case.Status.CLOSED, Case.Status.OPEN, "Client came back for housing help"),
    ]
    assert {h.changed_by_id for h in history} == {world.users["alpha.case_manager"].pk}
    assert actions_since(seq) == ["case.closed", "case.reopened"]
    assert_no_content(seq, "Client came back")


def test_closing_in_the_future_is_refused(world: World) -> None:
    """BUG: case_close accepts a ``closed_on`` after today (every other date is checked)."""
    case = intake(world)
    with pytest.raises(ValidationError):
        services.case_close(
            actor=world.actor("alpha.case_manager"),
            case=case,
            reason=Case.ClosureReason.GOALS_MET,
            closed_on=today(world) + dt.timedelta(days=30),
        )


def test_case_update_changes_codes_and_audits_field_names(world: World) -> None:
    case = intake(world)
    seq = last_seq()
    services.case_update(
        actor=world.actor("alpha.case_manager"), case=case, data={"trafficking_type": TraffickingType.BOTH}
    )
    case.refresh_from_db()
    assert case.trafficking_type == TraffickingType.BOTH
    events = events_since(seq)
    assert [e.action for e in events] == ["case.changed"]
    assert events[0].detail == {"fields": ["trafficking_type"]}


def test_case_update_status_is_validated_and_audited(world: World) -> None:
    """BUG: ``case_update`` with a status other than closed (from a non-closed case) goes through
    ``_set_status`` without validation and without an audit row: any string is stored as the
    status, and intake -> open leaves no ``case.changed`` event."""
    case = intake(world)
    actor = world.actor("alpha.case_manager")
    before = rows()
    with pytest.raises(ValidationError):
        services.case_update(actor=actor, case=case, data={"status": "bogus"})
    assert rows() == before
    case.refresh_from_db()
    assert case.status == Case.Status.INTAKE
    seq = last_seq()
    services.case_update(actor=actor, case=case, data={"status": Case.Status.OPEN})
    assert len(actions_since(seq)) == 1


# -- assignment -------------------------------------------------------------------------------


def test_supervisor_assigns_and_unassigns_and_visibility_follows(world: World) -> None:
    case = intake(world, "alpha.vs_supervisor")
    supervisor = world.actor("alpha.vs_supervisor")
    second = world.memberships["alpha.case_manager_2"]
    seq = last_seq()
    services.case_assign(actor=supervisor, case=case, membership=second)
    assert "case.assigned" in actions_since(seq)
    assert list(visible_cases(world.actor("alpha.case_manager_2"))) == [case]
    assert not visible_cases(world.actor("alpha.case_manager")).exists()
    assignees = services.case_assignees(actor=supervisor, case=case)
    assert [m.pk for m in assignees] == [second.pk]

    seq = last_seq()
    services.case_unassign(actor=supervisor, case=case, membership=second)
    assert "case.unassigned" in actions_since(seq)
    assert not visible_cases(world.actor("alpha.case_manager_2")).exists()
    assert not visible_identities(world.actor("alpha.case_manager_2")).exists()


@pytest.mark.parametrize(
    "member",
    [
        "alpha.other_agency_cm",
        "alpha.investigator",
        "alpha.vs_supervisor",
        "beta.case_manager",
        "alpha.analyst",
    ],
)
def test_assignment_outside_the_agency_case_managers_is_refused(world: World, member: str) -> None:
    case = intake(world, "alpha.vs_supervisor")
    before, seq = rows(), last_seq()
    with pytest.raises(ValidationError):
        services.case_assign(
            actor=world.actor("alpha.vs_supervisor"), case=case, membership=world.memberships[member]
        )
    assert rows() == before
    assert events_since(seq) == []


def test_inactive_case_manager_cannot_be_assigned(world: World) -> None:
    case = intake(world, "alpha.vs_supervisor")
    membership = world.memberships["alpha.case_manager_2"]
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    with pytest.raises(ValidationError):
        services.case_assign(actor=world.actor("alpha.vs_supervisor"), case=case, membership=membership)


@pytest.mark.parametrize("key", ["alpha.case_manager", "alpha.investigator", "beta.vs_supervisor"])
def test_only_the_agency_supervisor_assigns(world: World, key: str) -> None:
    case = intake(world)
    before = rows()
    for call in (services.case_assign, services.case_unassign):
        with pytest.raises(PermissionDenied):
            call(actor=world.actor(key), case=case, membership=world.memberships["alpha.case_manager_2"])
    assert rows() == before
    assert visible_cases(world.actor("alpha.case_manager")).filter(pk=case.pk).exists()


# -- notes ------------------------------------------------------------------------------------


def test_privileged_note_for_author_and_supervisor_only(world: World) -> None:
    case = intake(world)
    author = world.actor("alpha.case_manager")
    services.case_assign(
        actor=world.actor("alpha.vs_supervisor"),
        case=case,
        membership=world.memberships["alpha.case_manager_2"],
    )
    seq = last_seq()
    plain = services.note_add(actor=author, case=case, text="Plain note PLAIN-MARKER")
    privileged = services.note_add(actor=author, case=case, text="Session PRIV-MARKER", privileged=True)
    by_supervisor = services.note_add(
        actor=world.actor("alpha.vs_supervisor"), case=case, text="Supervisor SUP-MARKER", privileged=True
    )
    events = events_since(seq)
    assert [e.action for e in events] == ["note.added"] * 3
    assert [e.detail["privileged"] for e in events] == [False, True, True]
    assert_no_content(seq, "PLAIN-MARKER", "PRIV-MARKER", "SUP-MARKER")

    def seen(key: str) -> set:
        return set(visible_notes(world.actor(key)).values_list("pk", flat=True))

    assert seen("alpha.case_manager") == {plain.pk, privileged.pk}
    assert seen("alpha.case_manager_2") == {plain.pk}
    assert seen("alpha.vs_supervisor") == {plain.pk, privileged.pk, by_supervisor.pk}
    for key in ("alpha.other_agency_cm", "alpha.coordinator", "alpha.le_supervisor", "beta.vs_supervisor"):
        assert seen(key) == set(), key


def test_empty_note_is_refused(world: World) -> None:
    case = intake(world)
    before = rows()
    with pytest.raises(ValidationError):
        services.note_add(actor=world.actor("alpha.case_manager"), case=case, text="   ")
    assert rows() == before


# -- screening --------------------------------------------------------------------------------


def test_screening_refuses_unknown_questions_and_answers(world: World) -> None:
    case = intake(world)
    actor = world.actor("alpha.case_manager")
    before, seq = rows(), last_seq()
    for form, answers in (
        (Form.SHORT, {"favourite_colour": Answer.YES}),
        (Form.SHORT, {"control_money": Answer.YES}),  # long form only
        (Form.LONG, {"control_leave": "maybe"}),
        ("medium", {"control_leave": Answer.YES}),
    ):
        with pytest.raises(ValidationError):
            services.screening_record(actor=actor, case=case, form=form, answers=answers)
    with pytest.raises(ValidationError):
        services.screening_record(
            actor=actor,
            case=case,
            form=Form.SHORT,
            answers={"control_leave": Answer.NO},
            screened_on=today(world) + dt.timedelta(days=1),
        )
    assert rows() == before
    assert events_since(seq) == []


def test_commercial_sex_flags_a_minor_not_an_adult(world: World) -> None:
    answers = {"sex_exchange": Answer.YES, "control_leave": Answer.NO}
    minor = intake(world, first="Mina", dob=today(world).replace(year=today(world).year - 16))
    adult = intake(world, first="Ada", dob=today(world).replace(year=today(world).year - 30))
    actor = world.actor("alpha.case_manager")
    for_minor = services.screening_record(actor=actor, case=minor, form=Form.SHORT, answers=answers)
    for_adult = services.screening_record(actor=actor, case=adult, form=Form.SHORT, answers=answers)
    assert for_minor.flagged is True
    assert for_minor.summary["minor_commercial_sex"] is True
    assert for_adult.flagged is False
    assert for_adult.summary["minor_commercial_sex"] is False


def test_screening_summary_counts_indicators_by_domain(world: World) -> None:
    case = intake(world)
    seq = last_seq()
    record = services.screening_record(
        actor=world.actor("alpha.case_manager"),
        case=case,
        form=Form.LONG,
        answers={
            "control_leave": Answer.YES,
            "control_documents": Answer.YES,
            "threat_harm": Answer.YES,
            "work_unpaid": Answer.NO,
            "isolate_outside": Answer.NO,  # not allowed out alone: the concerning answer
            "isolate_contact": Answer.DECLINED,
            "recruit_debt": Answer.UNSURE,
        },
    )
    assert record.summary["indicators"] == {"coercion": 2, "violence": 1, "isolation": 1}
    assert record.summary["indicator_count"] == 4
    assert record.flagged is True
    events = events_since(seq)
    assert [e.action for e in events] == ["screening.recorded"]
    assert events[0].detail == {"form": Form.LONG, "flagged": True}

    calm = services.screening_record(
        actor=world.actor("alpha.case_manager"),
        case=case,
        form=Form.LONG,
        answers={"recruit_promise": Answer.YES, "isolate_outside": Answer.YES},
    )
    assert calm.summary["indicators"] == {"recruitment": 1}
    assert calm.flagged is False


# -- plan and family --------------------------------------------------------------------------


def test_plan_items_and_family_members_are_audited(world: World) -> None:
    case = intake(world)
    actor = world.actor("alpha.case_manager")
    seq = last_seq()
    item = services.plan_item_add(
        actor=actor, case=case, need=ServiceCategory.TRANSITIONAL_HOUSING, goal="Own lease GOAL-MARKER"
    )
    services.plan_item_set_status(actor=actor, item=item, status="met")
    services.family_member_add(actor=actor, case=case, relationship="child", age_group=AgeGroup.MINOR)
    assert actions_since(seq) == ["plan_item.added", "plan_item.changed", "family_member.added"]
    assert_no_content(seq, "GOAL-MARKER")
    with pytest.raises(ValidationError):
        services.plan_item_set_status(actor=actor, item=item, status="done-ish")
    with pytest.raises(ValidationError):
        services.family_member_add(
            actor=actor,
            case=case,
            relationship="child",
            age_group=AgeGroup.MINOR,
            served_from=today(world) + dt.timedelta(days=2),
        )


# -- refusals write nothing -------------------------------------------------------------------


def _writes(world: World, actor: Actor, case: Case) -> list:
    with in_scope(case.task_force_id):
        consent_on_case = Consent.objects.filter(case=case).first()
    return [
        lambda: services.service_record(
            actor=actor, case=case, service_type=ServiceCategory.CASE_MANAGEMENT, delivered_on=today(world)
        ),
        lambda: services.note_add(actor=actor, case=case, text="note"),
        lambda: consent(world, case, key=actor_key(world, actor)),
        lambda: services.consent_revoke(actor=actor, consent=consent_on_case),
        lambda: services.screening_record(
            actor=actor, case=case, form=Form.SHORT, answers={"control_leave": Answer.NO}
        ),
        lambda: services.plan_item_add(actor=actor, case=case, need="medical", goal="Check-up"),
        lambda: services.family_member_add(actor=actor, case=case, relationship="child", age_group="minor"),
        lambda: services.case_close(actor=actor, case=case, reason=Case.ClosureReason.GOALS_MET),
        lambda: services.case_update(actor=actor, case=case, data={"trafficking_type": TraffickingType.SEX}),
    ]


def actor_key(world: World, actor: Actor) -> str:
    return next(key for key, m in world.memberships.items() if m.pk == actor.membership_id)


@pytest.mark.parametrize(
    "key",
    [
        "alpha.investigator",
        "alpha.le_supervisor",
        "alpha.coordinator",
        "alpha.tenant_admin",
        "alpha.analyst",
        "alpha.other_agency_cm",
        "alpha.superuser_member",
        "beta.vs_supervisor",
        "beta.case_manager",
    ],
)
def test_writes_outside_the_wall_are_refused_and_write_nothing(world: World, key: str) -> None:
    case = intake(world)
    consent(world, case)
    before, seq = rows(), last_seq()
    for write in _writes(world, world.actor(key), case):
        with pytest.raises((PermissionDenied, Http404, Case.DoesNotExist)):
            write()
    assert rows() == before
    assert events_since(seq) == []
    world.use("alpha")
    case.refresh_from_db()
    assert case.trafficking_type == TraffickingType.LABOR
    assert case.status == Case.Status.INTAKE


def test_unassigned_case_manager_of_the_agency_cannot_write(world: World) -> None:
    """BUG: ``policies.can_write_case`` checks role and agency only, so every case manager of the
    agency may record services, notes, consents, screenings, closures... on cases they are not
    assigned to and cannot see (its docstring: 'Anyone who sees the case may')."""
    case = intake(world)
    consent(world, case)
    actor = world.actor("alpha.case_manager_2")
    assert not visible_cases(actor).filter(pk=case.pk).exists()
    before = rows()
    succeeded = []
    for index, write in enumerate(_writes(world, actor, case)):
        try:
            write()
        except (PermissionDenied, Http404, Case.DoesNotExist):
            continue
        succeeded.append(index)
    assert succeeded == []
    assert rows() == before
    assert not CaseNote.objects.filter(case=case, author=world.users["alpha.case_manager_2"]).exists()
