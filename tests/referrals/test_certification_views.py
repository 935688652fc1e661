"""Issue 12, item 6 on the screens: start a certification request from an investigation or a
case, what the certifying agency's page shows (the victim under a release, the investigation if
it may see it), the decision form (declining needs a reason: 400), linking the investigation,
sharing the release later, and 404/403 for everyone else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cases.models import Case, Consent
from cases.services import consent_record, intake_create, today_for
from referrals import services
from referrals.models import CertificationRequest, IdentifiedVictim, Investigation
from taskforce.models import AuditEvent
from tests.world import World

pytestmark = pytest.mark.django_db


def url(name: str, tf: str = "alpha", **kwargs: object) -> str:
    return reverse(name, kwargs={"task_force": tf, **kwargs})


def _investigation(world: World, key: str = "alpha.investigator", **data: object) -> Investigation:
    return services.investigation_create(
        actor=world.actor(key), data={"title": "Harbor kitchens", "case_number": "DA-HT-41", **data}
    )


def _victim(world: World, investigation: Investigation, key: str = "alpha.investigator") -> IdentifiedVictim:
    return services.victim_identify(
        actor=world.actor(key), investigation=investigation, data={"name_or_alias": "Marisol V-7"}
    )


def _case(world: World) -> Case:
    return intake_create(
        actor=world.actor("alpha.other_agency_cm"),
        client={"first_name": "Zelda", "last_name": "Uniquename", "date_of_birth": dt.date(1990, 1, 2)},
        case={},
    )


def _release(world: World, case: Case, to: str = "alpha.da") -> Consent:
    return consent_record(
        actor=world.actor("alpha.other_agency_cm"),
        case=case,
        recipient_agency=world.agencies[to],
        scope=["identity"],
        purpose="U visa certification",
        signed_by="Zelda",
    )


def _form(world: World, **extra: object) -> dict[str, object]:
    today = today_for(world.actor("alpha.investigator"))
    return {
        "kind": "t_visa",
        "certifying_agency": world.agencies["alpha.da"].pk,
        "requested_on": today.isoformat(),
        **extra,
    }


def test_an_investigator_starts_a_request_from_the_investigation_page(world: World) -> None:
    investigation = _investigation(world)
    page = world.client("alpha.investigator").get(
        url("investigation-detail", investigation_id=investigation.pk)
    )
    start = url("investigation-certification-new", investigation_id=investigation.pk)
    assert start in page.content.decode()
    # The coordinator reads the investigation but may not start a request.
    coordinator = world.client("alpha.coordinator")
    assert (
        start
        not in coordinator.get(
            url("investigation-detail", investigation_id=investigation.pk)
        ).content.decode()
    )
    assert coordinator.get(start).status_code == 403
    for key in ("alpha.case_manager", "alpha.tenant_admin", "beta.investigator"):
        tf = key.split(".")[0]
        address = url("investigation-certification-new", tf=tf, investigation_id=investigation.pk)
        assert world.client(key).get(address).status_code == 404, key

    investigator = world.client("alpha.investigator")
    empty = investigator.get(start).content.decode()
    assert "No potential victim is recorded" in empty
    victim = _victim(world, investigation)
    form = investigator.get(start).content.decode()
    assert "Marisol V-7" in form
    assert investigator.post(start, _form(world)).status_code == 400  # no victim chosen
    assert investigator.post(start, _form(world, victim=victim.pk, due_on="later")).status_code == 400
    assert CertificationRequest.objects.count() == 0
    response = investigator.post(start, _form(world, victim=victim.pk))
    assert response.status_code == 302
    request_ = CertificationRequest.objects.get()
    assert response["Location"] == url("certification-detail", request_id=request_.pk)
    linked = investigator.get(url("investigation-detail", investigation_id=investigation.pk)).content.decode()
    assert url("certification-detail", request_id=request_.pk) in linked


def test_the_certifier_sees_who_and_which_investigation_and_decides(world: World) -> None:
    investigation = _investigation(world, "alpha.detective")
    victim = _victim(world, investigation, "alpha.detective")
    detective = world.client("alpha.detective")
    detective.post(
        url("investigation-certification-new", investigation_id=investigation.pk),
        _form(world, victim=victim.pk),
    )
    request_ = CertificationRequest.objects.get()
    detail = url("certification-detail", request_id=request_.pk)
    status_url = url("certification-status", request_id=request_.pk)

    prosecutor = world.client("alpha.prosecutor")
    listing = prosecutor.get(url("certification-list")).content.decode()
    assert "Marisol V-7" in listing
    page = prosecutor.get(detail).content.decode()
    assert "Marisol V-7" in page
    assert "DA-HT-41" in page
    assert "Reason for declining" in page

    refused = prosecutor.post(status_url, {"status": "declined", "reason": ""})
    assert refused.status_code == 400
    assert "Say why the request is declined." in refused.content.decode()
    assert CertificationRequest.objects.get().status == "requested"
    assert (
        prosecutor.post(status_url, {"status": "declined", "reason": "SECRET-REASON no contact"}).status_code
        == 302
    )
    request_.refresh_from_db()
    assert (request_.status, request_.decline_reason) == ("declined", "SECRET-REASON no contact")
    assert not AuditEvent.objects.filter(detail__icontains="SECRET-REASON").exists()
    seen = detective.get(detail).content.decode()
    assert "SECRET-REASON no contact" in seen
    assert "prosecutor" in seen  # who recorded it
    assert prosecutor.post(status_url, {"status": "signed"}).status_code == 409


def test_a_restricted_investigation_stays_hidden_on_the_certifiers_page(world: World) -> None:
    restricted = _investigation(
        world, "alpha.le_supervisor", restricted=True, title="Kestrel", case_number="COVERT-7"
    )
    victim = _victim(world, restricted, "alpha.le_supervisor")
    world.client("alpha.le_supervisor").post(
        url("investigation-certification-new", investigation_id=restricted.pk), _form(world, victim=victim.pk)
    )
    request_ = CertificationRequest.objects.get()
    page = world.client("alpha.prosecutor").get(url("certification-detail", request_id=request_.pk))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Marisol V-7" in body
    assert "restricted investigation led by District Attorney" in body
    for secret in ("Kestrel", "COVERT-7", str(restricted.pk)):
        assert secret not in body
    # The DA's investigator, off the team, sees the request as the certifying agency, not the
    # investigation; a victim-services agency sees nothing.
    other = world.client("alpha.investigator").get(url("certification-detail", request_id=request_.pk))
    assert other.status_code == 200
    assert "Kestrel" not in other.content.decode()
    assert (
        world.client("alpha.other_agency_cm")
        .get(url("certification-detail", request_id=request_.pk))
        .status_code
        == 404
    )


def test_from_a_case_the_name_travels_only_under_the_release(world: World) -> None:
    case = _case(world)
    legal = world.client("alpha.other_agency_cm")
    start = url("case-certification-new", case_id=case.pk)
    page = legal.get(start).content.decode()
    assert "No current release covers the client" in page
    release = _release(world, case)
    page = legal.get(start).content.decode()
    assert "No current release covers the client" not in page
    assert "To District Attorney" in page
    # Without choosing the release: nothing identifying crosses.
    assert legal.post(start, _form(world, kind="u_visa")).status_code == 302
    bare = CertificationRequest.objects.get()
    prosecutor = world.client("alpha.prosecutor")
    body = prosecutor.get(url("certification-detail", request_id=bare.pk)).content.decode()
    assert "Zelda" not in body
    assert "has not shared who this request is for" in body

    # Shared later from the request page.
    vs_page = legal.get(url("certification-detail", request_id=bare.pk)).content.decode()
    assert url("certification-release", request_id=bare.pk) in vs_page
    assert (
        prosecutor.post(url("certification-release", request_id=bare.pk), {"consent": release.pk}).status_code
        == 403
    )
    assert legal.post(url("certification-release", request_id=bare.pk), {"consent": "x"}).status_code == 400
    assert (
        legal.post(url("certification-release", request_id=bare.pk), {"consent": release.pk}).status_code
        == 302
    )
    body = prosecutor.get(url("certification-detail", request_id=bare.pk)).content.decode()
    assert "Zelda Uniquename" in body
    assert "1990-01-02" in body
    assert str(case.pk) not in body


def test_the_certifier_links_the_investigation_on_the_page(world: World) -> None:
    case = _case(world)
    legal = world.client("alpha.other_agency_cm")
    legal.post(url("case-certification-new", case_id=case.pk), _form(world, kind="u_visa"))
    request_ = CertificationRequest.objects.get()
    investigation = _investigation(world)
    link = url("certification-link", request_id=request_.pk)
    assert legal.post(link, {"investigation": investigation.pk}).status_code == 403
    assert world.client("alpha.detective").post(link, {"investigation": investigation.pk}).status_code == 404
    prosecutor = world.client("alpha.prosecutor")
    assert prosecutor.post(link, {"investigation": "nope"}).status_code == 400
    assert prosecutor.post(link, {"investigation": investigation.pk}).status_code == 302
    assert "DA-HT-41" in prosecutor.get(url("certification-detail", request_id=request_.pk)).content.decode()
    vs_page = legal.get(url("certification-detail", request_id=request_.pk)).content.decode()
    assert "DA-HT-41" not in vs_page
    assert "Harbor kitchens" not in vs_page
