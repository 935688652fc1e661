"""Issue 12, item 6 through the API: ``certifications/`` keeps its contract and gains the round
(start from an investigation, the victim reference under a release, the linked investigation,
the decision with reason and signer, the deadline, the signed-form seam). Bad input is a 400,
another side or task force a 404, and the list's queries are bounded."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from cases.models import Consent
from referrals.models import CertificationRequest
from taskforce.models import AuditEvent
from tests.referrals.test_api import create_case, create_investigation, post, url
from tests.world import World, local_today

pytestmark = pytest.mark.django_db


def _victim(world: World, investigation_id: str, key: str = "alpha.investigator") -> str:
    body = {"name_or_alias": "Marisol V-7", "identified_on": local_today().isoformat()}
    return post(world, key, "investigation-victims", body, expect=201, pk=investigation_id)["id"]


def _release(world: World, case_id: str, key: str = "alpha.case_manager", to: str = "alpha.da") -> str:
    body = {
        "recipient_agency": str(world.agencies[to].pk),
        "scope": ["identity"],
        "purpose": "U visa certification",
        "signed_by": "Ana",
    }
    return post(world, key, "case-consents", body, expect=201, pk=case_id)["id"]


def _from_investigation(world: World, key: str = "alpha.investigator", **extra: Any) -> dict:
    investigation = extra.pop("investigation", None) or create_investigation(world, key)["id"]
    body = {
        "investigation": investigation,
        "victim": extra.pop("victim", None) or _victim(world, investigation, key),
        "kind": "t_visa",
        "certifying_agency": str(world.agencies["alpha.da"].pk),
        **extra,
    }
    return post(world, key, "certification-list", body, expect=201)


def test_an_investigator_starts_a_request_and_the_prosecutor_signs_it(world: World) -> None:
    investigation = create_investigation(world)
    request = _from_investigation(world, investigation=investigation["id"])
    assert request["origin"] == "investigation"
    assert request["victim"] == {"name": "Marisol V-7", "other_names": "", "date_of_birth": None}
    assert request["investigation"]["id"] == investigation["id"]
    assert request["signed_form"] == "none"
    assert "case" not in request

    prosecutor = world.api("alpha.prosecutor")
    seen = prosecutor.get(url("certification-detail", pk=request["id"])).json()
    assert seen["victim"]["name"] == "Marisol V-7"
    assert seen["investigation"]["case_number"] == investigation["case_number"]

    declined = post(
        world,
        "alpha.prosecutor",
        "certification-status",
        {"status": "declined"},
        expect=400,
        pk=request["id"],
    )
    assert "reason" in declined
    assert CertificationRequest.objects.get(pk=request["id"]).status == "requested"
    future = (local_today() + dt.timedelta(days=2)).isoformat()
    post(
        world,
        "alpha.prosecutor",
        "certification-status",
        {"status": "signed", "decided_on": future},
        expect=400,
        pk=request["id"],
    )
    signed = post(
        world,
        "alpha.prosecutor",
        "certification-status",
        {"status": "signed", "signer_title": "Deputy DA", "reference": "DA-9"},
        pk=request["id"],
    )
    assert signed["status"] == "signed"
    assert (signed["signer_name"], signed["signer_title"]) == ("prosecutor", "Deputy DA")
    assert signed["decided_on"] == local_today().isoformat()
    assert signed["signed_form"] == "pending_upload"
    assert signed["deadline"] is None  # a T visa Supplement B has no USCIS validity window
    post(
        world,
        "alpha.le_supervisor",
        "certification-status",
        {"status": "declined", "reason": "late"},
        expect=409,
        pk=request["id"],
    )


def test_a_u_visa_signature_gives_the_filing_deadline(world: World) -> None:
    case = create_case(world)
    body = {"case": case["id"], "kind": "u_visa", "certifying_agency": str(world.agencies["alpha.da"].pk)}
    request = post(world, "alpha.case_manager", "certification-list", body, expect=201)
    signed = post(world, "alpha.prosecutor", "certification-status", {"status": "signed"}, pk=request["id"])
    deadline = dt.date.fromisoformat(signed["deadline"]["on"])
    assert 180 <= (deadline - local_today()).days <= 184
    assert "USCIS" in signed["deadline"]["label"]
    vs = world.api("alpha.case_manager").get(url("certification-detail", pk=request["id"])).json()
    assert vs["deadline"] == signed["deadline"]
    assert "investigation" not in vs


def test_the_victim_reference_reaches_the_certifier_only_under_the_release(world: World) -> None:
    case = create_case(world)
    da = str(world.agencies["alpha.da"].pk)
    without = post(
        world,
        "alpha.case_manager",
        "certification-list",
        {"case": case["id"], "kind": "u_visa", "certifying_agency": da},
        expect=201,
    )
    prosecutor = world.api("alpha.prosecutor")
    page = prosecutor.get(url("certification-detail", pk=without["id"]))
    assert page.json()["victim"] is None
    assert b"Ana" not in page.content
    assert case["id"].encode() not in page.content

    release = _release(world, case["id"])
    # A release to another agency does not do: 400, nothing created.
    elsewhere = _release(world, case["id"], to="alpha.pd")
    before = CertificationRequest.objects.count()
    post(
        world,
        "alpha.case_manager",
        "certification-list",
        {"case": case["id"], "kind": "u_visa", "certifying_agency": da, "consent": elsewhere},
        expect=400,
    )
    assert CertificationRequest.objects.count() == before
    shared = post(
        world,
        "alpha.case_manager",
        "certification-list",
        {"case": case["id"], "kind": "u_visa", "certifying_agency": da, "consent": release},
        expect=201,
    )
    assert (
        prosecutor.get(url("certification-detail", pk=shared["id"])).json()["victim"]["name"] == "Ana Client"
    )
    listed = prosecutor.get(url("certification-list")).json()["results"]
    assert {r["id"]: (r["victim"] or {}).get("name") for r in listed} == {
        without["id"]: None,
        shared["id"]: "Ana Client",
    }
    # Sharing later, under the release, for the first request.
    post(world, "alpha.case_manager", "certification-release", {"consent": release}, pk=without["id"])
    assert (
        prosecutor.get(url("certification-detail", pk=without["id"])).json()["victim"]["name"] == "Ana Client"
    )
    post(
        world, "alpha.prosecutor", "certification-release", {"consent": release}, expect=403, pk=without["id"]
    )
    # Revoked: gone at once, for both.
    post(world, "alpha.case_manager", "consent-revoke", pk=release)
    assert Consent.objects.get(pk=release).revoked_at is not None
    for request in (without, shared):
        seen = prosecutor.get(url("certification-detail", pk=request["id"]))
        assert seen.json()["victim"] is None
        assert b"Ana Client" not in seen.content
    # Nobody else sees the requests at all.
    for key in ("alpha.detective", "alpha.other_agency_cm", "alpha.coordinator", "beta.prosecutor"):
        tf = key.split(".")[0]
        assert world.api(key).get(url("certification-detail", tf=tf, pk=shared["id"])).status_code == 404, key


def test_a_restricted_investigation_shows_only_its_lead_agency(world: World) -> None:
    restricted = create_investigation(world, "alpha.le_supervisor", restricted=True, title="Kestrel")
    request = _from_investigation(world, "alpha.le_supervisor", investigation=restricted["id"])
    seen = world.api("alpha.prosecutor").get(url("certification-detail", pk=request["id"]))
    assert seen.status_code == 200
    assert seen.json()["investigation"] == {
        "id": None,
        "restricted": True,
        "lead_agency": "District Attorney",
    }
    assert b"Kestrel" not in seen.content
    assert restricted["case_number"].encode() not in seen.content
    assert restricted["id"].encode() not in seen.content
    assert seen.json()["victim"]["name"] == "Marisol V-7"
    supervisor = world.api("alpha.le_supervisor").get(url("certification-detail", pk=request["id"])).json()
    assert supervisor["investigation"]["title"] == "Kestrel"


def test_the_certifier_links_the_investigation(world: World) -> None:
    case = create_case(world)
    body = {"case": case["id"], "kind": "u_visa", "certifying_agency": str(world.agencies["alpha.da"].pk)}
    request = post(world, "alpha.case_manager", "certification-list", body, expect=201)
    investigation = create_investigation(world)
    restricted = create_investigation(world, "alpha.le_supervisor", restricted=True)
    post(
        world,
        "alpha.prosecutor",
        "certification-investigation",
        {"investigation": restricted["id"]},
        expect=400,
        pk=request["id"],
    )
    post(
        world,
        "alpha.prosecutor",
        "certification-investigation",
        {"investigation": "nope"},
        expect=400,
        pk=request["id"],
    )
    post(
        world,
        "alpha.case_manager",
        "certification-investigation",
        {"investigation": investigation["id"]},
        expect=403,
        pk=request["id"],
    )
    linked = post(
        world,
        "alpha.prosecutor",
        "certification-investigation",
        {"investigation": investigation["id"]},
        pk=request["id"],
    )
    assert linked["investigation"]["id"] == investigation["id"]
    vs = world.api("alpha.case_manager").get(url("certification-detail", pk=request["id"]))
    assert "investigation" not in vs.json()
    assert investigation["id"].encode() not in vs.content


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"kind": "t_visa"},
        {"case": "CASE", "investigation": "INV", "kind": "t_visa", "certifying_agency": "DA"},
        {"investigation": "INV", "kind": "t_visa", "certifying_agency": "DA"},  # no victim
        {
            "investigation": "INV",
            "victim": "VICTIM",
            "kind": "t_visa",
            "certifying_agency": "DA",
            "consent": str(uuid.uuid4()),
        },
        {"investigation": "INV", "victim": "VICTIM", "kind": "x", "certifying_agency": "DA"},
        {"investigation": "INV", "victim": "VICTIM", "kind": "t_visa", "certifying_agency": "BETA_DA"},
        {"investigation": "INV", "victim": "VICTIM", "kind": "t_visa", "certifying_agency": "VS"},
        {"investigation": "INV", "victim": str(uuid.uuid4()), "kind": "t_visa", "certifying_agency": "DA"},
        {
            "investigation": "INV",
            "victim": "VICTIM",
            "kind": "t_visa",
            "certifying_agency": "DA",
            "due_on": "soon",
        },
        {
            "investigation": "INV",
            "victim": "VICTIM",
            "kind": "t_visa",
            "certifying_agency": "DA",
            "victim_date_of_birth": "2999-01-01",
        },
        {"investigation": str(uuid.uuid4()), "victim": "VICTIM", "kind": "t_visa", "certifying_agency": "DA"},
        ["not", "an", "object"],
    ],
)
def test_bad_input_is_a_400_and_creates_nothing(world: World, body: Any) -> None:
    investigation = create_investigation(world)["id"]
    victim = _victim(world, investigation)
    names = {
        "INV": investigation,
        "VICTIM": victim,
        "CASE": create_case(world)["id"],
        "DA": str(world.agencies["alpha.da"].pk),
        "BETA_DA": str(world.agencies["beta.da"].pk),
        "VS": str(world.agencies["alpha.vs"].pk),
    }
    if isinstance(body, dict):
        body = {key: names.get(value, value) for key, value in body.items()}
    before = CertificationRequest.objects.count()
    response = world.api("alpha.investigator").post(url("certification-list"), body, format="json")
    assert response.status_code == 400, response.content
    assert CertificationRequest.objects.count() == before


def test_the_list_is_bounded_and_audited(world: World, django_assert_max_num_queries: Any) -> None:
    case = create_case(world)
    release = _release(world, case["id"])
    da = str(world.agencies["alpha.da"].pk)
    for _ in range(3):
        body = {"case": case["id"], "kind": "u_visa", "certifying_agency": da, "consent": release}
        post(world, "alpha.case_manager", "certification-list", body, expect=201)
        _from_investigation(world)
    prosecutor = world.api("alpha.prosecutor")
    prosecutor.get(url("certification-list"))  # warm the token and session caches
    with django_assert_max_num_queries(12):
        response = prosecutor.get(url("certification-list"))
    assert len(response.json()["results"]) == 6
    assert AuditEvent.objects.filter(action="certification.listed").order_by("-seq").first().detail == {
        "count": 6
    }
