"""Referral boxes and certification requests: sortable columns and keyset pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cases.services import intake_create
from referrals import certifications, policies, services
from referrals.models import CertificationRequest, Referral
from tests.listing import assert_orders, assert_refuses_bad_input, walk
from tests.world import World, local_today

pytestmark = pytest.mark.django_db

OPEN = (CertificationRequest.Status.REQUESTED, CertificationRequest.Status.UNDER_REVIEW)


def url(name: str, tf: str = "alpha") -> str:
    return reverse(name, kwargs={"task_force": tf})


def _referrals(
    world: World, count: int, to: str = "alpha.vs", key: str = "alpha.investigator"
) -> list[Referral]:
    return [
        services.referral_send(
            actor=world.actor(key),
            to_agency=world.agencies[to],
            payload={"summary": f"sorting {n}", "urgency": "normal"},
        )
        for n in range(count)
    ]


def _certifications(world: World, count: int, key: str = "alpha.case_manager") -> list[CertificationRequest]:
    today = local_today(world.slug(key))
    case = intake_create(actor=world.actor(key), client={"first_name": "Cert", "last_name": "Sort"}, case={})
    return [
        certifications.certification_request(
            actor=world.actor(key),
            case=case,
            kind="u_visa",
            certifying_agency=world.agencies[f"{world.slug(key)}.da"],
            requested_on=today - dt.timedelta(days=n // 3),
            due_on=None if n % 4 == 0 else today + dt.timedelta(days=n % 5),
        )
        for n in range(count)
    ]


def test_the_inbox_sorts_and_pages_through_its_own_referrals_only(world: World) -> None:
    mine = _referrals(world, 13)
    for referral in mine[2:5]:
        services.referral_decline(actor=world.actor("alpha.case_manager"), referral=referral, reason="No bed")
    _referrals(world, 3, to="alpha.vs2")  # another agency's inbox
    _referrals(world, 2, key="beta.investigator", to="beta.vs")
    client = world.client("alpha.case_manager")
    visible = [
        r
        for r in policies.visible_referrals(world.actor("alpha.case_manager"))
        if r.to_agency_id == world.agencies["alpha.vs"].pk
    ]
    assert {r.pk for r in visible} == {r.pk for r in mine}
    default = walk(client, url("referral-inbox"), size=10)
    # Those waiting for an answer first, then the newest.
    expected = sorted(visible, key=lambda r: (r.status != "sent", -r.created_at.timestamp(), -r.pk.int))
    assert default == [r.pk for r in expected]
    orders = {"sent": lambda r: r.created_at, "status": lambda r: r.status}
    assert_orders(client, url("referral-inbox"), visible, orders)


def test_the_outbox_sorts_and_pages(world: World) -> None:
    sent = _referrals(world, 12) + _referrals(world, 2, key="alpha.detective")  # another agency's
    client = world.client("alpha.investigator")
    got = walk(client, url("referral-outbox"), sort="-sent", size=10)
    assert got == [r.pk for r in sorted(sent[:12], key=lambda r: (r.created_at, r.pk), reverse=True)]


def test_certifications_sort_and_page_through_the_visible_ones(world: World) -> None:
    mine = _certifications(world, 13)
    _certifications(world, 3, key="alpha.other_agency_cm")
    visible = list(policies.visible_certifications(world.actor("alpha.case_manager")))
    assert {c.pk for c in visible} == {c.pk for c in mine}
    client = world.client("alpha.case_manager")
    default = walk(client, url("certification-list"), size=10)
    never = dt.date.max
    expected = sorted(
        visible,
        key=lambda c: (
            c.status not in OPEN,
            c.due_on or never,
            -c.requested_on.toordinal(),
            -c.pk.int,
        ),
    )
    assert default == [c.pk for c in expected]
    orders = {"requested": lambda c: c.requested_on, "status": lambda c: c.status}
    assert_orders(client, url("certification-list"), visible, orders)


def test_bridge_lists_refuse_a_bad_sort_cursor_or_size(world: World) -> None:
    _referrals(world, 12)
    _certifications(world, 12)
    assert_refuses_bad_input(world.client("alpha.case_manager"), url("referral-inbox"), sort="sent")
    assert_refuses_bad_input(world.client("alpha.case_manager"), url("certification-list"), sort="requested")


@pytest.mark.parametrize(("count", "size"), [(3, 10), (30, 100)])
def test_bridge_list_queries_are_bounded(
    world: World, django_assert_max_num_queries, count: int, size: int
) -> None:
    _referrals(world, count)
    _certifications(world, count)
    client = world.client("alpha.case_manager")
    for name in ("referral-inbox", "certification-list"):
        client.get(url(name))
        with django_assert_max_num_queries(22):
            response = client.get(url(name), {"sort": "status", "size": size})
        assert len(response.context["rows"]) == min(count, size), name
