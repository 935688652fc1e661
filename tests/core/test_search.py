"""The search box (issue 12, item 3; api.md "Everyday work"): one search over what the caller may
see, through each record type's own policy. Clients are found by a whole name, an alias or a
phone number as typed, in the caller's own agency only; never across agencies, sides or task
forces. Audited with counts, never the terms."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases import services as case_services
from referrals import services as le_services
from taskforce.models import AuditEvent
from tests.wall.case_world import add_cases
from tests.wall.le_world import add_le_records
from tests.wall.mdt_world import add_mdt_records
from tests.world import World

pytestmark = pytest.mark.django_db


def api_search(world: World, key: str, q: str | None, tf: str | None = None):
    slug = tf or world.slug(key)
    params = {} if q is None else {"q": q}
    return world.api(key).get(f"/api/v1/tf/{slug}/search/", params)


def found(world: World, key: str, q: str) -> set[tuple[str, str]]:
    response = api_search(world, key, q)
    assert response.status_code == 200, response.content
    return {(hit["type"], hit["id"]) for hit in response.json()["results"]}


@pytest.fixture
def full(world: World) -> World:
    add_cases(world)
    add_le_records(world)
    add_mdt_records(world)
    return world


def _alpha_client(world: World) -> dict[str, str]:
    case = case_services.intake_create(
        actor=world.actor("alpha.case_manager"),
        client={
            "first_name": "Lucia",
            "last_name": "Orozco",
            "aliases": "Lu, Lulu",
            "phone": "(510) 555-0199",
        },
        case={},
    )
    # The same name in another agency of the same task force: never found from here.
    other = case_services.intake_create(
        actor=world.actor("alpha.other_agency_cm"),
        client={"first_name": "Lucia", "last_name": "Orozco", "phone": "510-555-0199"},
        case={},
    )
    return {"case": str(case.pk), "other": str(other.pk)}


def test_a_case_is_found_by_whole_name_alias_and_phone_in_the_own_agency_only(full: World) -> None:
    ids = _alpha_client(full)
    mine = ("case", ids["case"])
    other = ("case", ids["other"])
    for q in (
        "Lucia",
        "orozco",
        "Lucia Orozco",
        "Lulu",
        "lu",
        "(510) 555-0199",
        "510.555.0199",
        "5105550199",
    ):
        hits = found(full, "alpha.case_manager", q)
        assert mine in hits, q
        assert other not in hits, q
        supervisor_hits = found(full, "alpha.vs_supervisor", q)
        assert mine in supervisor_hits, q
    # Part of a name is not a match: a name is searched whole (it is what the blind index keeps).
    assert mine not in found(full, "alpha.case_manager", "Luc")
    # The other agency finds its own client with the same name, never ours.
    hits = found(full, "alpha.other_agency_cm", "Lucia Orozco")
    assert other in hits
    assert mine not in hits
    # No other side, role or task force finds either.
    for key in ("alpha.coordinator", "alpha.investigator", "alpha.analyst", "alpha.tenant_admin"):
        hits = found(full, key, "Lucia")
        assert not {h for h in hits if h[0] == "case"}, key
    assert found(full, "beta.case_manager", "Lucia") == set()


def test_a_case_manager_finds_only_cases_assigned_to_them(full: World) -> None:
    ids = _alpha_client(full)
    # case_manager_2 is in the same agency but not assigned: visible_cases says no.
    assert ("case", ids["case"]) not in found(full, "alpha.case_manager_2", "Lucia")


def test_law_enforcement_records(full: World) -> None:
    investigation = full.records["alpha.investigation"]
    restricted = full.records["alpha.restricted"]
    tip = full.records["alpha.tip"]
    prosecution = full.records["alpha.prosecution"]
    assert ("tip", str(tip.pk)) in found(full, "alpha.investigator", "LETIP-alpha")
    assert ("investigation", str(investigation.pk)) in found(full, "alpha.investigator", "INV-alpha")
    assert ("investigation", str(investigation.pk)) in found(full, "alpha.investigator", "LESUSPECT-alpha")
    assert ("prosecution", str(prosecution.pk)) in found(full, "alpha.prosecutor", "LEPROS-alpha")
    assert ("prosecution", str(prosecution.pk)) not in found(full, "alpha.prosecutor", "lesuspect-alpha")
    le_services.defendant_add(
        actor=full.actor("alpha.prosecutor"), prosecution=prosecution, suspect=full.records["alpha.suspect"]
    )
    assert ("prosecution", str(prosecution.pk)) in found(full, "alpha.prosecutor", "lesuspect-alpha")
    # The restricted investigation: its team finds it, another investigator does not.
    assert ("investigation", str(restricted.pk)) in found(full, "alpha.investigator", "RES-alpha")
    assert ("investigation", str(restricted.pk)) not in found(full, "alpha.detective", "RES-alpha")
    # Victim services and the other task force find none of it.
    for key in ("alpha.case_manager", "alpha.vs_supervisor", "beta.investigator"):
        hits = (
            found(full, key, "LETIP-alpha") | found(full, key, "INV-alpha") | found(full, key, "LEPROS-alpha")
        )
        assert not {h for h in hits if h[0] in ("tip", "investigation", "prosecution")}, key


def test_referrals_payload_is_searched_by_its_two_agencies_only(full: World) -> None:
    referral = full.records["alpha.referral"]
    hit = ("referral", str(referral.pk))
    assert hit in found(full, "alpha.investigator", "REFPAYLOAD-alpha")  # sender's agency
    assert hit in found(full, "alpha.case_manager", "REFPAYLOAD-alpha")  # receiving agency
    # The coordinator sees the envelope, not the payload: found by its id, never by its words.
    assert hit not in found(full, "alpha.coordinator", "REFPAYLOAD-alpha")
    assert hit in found(full, "alpha.coordinator", str(referral.pk))
    assert hit not in found(full, "alpha.other_agency_cm", "REFPAYLOAD-alpha")


def test_mdt_review_codes(full: World) -> None:
    review = full.records["alpha.mdt_review"]
    assert ("mdt_review", str(review.pk)) in found(full, "alpha.coordinator", review.mdt_code)
    assert ("mdt_review", str(review.pk)) not in found(full, "beta.coordinator", review.mdt_code)


def test_missing_or_short_text_is_400_and_audits_nothing(full: World) -> None:
    before = AuditEvent.objects.filter(action="search.performed").count()
    for q in (None, "", "a", " b ", "x" * 201, "ab\x00cd"):
        response = api_search(full, "alpha.case_manager", q)
        assert response.status_code == 400, q
        assert "q" in response.json()
    assert AuditEvent.objects.filter(action="search.performed").count() == before
    page = full.client("alpha.case_manager").get(
        reverse("search", kwargs={"task_force": "alpha"}), {"q": "a"}
    )
    assert page.status_code == 400
    assert "at least 2 characters" in page.content.decode()


def test_a_search_is_audited_with_counts_never_the_terms(full: World) -> None:
    _alpha_client(full)
    found(full, "alpha.case_manager", "Orozco")
    event = AuditEvent.objects.filter(action="search.performed").latest("seq")
    assert event.detail == {"count": 1, "types": {"case": 1}}
    assert not any("Orozco" in str(row) for row in AuditEvent.objects.values_list("detail", "target_id"))


def test_the_search_answers_in_a_bounded_number_of_queries(
    full: World, django_assert_max_num_queries
) -> None:
    for i in range(30):
        case_services.intake_create(
            actor=full.actor("alpha.case_manager"),
            client={"first_name": "Maria", "last_name": f"Same{i}"},
            case={},
        )
    api = full.api("alpha.case_manager")
    with django_assert_max_num_queries(20):
        response = api.get("/api/v1/tf/alpha/search/", {"q": "Maria"})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 10  # at most ten a type


def test_the_header_box_and_the_results_page(full: World) -> None:
    ids = _alpha_client(full)
    client = full.client("alpha.case_manager")
    home = client.get(reverse("tf-home", kwargs={"task_force": "alpha"})).content.decode()
    assert 'role="search"' in home
    page = client.get(reverse("search", kwargs={"task_force": "alpha"}), {"q": "Lulu"})
    assert page.status_code == 200
    body = page.content.decode()
    assert f"/tf/alpha/cases/{ids['case']}/" in body
    assert f"/tf/alpha/cases/{ids['other']}/" not in body
    assert "Cases" in body
