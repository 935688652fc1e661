"""Agencies and members: sortable columns and keyset pages; the shared helper's 400 page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from taskforce.models import Agency, Membership
from taskforce.policies import visible_agencies, visible_memberships
from taskforce.services import agency_create, membership_deactivate
from tests.listing import assert_orders, assert_refuses_bad_input, walk
from tests.world import World

pytestmark = pytest.mark.django_db


def url(name: str, tf: str = "alpha") -> str:
    return reverse(name, kwargs={"task_force": tf})


def _agencies(world: World, slug: str, count: int) -> None:
    for n in range(count):
        agency_create(
            actor=world.actor(f"{slug}.tenant_admin"), name=f"Partner {slug} {n:02d}", side="partner"
        )


def test_agencies_sort_and_page_within_the_task_force(world: World) -> None:
    _agencies(world, "alpha", 7)
    _agencies(world, "beta", 2)
    visible = list(visible_agencies(world.actor("alpha.tenant_admin")))
    assert len(visible) == 13
    client = world.client("alpha.tenant_admin")
    default = walk(client, url("agency-list"), size=10)
    assert default == [a.pk for a in sorted(visible, key=lambda a: (a.side, a.name, a.pk))]
    assert_orders(client, url("agency-list"), visible, {"name": lambda a: a.name, "side": lambda a: a.side})


def test_members_sort_and_page_within_the_task_force(world: World) -> None:
    admin = world.actor("alpha.tenant_admin")
    membership_deactivate(actor=admin, membership=world.memberships["alpha.analyst"])
    visible: list[Membership] = list(visible_memberships(world.actor("alpha.tenant_admin")))
    assert len(visible) > 10
    assert {m.task_force_id for m in visible} == {world.task_forces["alpha"].pk}
    client = world.client("alpha.tenant_admin")
    default = walk(client, url("membership-list"), size=10)
    expected = sorted(visible, key=lambda m: (not m.is_active, m.agency.name, m.user.email, m.pk))
    assert default == [m.pk for m in expected]
    assert walk(client, url("membership-list"), size=10)[-1] == world.memberships["alpha.analyst"].pk
    orders = {"role": lambda m: m.role, "status": lambda m: m.is_active}
    assert_orders(client, url("membership-list"), visible, orders)


def test_structure_lists_refuse_a_bad_sort_cursor_or_size(world: World) -> None:
    _agencies(world, "alpha", 7)
    client = world.client("alpha.tenant_admin")
    assert_refuses_bad_input(client, url("agency-list"), sort="name")
    assert_refuses_bad_input(client, url("membership-list"), sort="role")


def test_the_400_page_says_what_was_wrong_and_links_back(world: World) -> None:
    response = world.client("alpha.tenant_admin").get(url("agency-list"), {"sort": "<script>x"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Sort by one of: name, side" in body
    assert "<script>x" not in body  # escaped, never echoed raw
    assert f'href="{url("agency-list")}"' in body
    # Other 400s keep the plain page (their text may come from hostile input).
    plain = world.client("alpha.tenant_admin").get(url("agency-list"), HTTP_HOST="evil.example")
    assert plain.status_code == 400
    assert "Back to the list" not in plain.content.decode()


@pytest.mark.parametrize(("count", "size"), [(2, 10), (25, 100)])
def test_structure_list_queries_are_bounded(world: World, django_assert_max_num_queries, count, size) -> None:
    _agencies(world, "alpha", count)
    client = world.client("alpha.tenant_admin")
    for name in ("agency-list", "membership-list"):
        client.get(url(name))
        with django_assert_max_num_queries(20):
            assert (
                client.get(
                    url(name), {"sort": "-" + ("side" if name == "agency-list" else "role"), "size": size}
                ).status_code
                == 200
            )
    assert Agency.objects.filter(task_force=world.task_forces["alpha"]).count() == 6 + count


def test_a_cursor_shows_none_of_the_rows_values(world: World) -> None:
    """The members' order holds their email addresses: the page links must not."""
    import base64

    client = world.client("alpha.tenant_admin")
    listing = client.get(url("membership-list"), {"size": 10}).context["listing"]
    last = listing.rows[-1]
    assert listing.next_cursor
    raw = base64.urlsafe_b64decode(listing.next_cursor + "=" * (-len(listing.next_cursor) % 4))
    for value in (last.user.email, last.agency.name, str(last.pk)):
        assert value not in listing.next_url
        assert value.encode() not in raw


def test_the_audit_log_sorts_by_when_and_pages_with_its_filters(world: World) -> None:
    from taskforce.audit import audit_record
    from taskforce.models import AuditEvent

    for n in range(13):
        audit_record(action="case.viewed", actor=world.actor("alpha.case_manager"), target_id=f"sort-{n}")
    audit_record(action="case.viewed", actor=world.actor("beta.case_manager"), target_id="beta-1")
    world.use("alpha")
    mine = list(
        AuditEvent.objects.filter(action="case.viewed", target_id__startswith="sort-").order_by("seq")
    )
    client = world.client("alpha.tenant_admin")
    # Filtered to these rows: reading the log writes rows of its own (audit.read) as we page.
    for sort, expected in (("", mine[::-1]), ("-when", mine[::-1]), ("when", mine)):
        got = walk(client, url("audit-list"), action="case.viewed", sort=sort, size=10)
        assert got == [e.pk for e in expected], sort
    page = client.get(url("audit-list"), {"action": "case.viewed", "size": 10})
    assert "action=case.viewed" in page.context["listing"].next_url  # the filters travel with the pages
    assert 'aria-sort="descending"' not in page.content.decode()
    assert client.get(url("audit-list"), {"sort": "who"}).status_code == 400
    assert client.get(url("audit-list"), {"cursor": "x"}).status_code == 400
