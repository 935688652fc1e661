"""Issue 12, item 6: the certification round. Services (start from a case or an investigation,
decide with a reason, signer, dates and the USCIS deadline, link the investigation, share the
release later) and the wall around it: the victim reference only under the client's release to
the certifying agency, nothing for another agency or task force, a restricted investigation's
details only for its team and LE supervisors. Audit rows carry no names."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from cases import services as case_services
from cases.models import Case, Consent
from referrals import certifications, policies, services
from referrals.models import CertificationRequest, IdentifiedVictim, Investigation
from referrals.reminders import send_certification_deadline_reminders
from referrals.services import ReferralConflict
from taskforce.access import NotFoundOrForbidden
from taskforce.models import AuditEvent
from tests.world import World, audit_events_since, last_audit_seq, local_today

pytestmark = pytest.mark.django_db

Status = CertificationRequest.Status


def _case(world: World, key: str = "alpha.other_agency_cm") -> Case:
    return case_services.intake_create(
        actor=world.actor(key),
        client={
            "first_name": "Zelda",
            "last_name": "Secretclient",
            "aliases": "Zee",
            "date_of_birth": dt.date(1994, 3, 2),
        },
        case={"opened_on": local_today() - dt.timedelta(days=20)},
    )


def _release(
    world: World, case: Case, *, to: str = "alpha.da", scope: tuple[str, ...] = ("identity",), key: str = ""
) -> Consent:
    return case_services.consent_record(
        actor=world.actor(key or "alpha.other_agency_cm"),
        case=case,
        recipient_agency=world.agencies[to],
        scope=list(scope),
        purpose="U visa certification",
        signed_by="Zelda",
    )


def _from_case(world: World, *, case: Case | None = None, consent: Consent | None = None, **kw: object):
    case = case or _case(world)
    values: dict[str, object] = {"kind": "u_visa", "certifying_agency": world.agencies["alpha.da"]}
    values.update(kw)
    return certifications.certification_request(
        actor=world.actor("alpha.other_agency_cm"), case=case, consent=consent, **values
    )


def _investigation(world: World, key: str = "alpha.detective", **data: object) -> Investigation:
    return services.investigation_create(actor=world.actor(key), data={"title": "Harbor kitchens", **data})


def _victim(world: World, investigation: Investigation, key: str = "alpha.detective") -> IdentifiedVictim:
    return services.victim_identify(
        actor=world.actor(key), investigation=investigation, data={"name_or_alias": "Marisol V-7"}
    )


def _from_investigation(world: World, key: str = "alpha.detective", **kw: object) -> CertificationRequest:
    investigation = kw.pop("investigation", None) or _investigation(world, key)
    victim = kw.pop("victim", None) or _victim(world, investigation, key)
    values: dict[str, object] = {"kind": "t_visa", "certifying_agency": world.agencies["alpha.da"]}
    values.update(kw)
    return certifications.certification_request_from_investigation(
        actor=world.actor(key), investigation=investigation, victim=victim, **values
    )


def _no_names_in_audit(seq: int, *names: str) -> None:
    events = audit_events_since(seq)
    assert events
    for event in events:
        for name in names:
            assert name.lower() not in json.dumps(event.detail).lower(), (event.action, name)


# ------------------------------------------------------------------------------ from a case


def test_the_victim_reference_travels_only_under_a_release_naming_the_certifier(world: World) -> None:
    case = _case(world)
    seq = last_audit_seq()
    bare = _from_case(world, case=case)
    assert (bare.victim_name, bare.victim_date_of_birth, bare.consent_id) == ("", None, None)
    prosecutor = world.actor("alpha.prosecutor")
    assert policies.access_certification(prosecutor, bare.pk) == bare
    assert not policies.can_read_victim_reference(prosecutor, bare)

    release = _release(world, case)
    shared = _from_case(world, case=case, consent=release)
    assert shared.victim_name == "Zelda Secretclient"
    assert shared.victim_other_names == "Zee"
    assert shared.victim_date_of_birth == dt.date(1994, 3, 2)
    assert policies.can_read_victim_reference(world.actor("alpha.prosecutor"), shared)
    assert policies.can_read_victim_reference(world.actor("alpha.investigator"), shared)
    assert policies.can_read_victim_reference(world.actor("alpha.other_agency_cm"), shared)
    assert [e.action for e in audit_events_since(seq)] == [
        "certification.requested",
        "consent.recorded",
        "certification.requested",
    ]
    assert audit_events_since(seq)[-1].detail == {
        "kind": "u_visa",
        "origin": "case",
        "victim_reference": True,
    }
    _no_names_in_audit(seq, "Zelda", "Secretclient", "1994")
    # Another victim-services agency, another LE agency, the coordinator: not even the request.
    for key in ("alpha.case_manager", "alpha.vs_supervisor", "alpha.detective", "alpha.coordinator"):
        with pytest.raises(NotFoundOrForbidden):
            policies.access_certification(world.actor(key), shared.pk)
        assert not policies.can_read_victim_reference(world.actor(key), shared)

    # Revoked: the certifier no longer reads it (checked at read time), the request stays.
    case_services.consent_revoke(actor=world.actor("alpha.other_agency_cm"), consent=release)
    assert policies.access_certification(world.actor("alpha.prosecutor"), shared.pk) == shared
    assert not policies.can_read_victim_reference(world.actor("alpha.prosecutor"), shared)
    assert policies.can_read_victim_reference(world.actor("alpha.other_agency_cm"), shared)


def test_a_release_that_does_not_fit_is_refused_and_nothing_is_written(world: World) -> None:
    case = _case(world)
    other_case = _case(world)
    wrong = {
        "names another agency": _release(world, case, to="alpha.pd"),
        "does not cover identity": _release(world, case, scope=("case_summary",)),
        "is on another case": _release(world, other_case),
    }
    for why, consent in wrong.items():
        before = CertificationRequest.objects.count()
        seq = last_audit_seq()
        with pytest.raises(ValidationError) as raised:
            _from_case(world, case=case, consent=consent)
        assert "consent" in raised.value.message_dict, why
        assert CertificationRequest.objects.count() == before
        assert audit_events_since(seq) == []


def test_only_who_works_on_the_case_may_ask(world: World) -> None:
    case = _case(world)
    for key in ("alpha.case_manager", "alpha.investigator", "alpha.coordinator", "alpha.analyst"):
        with pytest.raises(PermissionDenied):
            certifications.certification_request(
                actor=world.actor(key), case=case, kind="u_visa", certifying_agency=world.agencies["alpha.da"]
            )


def test_sharing_the_release_after_the_request_went(world: World) -> None:
    case = _case(world)
    request = _from_case(world, case=case)
    release = _release(world, case)
    for key in ("alpha.prosecutor", "alpha.case_manager"):
        with pytest.raises((PermissionDenied, NotFoundOrForbidden)):
            certifications.certification_share_release(
                actor=world.actor(key), request=request, consent=release
            )
    with pytest.raises(ValidationError):
        certifications.certification_share_release(
            actor=world.actor("alpha.other_agency_cm"),
            request=request,
            consent=_release(world, case, to="alpha.pd"),
        )
    seq = last_audit_seq()
    certifications.certification_share_release(
        actor=world.actor("alpha.other_agency_cm"), request=request, consent=release
    )
    request.refresh_from_db()
    assert request.victim_name == "Zelda Secretclient"
    assert policies.can_read_victim_reference(world.actor("alpha.prosecutor"), request)
    assert [e.action for e in audit_events_since(seq)] == ["certification.release_shared"]
    _no_names_in_audit(seq, "Zelda")


# ----------------------------------------------------------------------- from an investigation


def test_an_investigator_starts_a_request_from_an_investigation(world: World) -> None:
    seq = last_audit_seq()
    request = _from_investigation(world, victim_date_of_birth=dt.date(2001, 5, 6), due_on=local_today())
    assert request.case_id is None
    assert request.requesting_agency_id == world.agencies["alpha.pd"].pk
    assert (request.victim_name, request.victim_date_of_birth) == ("Marisol V-7", dt.date(2001, 5, 6))
    assert audit_events_since(seq)[-1].detail == {
        "kind": "t_visa",
        "origin": "investigation",
        "victim_reference": True,
    }
    _no_names_in_audit(seq, "Marisol")
    # Both law-enforcement agencies see it and who it is for; victim services see nothing.
    for key in ("alpha.detective", "alpha.prosecutor", "alpha.investigator", "alpha.le_supervisor"):
        actor = world.actor(key)
        assert policies.access_certification(actor, request.pk) == request, key
        assert policies.can_read_victim_reference(actor, request), key
    for key in ("alpha.other_agency_cm", "alpha.case_manager", "alpha.coordinator", "alpha.analyst"):
        with pytest.raises(NotFoundOrForbidden):
            policies.access_certification(world.actor(key), request.pk)


def test_starting_from_an_investigation_is_checked(world: World) -> None:
    investigation = _investigation(world)
    victim = _victim(world, investigation)
    elsewhere = _investigation(world, title="Other case")
    for key in ("alpha.case_manager", "alpha.coordinator"):
        with pytest.raises(PermissionDenied):
            certifications.certification_request_from_investigation(
                actor=world.actor(key),
                investigation=investigation,
                kind="t_visa",
                certifying_agency=world.agencies["alpha.da"],
                victim=victim,
            )
    bad = (
        {"victim": _victim(world, elsewhere)},
        {"victim": None},
        {"certifying_agency": world.agencies["alpha.vs"]},
        {"certifying_agency": world.agencies["beta.da"]},
        {"victim_date_of_birth": local_today() + dt.timedelta(days=1)},
        {"kind": "green_card"},
    )
    for override in bad:
        values = {
            "kind": "t_visa",
            "certifying_agency": world.agencies["alpha.da"],
            "victim": victim,
            **override,
        }
        before = CertificationRequest.objects.count()
        with pytest.raises(ValidationError):
            certifications.certification_request_from_investigation(
                actor=world.actor("alpha.detective"), investigation=investigation, **values
            )
        assert CertificationRequest.objects.count() == before, override


def test_a_restricted_investigation_stays_hidden_from_a_certifier_outside_its_team(world: World) -> None:
    restricted = _investigation(
        world, "alpha.le_supervisor", title="Kestrel", case_number="COVERT-9", restricted=True
    )
    victim = _victim(world, restricted, "alpha.le_supervisor")
    request = _from_investigation(world, "alpha.le_supervisor", investigation=restricted, victim=victim)

    prosecutor = world.actor("alpha.prosecutor")  # the certifying agency, not on the team
    assert policies.access_certification(prosecutor, request.pk) == request
    assert policies.can_read_victim_reference(prosecutor, request)
    seen, lead = policies.certification_investigation(prosecutor, request)
    assert (seen, lead) == (None, "District Attorney")
    supervisor = world.actor("alpha.le_supervisor")
    seen, _ = policies.certification_investigation(supervisor, request)
    assert seen == restricted
    # Victim services never get the investigation, not even its lead agency.
    assert policies.certification_investigation(world.actor("alpha.other_agency_cm"), request) == (None, "")


def test_the_requesting_le_side_sees_only_requests_on_investigations_it_may_see(world: World) -> None:
    restricted = _investigation(world, "alpha.le_supervisor", restricted=True, case_number="COVERT-1")
    victim = _victim(world, restricted, "alpha.le_supervisor")
    request = _from_investigation(
        world,
        "alpha.le_supervisor",
        investigation=restricted,
        victim=victim,
        certifying_agency=world.agencies["alpha.pd"],
    )
    # The DA's investigator (requesting agency, not on the team) does not see it; the PD certifies.
    with pytest.raises(NotFoundOrForbidden):
        policies.access_certification(world.actor("alpha.investigator"), request.pk)
    assert policies.access_certification(world.actor("alpha.detective"), request.pk) == request


def test_another_task_force_sees_nothing(world: World) -> None:
    case = _case(world)
    shared = _from_case(world, case=case, consent=_release(world, case))
    started = _from_investigation(world)
    for key in ("beta.prosecutor", "beta.investigator", "beta.le_supervisor", "beta.other_agency_cm"):
        actor = world.actor(key)
        for request in (shared, started):
            with pytest.raises(NotFoundOrForbidden):
                policies.access_certification(actor, request.pk)
            assert not policies.can_read_victim_reference(actor, request)
        assert not policies.visible_certifications(actor).filter(pk__in=[shared.pk, started.pk]).exists()


# ------------------------------------------------------------------------------- the decision


def test_declining_needs_a_reason_and_records_who_and_when(world: World) -> None:
    request = _from_case(world)
    supervisor = world.actor("alpha.le_supervisor")
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as raised:
            certifications.certification_set_status(
                actor=supervisor, request=request, status="declined", reason=reason
            )
        assert "reason" in raised.value.message_dict
        assert CertificationRequest.objects.get(pk=request.pk).status == Status.REQUESTED
    seq = last_audit_seq()
    certifications.certification_set_status(
        actor=supervisor, request=request, status="declined", reason="SECRET-REASON no cooperation"
    )
    request.refresh_from_db()
    assert request.status == Status.DECLINED
    assert request.decline_reason == "SECRET-REASON no cooperation"
    assert (request.decided_on, request.decided_by_id) == (
        local_today(),
        world.users["alpha.le_supervisor"].pk,
    )
    assert (request.deadline_on, request.signed_form) == (None, "none")
    assert audit_events_since(seq)[-1].detail == {"status": "declined"}
    _no_names_in_audit(seq, "SECRET-REASON")
    with pytest.raises(ReferralConflict):
        certifications.certification_set_status(actor=supervisor, request=request, status="signed")


@pytest.mark.parametrize(
    ("kind", "days_or_months"),
    [("u_visa", "6 months"), ("continued_presence", 30), ("t_visa", None)],
)
def test_signing_starts_the_uscis_deadline_and_awaits_the_signed_form(
    world: World, kind: str, days_or_months: object
) -> None:
    request = _from_case(world, kind=kind, requested_on=local_today() - dt.timedelta(days=40))
    decided = local_today() - dt.timedelta(days=3)
    certifications.certification_set_status(
        actor=world.actor("alpha.prosecutor"), request=request, status="signed", decided_on=decided
    )
    request.refresh_from_db()
    assert request.status == Status.SIGNED
    assert request.decided_on == decided
    assert request.signer_name == "prosecutor"  # the deciding person by default
    assert request.signed_form == CertificationRequest.SignedForm.PENDING_UPLOAD
    if days_or_months is None:
        assert request.deadline_on is None
    elif days_or_months == "6 months":
        assert request.deadline_on == certifications._add_months(decided, 6) - dt.timedelta(days=1)
        assert (request.deadline_on - decided).days in range(180, 185)
    else:
        assert request.deadline_on == decided + dt.timedelta(days=days_or_months)


def test_the_decision_dates_and_signer_are_checked(world: World) -> None:
    request = _from_case(world, requested_on=local_today() - dt.timedelta(days=5))
    prosecutor = world.actor("alpha.prosecutor")
    for decided_on in (local_today() + dt.timedelta(days=1), local_today() - dt.timedelta(days=6)):
        with pytest.raises(ValidationError):
            certifications.certification_set_status(
                actor=prosecutor, request=request, status="signed", decided_on=decided_on
            )
    certifications.certification_set_status(
        actor=prosecutor,
        request=request,
        status="signed",
        signer_name="Chief Deputy DA Ortiz",
        signer_title="Chief Deputy",
    )
    request.refresh_from_db()
    assert (request.signer_name, request.signer_title) == ("Chief Deputy DA Ortiz", "Chief Deputy")
    assert request.decline_reason == ""


def test_add_months_clamps_to_the_month_end() -> None:
    assert certifications._add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert certifications._add_months(dt.date(2026, 1, 15), 6) == dt.date(2026, 7, 15)
    assert certifications._add_months(dt.date(2026, 12, 1), 1) == dt.date(2027, 1, 1)


# ------------------------------------------------------------------------ linking an investigation


def test_the_certifier_links_an_investigation_it_sees(world: World) -> None:
    request = _from_case(world)
    open_one = _investigation(world, "alpha.investigator")
    restricted = _investigation(world, "alpha.le_supervisor", restricted=True, case_number="COVERT-3")
    for key in ("alpha.detective", "alpha.other_agency_cm"):
        with pytest.raises((PermissionDenied, NotFoundOrForbidden)):
            certifications.certification_link_investigation(
                actor=world.actor(key), request=request, investigation=open_one
            )
    with pytest.raises(ValidationError):  # the prosecutor is not on the restricted team
        certifications.certification_link_investigation(
            actor=world.actor("alpha.prosecutor"), request=request, investigation=restricted
        )
    seq = last_audit_seq()
    certifications.certification_link_investigation(
        actor=world.actor("alpha.prosecutor"), request=request, investigation=open_one
    )
    assert CertificationRequest.objects.get(pk=request.pk).investigation_id == open_one.pk
    assert [e.action for e in audit_events_since(seq)] == ["certification.investigation_linked"]


# --------------------------------------------------------------------------------- reminders


def _signed(world: World, kind: str, decided_days_ago: int) -> CertificationRequest:
    request = _from_case(
        world, kind=kind, requested_on=local_today() - dt.timedelta(days=decided_days_ago + 5)
    )
    certifications.certification_set_status(
        actor=world.actor("alpha.prosecutor"),
        request=request,
        status="signed",
        decided_on=local_today() - dt.timedelta(days=decided_days_ago),
    )
    request.refresh_from_db()
    return request


def test_deadline_reminders_go_once_per_stage_and_name_nobody(world: World) -> None:
    tf = world.task_forces["alpha"].pk
    u_visa = _signed(world, "u_visa", 160)  # filing deadline in about three weeks: the 30-day stage
    _signed(world, "u_visa", 10)  # far from its deadline
    cp = _signed(world, "continued_presence", 30)  # follow-up due today
    mail.outbox.clear()
    assert send_certification_deadline_reminders(task_force_id=tf) == 2
    assert send_certification_deadline_reminders(task_force_id=tf) == 0  # idempotent the same day
    by_subject = {tuple(sorted(m.to)): m for m in mail.outbox}
    requester = world.users["alpha.other_agency_cm"].email
    assert (requester,) in by_subject
    deciders = tuple(
        sorted({requester, world.users["alpha.prosecutor"].email, world.users["alpha.le_supervisor"].email})
    )
    assert deciders in by_subject  # Continued Presence: the sponsoring agency follows up too
    for message in mail.outbox:
        assert "Zelda" not in message.body
        assert "Secretclient" not in message.body
        assert "/tf/alpha/certifications/" in message.body
    assert AuditEvent.objects.filter(action="certification.deadline_reminded").count() == 2
    # The 7-day stage of the U visa comes once more, when it is reached.
    CertificationRequest.objects.filter(pk=u_visa.pk).update(deadline_on=local_today() + dt.timedelta(days=5))
    assert send_certification_deadline_reminders(task_force_id=tf) == 0  # already reminded today
    CertificationRequest.objects.filter(pk=u_visa.pk).update(
        deadline_reminded_on=local_today() - dt.timedelta(days=20)
    )
    assert send_certification_deadline_reminders(task_force_id=tf) == 1
    # A day later the Continued Presence follow-up, reminded on its day, is not sent again.
    yesterday = local_today() - dt.timedelta(days=1)
    CertificationRequest.objects.filter(pk=cp.pk).update(
        deadline_on=yesterday, deadline_reminded_on=yesterday
    )
    assert send_certification_deadline_reminders(task_force_id=tf) == 0


def test_the_home_panel_counts_to_decide_only_what_waits_on_ones_agency(world: World) -> None:
    from referrals.home_bridge import certifications_due_context

    investigation = _investigation(world, "alpha.le_supervisor")
    victim = _victim(world, investigation, "alpha.le_supervisor")
    started = _from_investigation(
        world,
        "alpha.le_supervisor",
        investigation=investigation,
        victim=victim,
        certifying_agency=world.agencies["alpha.pd"],
    )
    prosecutor = world.actor("alpha.prosecutor")
    assert policies.access_certification(prosecutor, started.pk) == started  # its agency asked
    assert certifications_due_context(prosecutor)["to_decide"] == 0
    _from_case(world)
    assert certifications_due_context(world.actor("alpha.prosecutor"))["to_decide"] == 1
