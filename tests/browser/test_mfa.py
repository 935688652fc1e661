"""Multi-factor sign-in in a real browser: first sign-in enrols with the QR code page, the next
one asks for a code. Codes come from django-otp's TOTP, as a phone app computes them."""

from __future__ import annotations

import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP

from tests.browser.conftest import PASSWORD, BrowserWorld

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _password_step(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.fill('input[name="username"]', email)
    page.fill('input[name="password"]', PASSWORD)
    with page.expect_navigation():
        page.click('button[type="submit"]')


def test_enrol_then_sign_in_with_a_code(browser, live_server, browser_world: BrowserWorld, settings) -> None:
    settings.TASKFORCE_REQUIRE_MFA = True
    external: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("request", lambda r: None if r.url.startswith(live_server.url) else external.append(r.url))
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        _password_step(page, browser_world.member_email)
        assert "/accounts/mfa/" in page.url, page.url
        assert page.locator("h1").inner_text() == "Set up your authenticator app"
        qr = page.locator("figure.qr svg")
        assert qr.is_visible()
        assert qr.bounding_box()["width"] > 100
        key = b32decode(page.locator("code.otp-secret").inner_text().strip())
        enrolled_in = TOTP(key).t()
        page.fill('input[name="otp"]', f"{TOTP(key).token():06d}")
        with page.expect_navigation():
            page.get_by_role("button", name="Confirm").click()
        assert page.locator("h1").inner_text() == "Your recovery codes"
        assert page.locator("ul.recovery-codes li").count() == 10
        with page.expect_navigation():
            page.get_by_role("link", name="I have saved them, continue").click()
        assert page.url.endswith(f"/tf/{browser_world.slug}/"), page.url
        assert external == []
        assert errors == []
    finally:
        context.close()

    # A new browser: password, then the code page (no second enrolment), then home.
    context = browser.new_context(viewport={"width": 375, "height": 812}, base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        _password_step(page, browser_world.member_email)
        assert "/accounts/mfa/" in page.url, page.url
        assert page.locator("h1").inner_text() == "Enter your code"
        assert page.locator("figure.qr").count() == 0
        # A code is good once (replay protection): wait for the window after the enrolment's,
        # then type the current code, as a person would (at most one 30-second step).
        while TOTP(key).t() <= enrolled_in:
            time.sleep(0.5)
        page.fill('input[name="otp"]', f"{TOTP(key).token():06d}")
        with page.expect_navigation():
            page.get_by_role("button", name="Continue").click()
        assert page.url.endswith(f"/tf/{browser_world.slug}/"), page.url
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    finally:
        context.close()
