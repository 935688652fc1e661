"""A person's active sessions, and "sign out everywhere" (issue 9 item 6)."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from signin.models import UserSession
from taskforce.models import ApiToken
from tests.signin.helpers import audit_rows
from tests.world import PASSWORD, World

HOME = "/tf/alpha/"


def _browser(email: str, agent: str) -> Client:
    client = Client(HTTP_USER_AGENT=agent)
    assert client.post("/accounts/login/", {"username": email, "password": PASSWORD}).status_code == 302
    return client


def _token_client(email: str) -> APIClient:
    answer = APIClient().post("/api/v1/auth/token/", {"username": email, "password": PASSWORD}, format="json")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {answer.json()['token']}")
    return client


def test_the_list_shows_my_browsers_and_tokens_and_nobody_elses(world: World) -> None:
    me = world.users["alpha.analyst"].email
    laptop = _browser(me, "Laptop Firefox")
    _browser(me, "Phone Safari")
    api = _token_client(me)
    _browser(world.users["alpha.coordinator"].email, "Someone else")

    listing = laptop.get("/api/v1/me/sessions/")
    assert listing.status_code == 200
    rows = listing.json()["results"]
    assert sorted(r["kind"] for r in rows) == ["browser", "browser", "token"]
    assert {r["user_agent"] for r in rows if r["kind"] == "browser"} == {"Laptop Firefox", "Phone Safari"}
    assert [r["user_agent"] for r in rows if r["current"]] == ["Laptop Firefox"]
    assert listing.json()["next"] is None
    assert [r["kind"] for r in api.get("/api/v1/me/sessions/").json()["results"] if r["current"]] == ["token"]

    page = laptop.get(reverse("signin-sessions"))
    assert page.status_code == 200
    assert "Phone Safari" in page.content.decode()
    assert "Someone else" not in page.content.decode()
    assert "Sign out everywhere" in page.content.decode()


def test_ending_one_session_signs_that_browser_out_only(world: World) -> None:
    me = world.users["alpha.analyst"].email
    laptop = _browser(me, "Laptop")
    phone = _browser(me, "Phone")
    phone_id = next(
        r["id"] for r in laptop.get("/api/v1/me/sessions/").json()["results"] if r["user_agent"] == "Phone"
    )
    other = _browser(world.users["alpha.coordinator"].email, "Other")
    # Someone else's session id ends nothing.
    assert other.post(f"/api/v1/me/sessions/{phone_id}/sign-out/").status_code == 404
    assert phone.get(HOME).status_code == 200

    assert laptop.post(f"/api/v1/me/sessions/{phone_id}/sign-out/").status_code == 200
    assert phone.get(HOME).status_code == 302
    assert laptop.get(HOME).status_code == 200
    assert other.get(HOME).status_code == 200
    assert audit_rows(world.task_forces["alpha"], action="auth.session_ended")


def test_sign_out_everywhere_ends_every_browser_and_token(world: World) -> None:
    me = world.users["alpha.analyst"]
    laptop = _browser(me.email, "Laptop")
    phone = _browser(me.email, "Phone")
    api = _token_client(me.email)
    bystander = _browser(world.users["alpha.coordinator"].email, "Other")

    answer = laptop.post(reverse("signin-sign-out-everywhere"))
    assert answer.status_code == 302
    assert answer["Location"] == reverse("login")
    for client in (laptop, phone):
        assert client.get(HOME).status_code == 302
    assert api.get("/api/v1/me/").status_code == 401
    assert not ApiToken.objects.filter(user=me).exists()
    assert not UserSession.objects.filter(user=me, ended_at__isnull=True).exists()
    assert bystander.get(HOME).status_code == 200
    assert audit_rows(world.task_forces["alpha"], action="auth.signed_out_everywhere")


def test_sign_out_everywhere_over_the_api(world: World) -> None:
    me = world.users["alpha.analyst"].email
    phone = _browser(me, "Phone")
    api = _token_client(me)
    assert api.post("/api/v1/me/sessions/sign-out-everywhere/").status_code == 200
    assert api.get("/api/v1/me/").status_code == 401
    assert phone.get(HOME).status_code == 302


def test_the_sessions_pages_need_a_sign_in(db: None) -> None:
    assert Client().get(reverse("signin-sessions")).status_code == 302
    assert APIClient().get("/api/v1/me/sessions/").status_code in (401, 403)
