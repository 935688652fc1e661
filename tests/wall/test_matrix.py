"""Every role x record type x action, HTML and API, across two task forces."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.wall.matrix import ALL_ACTORS, ALL_RECORD_TYPES, TENANT_PAGES, may_open, may_read, same_task_force
from tests.world import TASK_FORCES, World

pytestmark = pytest.mark.django_db


def _clients(world: World, actor_key: str):
    return world.client(actor_key), world.api(actor_key)


@pytest.mark.parametrize("record", ALL_RECORD_TYPES, ids=lambda r: r.name)
@pytest.mark.parametrize("record_tf", TASK_FORCES)
def test_detail_and_list_visibility(wall_world: World, record, record_tf: str) -> None:
    """For each asker: readers get 200 and see the record; everyone else gets 404 and no trace.
    Pages that show a record inside another (a note on its case page) may open to more people
    than the record itself: then the page answers 200 and the record's text is simply absent."""
    world = wall_world
    obj = record.get(world, record_tf)
    marker = record.secret(obj) if record.secret else None
    for actor_key in ALL_ACTORS:
        html, api = _clients(world, actor_key)
        opens = may_open(record, actor_key, record_tf)
        reads = may_read(record, actor_key, record_tf)
        for url in record.detail_urls(world, record_tf):
            client = api if url.startswith("/api/") else html
            response = client.get(url)
            expected = 200 if opens else 404
            assert response.status_code == expected, (actor_key, url, response.status_code)
            if marker:
                assert (marker.encode() in response.content) == reads, (actor_key, url, reads)
        for url in record.list_urls(record_tf):
            client = api if url.startswith("/api/") else html
            response = client.get(url)
            if not same_task_force(actor_key, record_tf) or not record.list_openers(actor_key):
                assert response.status_code == 404, (actor_key, url, response.status_code)
                assert not marker or marker.encode() not in response.content
                continue
            assert response.status_code == 200, (actor_key, url, response.status_code)
            shown = (record.secret or record.shown_as)(obj).encode()
            listed = str(obj.pk).encode() in response.content or shown in response.content
            assert listed == reads, (actor_key, url)
            if marker:
                # Never the other task force's copy of the record.
                for other_tf in TASK_FORCES:
                    if other_tf != record_tf:
                        other = record.get(world, other_tf)
                        assert record.secret(other).encode() not in response.content


@pytest.mark.parametrize(("url_name", "is_html", "readers", "others"), TENANT_PAGES)
def test_tenant_pages(world: World, url_name: str, is_html: bool, readers, others: int) -> None:
    for record_tf in TASK_FORCES:
        url = reverse(url_name, kwargs={"task_force": record_tf})
        for actor_key in ALL_ACTORS:
            html, api = _clients(world, actor_key)
            response = (html if is_html else api).get(url)
            if not same_task_force(actor_key, record_tf):
                expected = 404
            else:
                expected = 200 if readers(actor_key) else others
            assert response.status_code == expected, (actor_key, url, response.status_code)


STRUCTURE_WRITES = [
    ("agency-create", None, {"name": "New Agency", "side": "partner"}),
    ("agency-edit", "agency", {"name": "Renamed Agency"}),
    ("membership-edit", "membership", {"agency": None, "role": "vs_case_manager"}),
    ("membership-deactivate", "membership", {}),
]


@pytest.mark.parametrize(
    ("url_name", "target", "data"), STRUCTURE_WRITES, ids=[w[0] for w in STRUCTURE_WRITES]
)
@pytest.mark.parametrize("record_tf", TASK_FORCES)
def test_structure_writes(
    world: World, url_name: str, target: str | None, data: dict, record_tf: str
) -> None:
    """Only the task force's own admin may change its structure: members 403, outsiders 404."""
    from taskforce.models import Agency, Membership

    for actor_key in ALL_ACTORS:
        world.use(record_tf)  # the rows that could change are the record's task force's
        kwargs = {"task_force": record_tf}
        if target == "agency":
            kwargs["agency_id"] = world.agencies[f"{record_tf}.partner"].pk
        elif target == "membership":
            kwargs["membership_id"] = world.memberships[f"{record_tf}.analyst"].pk
        payload = dict(data)
        if "agency" in payload:
            payload["agency"] = world.agencies[f"{record_tf}.vs"].pk
        before_agencies = set(Agency.objects.values_list("id", "name", "mou_expires_on"))
        before_members = set(Membership.objects.values_list("id", "agency_id", "role", "is_active"))
        response = world.client(actor_key).post(reverse(url_name, kwargs=kwargs), payload)
        if not same_task_force(actor_key, record_tf):
            expected = {404}
        elif actor_key.endswith(".tenant_admin"):
            expected = {302}
        else:
            expected = {403}
        assert response.status_code in expected, (actor_key, url_name, response.status_code)
        changed = before_agencies != set(Agency.objects.values_list("id", "name", "mou_expires_on")) or (
            before_members != set(Membership.objects.values_list("id", "agency_id", "role", "is_active"))
        )
        assert changed == (response.status_code == 302), (actor_key, url_name)
        if changed:
            # Undo through the ORM so the next asker meets the same world.
            Agency.objects.filter(name="New Agency").delete()
            Agency.objects.filter(name="Renamed Agency").update(name=f"School District {record_tf}")
            Membership.objects.filter(pk=world.memberships[f"{record_tf}.analyst"].pk).update(
                agency=world.agencies[f"{record_tf}.coord"], role="analyst", is_active=True
            )


@pytest.mark.parametrize("record_tf", TASK_FORCES)
def test_api_structure_is_read_only(world: World, record_tf: str) -> None:
    url = reverse("api:agency-list", kwargs={"task_force": record_tf})
    for actor_key in ALL_ACTORS:
        response = world.api(actor_key).post(url, {"name": "X", "side": "partner"}, format="json")
        expected = 405 if same_task_force(actor_key, record_tf) else 404
        assert response.status_code == expected, (actor_key, response.status_code)
