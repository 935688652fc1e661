"""A security key as the second factor, in Chromium with a virtual authenticator (CDP)."""

from __future__ import annotations

from base64 import b32decode

import pytest
from django_otp.oath import TOTP

from tests.browser.conftest import PASSWORD, BrowserWorld

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _context_with_key(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return context, page, cdp, added["authenticatorId"]


def _password_step(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.fill('input[name="username"]', email)
    page.fill('input[name="password"]', PASSWORD)
    with page.expect_navigation():
        page.click('button[type="submit"]')


def test_add_a_security_key_then_sign_in_with_it(
    browser, live_server, browser_world: BrowserWorld, settings
) -> None:
    settings.TASKFORCE_REQUIRE_MFA = True
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    context, page, cdp, authenticator = _context_with_key(browser, live_server)
    try:
        _password_step(page, browser_world.member_email)
        key = b32decode(page.locator("code.otp-secret").inner_text().strip())
        page.fill('input[name="otp"]', f"{TOTP(key).token():06d}")
        with page.expect_navigation():
            page.get_by_role("button", name="Confirm").click()
        page.goto("/accounts/security-keys/")
        page.locator("#passkey-register-button").click()
        status = page.locator("#passkey-register-status-message")
        # Polled from Python: the page's CSP forbids Playwright's eval-based wait_for_function.
        for _ in range(100):
            if status.inner_text().strip():
                break
            page.wait_for_timeout(100)
        status_text = status.inner_text()
        page.reload()
        assert page.locator("ul.security-keys li").count() == 1, status_text
        credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
        assert len(credentials["credentials"]) == 1
        # A fresh browser holding the same key (the authenticator's private key travels with it).
        stored = credentials["credentials"][0]
    finally:
        context.close()

    context, page, cdp, authenticator = _context_with_key(browser, live_server)
    try:
        cdp.send("WebAuthn.addCredential", {"authenticatorId": authenticator, "credential": stored})
        _password_step(page, browser_world.member_email)
        assert "/accounts/mfa/" in page.url
        with page.expect_navigation():
            page.locator("#passkey-verification-button").click()
        assert page.url.endswith(f"/tf/{browser_world.slug}/"), page.url
    finally:
        context.close()
