"""The bridge screens, through the browser's eyes: referral inbox, outbox, page and decisions,
the two "send a referral" forms, and the certification tracker. Who may see what (404), who may
do what (403), what crosses the wall (the payload only to the two agencies, only status of a
certification request), 409 when already decided, and every read audited."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Client, Consent
from cases.services import consent_record, consent_revoke, intake_create, today_for
from referrals.models import CertificationRequest, Referral
from referrals.services import referral_send
from taskforce.models import AuditEvent
from tests.world import World

pytestmark = pytest.mark.django_db

SECRET = "PAYLOAD-SECRET-7431"


def url(name: str, tf: str = "alpha", **kwargs: object) -> str:
    return reverse(name, kwargs={"task_force": tf, **kwargs})


def _case(
    world: World, key: str = "alpha.case_manager", first: str = "Marisol", last: str = "Quintero"
) -> Case:
    return intake_create(actor=world.actor(key), client={"first_name": first, "last_name": last}, case={})


def _consent(
    world: World,
    case: Case,
    to: str,
    key: str = "alpha.case_manager",
    scope: tuple[str, ...] = ("identity", "contact", "case_summary"),
) -> Consent:
    return consent_record(
        actor=world.actor(key),
        case=case,
        recipient_agency=world.agencies[to],
        scope=list(scope),
        purpose="referral for services",
        signed_by="the client",
    )


def _le_referral(world: World, key: str = "alpha.investigator", to: str = "alpha.vs") -> Referral:
    return referral_send(
        actor=world.actor(key),
        to_agency=world.agencies[to],
        payload={
            "summary": f"Met at a motel, needs shelter tonight {SECRET}",
            "name_or_alias": "Lupita",
            "language": "Spanish",
            "safe_contact": "Through the DA advocate",
            "needs": ["emergency_shelter"],
            "urgency": "high",
        },
    )


LE_FORM = {
    "name_or_alias": "Rosa",
    "language": "Tagalog",
    "safe_contact": "Only through the detective's desk phone",
    "needs": ["emergency_shelter", "medical"],
    "urgency": "immediate",
    "summary": f"Found during a labor inspection {SECRET}",
}


# ------------------------------------------------------------------------------ LE/coordinator


def test_coordinator_refers_a_victim_and_the_case_manager_accepts(world: World) -> None:
    coordinator = world.client("alpha.coordinator")
    page = coordinator.get(url("referral-new"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Shelter One" in body
    assert "Legal Aid Two" in body
    assert "District Attorney" not in body  # only victim-services agencies are offered

    response = coordinator.post(url("referral-new"), {**LE_FORM, "to_agency": world.agencies["alpha.vs"].pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    referral = Referral.objects.get()
    assert response["Location"] == url("referral-detail", referral_id=referral.pk)
    assert (referral.kind, referral.status, referral.urgency) == ("le_to_vs", "sent", "immediate")
    assert referral.needs == ["emergency_shelter", "medical"]

    # The coordinator's own agency sent it: its outbox shows what it wrote.
    assert "Rosa" in coordinator.get(url("referral-outbox")).content.decode()

    cm = world.client("alpha.case_manager")
    inbox = cm.get(url("referral-inbox"))
    assert inbox.status_code == 200
    assert "Rosa" in inbox.content.decode()
    assert AuditEvent.objects.filter(action="referral.listed", detail__count=1).exists()
    detail = cm.get(url("referral-detail", referral_id=referral.pk))
    assert detail.status_code == 200
    text = detail.content.decode()
    assert SECRET in text
    assert "Tagalog" in text
    assert "Medical" in text
    assert "Immediate danger" in text
    assert AuditEvent.objects.filter(action="referral.viewed", target_id=str(referral.pk)).exists()

    response = cm.post(url("referral-accept", referral_id=referral.pk))
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "accepted"
    assert referral.resulting_case_id
    case_url = url("case-detail", case_id=referral.resulting_case_id)
    after = cm.get(url("referral-detail", referral_id=referral.pk)).content.decode()
    assert case_url in after
    case_page = cm.get(case_url)
    assert case_page.status_code == 200
    assert "Rosa" in case_page.content.decode()

    # The receiver marks it done; the sender sees the status.
    assert cm.post(url("referral-complete", referral_id=referral.pk)).status_code == 302
    referral.refresh_from_db()
    assert referral.status == "completed"
    assert "Completed" in coordinator.get(url("referral-outbox")).content.decode()


def test_payload_is_for_the_two_agencies_only(world: World) -> None:
    referral = _le_referral(world)
    coordinator = world.client("alpha.coordinator")
    listing = coordinator.get(url("referral-inbox")).content.decode()
    assert "District Attorney" in listing
    assert "Shelter One" in listing
    assert "Lupita" not in listing
    assert SECRET not in listing
    page = coordinator.get(url("referral-detail", referral_id=referral.pk))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Law enforcement to victim services" in text
    for secret in (SECRET, "Lupita", "Spanish", "Through the DA advocate", "Emergency shelter"):
        assert secret not in text
    # The coordinator decides nothing on it.
    assert coordinator.post(url("referral-accept", referral_id=referral.pk)).status_code == 403
    assert coordinator.post(url("referral-withdraw", referral_id=referral.pk)).status_code == 403

    for key in ("alpha.investigator", "alpha.prosecutor", "alpha.case_manager", "alpha.vs_supervisor"):
        page = world.client(key).get(url("referral-detail", referral_id=referral.pk))
        assert page.status_code == 200, key
        assert SECRET in page.content.decode(), key


def test_le_agency_not_involved_and_outsiders_get_404(world: World) -> None:
    referral = _le_referral(world)
    outsiders = {
        "alpha.detective": "alpha",
        "alpha.other_agency_cm": "alpha",
        "alpha.tenant_admin": "alpha",
        "alpha.analyst": "alpha",
        "beta.case_manager": "beta",
        "beta.coordinator": "beta",
        "beta.investigator": "beta",
    }
    for key, tf in outsiders.items():
        client = world.client(key)
        for name in ("referral-detail",):
            assert client.get(url(name, tf=tf, referral_id=referral.pk)).status_code == 404, key
        for name in ("referral-accept", "referral-decline", "referral-withdraw", "referral-complete"):
            response = client.post(url(name, tf=tf, referral_id=referral.pk), {"reason": "x"})
            assert response.status_code == 404, (key, name)
        # Other task forces' people, asking in their own task force or in ours.
        assert client.get(url("referral-detail", referral_id=referral.pk)).status_code == 404, key
    referral.refresh_from_db()
    assert referral.status == "sent"
    # The uninvolved LE agency does not see it in its lists either.
    assert "Lupita" not in world.client("alpha.detective").get(url("referral-inbox")).content.decode()
    assert (
        "District Attorney" not in world.client("alpha.detective").get(url("referral-inbox")).content.decode()
    )
    # Admins and analysts have no referral or certification screens at all.
    for key in ("alpha.tenant_admin", "alpha.analyst"):
        client = world.client(key)
        for name in ("referral-inbox", "referral-outbox", "referral-new", "certification-list"):
            assert client.get(url(name)).status_code == 404, (key, name)
    for key in ("beta.coordinator", "beta.case_manager", "beta.investigator"):
        assert world.client(key).get(url("referral-inbox")).status_code == 404


def test_decline_needs_a_reason_and_the_sender_reads_it(world: World) -> None:
    referral = _le_referral(world)
    cm = world.client("alpha.case_manager")
    response = cm.post(url("referral-decline", referral_id=referral.pk), {"reason": "  "})
    assert response.status_code == 400
    assert "field-error" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == "sent"

    response = cm.post(
        url("referral-decline", referral_id=referral.pk), {"reason": "No bed for a family of four"}
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "declined"
    assert referral.decline_reason == "No bed for a family of four"
    page = world.client("alpha.investigator").get(url("referral-detail", referral_id=referral.pk))
    assert "No bed for a family of four" in page.content.decode()
    assert (
        "No bed"
        not in world.client("alpha.coordinator")
        .get(url("referral-detail", referral_id=referral.pk))
        .content.decode()
    )


def test_deciding_twice_is_a_conflict_and_changes_nothing(world: World) -> None:
    referral = _le_referral(world)
    cm = world.client("alpha.case_manager")
    assert cm.post(url("referral-accept", referral_id=referral.pk)).status_code == 302
    referral.refresh_from_db()
    first_case, decided_at = referral.resulting_case_id, referral.decided_at
    cases = Case.objects.count()

    again = world.client("alpha.vs_supervisor").post(url("referral-accept", referral_id=referral.pk))
    assert again.status_code == 409
    assert "already accepted" in again.content.decode()
    declined = cm.post(url("referral-decline", referral_id=referral.pk), {"reason": "changed my mind"})
    assert declined.status_code == 409
    withdrawn = world.client("alpha.investigator").post(url("referral-withdraw", referral_id=referral.pk))
    assert withdrawn.status_code == 409
    referral.refresh_from_db()
    assert (referral.status, referral.resulting_case_id, referral.decided_at) == (
        "accepted",
        first_case,
        decided_at,
    )
    assert referral.decline_reason == ""
    assert Case.objects.count() == cases


def test_withdraw_by_sender_then_accept_is_a_conflict(world: World) -> None:
    referral = _le_referral(world)
    # The receiver cannot withdraw, the sender cannot accept.
    assert (
        world.client("alpha.case_manager").post(url("referral-withdraw", referral_id=referral.pk)).status_code
        == 403
    )
    assert (
        world.client("alpha.investigator").post(url("referral-accept", referral_id=referral.pk)).status_code
        == 403
    )
    assert (
        world.client("alpha.prosecutor").post(url("referral-withdraw", referral_id=referral.pk)).status_code
        == 302
    )
    referral.refresh_from_db()
    assert referral.status == "withdrawn"
    assert (
        world.client("alpha.case_manager").post(url("referral-accept", referral_id=referral.pk)).status_code
        == 409
    )
    referral.refresh_from_db()
    assert referral.status == "withdrawn"
    assert referral.resulting_case_id is None


def test_referral_forms_are_for_their_side(world: World) -> None:
    case = _case(world)
    # Victim services refer from a case, not with the LE form.
    assert world.client("alpha.case_manager").get(url("referral-new")).status_code == 403
    # Law enforcement and the coordinator never reach a case.
    for key in ("alpha.investigator", "alpha.coordinator", "alpha.other_agency_cm", "alpha.case_manager_2"):
        status = world.client(key).get(url("case-referral-new", case_id=case.pk)).status_code
        assert status == 404, key
        assert world.client(key).get(url("case-certification-new", case_id=case.pk)).status_code == 404, key


def test_le_form_rejects_a_receiver_on_the_wrong_side(world: World) -> None:
    response = world.client("alpha.investigator").post(
        url("referral-new"), {**LE_FORM, "to_agency": world.agencies["alpha.pd"].pk}
    )
    assert response.status_code == 400
    response = world.client("alpha.investigator").post(
        url("referral-new"), {**LE_FORM, "to_agency": world.agencies["beta.vs"].pk}
    )
    assert response.status_code == 400
    assert not Referral.objects.exists()


def test_payload_is_escaped(world: World) -> None:
    form = {
        **LE_FORM,
        "name_or_alias": "<script>alert(1)</script>",
        "to_agency": world.agencies["alpha.vs"].pk,
    }
    assert world.client("alpha.investigator").post(url("referral-new"), form).status_code == 302
    referral = Referral.objects.get()
    body = (
        world.client("alpha.case_manager")
        .get(url("referral-detail", referral_id=referral.pk))
        .content.decode()
    )
    assert "<script>alert(1)" not in body
    assert "&lt;script&gt;" in body


# ---------------------------------------------------------------------------- VS -> LE, VS -> VS


def _vs_form(world: World, to: str, consent: Consent | None, **extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "to_agency": world.agencies[to].pk,
        "summary": f"The client wishes to report {SECRET}",
        "name_or_alias": "Marisol",
        "safe_contact": "Text the shelter line",
        "urgency": "normal",
        **extra,
    }
    if consent is not None:
        data["consent"] = consent.pk
    return data


@pytest.mark.parametrize("problem", ["none", "expired", "revoked", "other_agency", "scope"])
def test_vs_to_le_needs_a_current_consent_naming_the_agency(world: World, problem: str) -> None:
    case = _case(world)
    cm_actor = world.actor("alpha.case_manager")
    consent: Consent | None = None
    if problem == "expired":
        consent = _consent(world, case, "alpha.da")
        Consent.objects.filter(pk=consent.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    elif problem == "revoked":
        consent = _consent(world, case, "alpha.da")
        consent_revoke(actor=cm_actor, consent=consent)
    elif problem == "other_agency":
        consent = _consent(world, case, "alpha.pd")
    elif problem == "scope":
        consent = _consent(
            world, case, "alpha.da", scope=("case_summary",)
        )  # no identity: the name is not covered
    response = world.client("alpha.case_manager").post(
        url("case-referral-new", case_id=case.pk), _vs_form(world, "alpha.da", consent)
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "field-error" in body
    expected = {
        "none": "This field is required",
        "expired": "expired or was revoked",
        "revoked": "expired or was revoked",
        "other_agency": "does not name the receiving agency",
        "scope": "does not cover what is sent",
    }[problem]
    assert expected in body
    assert not Referral.objects.exists()


def test_vs_to_le_with_consent_reaches_the_named_agency_only(world: World) -> None:
    case = _case(world)
    consent = _consent(world, case, "alpha.da")
    cm = world.client("alpha.case_manager")
    page = cm.get(url("case-referral-new", case_id=case.pk))
    assert page.status_code == 200
    assert "To District Attorney" in page.content.decode()
    assert "must name the receiving agency" in page.content.decode()
    response = cm.post(url("case-referral-new", case_id=case.pk), _vs_form(world, "alpha.da", consent))
    assert response.status_code == 302, response.content.decode()[:3000]
    referral = Referral.objects.get()
    assert (referral.kind, referral.case_id, referral.consent_id) == ("vs_to_le", case.pk, consent.pk)

    investigator = world.client("alpha.investigator")
    page = investigator.get(url("referral-detail", referral_id=referral.pk))
    assert page.status_code == 200
    text = page.content.decode()
    assert SECRET in text
    assert "Marisol" in text
    # The release covers identity: the recorded legal name travels, in its own field.
    assert "<dt>Legal name</dt><dd>Marisol Quintero</dd>" in text
    assert url("case-detail", case_id=case.pk) not in text
    assert (
        world.client("alpha.detective").get(url("referral-detail", referral_id=referral.pk)).status_code
        == 404
    )
    # LE accepts: no case is opened on the LE side.
    assert investigator.post(url("referral-accept", referral_id=referral.pk)).status_code == 302
    referral.refresh_from_db()
    assert referral.status == "accepted"
    assert referral.resulting_case_id is None
    # The sender sees the status, and its way back to the case.
    sender_page = cm.get(url("referral-detail", referral_id=referral.pk)).content.decode()
    assert "Accepted" in sender_page
    assert url("case-detail", case_id=case.pk) in sender_page


def test_vs_to_vs_accept_opens_the_receivers_case_and_revocation_closes_the_referral(world: World) -> None:
    case = _case(world)
    consent = _consent(world, case, "alpha.vs2")
    cm = world.client("alpha.case_manager")
    response = cm.post(
        url("case-referral-new", case_id=case.pk),
        _vs_form(world, "alpha.vs2", consent, needs=["legal_immigration"], language="Spanish"),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    referral = Referral.objects.get()
    assert referral.kind == "vs_to_vs"

    legal = world.client("alpha.other_agency_cm")
    assert "Marisol" in legal.get(url("referral-inbox")).content.decode()
    assert legal.post(url("referral-accept", referral_id=referral.pk)).status_code == 302
    referral.refresh_from_db()
    new_case = Case.objects.get(pk=referral.resulting_case_id)
    assert new_case.agency_id == world.agencies["alpha.vs2"].pk
    assert Client.objects.get(pk=new_case.client_id).same_person_as_id == case.client_id
    assert legal.get(url("case-detail", case_id=new_case.pk)).status_code == 200
    assert (
        url("case-detail", case_id=new_case.pk)
        in legal.get(url("referral-detail", referral_id=referral.pk)).content.decode()
    )
    # The sender never reaches the receiver's case, nor the receiver the sender's.
    assert cm.get(url("case-detail", case_id=new_case.pk)).status_code == 404
    assert legal.get(url("case-detail", case_id=case.pk)).status_code == 404

    consent_revoke(actor=world.actor("alpha.case_manager"), consent=consent)
    assert legal.get(url("referral-detail", referral_id=referral.pk)).status_code == 404
    assert "Marisol" not in legal.get(url("referral-inbox")).content.decode()
    # The sender still sees its own referral.
    assert cm.get(url("referral-detail", referral_id=referral.pk)).status_code == 200


def test_case_page_has_the_bridge_card(world: World) -> None:
    case = _case(world)
    body = world.client("alpha.case_manager").get(url("case-detail", case_id=case.pk)).content.decode()
    assert url("case-referral-new", case_id=case.pk) in body
    assert url("case-certification-new", case_id=case.pk) in body


# ------------------------------------------------------------------------------ certifications


def test_certification_request_flow_crosses_only_status(world: World) -> None:
    case = _case(world, "alpha.other_agency_cm", first="Zelda", last="Uniquename")
    legal = world.client("alpha.other_agency_cm")
    form = legal.get(url("case-certification-new", case_id=case.pk))
    assert form.status_code == 200
    assert "District Attorney" in form.content.decode()
    assert "Shelter One" not in form.content.decode()
    today = today_for(world.actor("alpha.other_agency_cm"))
    data = {
        "kind": "u_visa",
        "certifying_agency": world.agencies["alpha.da"].pk,
        "requested_on": today.isoformat(),
        "due_on": (today + dt.timedelta(days=5)).isoformat(),
    }
    # Wrong side: a victim-services agency cannot certify.
    bad = legal.post(
        url("case-certification-new", case_id=case.pk),
        {**data, "certifying_agency": world.agencies["alpha.vs"].pk},
    )
    assert bad.status_code == 400
    response = legal.post(url("case-certification-new", case_id=case.pk), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    request_ = CertificationRequest.objects.get()
    detail = url("certification-detail", request_id=request_.pk)
    status_url = url("certification-status", request_id=request_.pk)

    investigator = world.client("alpha.investigator")
    listing = investigator.get(url("certification-list"))
    assert listing.status_code == 200
    text = listing.content.decode()
    assert "U visa" in text
    assert "Legal Aid Two" in text
    assert "due within 7 days" in text
    assert "Zelda" not in text
    assert "Uniquename" not in text
    assert AuditEvent.objects.filter(action="certification.listed", detail__count=1).exists()
    page = investigator.get(detail)
    assert page.status_code == 200
    assert "Zelda" not in page.content.decode()
    assert str(case.pk) not in page.content.decode()
    assert AuditEvent.objects.filter(action="certification.viewed", target_id=str(request_.pk)).exists()

    assert investigator.post(status_url, {"status": "under_review", "reference": "RPT-77"}).status_code == 302
    request_.refresh_from_db()
    assert request_.status == "under_review"
    assert request_.reference == "RPT-77"
    assert investigator.post(status_url, {"status": "signed"}).status_code == 403
    assert legal.post(status_url, {"status": "signed"}).status_code == 403
    assert world.client("alpha.prosecutor").post(status_url, {"status": "bogus"}).status_code == 400
    assert (
        world.client("alpha.prosecutor")
        .post(status_url, {"status": "signed", "reference": "DA-2025-9"})
        .status_code
        == 302
    )
    request_.refresh_from_db()
    assert (request_.status, request_.reference, request_.decided_on) == ("signed", "DA-2025-9", today)
    again = world.client("alpha.le_supervisor").post(status_url, {"status": "declined"})
    assert again.status_code == 409
    request_.refresh_from_db()
    assert request_.status == "signed"

    # Victim services see the status; their tracker names the client for them.
    vs_page = legal.get(detail).content.decode()
    assert "Signed" in vs_page
    assert "DA-2025-9" in vs_page
    vs_list = legal.get(url("certification-list")).content.decode()
    assert "Zelda" in vs_list
    assert "Signed" in vs_list

    # Nobody else: another LE agency, another VS agency, the coordinator, admins, other task forces.
    for key, tf in (
        ("alpha.detective", "alpha"),
        ("alpha.case_manager", "alpha"),
        ("alpha.vs_supervisor", "alpha"),
        ("alpha.coordinator", "alpha"),
        ("alpha.tenant_admin", "alpha"),
        ("alpha.analyst", "alpha"),
        ("beta.prosecutor", "beta"),
        ("beta.prosecutor", "alpha"),
    ):
        client = world.client(key)
        assert client.get(url("certification-detail", tf=tf, request_id=request_.pk)).status_code == 404, key
        assert (
            client.post(
                url("certification-status", tf=tf, request_id=request_.pk), {"status": "declined"}
            ).status_code
            == 404
        ), key
    assert world.client("alpha.coordinator").get(url("certification-list")).status_code == 404


def test_overdue_requests_are_flagged(world: World) -> None:
    case = _case(world, "alpha.other_agency_cm")
    legal = world.client("alpha.other_agency_cm")
    today = today_for(world.actor("alpha.other_agency_cm"))
    legal.post(
        url("case-certification-new", case_id=case.pk),
        {
            "kind": "t_visa",
            "certifying_agency": world.agencies["alpha.da"].pk,
            "requested_on": (today - dt.timedelta(days=30)).isoformat(),
            "due_on": (today - dt.timedelta(days=1)).isoformat(),
        },
    )
    assert CertificationRequest.objects.count() == 1
    assert "overdue" in world.client("alpha.prosecutor").get(url("certification-list")).content.decode()
    home = world.client("alpha.prosecutor").get(url("tf-home")).content.decode()
    assert "Certification requests to decide" in home


# -------------------------------------------------------------------------------- home, nav


def test_home_panels_and_navigation(world: World) -> None:
    _le_referral(world)
    expectations = {
        "alpha.coordinator": ("Referrals waiting", "waiting on victim services"),
        "alpha.case_manager": ("Referrals received", "waiting for your agency"),
        "alpha.vs_supervisor": ("Referrals received", "waiting for your agency"),
        "alpha.investigator": ("Referrals I sent", "Certification requests due"),
        "alpha.prosecutor": ("Certification requests to decide",),
    }
    for key, phrases in expectations.items():
        response = world.client(key).get(url("tf-home"))
        assert response.status_code == 200, key
        body = response.content.decode()
        for phrase in phrases:
            assert phrase in body, (key, phrase)
        assert SECRET not in body
        assert "Lupita" not in body
        assert url("referral-inbox") in body, key
    for key in ("alpha.tenant_admin", "alpha.analyst"):
        body = world.client(key).get(url("tf-home")).content.decode()
        assert url("referral-inbox") not in body
        assert url("certification-list") not in body
    assert (
        url("certification-list")
        not in world.client("alpha.coordinator").get(url("tf-home")).content.decode()
    )


def test_bad_filters_are_400(world: World) -> None:
    cm = world.client("alpha.case_manager")
    assert cm.get(url("referral-inbox"), {"status": "nope"}).status_code == 400
    assert cm.get(url("referral-inbox"), {"cursor": "x"}).status_code == 400
    assert cm.get(url("certification-list"), {"show": "nope"}).status_code == 400
    assert cm.get(url("referral-inbox"), {"status": "sent"}).status_code == 200


def test_a_release_recorded_on_the_referral_page_keeps_what_was_typed(world: World) -> None:
    """Issue 12, item 8: no release yet. Recording it in place gives back the referral as typed,
    with the new release chosen; then the referral goes."""
    case = _case(world)
    cm = world.client("alpha.case_manager")
    address = url("case-referral-new", case_id=case.pk)
    page = cm.get(address).content.decode()
    assert "No current release on this case" in page
    assert 'name="record_release"' in page
    typed = {
        "to_agency": str(world.agencies["alpha.da"].pk),
        "summary": f"Wants to report the employer. {SECRET}",
        "name_or_alias": "Marisol",
        "language": "Spanish",
        "safe_contact": "Weekdays after 5 pm",
        "needs": ["legal_criminal"],
        "urgency": "high",
    }
    release = {
        "release-recipient_agency": str(world.agencies["alpha.da"].pk),
        "release-scope": ["identity", "case_summary"],
        "release-purpose": "Report to the DA",
        "release-signed_by": "Marisol Quintero",
        "release-signed_on": today_for(world.actor("alpha.case_manager")).isoformat(),
    }
    # A release with a mistake: refused with its error, the referral typed is still all there.
    response = cm.post(address, {**typed, **release, "release-purpose": "", "record_release": "1"})
    assert response.status_code == 400
    body = response.content.decode()
    assert SECRET in body
    assert "Weekdays after 5 pm" in body
    assert not Consent.objects.filter(case=case).exists()
    # Recorded: the referral comes back as typed, the new release chosen; nothing sent yet.
    response = cm.post(address, {**typed, **release, "record_release": "1"})
    assert response.status_code == 200
    body = response.content.decode()
    consent = Consent.objects.get(case=case)
    assert SECRET in body
    assert "Weekdays after 5 pm" in body
    chosen = re.search(rf'<input[^>]*value="{consent.pk}"[^>]*>', body)
    assert chosen is not None
    assert "checked" in chosen.group(0)
    assert not Referral.objects.exists()
    response = cm.post(address, {**typed, "consent": str(consent.pk)})
    assert response.status_code == 302, re.findall(r"error[^<]*<[^<]*<[^<]*", response.content.decode())
    referral = Referral.objects.get()
    assert referral.consent_id == consent.pk
    assert SECRET in referral.summary
