"""Error pages inside the normal layout (issue 12, item 8), and a CSRF failure that says what
happened and that nothing was saved."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client, RequestFactory

from taskforce import errors
from taskforce.models import Agency
from tests.world import World

pytestmark = pytest.mark.django_db


def test_a_404_inside_a_task_force_has_the_navigation(world: World) -> None:
    response = world.client("alpha.coordinator").get(f"/tf/alpha/agencies/{uuid.uuid4()}/edit/")
    assert response.status_code == 404
    body = response.content.decode()
    assert 'class="site-header"' in body
    assert 'id="main-nav"' in body
    assert "Not found" in body
    assert "Go to your home page" in body


def test_a_csrf_failure_is_explained_in_the_layout_and_saves_nothing(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["alpha.tenant_admin"])
    before = Agency.objects.count()
    response = client.post("/tf/alpha/agencies/new/", {"name": "Sneaky", "side": "partner"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "Your form could not be sent" in body
    assert "Nothing was saved" in body
    assert 'class="site-header"' in body
    assert Agency.objects.count() == before
    api = Client(enforce_csrf_checks=True)
    api.force_login(world.users["alpha.tenant_admin"])
    answer = api.post("/api/v1/tf/alpha/agencies/", {"name": "x"})
    assert answer.status_code in (403, 405)


def test_a_server_error_page_keeps_the_layout_and_survives_a_broken_layout() -> None:
    request = RequestFactory().get("/tf/alpha/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = errors.server_error(request)
    assert response.status_code == 500
    assert b'class="site-header"' in response.content
    assert b"Something went wrong" in response.content

    class Broken:
        """A request whose user cannot be read: the layout fails, the plain page still answers."""

        path = "/tf/alpha/"
        META: dict = {}

        def __getattr__(self, name: str) -> object:
            raise RuntimeError(name)

    response = errors.server_error(Broken())  # type: ignore[arg-type]
    assert response.status_code == 500
    assert b"Something went wrong" in response.content
