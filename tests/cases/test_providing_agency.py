"""A service's providing agency (issue 9, weakness 9): the case's own agency, or an agency the
client was referred to under a current release; anything else is 400 and records nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.models import Case, Consent, ServiceDelivery
from cases.policies import providing_agencies
from referrals import services as referral_services
from tests.world import World

pytestmark = pytest.mark.django_db


def _case(world: World) -> Case:
    return case_services.intake_create(
        actor=world.actor("alpha.case_manager"),
        client={"first_name": "Odalys", "last_name": "Quenby"},
        case={"trafficking_type": "labor", "opened_on": timezone.localdate() - dt.timedelta(days=10)},
    )


def _refer(world: World, case: Case, to: str = "alpha.vs2", **consent: object) -> Consent:
    release = case_services.consent_record(
        actor=world.actor("alpha.case_manager"),
        case=case,
        recipient_agency=world.agencies[to],
        scope=["identity", "contact", "case_summary"],
        purpose="Legal consultation",
        signed_by="Odalys Quenby",
        **consent,
    )
    referral_services.referral_send(
        actor=world.actor("alpha.case_manager"),
        to_agency=world.agencies[to],
        case=case,
        consent=release,
        payload={"summary": "Needs legal advice"},
    )
    return release


def _post(world: World, case: Case, agency: str | None) -> object:
    url = reverse("api:case-services", kwargs={"task_force": "alpha", "pk": case.pk})
    body: dict[str, object] = {"service_type": "legal_civil", "delivered_on": str(timezone.localdate())}
    if agency is not None:
        body["providing_agency"] = str(world.agencies[agency].pk)
    return world.api("alpha.case_manager").post(url, body, format="json")


def test_case_manager_cannot_record_a_service_as_provided_by_the_da(world: World) -> None:
    """The reproduced attack: STAND!'s case manager names the DA's office as provider."""
    case = _case(world)
    response = _post(world, case, "alpha.da")
    assert response.status_code == 400
    assert "providing_agency" in response.json()
    assert not ServiceDelivery.objects.filter(case=case).exists()


def test_another_vs_agency_without_a_referral_is_400(world: World) -> None:
    case = _case(world)
    response = _post(world, case, "alpha.vs2")
    assert response.status_code == 400
    assert "providing_agency" in response.json()
    assert not ServiceDelivery.objects.filter(case=case).exists()


def test_own_agency_or_default_is_accepted(world: World) -> None:
    case = _case(world)
    assert _post(world, case, "alpha.vs").status_code == 201
    assert _post(world, case, None).status_code == 201
    assert set(ServiceDelivery.objects.filter(case=case).values_list("providing_agency_id", flat=True)) == {
        world.agencies["alpha.vs"].pk
    }


def test_agency_referred_to_under_a_current_release_is_accepted_until_revoked(world: World) -> None:
    case = _case(world)
    release = _refer(world, case)
    assert set(providing_agencies(case)) == {world.agencies["alpha.vs"], world.agencies["alpha.vs2"]}
    response = _post(world, case, "alpha.vs2")
    assert response.status_code == 201, response.content
    assert response.json()["providing_agency"] == str(world.agencies["alpha.vs2"].pk)

    case_services.consent_revoke(actor=world.actor("alpha.case_manager"), consent=release)
    assert _post(world, case, "alpha.vs2").status_code == 400
    assert ServiceDelivery.objects.filter(case=case).count() == 1


def test_expired_release_no_longer_counts(world: World) -> None:
    case = _case(world)
    release = _refer(world, case)
    assert providing_agencies(case).filter(pk=world.agencies["alpha.vs2"].pk).exists()
    later = release.expires_at + dt.timedelta(seconds=1)
    assert not providing_agencies(case, now=later).filter(pk=world.agencies["alpha.vs2"].pk).exists()
    Consent.objects.filter(pk=release.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1), expires_on=release.signed_on
    )
    assert _post(world, case, "alpha.vs2").status_code == 400


def test_a_release_to_one_agency_does_not_open_another(world: World) -> None:
    case = _case(world)
    _refer(world, case, to="alpha.vs2")
    assert _post(world, case, "alpha.pd").status_code == 400
    assert _post(world, case, "alpha.da").status_code == 400


def test_html_form_offers_only_allowed_agencies_and_refuses_others(world: World) -> None:
    case = _case(world)
    client = world.client("alpha.case_manager")
    url = reverse("case-service-add", kwargs={"task_force": "alpha", "case_id": case.pk})
    page = client.get(url).content.decode()
    assert world.agencies["alpha.da"].name not in page
    response = client.post(
        url,
        {
            "delivered_on": str(timezone.localdate()),
            "service_type": "legal_civil",
            "units": "1",
            "providing_agency": str(world.agencies["alpha.da"].pk),
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["providing_agency"]
    assert not ServiceDelivery.objects.filter(case=case).exists()


def test_service_layer_refuses_even_without_the_form(world: World) -> None:
    case = _case(world)
    with pytest.raises(case_services.ValidationError) as caught:
        case_services.service_record(
            actor=world.actor("alpha.case_manager"),
            case=case,
            service_type="legal_civil",
            delivered_on=timezone.localdate(),
            providing_agency=world.agencies["alpha.da"],
        )
    assert "providing_agency" in caught.value.message_dict
