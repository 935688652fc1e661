"""Security keys and passkeys (django-otp-webauthn): an extra second factor, never a way around
the password or around the authenticator app's enrolment."""

from __future__ import annotations

import json
from base64 import b32decode

from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from rest_framework.test import APIClient

from tests.world import PASSWORD, World

BEGIN_REGISTRATION = "/accounts/webauthn/registration/begin/"
BEGIN_AUTHENTICATION = "/accounts/webauthn/authentication/begin/"


def _enrol(email: str) -> bytes:
    answer = APIClient().post("/api/v1/auth/token/", {"username": email, "password": PASSWORD}, format="json")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {answer.json()['token']}")
    key = b32decode(api.post("/api/v1/me/mfa/totp/").json()["secret"])
    confirmed = api.post("/api/v1/me/mfa/totp/confirm/", {"otp": f"{TOTP(key).token():06d}"}, format="json")
    assert confirmed.status_code == 200
    return key


def _post_json(client: Client, url: str):
    return client.post(url, data=json.dumps({}), content_type="application/json")


def test_a_key_is_added_only_after_the_second_factor_was_given(world: World) -> None:
    user = world.users["alpha.analyst"]
    key = _enrol(user.email)
    browser = Client()
    browser.post("/accounts/login/", {"username": user.email, "password": PASSWORD})
    # Password only: the registration ceremony is behind the second-factor gate.
    assert _post_json(browser, BEGIN_REGISTRATION).status_code == 302
    assert browser.get(reverse("signin-security-keys")).status_code == 302
    browser.post(reverse("signin-mfa"), {"otp": f"{TOTP(key, drift=1).token():06d}"})
    page = browser.get(reverse("signin-security-keys"))
    assert page.status_code == 200
    assert 'id="passkey-register-button"' in page.content.decode()
    options = _post_json(browser, BEGIN_REGISTRATION)
    assert options.status_code == 200
    assert options.json()["rp"]["id"] == "localhost"
    assert options.json()["challenge"]


def test_no_key_without_the_authenticator_app(world: World) -> None:
    browser = world.client("alpha.coordinator")
    assert _post_json(browser, BEGIN_REGISTRATION).status_code == 403
    assert 'id="passkey-register-button"' not in browser.get(reverse("signin-security-keys")).content.decode()


def test_a_key_never_signs_in_without_the_password(db: None) -> None:
    answer = _post_json(Client(), BEGIN_AUTHENTICATION)
    assert answer.status_code == 403
    assert answer.json()["code"] == "passwordless_login_disabled"
