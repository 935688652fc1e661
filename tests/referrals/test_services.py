"""Law-enforcement and bridge writes: validation, who may, state machines, what each write
audits (never content), and that a refused write leaves every table as it was."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases import services as case_services
from cases.models import Case, CaseUserObjectPermission, Client, ClientIdentity, Consent
from cases.policies import visible_cases
from referrals import certifications, policies, services, suspect_index
from referrals.models import (
    CertificationRequest,
    DeconflictionAlert,
    Investigation,
    Referral,
    Tip,
)
from referrals.services import ReferralConflict
from taskforce.models import AuditEvent, Membership, TaskForce
from taskforce.permissions import has_grant
from tests.world import World, audit_events_since, everywhere, last_audit_seq, use_scope

pytestmark = pytest.mark.django_db

NARRATIVE = "NARRATIVE-SECRET women kept at the Lotus motel"
SUMMARY = "SUMMARY-SECRET needs shelter tonight"


# -- helpers ----------------------------------------------------------------------------------


def today(world: World, tf: str = "alpha") -> dt.date:
    task_force = TaskForce.objects.get(pk=world.task_forces[tf].pk)
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(task_force.time_zone))


def rows() -> dict[str, int]:
    """Row counts of every LE, bridge, case and audit table, summed over the task forces."""

    def counts() -> dict[str, int]:
        found = {
            f"{label}.{model.__name__}": model.objects.count()
            for label in ("referrals", "cases")
            for model in apps.get_app_config(label).get_models()
        }
        found["audit"] = AuditEvent.objects.count()
        return found

    each = everywhere(counts)
    return {key: sum(c[key] for c in each) for key in each[0]}


@contextmanager
def refused(exception: type[BaseException] | tuple[type[BaseException], ...]) -> Iterator[None]:
    """The write raises ``exception`` and no row of any LE, bridge, case or audit table changes."""
    before = rows()
    with pytest.raises(exception):
        yield
    assert rows() == before


def last_seq() -> int:
    return last_audit_seq()


def events_since(seq: int) -> list[AuditEvent]:
    return audit_events_since(seq)


def actions_since(seq: int) -> list[str]:
    return [event.action for event in events_since(seq)]


def assert_no_content(seq: int, *texts: str) -> None:
    events = events_since(seq)
    assert events
    for event in events:
        blob = json.dumps(event.detail)
        for text in texts:
            assert text.lower() not in blob.lower(), (event.action, text)


def tip(world: World, key: str = "alpha.investigator", **data: object) -> Tip:
    return services.tip_create(
        actor=world.actor(key), data={"source": "hotline", "narrative": NARRATIVE, **data}
    )


def investigation(world: World, key: str = "alpha.investigator", **data: object) -> Investigation:
    return services.investigation_create(actor=world.actor(key), data=data)


def intake(
    world: World, key: str = "alpha.case_manager", first: str = "Odalys", last: str = "Quenby"
) -> Case:
    return case_services.intake_create(
        actor=world.actor(key),
        client={"first_name": first, "last_name": last},
        case={"trafficking_type": "sex"},
    )


def consent(
    world: World, case: Case, key: str = "alpha.case_manager", to: str = "alpha.vs2", **kwargs: object
) -> Consent:
    values: dict[str, object] = {
        "recipient_agency": world.agencies[to],
        "scope": ["identity", "contact", "case_summary"],
        "purpose": "Legal consultation",
        "signed_by": "Odalys Quenby",
    }
    values.update(kwargs)
    return case_services.consent_record(actor=world.actor(key), case=case, **values)


def le_referral(
    world: World, key: str = "alpha.investigator", to: str = "alpha.vs", **payload: object
) -> Referral:
    return services.referral_send(
        actor=world.actor(key),
        to_agency=world.agencies[to],
        payload={"summary": SUMMARY, "name_or_alias": "Marisol", "language": "Spanish",
                 "safe_contact": "Text only", "needs": ["emergency_shelter"], **payload},
    )  # fmt: skip


def vs_referral(world: World, to: str = "alpha.vs2") -> tuple[Case, Consent, Referral]:
    case = intake(world)
    release = consent(world, case, to=to)
    referral = services.referral_send(
        actor=world.actor("alpha.case_manager"),
        to_agency=world.agencies[to],
        case=case,
        consent=release,
        payload={"summary": SUMMARY, "name_or_alias": "Odalys", "safe_contact": "Office only"},
    )
    return case, release, referral


def reload(obj):
    obj.refresh_from_db()
    return obj


# -- tips -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    ["alpha.investigator", "alpha.detective", "alpha.prosecutor", "alpha.le_supervisor", "alpha.coordinator"],
)
def test_le_roles_and_the_coordinator_log_tips(world: World, key: str) -> None:
    seq = last_seq()
    received = timezone.now() - dt.timedelta(days=3)
    created = tip(world, key, received_at=received, city="Richmond", trafficking_type="labor")
    created.refresh_from_db()
    assert created.status == Tip.Status.NEW
    assert created.entered_by_id == world.users[key].pk
    assert created.task_force_id == world.task_forces["alpha"].pk
    assert created.received_at == received
    assert not created.via_public_form
    assert actions_since(seq) == ["tip.created"]
    assert events_since(seq)[0].target_id == str(created.pk)
    assert_no_content(seq, "NARRATIVE-SECRET", "Lotus", "Richmond")


@pytest.mark.parametrize(
    "key",
    [
        "alpha.case_manager",
        "alpha.vs_supervisor",
        "alpha.other_agency_cm",
        "alpha.tenant_admin",
        "alpha.analyst",
    ],
)
def test_others_may_not_log_tips(world: World, key: str) -> None:
    with refused(PermissionDenied):
        tip(world, key)


def test_tip_needs_a_narrative_and_no_future(world: World) -> None:
    with refused(ValidationError):
        tip(world, narrative="   ")
    with refused(ValidationError):
        tip(world, received_at=timezone.now() + dt.timedelta(hours=2))
    with refused(ValidationError):
        tip(world, source="gossip")


def test_triage(world: World) -> None:
    created = tip(world, "alpha.coordinator")
    seq = last_seq()
    services.tip_update(actor=world.actor("alpha.coordinator"), tip=created, data={"status": "triaged"})
    assert reload(created).status == Tip.Status.TRIAGED
    # The documented action list (module docstring) names ``tip.triaged``.
    assert actions_since(seq) == ["tip.triaged"]
    assert_no_content(seq, "NARRATIVE-SECRET")


def test_tip_status_moves_only_through_its_own_services(world: World) -> None:
    created = tip(world)
    for status in ("assigned", "closed", "converted", "merged", "bogus"):
        with refused(ValidationError):
            services.tip_update(actor=world.actor("alpha.investigator"), tip=created, data={"status": status})


def test_tip_correction_logs_field_names_only(world: World) -> None:
    created = tip(world)
    seq = last_seq()
    services.tip_update(actor=world.actor("alpha.detective"), tip=created, data={"city": "Antioch"})
    assert reload(created).city == "Antioch"
    assert actions_since(seq) == ["tip.changed"]
    assert events_since(seq)[0].detail == {"fields": ["city"]}


@pytest.mark.parametrize("assignee", ["alpha.investigator", "alpha.detective", "alpha.le_supervisor"])
def test_assign_to_an_le_member(world: World, assignee: str) -> None:
    created = tip(world, "alpha.coordinator")
    seq = last_seq()
    services.tip_assign(actor=world.actor("alpha.coordinator"), tip=created, user=world.users[assignee])
    created.refresh_from_db()
    assert (created.status, created.assigned_to_id) == (Tip.Status.ASSIGNED, world.users[assignee].pk)
    assert actions_since(seq) == ["tip.assigned"]
    assert events_since(seq)[0].detail == {"membership": str(world.memberships[assignee].pk)}


@pytest.mark.parametrize(
    "assignee",
    ["alpha.case_manager", "alpha.vs_supervisor", "alpha.coordinator", "alpha.analyst", "beta.investigator"],
)
def test_assign_refuses_anyone_but_an_le_member_of_the_task_force(world: World, assignee: str) -> None:
    created = tip(world)
    with refused(ValidationError):
        services.tip_assign(actor=world.actor("alpha.investigator"), tip=created, user=world.users[assignee])
    with refused(ValidationError):
        services.tip_assign(actor=world.actor("alpha.investigator"), tip=created, user=None)


def test_assign_refuses_an_inactive_le_member(world: World) -> None:
    created = tip(world)
    Membership.objects.filter(pk=world.memberships["alpha.detective"].pk).update(is_active=False)
    with refused(ValidationError):
        services.tip_assign(
            actor=world.actor("alpha.investigator"), tip=created, user=world.users["alpha.detective"]
        )


def test_close_needs_a_reason(world: World) -> None:
    created = tip(world)
    actor = world.actor("alpha.investigator")
    for reason in ("", "bored"):
        with refused(ValidationError):
            services.tip_close(actor=actor, tip=created, reason=reason)
    seq = last_seq()
    services.tip_close(actor=actor, tip=created, reason=Tip.CloseReason.NO_INDICATORS)
    created.refresh_from_db()
    assert (created.status, created.close_reason) == (Tip.Status.CLOSED, "no_indicators")
    assert actions_since(seq) == ["tip.closed"]
    assert events_since(seq)[0].detail == {"reason": "no_indicators"}


def test_merge(world: World) -> None:
    actor = world.actor("alpha.coordinator")
    first, duplicate = tip(world), tip(world)
    with refused(ValidationError):
        services.tip_merge(actor=actor, tip=first, into=first)
    foreign = tip(world, "beta.investigator")
    world.use("alpha")  # back to the acting coordinator's task force
    with refused(ValidationError):
        services.tip_merge(actor=actor, tip=duplicate, into=foreign)
    seq = last_seq()
    services.tip_merge(actor=actor, tip=duplicate, into=first)
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into_id, duplicate.close_reason) == (
        Tip.Status.MERGED,
        first.pk,
        Tip.CloseReason.DUPLICATE,
    )
    assert actions_since(seq) == ["tip.merged"]
    assert events_since(seq)[0].detail == {"into": str(first.pk)}
    third = tip(world)
    with refused(ValidationError):
        services.tip_merge(actor=actor, tip=third, into=duplicate)  # merged already: use the target


def test_convert_opens_an_investigation_with_the_converter_on_its_team(world: World) -> None:
    created = tip(world, "alpha.coordinator", trafficking_type="labor")
    actor = world.actor("alpha.detective")
    seq = last_seq()
    opened = services.tip_convert(actor=actor, tip=created, data={"title": "Orchard", "restricted": True})
    created.refresh_from_db()
    assert (created.status, created.investigation_id) == (Tip.Status.CONVERTED, opened.pk)
    assert opened.trafficking_type == "labor"
    assert opened.lead_agency_id == world.agencies["alpha.pd"].pk
    assert has_grant(actor, policies.TEAM, opened)
    assert policies.visible_investigations(actor).filter(pk=opened.pk).exists()
    assert (
        not policies.visible_investigations(world.actor("alpha.investigator")).filter(pk=opened.pk).exists()
    )
    assert actions_since(seq) == ["grant.added", "investigation.created", "tip.converted"]
    assert_no_content(seq, "NARRATIVE-SECRET", "Orchard")


def test_convert_into_an_existing_investigation_only_one_the_converter_sees(world: World) -> None:
    hidden = investigation(world, "alpha.le_supervisor", restricted=True)
    created = tip(world)
    with refused(ValidationError):
        services.tip_convert(actor=world.actor("alpha.investigator"), tip=created, investigation=hidden)
    services.tip_convert(actor=world.actor("alpha.le_supervisor"), tip=created, investigation=hidden)
    assert reload(created).investigation_id == hidden.pk


def test_the_coordinator_may_not_convert(world: World) -> None:
    created = tip(world)
    with refused(PermissionDenied):
        services.tip_convert(actor=world.actor("alpha.coordinator"), tip=created)


def test_final_tips_refuse_every_change(world: World) -> None:
    actor = world.actor("alpha.investigator")
    target = tip(world)
    closed, merged, converted = tip(world), tip(world), tip(world)
    services.tip_close(actor=actor, tip=closed, reason="insufficient")
    services.tip_merge(actor=actor, tip=merged, into=target)
    services.tip_convert(actor=actor, tip=converted)
    for final in (closed, merged, converted):
        final.refresh_from_db()
        with refused(ValidationError):
            services.tip_update(actor=actor, tip=final, data={"status": "triaged"})
        with refused(ValidationError):
            services.tip_update(actor=actor, tip=final, data={"city": "Concord"})
        with refused(ValidationError):
            services.tip_assign(actor=actor, tip=final, user=world.users["alpha.detective"])
        with refused(ValidationError):
            services.tip_close(actor=actor, tip=final, reason="other")
        with refused(ValidationError):
            services.tip_merge(actor=actor, tip=final, into=target)
        with refused(ValidationError):
            services.tip_convert(actor=actor, tip=final)


def test_tip_writes_refused_for_vs_roles(world: World) -> None:
    created = tip(world)
    actor = world.actor("alpha.case_manager")
    with refused(PermissionDenied):
        services.tip_update(actor=actor, tip=created, data={"status": "triaged"})
    with refused(PermissionDenied):
        services.tip_close(actor=actor, tip=created, reason="other")
    with refused(PermissionDenied):
        services.tip_assign(actor=actor, tip=created, user=world.users["alpha.investigator"])


# -- public tips ------------------------------------------------------------------------------


def _enable_public_form(world: World, tf: str = "alpha") -> TaskForce:
    TaskForce.objects.filter(pk=world.task_forces[tf].pk).update(public_tip_form_enabled=True)
    return TaskForce.objects.get(pk=world.task_forces[tf].pk)


def test_public_tip_refused_when_the_form_is_off(world: World) -> None:
    with refused(PermissionDenied):
        services.tip_submit_public(task_force=world.task_forces["beta"], data={"narrative": NARRATIVE})


def test_public_tip_anonymous_and_with_contact(world: World) -> None:
    task_force = _enable_public_form(world)
    seq = last_seq()
    anonymous = services.tip_submit_public(
        task_force=task_force, data={"narrative": NARRATIVE, "city": "Concord", "contact": "  "}
    )
    named = services.tip_submit_public(
        task_force=task_force, data={"narrative": NARRATIVE, "contact": "call 925-555-0199"}
    )
    use_scope(task_force)  # the service scoped the transaction to alpha: the same
    anonymous.refresh_from_db()
    named.refresh_from_db()
    assert (anonymous.source, named.source) == ("anonymous", "public")
    for created in (anonymous, named):
        assert created.status == Tip.Status.NEW
        assert created.channel == "web_form"
        assert created.via_public_form
        assert created.entered_by_id is None
        assert created.task_force_id == task_force.pk
    assert "925-555-0199" in named.narrative
    assert "How to reach" not in anonymous.narrative
    assert actions_since(seq) == ["tip.public_submitted", "tip.public_submitted"]
    for event in events_since(seq):
        assert event.user_id is None
        assert event.task_force_id == task_force.pk
    assert_no_content(seq, "NARRATIVE-SECRET", "925-555-0199", "Concord")
    assert policies.visible_tips(world.actor("alpha.coordinator")).filter(pk=named.pk).exists()


def test_public_tip_needs_a_narrative(world: World) -> None:
    task_force = _enable_public_form(world)
    with refused(ValidationError):
        services.tip_submit_public(task_force=task_force, data={"narrative": "  "})


# -- investigations ---------------------------------------------------------------------------


def test_investigation_create_puts_the_creator_on_the_team(world: World) -> None:
    seq = last_seq()
    opened = investigation(world, title="Blue Lotus", summary="SUMMARY-SECRET", opened_on=today(world))
    assert opened.lead_agency_id == world.agencies["alpha.da"].pk
    assert opened.case_number
    assert opened.status == Investigation.Status.OPEN
    assert has_grant(world.actor("alpha.investigator"), policies.TEAM, opened)
    assert actions_since(seq) == ["grant.added", "investigation.created"]
    assert_no_content(seq, "SUMMARY-SECRET", "Blue Lotus")


@pytest.mark.parametrize(
    "key", ["alpha.coordinator", "alpha.case_manager", "alpha.tenant_admin", "alpha.analyst"]
)
def test_only_le_roles_open_investigations(world: World, key: str) -> None:
    with refused(PermissionDenied):
        investigation(world, key)


def test_investigation_validation(world: World) -> None:
    with refused(ValidationError):
        investigation(world, opened_on=today(world) + dt.timedelta(days=1))
    with refused(ValidationError):
        investigation(world, lead_agency=world.agencies["alpha.vs"])
    with refused(ValidationError):
        investigation(world, lead_agency=world.agencies["beta.da"])


def test_restricted_investigation_is_seen_by_its_team_and_le_supervisors(world: World) -> None:
    restricted = investigation(world, restricted=True)

    def sees(key: str) -> bool:
        return policies.visible_investigations(world.actor(key)).filter(pk=restricted.pk).exists()

    assert sees("alpha.investigator")
    assert sees("alpha.le_supervisor")
    for key in ("alpha.detective", "alpha.prosecutor", "alpha.coordinator", "beta.le_supervisor"):
        assert not sees(key), key
    seq = last_seq()
    services.team_add(
        actor=world.actor("alpha.investigator"),
        investigation=restricted,
        membership=world.memberships["alpha.detective"],
    )
    assert sees("alpha.detective")
    assert actions_since(seq) == ["grant.added", "investigation.team_added"]
    services.team_remove(
        actor=world.actor("alpha.le_supervisor"),
        investigation=restricted,
        membership=world.memberships["alpha.detective"],
    )
    assert not sees("alpha.detective")


def test_case_number_unique_per_task_force(world: World) -> None:
    investigation(world, "alpha.le_supervisor", case_number="HT-7", restricted=True)
    with refused(ValidationError):
        investigation(world, "alpha.detective", case_number="HT-7")  # taken by one they cannot see
    with refused(ValidationError):
        investigation(world, "alpha.detective", case_number="  HT-7 ")
    investigation(world, "beta.investigator", case_number="HT-7")


def test_case_number_stored_trimmed(world: World) -> None:
    """The uniqueness check compares the trimmed number, so the stored one must be trimmed too:
    otherwise ' HT-8 ' and 'HT-8' both get in."""
    investigation(world, case_number=" HT-8 ")
    with refused(ValidationError):
        investigation(world, case_number="HT-8")


@pytest.mark.parametrize(
    "member", ["alpha.case_manager", "alpha.vs_supervisor", "alpha.coordinator", "alpha.analyst"]
)
def test_team_refuses_non_le_memberships(world: World, member: str) -> None:
    opened = investigation(world)
    with refused(ValidationError):
        services.team_add(
            actor=world.actor("alpha.investigator"),
            investigation=opened,
            membership=world.memberships[member],
        )


def test_team_managed_by_team_and_supervisors_only(world: World) -> None:
    opened = investigation(world)
    for key in ("alpha.detective", "alpha.prosecutor", "alpha.coordinator", "alpha.case_manager"):
        with refused(PermissionDenied):
            services.team_add(
                actor=world.actor(key), investigation=opened, membership=world.memberships["alpha.detective"]
            )


def test_team_not_managed_from_another_task_force(world: World) -> None:
    opened = investigation(world, restricted=True)
    with refused(PermissionDenied):
        services.team_add(
            actor=world.actor("beta.le_supervisor"),
            investigation=opened,
            membership=world.memberships["alpha.detective"],
        )


def test_close_sets_closed_on(world: World) -> None:
    opened = investigation(world, opened_on=today(world) - dt.timedelta(days=30))
    seq = last_seq()
    services.investigation_update(
        actor=world.actor("alpha.detective"), investigation=opened, data={"status": "closed"}
    )
    opened.refresh_from_db()
    assert (opened.status, opened.closed_on) == (Investigation.Status.CLOSED, today(world))
    assert actions_since(seq) == ["investigation.changed"]
    assert set(events_since(seq)[0].detail["fields"]) == {"status", "closed_on"}
    later = investigation(world)
    with refused(ValidationError):
        services.investigation_update(
            actor=world.actor("alpha.investigator"),
            investigation=later,
            data={"status": "closed", "closed_on": today(world) + dt.timedelta(days=2)},
        )


def test_coordinator_reads_investigations_but_does_not_change_them(world: World) -> None:
    opened = investigation(world)
    with refused(PermissionDenied):
        services.investigation_update(
            actor=world.actor("alpha.coordinator"), investigation=opened, data={"title": "X"}
        )
    with refused(PermissionDenied):
        services.suspect_add(
            actor=world.actor("alpha.coordinator"), investigation=opened, data={"full_name": "X"}
        )


def test_restricted_investigation_refuses_writes_from_outside_its_team(world: World) -> None:
    restricted = investigation(world, "alpha.le_supervisor", restricted=True)
    actor = world.actor("alpha.investigator")
    with refused(PermissionDenied):
        services.suspect_add(actor=actor, investigation=restricted, data={"full_name": "Nobody"})
    with refused(PermissionDenied):
        services.victim_identify(actor=actor, investigation=restricted, data={"name_or_alias": "V"})
    with refused(PermissionDenied):
        services.investigation_update(actor=actor, investigation=restricted, data={"restricted": False})


# -- deconfliction ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "kind"),
    [
        ({"phones": ["(925) 555-0101"]}, {"phones": ["+1 925 555 0101"]}, "phone"),
        ({"plates": ["abc-123"]}, {"plates": ["ABC123"]}, "plate"),
        ({"handles": ["@Foo"]}, {"handles": ["foo"]}, "handle"),
        ({}, {}, "name"),
    ],
)
def test_deconfliction_matches_normalised_identifiers(
    world: World, first: dict, second: dict, kind: str
) -> None:
    theirs = investigation(world, case_number="DA-CASE-77", title="Operation Sandpiper")
    services.suspect_add(
        actor=world.actor("alpha.investigator"),
        investigation=theirs,
        data={"full_name": "Dorian  VEXLEY" if kind == "name" else "Someone Else", **first},
    )
    mine = investigation(world, "alpha.detective")
    seq = last_seq()
    _, messages = services.suspect_add(
        actor=world.actor("alpha.detective"),
        investigation=mine,
        data={"full_name": "dorian vexley" if kind == "name" else "Another Person", **second},
    )
    assert len(messages) == 1
    assert "District Attorney" in messages[0]
    for secret in ("DA-CASE-77", "Sandpiper", "555", "0101", "abc", "ABC", "foo", "Dorian", "vexley"):
        assert secret.lower() not in messages[0].lower(), secret
    alert = DeconflictionAlert.objects.get()
    assert (alert.kind, alert.investigation_id, alert.matched_agency_id, alert.raised_for_id) == (
        kind,
        mine.pk,
        world.agencies["alpha.da"].pk,
        world.users["alpha.detective"].pk,
    )
    assert actions_since(seq) == ["suspect.added", "deconfliction.match"]
    match = events_since(seq)[1]
    assert match.detail == {"kind": kind, "matched_agency": str(world.agencies["alpha.da"].pk)}
    assert_no_content(seq, "9255550101", "0101", "ABC123", "foo", "Dorian", "vexley", "Another", "Someone")


def test_stored_identifiers_are_normalised(world: World) -> None:
    opened = investigation(world)
    suspect, messages = services.suspect_add(
        actor=world.actor("alpha.investigator"),
        investigation=opened,
        data={"full_name": "  Mei  Ling ", "phones": ["(925) 555-0101", "+1 925 555 0101"],
              "plates": ["abc-123"], "handles": ["@Foo"]},
    )  # fmt: skip
    assert messages == []
    suspect.refresh_from_db()
    assert (suspect.full_name, suspect.phones, suspect.plates, suspect.handles) == (
        "Mei  Ling",
        ["9255550101"],
        ["ABC123"],
        ["foo"],
    )
    # The name key is the blind index (task force key) of the normalised name, not the name.
    tf = world.task_forces["alpha"].pk
    assert suspect.name_key == suspect_index.digest(tf, "name", "mei ling")
    assert suspect.phone_keys == [suspect_index.digest(tf, "phone", "9255550101")]


def test_no_match_within_the_same_investigation_or_another_task_force(world: World) -> None:
    opened = investigation(world)
    actor = world.actor("alpha.investigator")
    services.suspect_add(
        actor=actor, investigation=opened, data={"full_name": "Same Name", "phones": ["9255550111"]}
    )
    _, messages = services.suspect_add(
        actor=actor, investigation=opened, data={"full_name": "Same Name", "phones": ["9255550111"]}
    )
    assert messages == []
    beta = investigation(world, "beta.investigator")
    _, messages = services.suspect_add(
        actor=world.actor("beta.investigator"), investigation=beta, data={"full_name": "Same Name"}
    )
    assert messages == []
    assert not DeconflictionAlert.objects.exists()


def test_match_in_a_restricted_investigation_names_only_its_agency(world: World) -> None:
    hidden = investigation(
        world, "alpha.le_supervisor", case_number="COVERT-1", title="Nightjar", restricted=True
    )
    services.suspect_add(
        actor=world.actor("alpha.le_supervisor"),
        investigation=hidden,
        data={"full_name": "Bram Pike", "phones": ["(707) 555-0133"]},
    )
    mine = investigation(world, "alpha.detective")
    _, messages = services.suspect_add(
        actor=world.actor("alpha.detective"),
        investigation=mine,
        data={"full_name": "B. Unknown", "phones": ["707.555.0133"]},
    )
    assert len(messages) == 1
    assert "District Attorney" in messages[0]
    for secret in ("COVERT-1", "Nightjar", "Bram", "Pike", "0133"):
        assert secret not in messages[0]
    detective = world.actor("alpha.detective")
    assert not policies.visible_investigations(detective).filter(pk=hidden.pk).exists()
    assert [a.investigation_id for a in policies.visible_deconfliction_alerts(detective)] == [mine.pk]


# -- victims and arrests ----------------------------------------------------------------------


def test_victims_and_arrests(world: World) -> None:
    opened = investigation(world)
    actor = world.actor("alpha.investigator")
    seq = last_seq()
    victim = services.victim_identify(
        actor=actor, investigation=opened, data={"name_or_alias": "Starling", "age_group": "minor"}
    )
    assert victim.trafficking_type == opened.trafficking_type
    suspect, _ = services.suspect_add(actor=actor, investigation=opened, data={"full_name": "Cal Renwold"})
    arrest = services.arrest_record(
        actor=actor, investigation=opened, suspect=suspect, arrested_on=today(world) - dt.timedelta(days=1)
    )
    assert arrest.arresting_agency_id == world.agencies["alpha.da"].pk
    assert actions_since(seq) == ["victim.identified", "suspect.added", "arrest.recorded"]
    assert_no_content(seq, "Starling", "Renwold")
    with refused(ValidationError):
        services.victim_identify(
            actor=actor, investigation=opened, data={"identified_on": today(world) + dt.timedelta(days=1)}
        )
    with refused(ValidationError):
        services.arrest_record(
            actor=actor,
            investigation=opened,
            suspect=suspect,
            arrested_on=today(world) + dt.timedelta(days=1),
        )
    other = investigation(world)
    with refused(ValidationError):
        services.arrest_record(actor=actor, investigation=other, suspect=suspect, arrested_on=today(world))
    with refused(ValidationError):
        services.arrest_record(
            actor=actor,
            investigation=opened,
            suspect=suspect,
            arrested_on=today(world),
            agency=world.agencies["alpha.vs"],
        )


# -- prosecutions -----------------------------------------------------------------------------


def _prosecution(world: World, opened: Investigation, key: str = "alpha.prosecutor", **data: object):
    return services.prosecution_create(
        actor=world.actor(key),
        investigation=opened,
        data={"court": "Superior Court", "court_case_number": "05-25-001", **data},
    )


@pytest.mark.parametrize(
    "key", ["alpha.investigator", "alpha.detective", "alpha.coordinator", "alpha.case_manager"]
)
def test_only_prosecutors_and_le_supervisors_file(world: World, key: str) -> None:
    opened = investigation(world)
    with refused(PermissionDenied):
        _prosecution(world, opened, key)


def test_prosecution_defendants_charges_disposition(world: World) -> None:
    opened = investigation(world)
    investigator = world.actor("alpha.investigator")
    first, _ = services.suspect_add(
        actor=investigator, investigation=opened, data={"full_name": "Ann Example"}
    )
    second, _ = services.suspect_add(
        actor=investigator, investigation=opened, data={"full_name": "Bo Example"}
    )
    prosecutor = world.actor("alpha.prosecutor")
    seq = last_seq()
    filed = today(world) - dt.timedelta(days=20)
    prosecution = _prosecution(
        world, opened, filed_on=filed, next_court_date=today(world) + dt.timedelta(days=30)
    )
    one = services.defendant_add(actor=prosecutor, prosecution=prosecution, suspect=first)
    two = services.defendant_add(
        actor=world.actor("alpha.le_supervisor"), prosecution=prosecution, suspect=second
    )
    assert one.charged_on == filed
    ht = services.charge_add(actor=prosecutor, defendant=one, statute="PC  236.1", counts=2)
    federal = services.charge_add(actor=prosecutor, defendant=one, statute="18 U.S.C. 1591")
    solicitation = services.charge_add(actor=prosecutor, defendant=two, statute="PC 647(b)")
    assert (ht.statute, ht.is_trafficking, federal.is_trafficking, solicitation.is_trafficking) == (
        "PC 236.1",
        True,
        True,
        False,
    )
    services.defendant_dispose(
        actor=prosecutor, defendant=two, disposition="plea", disposition_on=today(world), sentence="3 years"
    )
    two.refresh_from_db()
    assert (two.disposition, two.disposition_on, two.sentence) == ("plea", today(world), "3 years")
    assert actions_since(seq) == [
        "prosecution.created",
        "defendant.added",
        "defendant.added",
        "charge.added",
        "charge.added",
        "charge.added",
        "defendant.disposed",
    ]
    assert_no_content(seq, "Ann Example", "Bo Example", "3 years")

    with refused(ValidationError):
        services.defendant_add(actor=prosecutor, prosecution=prosecution, suspect=first)  # twice
    with refused(ValidationError):
        services.defendant_dispose(actor=prosecutor, defendant=one, disposition="guilty")
    with refused(ValidationError):
        services.defendant_dispose(
            actor=prosecutor,
            defendant=one,
            disposition="convicted",
            disposition_on=today(world) + dt.timedelta(days=1),
        )
    with refused(ValidationError):
        services.charge_add(actor=prosecutor, defendant=one, statute="   ")
    with refused(PermissionDenied):
        services.charge_add(actor=investigator, defendant=one, statute="PC 236.1")
    with refused(PermissionDenied):
        services.defendant_dispose(actor=investigator, defendant=one, disposition="dismissed")


def test_defendant_must_be_a_suspect_of_the_same_investigation(world: World) -> None:
    opened, other = investigation(world), investigation(world)
    outsider, _ = services.suspect_add(
        actor=world.actor("alpha.investigator"), investigation=other, data={"full_name": "Out Sider"}
    )
    prosecution = _prosecution(world, opened)
    with refused(ValidationError):
        services.defendant_add(
            actor=world.actor("alpha.prosecutor"), prosecution=prosecution, suspect=outsider
        )


def test_no_future_dates_in_prosecutions(world: World) -> None:
    opened = investigation(world)
    suspect, _ = services.suspect_add(
        actor=world.actor("alpha.investigator"), investigation=opened, data={"full_name": "Ann Example"}
    )
    with refused(ValidationError):
        _prosecution(world, opened, filed_on=today(world) + dt.timedelta(days=1))
    prosecution = _prosecution(world, opened)
    with refused(ValidationError):
        services.defendant_add(
            actor=world.actor("alpha.prosecutor"),
            prosecution=prosecution,
            suspect=suspect,
            charged_on=today(world) + dt.timedelta(days=3),
        )


def test_prosecution_of_a_restricted_investigation(world: World) -> None:
    hidden = investigation(world, "alpha.le_supervisor", restricted=True)
    with refused(ValidationError):
        _prosecution(world, hidden)  # the prosecutor is not on its team
    suspect, _ = services.suspect_add(
        actor=world.actor("alpha.le_supervisor"), investigation=hidden, data={"full_name": "Hid Den"}
    )
    prosecution = _prosecution(world, hidden, "alpha.le_supervisor")
    with refused(PermissionDenied):
        services.defendant_add(
            actor=world.actor("alpha.prosecutor"), prosecution=prosecution, suspect=suspect
        )
    with refused(PermissionDenied):
        services.prosecution_update(
            actor=world.actor("alpha.prosecutor"), prosecution=prosecution, data={"stage": "trial"}
        )


# -- referrals: sending -----------------------------------------------------------------------


@pytest.mark.parametrize("key", ["alpha.investigator", "alpha.detective", "alpha.coordinator"])
def test_le_and_coordinator_send_to_victim_services(world: World, key: str) -> None:
    seq = last_seq()
    referral = le_referral(world, key)
    assert referral.kind == "le_to_vs"
    assert referral.status == Referral.Status.SENT
    assert referral.from_agency_id == world.memberships[key].agency_id
    assert referral.to_agency_id == world.agencies["alpha.vs"].pk
    assert (referral.case_id, referral.consent_id) == (None, None)
    assert actions_since(seq) == ["referral.sent"]
    assert events_since(seq)[0].detail == {
        "kind": "le_to_vs",
        "to_agency": str(world.agencies["alpha.vs"].pk),
    }
    assert_no_content(seq, "SUMMARY-SECRET", "Marisol", "Text only")


@pytest.mark.parametrize("to", ["alpha.pd", "alpha.da", "alpha.partner", "alpha.coord", "beta.vs"])
def test_le_sends_only_to_victim_services_of_the_task_force(world: World, to: str) -> None:
    with refused(ValidationError):
        le_referral(world, to=to)


@pytest.mark.parametrize("key", ["alpha.tenant_admin", "alpha.analyst"])
def test_admin_and_analyst_send_nothing(world: World, key: str) -> None:
    with refused(PermissionDenied):
        le_referral(world, key)


def test_referral_needs_a_summary(world: World) -> None:
    with refused(ValidationError):
        le_referral(world, summary="  ")


def test_le_referral_from_an_invisible_investigation_refused(world: World) -> None:
    hidden = investigation(world, "alpha.le_supervisor", restricted=True)
    with refused(ValidationError):
        services.referral_send(
            actor=world.actor("alpha.investigator"),
            to_agency=world.agencies["alpha.vs"],
            payload={"summary": SUMMARY},
            investigation=hidden,
        )


def test_vs_to_vs_and_vs_to_le_under_consent(world: World) -> None:
    case, release, referral = vs_referral(world)
    assert (referral.kind, referral.case_id, referral.consent_id) == ("vs_to_vs", case.pk, release.pk)
    to_le = consent(world, case, to="alpha.da")
    seq = last_seq()
    reported = services.referral_send(
        actor=world.actor("alpha.vs_supervisor"),
        to_agency=world.agencies["alpha.da"],
        case=case,
        consent=to_le,
        payload={"summary": SUMMARY, "name_or_alias": "Odalys"},
    )
    assert reported.kind == "vs_to_le"
    assert actions_since(seq) == ["referral.sent"]
    assert_no_content(seq, "SUMMARY-SECRET", "Odalys")


@pytest.mark.parametrize("to", ["alpha.partner", "alpha.vs", "alpha.coord", "beta.vs2"])
def test_vs_sends_only_to_le_or_another_vs_agency(world: World, to: str) -> None:
    case = intake(world)
    release = consent(world, case)
    with refused(ValidationError):
        services.referral_send(
            actor=world.actor("alpha.case_manager"),
            to_agency=world.agencies[to],
            case=case,
            consent=release,
            payload={"summary": SUMMARY},
        )


def _send_vs(world: World, case: Case, release: Consent | None, **payload: object) -> Referral:
    return services.referral_send(
        actor=world.actor("alpha.case_manager"),
        to_agency=world.agencies["alpha.vs2"],
        case=case,
        consent=release,
        payload={"summary": SUMMARY, **payload},
    )


def test_consent_checks_at_send_time(world: World) -> None:
    case = intake(world)
    with refused(ValidationError):
        _send_vs(world, case, None)
    expired = consent(world, case)
    Consent.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    expired.refresh_from_db()
    with refused(ValidationError):
        _send_vs(world, case, expired)
    revoked = consent(world, case)
    case_services.consent_revoke(actor=world.actor("alpha.case_manager"), consent=revoked)
    revoked.refresh_from_db()
    with refused(ValidationError):
        _send_vs(world, case, revoked)
    other_agency = consent(world, case, to="alpha.da")
    with refused(ValidationError):
        _send_vs(world, case, other_agency)
    narrow = consent(world, case, scope=["identity", "case_summary"])
    no_identity = consent(world, case, scope=["case_summary"])
    with refused(ValidationError):
        _send_vs(world, case, no_identity, name_or_alias="Odalys")
    no_summary = consent(world, case, scope=["identity", "contact"])
    with refused(ValidationError):
        _send_vs(world, case, no_summary)
    other_case = intake(world, first="Pell", last="Other")
    elsewhere = consent(world, other_case)
    with refused(ValidationError):
        _send_vs(world, case, elsewhere)
    assert not Referral.objects.exists()
    # Within scope; the safe contact is part of the safety profile, which needs no category.
    _send_vs(world, case, narrow, name_or_alias="Odalys", safe_contact="Text only")


def test_vs_sends_only_from_a_case_it_works_on(world: World) -> None:
    case = intake(world)
    release = consent(world, case)
    for key in ("alpha.case_manager_2", "alpha.other_agency_cm"):
        with refused(ValidationError):
            services.referral_send(
                actor=world.actor(key),
                to_agency=world.agencies["alpha.da"],
                case=case,
                consent=release,
                payload={"summary": SUMMARY},
            )


# -- referrals: the state machine -------------------------------------------------------------


def _act(world: World, referral: Referral, step: str) -> None:
    receiver, sender = world.actor("alpha.case_manager"), world.actor("alpha.investigator")
    if step == "accept":
        services.referral_accept(actor=receiver, referral=referral)
    elif step == "decline":
        services.referral_decline(actor=receiver, referral=referral, reason="No capacity")
    elif step == "withdraw":
        services.referral_withdraw(actor=sender, referral=referral)
    elif step == "complete":
        services.referral_complete(actor=receiver, referral=referral)


STEPS = ("accept", "decline", "withdraw", "complete")
ALLOWED = {
    "sent": {"accept": "accepted", "decline": "declined", "withdraw": "withdrawn"},
    "accepted": {"complete": "completed"},
    "declined": {},
    "withdrawn": {},
    "completed": {},
}
PATH = {"sent": [], "accepted": ["accept"], "declined": ["decline"], "withdrawn": ["withdraw"],
        "completed": ["accept", "complete"]}  # fmt: skip
ACTIONS = {"accept": "referral.accepted", "decline": "referral.declined", "withdraw": "referral.withdrawn",
           "complete": "referral.completed"}  # fmt: skip


@pytest.mark.parametrize("state", list(ALLOWED))
@pytest.mark.parametrize("step", STEPS)
def test_referral_state_machine(world: World, state: str, step: str) -> None:
    referral = le_referral(world)
    for earlier in PATH[state]:
        _act(world, referral, earlier)
    referral.refresh_from_db()
    assert referral.status == state
    if step in ALLOWED[state]:
        seq = last_seq()
        _act(world, referral, step)
        assert reload(referral).status == ALLOWED[state][step]
        assert actions_since(seq)[-1] == ACTIONS[step]
        assert_no_content(seq, "SUMMARY-SECRET", "Marisol", "No capacity")
    else:
        with refused(ReferralConflict):
            _act(world, referral, step)


@pytest.mark.parametrize(
    "key",
    [
        "alpha.investigator",
        "alpha.prosecutor",
        "alpha.coordinator",
        "alpha.other_agency_cm",
        "beta.case_manager",
    ],
)
def test_only_the_receiving_agency_decides(world: World, key: str) -> None:
    referral = le_referral(world)
    actor = world.actor(key)
    with refused(PermissionDenied):
        services.referral_accept(actor=actor, referral=referral)
    with refused(PermissionDenied):
        services.referral_decline(actor=actor, referral=referral, reason="x")
    _act(world, referral, "accept")
    with refused(PermissionDenied):
        services.referral_complete(actor=actor, referral=referral)


@pytest.mark.parametrize(
    "key",
    [
        "alpha.case_manager",
        "alpha.vs_supervisor",
        "alpha.detective",
        "alpha.coordinator",
        "beta.investigator",
    ],
)
def test_only_the_sender_withdraws(world: World, key: str) -> None:
    referral = le_referral(world)
    with refused(PermissionDenied):
        services.referral_withdraw(actor=world.actor(key), referral=referral)


@pytest.mark.parametrize("key", ["alpha.analyst", "alpha.tenant_admin"])
def test_analyst_and_admin_do_not_withdraw_the_coordinators_referral(world: World, key: str) -> None:
    referral = le_referral(world, "alpha.coordinator")
    with refused(PermissionDenied):
        services.referral_withdraw(actor=world.actor(key), referral=referral)


def test_decline_needs_a_reason(world: World) -> None:
    referral = le_referral(world)
    with refused(ValidationError):
        services.referral_decline(actor=world.actor("alpha.vs_supervisor"), referral=referral, reason="  ")
    services.referral_decline(actor=world.actor("alpha.vs_supervisor"), referral=referral, reason="Full")
    referral.refresh_from_db()
    assert (referral.decline_reason, referral.decided_by_id) == (
        "Full",
        world.users["alpha.vs_supervisor"].pk,
    )
    assert referral.decided_at is not None


def test_le_to_vs_accept_opens_a_case_for_the_accepting_case_manager(world: World) -> None:
    referral = le_referral(world)
    seq = last_seq()
    services.referral_accept(actor=world.actor("alpha.case_manager"), referral=referral)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED
    assert referral.decided_by_id == world.users["alpha.case_manager"].pk
    case = Case.objects.get(pk=referral.resulting_case_id)
    assert case.agency_id == world.agencies["alpha.vs"].pk
    assert case.status == Case.Status.INTAKE
    assert case.referral_source == "law_enforcement_local"
    identity = ClientIdentity.objects.get(client_id=case.client_id)
    assert (identity.first_name, identity.preferred_language, identity.safe_contact) == (
        "Marisol",
        "Spanish",
        "Text only",
    )
    client = Client.objects.get(pk=case.client_id)
    assert (client.agency_id, client.same_person_as_id) == (world.agencies["alpha.vs"].pk, None)
    assert list(visible_cases(world.actor("alpha.case_manager"))) == [case]
    assert not visible_cases(world.actor("alpha.case_manager_2")).exists()
    assert visible_cases(world.actor("alpha.vs_supervisor")).filter(pk=case.pk).exists()
    assert CaseUserObjectPermission.objects.filter(content_object=case).count() == 1
    assert actions_since(seq) == ["grant.added", "case.created", "referral.accepted"]
    assert_no_content(seq, "SUMMARY-SECRET", "Marisol", "Text only", "Spanish")


def test_vs_to_vs_accept_links_the_client_to_the_senders(world: World) -> None:
    case, _, referral = vs_referral(world)
    services.referral_accept(actor=world.actor("alpha.other_agency_cm"), referral=referral)
    referral.refresh_from_db()
    received = Case.objects.get(pk=referral.resulting_case_id)
    assert received.agency_id == world.agencies["alpha.vs2"].pk
    assert received.referral_source == "service_provider"
    client = Client.objects.get(pk=received.client_id)
    assert client.same_person_as_id == case.client_id
    assert client.agency_id == world.agencies["alpha.vs2"].pk
    assert ClientIdentity.objects.get(client=client).first_name == "Odalys"
    assert list(visible_cases(world.actor("alpha.other_agency_cm"))) == [received]
    assert not visible_cases(world.actor("alpha.other_agency_cm")).filter(pk=case.pk).exists()


def test_vs_to_le_accept_opens_no_case(world: World) -> None:
    case = intake(world)
    referral = services.referral_send(
        actor=world.actor("alpha.case_manager"),
        to_agency=world.agencies["alpha.da"],
        case=case,
        consent=consent(world, case, to="alpha.da"),
        payload={"summary": SUMMARY},
    )
    cases_before = Case.objects.count()
    services.referral_accept(actor=world.actor("alpha.investigator"), referral=referral)
    assert reload(referral).resulting_case_id is None
    assert Case.objects.count() == cases_before


# -- referrals: read time ---------------------------------------------------------------------


def _sees(world: World, key: str, referral: Referral) -> bool:
    return policies.visible_referrals(world.actor(key)).filter(pk=referral.pk).exists()


def test_receiver_loses_the_referral_when_the_consent_is_revoked(world: World) -> None:
    _, release, referral = vs_referral(world)
    assert _sees(world, "alpha.other_agency_cm", referral)
    case_services.consent_revoke(actor=world.actor("alpha.case_manager"), consent=release)
    assert not _sees(world, "alpha.other_agency_cm", referral)
    assert _sees(world, "alpha.case_manager", referral)
    assert _sees(world, "alpha.vs_supervisor", referral)


def test_receiver_loses_the_referral_when_the_consent_expires(world: World) -> None:
    _, release, referral = vs_referral(world, to="alpha.da")
    assert _sees(world, "alpha.investigator", referral)
    Consent.objects.filter(pk=release.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert not _sees(world, "alpha.investigator", referral)
    assert _sees(world, "alpha.case_manager", referral)


def test_receiver_may_not_accept_after_the_consent_is_revoked(world: World) -> None:
    """Accepting copies the payload into a new client: after revocation that is exactly the
    disclosure the client took back."""
    _, release, referral = vs_referral(world)
    case_services.consent_revoke(actor=world.actor("alpha.case_manager"), consent=release)
    referral.refresh_from_db()
    with refused((PermissionDenied, ValidationError, ReferralConflict)):
        services.referral_accept(actor=world.actor("alpha.other_agency_cm"), referral=referral)


def test_coordinator_sees_the_envelope_not_the_payload(world: World) -> None:
    referral = le_referral(world)
    coordinator = world.actor("alpha.coordinator")
    assert _sees(world, "alpha.coordinator", referral)
    assert not policies.can_read_payload(coordinator, referral)
    assert policies.can_read_payload(world.actor("alpha.case_manager"), referral)
    assert policies.can_read_payload(world.actor("alpha.investigator"), referral)


# -- certification requests -------------------------------------------------------------------


def _certification(
    world: World, key: str = "alpha.other_agency_cm", **kwargs: object
) -> CertificationRequest:
    case = kwargs.pop("case", None) or intake(world, key)
    values: dict[str, object] = {"kind": "u_visa", "certifying_agency": world.agencies["alpha.da"]}
    values.update(kwargs)
    return certifications.certification_request(actor=world.actor(key), case=case, **values)


def test_certification_request(world: World) -> None:
    case = intake(world, "alpha.other_agency_cm", first="Zelda", last="Secretclient")
    seq = last_seq()
    due = today(world) + dt.timedelta(days=10)
    request = _certification(world, case=case, due_on=due)
    assert (request.status, request.requested_on, request.due_on) == ("requested", today(world), due)
    assert request.requesting_agency_id == world.agencies["alpha.vs2"].pk
    assert actions_since(seq) == ["certification.requested"]
    assert events_since(seq)[0].detail == {"kind": "u_visa", "origin": "case", "victim_reference": False}
    assert_no_content(seq, "Zelda", "Secretclient")


def test_certification_request_only_on_a_writable_own_case(world: World) -> None:
    case = intake(world)
    for key in ("alpha.case_manager_2", "alpha.other_agency_cm", "alpha.investigator", "alpha.coordinator"):
        with refused(PermissionDenied):
            _certification(world, key, case=case)
    _certification(world, "alpha.vs_supervisor", case=case)


def test_certification_request_validation(world: World) -> None:
    case = intake(world, "alpha.other_agency_cm")
    for kwargs in (
        {"certifying_agency": world.agencies["alpha.vs"]},
        {"certifying_agency": world.agencies["beta.da"]},
        {"kind": "green_card"},
        {"requested_on": today(world) + dt.timedelta(days=1)},
        {"requested_on": today(world), "due_on": today(world) - dt.timedelta(days=1)},
    ):
        with refused(ValidationError):
            _certification(world, case=case, **kwargs)


def test_certification_review_and_decision(world: World) -> None:
    request = _certification(world)
    for key in ("alpha.detective", "alpha.coordinator", "alpha.other_agency_cm", "beta.investigator"):
        with refused(PermissionDenied):
            certifications.certification_set_status(
                actor=world.actor(key), request=request, status="under_review"
            )
    seq = last_seq()
    certifications.certification_set_status(
        actor=world.actor("alpha.investigator"), request=request, status="under_review", reference="DA-55"
    )
    request.refresh_from_db()
    assert (request.status, request.reference, request.decided_on) == ("under_review", "DA-55", None)
    assert actions_since(seq) == ["certification.status_changed"]
    assert events_since(seq)[0].detail == {"status": "under_review"}
    for key in ("alpha.investigator", "alpha.detective", "alpha.other_agency_cm"):
        with refused(PermissionDenied):
            certifications.certification_set_status(actor=world.actor(key), request=request, status="signed")
    with refused(ValidationError):
        certifications.certification_set_status(
            actor=world.actor("alpha.prosecutor"), request=request, status="lost"
        )
    certifications.certification_set_status(
        actor=world.actor("alpha.prosecutor"), request=request, status="signed"
    )
    request.refresh_from_db()
    assert (request.status, request.decided_on) == ("signed", today(world))
    for status, key in (("declined", "alpha.le_supervisor"), ("signed", "alpha.prosecutor"),
                        ("under_review", "alpha.investigator")):  # fmt: skip
        with refused(ReferralConflict):
            certifications.certification_set_status(actor=world.actor(key), request=request, status=status)


def test_le_supervisor_declines_certification(world: World) -> None:
    request = _certification(world)
    with refused(ValidationError):  # declining needs a reason
        certifications.certification_set_status(
            actor=world.actor("alpha.le_supervisor"), request=request, status="declined", reason=" "
        )
    certifications.certification_set_status(
        actor=world.actor("alpha.le_supervisor"), request=request, status="declined", reason="Not helpful"
    )
    request = reload(request)
    assert (request.status, request.decline_reason, request.deadline_on) == ("declined", "Not helpful", None)


def test_a_match_inside_ones_own_agency_names_the_investigation(world: World) -> None:
    """Issue 12, item 9: deconfliction inside one agency names the matching investigation (there
    is nobody else to contact); a restricted one the person may not open stays agency-only."""
    ours = investigation(world, "alpha.investigator", case_number="DA-CASE-12", title="Harbor restaurant")
    services.suspect_add(
        actor=world.actor("alpha.investigator"),
        investigation=ours,
        data={"full_name": "Cyril Vane", "phones": ["(925) 555-0142"]},
    )
    again = investigation(world, "alpha.le_supervisor")
    _, messages = services.suspect_add(
        actor=world.actor("alpha.le_supervisor"),
        investigation=again,
        data={"full_name": "Someone Else", "phones": ["925.555.0142"]},
    )
    assert messages == ["Phone number matches your agency's investigation DA-CASE-12 (Harbor restaurant)."]

    hidden = investigation(
        world, "alpha.le_supervisor", case_number="COVERT-2", title="Kestrel", restricted=True
    )
    services.suspect_add(
        actor=world.actor("alpha.le_supervisor"),
        investigation=hidden,
        data={"full_name": "Ida Ross", "phones": ["(925) 555-0177"]},
    )
    mine = investigation(world, "alpha.investigator")
    _, messages = services.suspect_add(
        actor=world.actor("alpha.investigator"),
        investigation=mine,
        data={"full_name": "Unknown", "phones": ["9255550177"]},
    )
    assert len(messages) == 1
    assert "District Attorney" in messages[0]
    for secret in ("COVERT-2", "Kestrel", "Ida"):
        assert secret not in messages[0]
