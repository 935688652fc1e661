"""The survivor's safety profile and names at a referral hand-off, through the API.

The safety profile (unsafe channels, safe ways and times, address confidentiality) travels with
every referral whatever the release covers: it protects the client. Names travel only under a
release that covers identity, each into the field it came from; an alias is never filed as the
legal name.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.world import World

pytestmark = pytest.mark.django_db

SAFETY = {
    "safe_contact": "Weekdays 10-12 through her counselor",
    "unsafe_channels": ["text", "home_visit"],
    "address_confidential": True,
}


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"api:{name}", kwargs={"task_force": "alpha", **kwargs})


def post(world: World, key: str, name: str, body: Any = None, expect: int = 201, **kwargs: Any) -> Any:
    response = world.api(key).post(url(name, **kwargs), body or {}, format="json")
    assert response.status_code == expect, response.content
    return response.json()


def refer_and_accept(world: World, scope: list[str], **payload: Any) -> tuple[dict, dict]:
    """STAND!-like agency (alpha.vs) refers its client to another provider (alpha.vs2), which
    accepts; answers the referral as the receiver reads it and the receiver's new case."""
    client = {"first_name": "Luz", "last_name": "Marin", "aliases": "Lu", **SAFETY}
    case = post(world, "alpha.case_manager", "case-list", {"client": client, "trafficking_type": "sex"})
    release = post(
        world,
        "alpha.case_manager",
        "case-consents",
        {
            "recipient_agency": str(world.agencies["alpha.vs2"].pk),
            "scope": scope,
            "purpose": "Legal services",
            "signed_by": "Luz Marin",
        },
        pk=case["id"],
    )
    body = {
        "to_agency": str(world.agencies["alpha.vs2"].pk),
        "case": case["id"],
        "consent": release["id"],
        "summary": "Needs help with a T visa",
        **payload,
    }
    sent = post(world, "alpha.case_manager", "referral-list", body)
    receiver = world.api("alpha.other_agency_cm")
    seen = receiver.get(url("referral-detail", pk=sent["id"]))
    assert seen.status_code == 200
    accepted = post(world, "alpha.other_agency_cm", "referral-accept", expect=200, pk=sent["id"])
    new_case = receiver.get(url("case-detail", pk=accepted["resulting_case"]))
    assert new_case.status_code == 200
    return seen.json(), new_case.json()


def test_safety_profile_travels_under_a_release_that_covers_only_the_summary(world: World) -> None:
    referral, case = refer_and_accept(world, ["case_summary"])
    assert referral["unsafe_channels"] == ["home_visit", "text"]
    assert referral["address_confidential"] is True
    assert referral["safe_contact"] == SAFETY["safe_contact"]
    client = case["client"]
    assert sorted(client["unsafe_channels"]) == ["home_visit", "text"]
    assert client["address_confidential"] is True
    assert client["safe_contact"] == SAFETY["safe_contact"]
    # No identity release: no name crosses; the receiving agency records it itself.
    assert (client["first_name"], client["last_name"], client["aliases"]) == ("", "", "")
    assert (referral["first_name"], referral["last_name"], referral["aliases"]) == ("", "", "")


def test_names_land_in_their_own_fields_under_an_identity_release(world: World) -> None:
    referral, case = refer_and_accept(world, ["identity", "case_summary"], name_or_alias="Lu")
    assert (referral["first_name"], referral["last_name"], referral["aliases"]) == ("Luz", "Marin", "Lu")
    client = case["client"]
    assert (client["first_name"], client["last_name"], client["aliases"]) == ("Luz", "Marin", "Lu")
    assert sorted(client["unsafe_channels"]) == ["home_visit", "text"]
    assert client["address_confidential"] is True


def test_a_typed_name_is_kept_among_the_other_names(world: World) -> None:
    _, case = refer_and_accept(world, ["identity", "case_summary"], name_or_alias="Lulu")
    client = case["client"]
    assert (client["first_name"], client["last_name"], client["aliases"]) == ("Luz", "Marin", "Lu, Lulu")


def test_the_sender_cannot_drop_what_the_record_marks_unsafe(world: World) -> None:
    referral, case = refer_and_accept(
        world, ["case_summary"], unsafe_channels=["email"], address_confidential=False
    )
    assert referral["unsafe_channels"] == ["email", "home_visit", "text"]
    assert case["client"]["address_confidential"] is True


def test_law_enforcement_sends_the_safety_profile_it_knows(world: World) -> None:
    body = {
        "to_agency": str(world.agencies["alpha.vs"].pk),
        "summary": "Found at a motel, needs shelter",
        "name_or_alias": "Rosa",
        "safe_contact": "Through the detective only",
        "unsafe_channels": ["phone_call", "text"],
        "address_confidential": True,
    }
    sent = post(world, "alpha.investigator", "referral-list", body)
    accepted = post(world, "alpha.case_manager", "referral-accept", expect=200, pk=sent["id"])
    client = (
        world.api("alpha.case_manager")
        .get(url("case-detail", pk=accepted["resulting_case"]))
        .json()["client"]
    )
    assert client["first_name"] == "Rosa"
    assert sorted(client["unsafe_channels"]) == ["phone_call", "text"]
    assert client["address_confidential"] is True
    assert client["safe_contact"] == "Through the detective only"


def test_unknown_channel_is_a_400_that_sends_nothing(world: World) -> None:
    body = {
        "to_agency": str(world.agencies["alpha.vs"].pk),
        "summary": "Needs shelter",
        "unsafe_channels": ["carrier_pigeon"],
    }
    response = world.api("alpha.investigator").post(url("referral-list"), body, format="json")
    assert response.status_code == 400
    assert "unsafe_channels" in response.json()
    listed = world.api("alpha.investigator").get(url("referral-list")).json()
    assert listed["results"] == []
