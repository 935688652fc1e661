"""A task force admin sees the sign-ins, failures, lockouts and MFA changes of that task force's
members in its audit view, and nothing of another task force's members (issue 9 item 2)."""

from __future__ import annotations

from base64 import b32decode

from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from rest_framework.test import APIClient

from tests.world import PASSWORD, World

SIGN_IN_ACTIONS = {
    "auth.login",
    "auth.login_failed",
    "auth.locked",
    "auth.unlocked",
    "mfa.enrolled",
    "mfa.reset",
}


def _sign_in_story(world: World) -> None:
    user = world.users["alpha.analyst"]
    Client().post("/accounts/login/", {"username": user.email, "password": PASSWORD})
    answer = APIClient().post(
        "/api/v1/auth/token/", {"username": user.email, "password": PASSWORD}, format="json"
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {answer.json()['token']}")
    key = b32decode(api.post("/api/v1/me/mfa/totp/").json()["secret"])
    otp = f"{TOTP(key).token():06d}"
    assert api.post("/api/v1/me/mfa/totp/confirm/", {"otp": otp}, format="json").status_code == 200
    for _ in range(5):
        Client().post("/accounts/login/", {"username": user.email, "password": "wrong-password-123"})
    admin = world.api("alpha.tenant_admin")
    membership = world.memberships["alpha.analyst"]
    assert admin.post(f"/api/v1/tf/alpha/members/{membership.pk}/unlock/").status_code == 200
    assert admin.post(f"/api/v1/tf/alpha/members/{membership.pk}/reset-mfa/").status_code == 200


def test_admin_audit_api_shows_the_members_sign_in_events(world: World) -> None:
    _sign_in_story(world)
    analyst = str(world.users["alpha.analyst"].pk)
    admin_id = str(world.users["alpha.tenant_admin"].pk)
    rows = (
        world.api("alpha.tenant_admin").get("/api/v1/tf/alpha/audit-events/?page_size=200").json()["results"]
    )
    mine = [r for r in rows if r["target_id"] == analyst or r["user_id"] == analyst]
    assert {r["action"] for r in mine} >= SIGN_IN_ACTIONS
    failures = [r for r in mine if r["action"] == "auth.login_failed"]
    assert len(failures) == 5
    assert all(r["outcome"] == "failure" for r in failures)
    assert all(r["source_ip"] == "127.0.0.1" for r in failures)
    by_admin = {r["action"] for r in mine if r["user_id"] == admin_id}
    assert {"auth.unlocked", "mfa.reset"} <= by_admin

    # Another task force's admin sees none of it.
    beta_rows = (
        world.api("beta.tenant_admin").get("/api/v1/tf/beta/audit-events/?page_size=200").json()["results"]
    )
    assert not [r for r in beta_rows if analyst in (r["target_id"], r["user_id"])]


def test_admin_audit_page_and_home_show_them(world: World) -> None:
    _sign_in_story(world)
    admin = world.client("alpha.tenant_admin")
    page = admin.get(reverse("audit-list", kwargs={"task_force": "alpha"})).content.decode()
    for action in ("auth.locked", "auth.login_failed", "mfa.enrolled", "mfa.reset", "auth.unlocked"):
        assert action in page, action
    home = admin.get(reverse("tf-home", kwargs={"task_force": "alpha"}))
    assert home.context["failed_logins"] == 5
    beta_page = world.client("beta.tenant_admin").get(reverse("audit-list", kwargs={"task_force": "beta"}))
    assert "auth.locked" not in beta_page.content.decode()


def test_audit_rows_of_sign_in_carry_no_typed_username(world: World) -> None:
    typed = "nobody-at-all@nowhere.test"
    Client().post("/accounts/login/", {"username": typed, "password": "wrong-password-123"})
    user = world.users["alpha.analyst"]
    Client().post("/accounts/login/", {"username": user.email, "password": "wrong-password-123"})
    rows = (
        world.api("alpha.tenant_admin").get("/api/v1/tf/alpha/audit-events/?page_size=200").content.decode()
    )
    assert typed not in rows
    assert user.email not in rows
