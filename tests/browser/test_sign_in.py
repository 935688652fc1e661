"""Sign-in and structure administration in a real browser (headless Chromium)."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import PASSWORD, BrowserWorld

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOT_MOBILE = "/tmp/shot-home-375.png"  # noqa: S108 - the lead looks at these
SHOT_DESKTOP = "/tmp/shot-home.png"  # noqa: S108


def _sign_in(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.fill('input[name="username"]', email)
    page.fill('input[name="password"]', password)
    with page.expect_navigation():
        page.click('button[type="submit"]')


def test_sign_in_lands_on_task_force_home(page, browser_world: BrowserWorld) -> None:
    response = page.goto("/accounts/login/")
    assert response.status == 200
    assert page.locator('input[name="username"]').get_attribute("type") == "email"
    assert page.locator('input[name="password"]').get_attribute("type") == "password"

    _sign_in(page, browser_world.member_email)

    assert page.url.endswith(f"/tf/{browser_world.slug}/"), page.url
    first_name = browser_world.member_name.split()[0]
    assert first_name in page.locator("h1").inner_text()
    assert page.locator(".user-menu summary").inner_text().strip().endswith(first_name)
    assert browser_world.task_force_name in page.locator(".switcher summary").inner_text()
    nav = page.locator("nav.main-nav")
    assert nav.is_visible()
    labels = [text.strip() for text in nav.locator("a").all_inner_texts()]
    assert labels[0] == "Home"
    # A coordinator's menu: the tip inbox and the bridge, then the task force's structure.
    assert {"Tips", "Investigations", "Referrals", "Agencies", "Members"} <= set(labels)
    assert "Cases" not in labels  # victim-services records are not theirs
    assert "Audit log" not in labels  # a coordinator is no tenant admin
    assert nav.locator('a[aria-current="page"]').inner_text().strip() == "Home"
    assert page.console_errors == []

    page.screenshot(path=SHOT_DESKTOP, full_page=True)


def test_home_fits_a_375px_screen(browser, live_server, browser_world: BrowserWorld) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 812}, base_url=live_server.url)
    try:
        page = context.new_page()
        _sign_in(page, browser_world.admin_email)
        assert page.url.endswith(f"/tf/{browser_world.slug}/"), page.url
        page.wait_for_load_state("load")
        # The stylesheet is applied (a page without CSS also "fits", but proves nothing).
        assert page.evaluate("getComputedStyle(document.querySelector('nav.main-nav')).overflowX") == "auto"
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=SHOT_MOBILE, full_page=True)
        assert scroll_width <= 375, scroll_width
        # The members list (a table) must not widen the page either.
        page.goto(f"/tf/{browser_world.slug}/members/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    finally:
        context.close()


def test_wrong_password_stays_on_sign_in(page, browser_world: BrowserWorld) -> None:
    _sign_in(page, browser_world.member_email, "not-the-right-password")
    assert "/accounts/login/" in page.url
    assert "do not match an active account" in page.locator(".error-summary").inner_text()
    response = page.goto(f"/tf/{browser_world.slug}/")
    assert "/accounts/login/" in page.url
    assert response.status == 200


def test_nav_leads_to_the_html_agency_list(page, browser_world: BrowserWorld) -> None:
    _sign_in(page, browser_world.member_email)
    with page.expect_navigation():
        page.locator("nav.main-nav").get_by_role("link", name="Agencies").click()
    assert page.url.endswith(f"/tf/{browser_world.slug}/agencies/"), page.url
    assert page.locator("h1").inner_text() == "Agencies"
    assert browser_world.vs_agency_name in page.locator("table").inner_text()


def test_tenant_admin_adds_a_member_through_the_form(page, browser_world: BrowserWorld) -> None:
    from taskforce.models import AuditEvent, Membership
    from tests.world import in_scope

    _sign_in(page, browser_world.admin_email)
    with page.expect_navigation():
        page.get_by_role("link", name="Add a member").first.click()
    assert page.url.endswith(f"/tf/{browser_world.slug}/members/new/"), page.url

    page.fill('input[name="email"]', "new.advocate@delta.test")
    page.fill('input[name="full_name"]', "Noa Advocate")
    page.select_option('select[name="agency"]', label=browser_world.vs_agency_name)
    page.select_option('select[name="role"]', value="vs_case_manager")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()

    with in_scope(browser_world.slug):
        membership = Membership.objects.select_related("user", "agency", "task_force").get(
            user__email="new.advocate@delta.test"
        )
        assert membership.task_force.slug == browser_world.slug
        assert str(membership.agency_id) == browser_world.vs_agency_id
        assert membership.role == "vs_case_manager"
        assert membership.is_active
        assert membership.user.full_name == "Noa Advocate"
        assert AuditEvent.objects.filter(
            action="membership.added", target_id=str(membership.id), task_force_id=membership.task_force_id
        ).exists()

    # Back on the members page, with a confirmation and the new row.
    assert page.url.endswith(f"/tf/{browser_world.slug}/members/"), page.url
    assert "Added new.advocate@delta.test" in page.locator(".messages").inner_text()
    row = page.locator("tr", has_text="new.advocate@delta.test")
    assert row.count() == 1
    assert "Case manager" in row.inner_text()
    assert browser_world.vs_agency_name in row.inner_text()


def test_tenant_admin_sees_form_errors_in_the_browser(page, browser_world: BrowserWorld) -> None:
    """A role that does not fit the agency's side: the form comes back with the error, nothing saved."""
    from taskforce.models import User
    from tests.world import in_scope

    _sign_in(page, browser_world.admin_email)
    response = page.goto(f"/tf/{browser_world.slug}/members/new/")
    assert response.status == 200
    page.fill('input[name="email"]', "wrong.side@delta.test")
    page.select_option('select[name="agency"]', label=browser_world.vs_agency_name)
    page.select_option('select[name="role"]', value="coordinator")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Save").click()
    assert navigation.value.status == 400
    assert re.search(r"does not fit the agency", page.content())
    assert page.input_value('input[name="email"]') == "wrong.side@delta.test"
    with in_scope(browser_world.slug):
        assert not User.objects.filter(email="wrong.side@delta.test").exists()


def test_api_docs_render_in_the_browser(page, live_server, browser_world: BrowserWorld) -> None:
    """The interactive docs must work under the site's CSP (no inline script), from local assets."""
    external: list[str] = []

    def note(request) -> None:
        if not request.url.startswith((live_server.url, "data:")):
            external.append(request.url)

    page.on("request", note)
    _sign_in(page, browser_world.member_email)
    page.goto("/api/v1/docs/")
    page.wait_for_selector(".swagger-ui .info .title", timeout=8_000)
    assert "Task force platform API" in page.locator(".swagger-ui .info .title").inner_text()
    assert external == []
