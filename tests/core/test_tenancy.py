"""The tenant edge: one person in two task forces switches between them and sees each apart."""

from __future__ import annotations

import pytest
from django.urls import reverse

from taskforce.access import Role
from taskforce.models import Membership
from tests.world import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_hats(world: World) -> World:
    with world.scope("beta"):
        Membership.objects.create(
            task_force=world.task_forces["beta"],
            user=world.users["alpha.coordinator"],
            agency=world.agencies["beta.coord"],
            role=Role.ANALYST,
        )
    return world


def test_switcher_lists_each_task_force_and_both_work(two_hats: World) -> None:
    client = two_hats.client("alpha.coordinator")
    response = client.get(reverse("tf-home", kwargs={"task_force": "alpha"}))
    assert response.status_code == 200
    assert b"Alpha Task Force" in response.content
    assert reverse("tf-home", kwargs={"task_force": "beta"}).encode() in response.content

    response = client.get(reverse("tf-home", kwargs={"task_force": "beta"}))
    assert response.status_code == 200
    assert response.context["actor"].role == Role.ANALYST
    assert response.context["actor"].task_force_id == two_hats.task_forces["beta"].pk


def test_root_offers_a_choice_to_people_in_several_task_forces(two_hats: World) -> None:
    response = two_hats.client("alpha.coordinator").get(reverse("home"))
    assert response.status_code == 200
    assert b"Choose a task force" in response.content
    response = two_hats.client("alpha.analyst").get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("tf-home", kwargs={"task_force": "alpha"})


def test_me_lists_every_active_membership(two_hats: World) -> None:
    response = two_hats.api("alpha.coordinator").get(reverse("api:me"))
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "coordinator@alpha.test"
    assert sorted((m["task_force"], m["role"]) for m in body["memberships"]) == [
        ("alpha", "coordinator"),
        ("beta", "analyst"),
    ]
    assert body["memberships"][0]["agency"].keys() >= {"id", "name", "side"}


def test_each_task_force_shows_only_its_own_agencies(two_hats: World) -> None:
    client = two_hats.api("alpha.coordinator")
    for slug in ("alpha", "beta"):
        ids = {
            a["id"]
            for a in client.get(reverse("api:agency-list", kwargs={"task_force": slug})).json()["results"]
        }
        expected = {str(a.pk) for key, a in two_hats.agencies.items() if key.startswith(f"{slug}.")}
        assert ids == expected


def test_a_deactivated_membership_in_one_task_force_leaves_the_other(two_hats: World) -> None:
    client = two_hats.client("alpha.coordinator")
    Membership.objects.filter(pk=two_hats.memberships["alpha.coordinator"].pk).update(is_active=False)
    assert client.get(reverse("tf-home", kwargs={"task_force": "alpha"})).status_code == 404
    assert client.get(reverse("tf-home", kwargs={"task_force": "beta"})).status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in_whatever_the_slug(world: World, client) -> None:
    for slug in ("alpha", "no-such-task-force"):
        response = client.get(reverse("tf-home", kwargs={"task_force": slug}))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert client.get(reverse("api:agency-list", kwargs={"task_force": "alpha"})).status_code == 401
