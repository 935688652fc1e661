"""Multi-factor sign-in (issue 9 weakness 3): with TASKFORCE_REQUIRE_MFA a password alone gets no
working token; TOTP enrolment, recovery codes (hashed, single use), the admin's reset."""

from __future__ import annotations

import re
import time
from base64 import b32decode
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from signin.models import RecoveryCode, RecoveryCodeDevice
from taskforce.models import ApiToken, User
from tests.signin.helpers import audit_rows
from tests.world import PASSWORD, World

TOKEN = "/api/v1/auth/token/"


def code(key: bytes, steps_ahead: int = 0) -> str:
    """A code as the person's app computes it (django-otp's own TOTP, never ours)."""
    return f"{TOTP(key, drift=steps_ahead).token():06d}"


def _wait_out_device_throttle() -> None:
    # django-otp refuses every code for 1 s after a wrong one (then 2 s, 4 s, ...).
    time.sleep(1.1)


def _token(email: str, password: str = PASSWORD, **extra: str):
    return APIClient().post(TOKEN, {"username": email, "password": password, **extra}, format="json")


def _bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def _enrol_via_api(email: str) -> tuple[bytes, list[str]]:
    answer = _token(email)
    assert answer.status_code == 200
    api = _bearer(answer.json()["token"])
    started = api.post("/api/v1/me/mfa/totp/")
    assert started.status_code == 201
    key = b32decode(started.json()["secret"])
    confirmed = api.post("/api/v1/me/mfa/totp/confirm/", {"otp": code(key)}, format="json")
    assert confirmed.status_code == 200
    return key, confirmed.json()["recovery_codes"]


@override_settings(TASKFORCE_REQUIRE_MFA=True)
def test_password_alone_gets_an_enrolment_only_token(world: World) -> None:
    user = world.users["alpha.coordinator"]
    answer = _token(user.email)
    assert answer.status_code == 200
    assert answer.json()["mfa_enrolment_required"] is True
    api = _bearer(answer.json()["token"])
    assert api.get("/api/v1/tf/alpha/agencies/").status_code == 403
    assert api.get("/api/v1/me/sessions/").status_code == 403
    me = api.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["mfa"] == {"required": True, "enrolled": False}


@override_settings(TASKFORCE_REQUIRE_MFA=True)
def test_enrolment_over_the_api_then_every_token_needs_a_code(world: World) -> None:
    user = world.users["alpha.coordinator"]
    answer = _token(user.email)
    api = _bearer(answer.json()["token"])
    started = api.post("/api/v1/me/mfa/totp/")
    assert started.status_code == 201
    body = started.json()
    uri = urlparse(body["otpauth_uri"])
    assert uri.scheme == "otpauth"
    assert uri.netloc == "totp"
    params = parse_qs(uri.query)
    assert params["secret"] == [body["secret"]]
    assert params["digits"] == ["6"]
    assert params["period"] == ["30"]
    assert params["algorithm"] == ["SHA1"]
    key = b32decode(body["secret"])

    assert api.post("/api/v1/me/mfa/totp/confirm/", {"otp": "000000"}, format="json").status_code == 400
    _wait_out_device_throttle()
    confirmed = api.post("/api/v1/me/mfa/totp/confirm/", {"otp": code(key)}, format="json")
    assert confirmed.status_code == 200
    codes = confirmed.json()["recovery_codes"]
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert api.get("/api/v1/me/").json()["mfa"] == {"required": True, "enrolled": True}

    # From now on: no code, a wrong code -> refused with the wrong-password answer.
    wrong_password = _token(user.email, "wrong-password-123")
    assert _token(user.email).json() == wrong_password.json()
    assert _token(user.email).status_code == wrong_password.status_code == 400
    assert _token(user.email, otp="123456").status_code == 400
    _wait_out_device_throttle()
    good = _token(user.email, otp=code(key, 1))
    assert good.status_code == 200
    assert "mfa_enrolment_required" not in good.json()
    assert _bearer(good.json()["token"]).get("/api/v1/tf/alpha/agencies/").status_code == 200


def test_an_enrolled_person_needs_the_code_even_when_mfa_is_optional(world: World) -> None:
    user = world.users["alpha.analyst"]
    key, _codes = _enrol_via_api(user.email)
    assert _token(user.email).status_code == 400
    assert _token(user.email, otp=code(key, 1)).status_code == 200


def test_recovery_codes_work_once_and_are_stored_hashed(world: World) -> None:
    user = world.users["alpha.analyst"]
    _key, codes = _enrol_via_api(user.email)
    with connection.cursor() as cursor:
        cursor.execute("SELECT code_hash FROM signin_recoverycode")
        stored = " ".join(row[0] for row in cursor.fetchall())
    assert RecoveryCode.objects.filter(device__user=user).count() == 10
    for plain in codes:
        assert plain.replace("-", "") not in stored
        assert plain not in stored
    first = _token(user.email, otp=codes[0])
    assert first.status_code == 200
    assert _token(user.email, otp=codes[0]).status_code == 400
    _wait_out_device_throttle()
    assert _token(user.email, otp=codes[1].replace("-", "").upper()).status_code == 200
    assert RecoveryCode.objects.filter(device__user=user).count() == 8
    assert audit_rows(world.task_forces["alpha"], action="mfa.recovery_code_used")


def test_wrong_codes_count_toward_the_lockout(world: World) -> None:
    user = world.users["alpha.analyst"]
    key, _codes = _enrol_via_api(user.email)
    for _ in range(5):
        assert _token(user.email, otp="000000").status_code == 400
    user.refresh_from_db()
    assert user.locked_at is not None
    assert _token(user.email, otp=code(key, 1)).status_code == 400


@override_settings(TASKFORCE_REQUIRE_MFA=True)
def test_browser_sign_in_enrols_with_a_qr_code_then_asks_for_a_code(world: World) -> None:
    user = world.users["alpha.coordinator"]
    browser = Client()
    signed_in = browser.post("/accounts/login/", {"username": user.email, "password": PASSWORD})
    assert signed_in.status_code == 302
    home = reverse("tf-home", kwargs={"task_force": "alpha"})
    gated = browser.get(home)
    assert gated.status_code == 302
    assert gated["Location"].startswith(reverse("signin-mfa"))
    assert browser.get("/api/v1/tf/alpha/agencies/").status_code == 403

    page = browser.get(gated["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html
    assert "<script" not in html.split("</header>", 1)[1]
    secret = re.search(r'<code class="otp-secret">([A-Z2-7=]+)</code>', html).group(1)
    key = b32decode(secret)
    assert browser.post(reverse("signin-mfa"), {"otp": "000000", "next": home}).status_code == 400
    _wait_out_device_throttle()
    codes_page = browser.post(reverse("signin-mfa"), {"otp": code(key), "next": home})
    assert codes_page.status_code == 200
    assert len(re.findall(r"<li><code>[a-z2-7-]{19}</code></li>", codes_page.content.decode())) == 10
    assert browser.get(home).status_code == 200
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1
    assert audit_rows(world.task_forces["alpha"], action="mfa.enrolled")

    # The next sign-in asks for a code, not for a new enrolment.
    later = Client()
    later.post("/accounts/login/", {"username": user.email, "password": PASSWORD})
    assert later.get(home).status_code == 302
    asked = later.get(reverse("signin-mfa"))
    assert "<svg" not in asked.content.decode()
    assert later.post(reverse("signin-mfa"), {"otp": "000000"}).status_code == 400
    _wait_out_device_throttle()
    assert later.post(reverse("signin-mfa"), {"otp": code(key, 1), "next": home}).status_code == 302
    assert later.get(home).status_code == 200


@pytest.mark.parametrize("door", ["api", "html"])
def test_tenant_admin_resets_a_members_mfa(world: World, door: str) -> None:
    user = world.users["alpha.analyst"]
    _enrol_via_api(user.email)
    live = world.api("alpha.analyst")
    membership = world.memberships["alpha.analyst"]
    if door == "api":
        url = f"/api/v1/tf/alpha/members/{membership.pk}/reset-mfa/"
        assert world.api("alpha.coordinator").post(url).status_code == 403
        assert world.api("beta.tenant_admin").post(url).status_code == 404
        assert world.api("alpha.tenant_admin").post(url).status_code == 200
        own = world.memberships["alpha.tenant_admin"]
        assert (
            world.api("alpha.tenant_admin").post(f"/api/v1/tf/alpha/members/{own.pk}/reset-mfa/").status_code
            == 400
        )
    else:
        url = reverse("member-reset-mfa", kwargs={"task_force": "alpha", "membership_id": membership.pk})
        assert world.client("alpha.coordinator").post(url).status_code == 403
        assert world.client("alpha.tenant_admin").post(url).status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not RecoveryCodeDevice.objects.filter(user=user).exists()
    assert live.get("/api/v1/me/").status_code == 401
    assert not ApiToken.objects.filter(user=user).exists()
    assert _token(user.email).status_code == 200
    rows = audit_rows(world.task_forces["alpha"], action="mfa.reset")
    assert [(r.user_id, r.target_id) for r in rows] == [(world.users["alpha.tenant_admin"].pk, str(user.pk))]
    assert audit_rows(world.task_forces["beta"], action="mfa.reset") == []
    assert User.objects.get(pk=user.pk).is_active


@override_settings(TASKFORCE_REQUIRE_MFA=True)
def test_confirming_over_the_api_in_a_browser_session_gives_a_new_session_key(world: World) -> None:
    """Review finding: the HTML and security-key paths renewed the key, this one did not."""
    user = world.users["alpha.analyst"]
    browser = APIClient(enforce_csrf_checks=False)
    browser.force_login(user)
    before = browser.session.session_key
    started = browser.post("/api/v1/me/mfa/totp/")
    assert started.status_code == 201
    key = b32decode(started.json()["secret"])
    confirmed = browser.post("/api/v1/me/mfa/totp/confirm/", {"otp": code(key)}, format="json")
    assert confirmed.status_code == 200
    assert browser.session.session_key != before
