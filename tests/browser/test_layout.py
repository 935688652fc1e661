"""Layout on a phone and on error pages (issue 12, item 8): a Menu button instead of half the
navigation scrolled off-screen, a header of at most 15% of the screen, and 404/403 pages inside
the normal layout with the navigation."""

from __future__ import annotations

import uuid

import pytest

from tests.browser.conftest import PASSWORD, BrowserWorld

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.fill('input[name="username"]', email)
    page.fill('input[name="password"]', PASSWORD)
    with page.expect_navigation():
        page.click('button[type="submit"]')


def test_on_a_phone_the_navigation_folds_behind_a_menu_button(page, browser_world: BrowserWorld) -> None:
    page.set_viewport_size(PHONE)
    _sign_in(page, browser_world.member_email)
    page.goto(f"/tf/{browser_world.slug}/")
    header = page.locator(".site-header .bar").bounding_box()
    assert header is not None
    assert header["height"] <= 0.15 * PHONE["height"], header
    menu = page.locator(".menu-button")
    nav = page.locator("#main-nav")
    assert menu.is_visible()
    assert menu.get_attribute("aria-expanded") == "false"
    assert not nav.is_visible()

    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    assert nav.is_visible()
    links = nav.locator("a")
    assert links.count() >= 3
    for i in range(links.count()):
        box = links.nth(i).bounding_box()
        assert box is not None, i
        assert 0 <= box["x"] <= box["x"] + box["width"] <= PHONE["width"], i
    # Search is in the menu on a phone.
    with page.expect_navigation():
        nav.get_by_role("link", name="Search").click()
    assert page.url.endswith(f"/tf/{browser_world.slug}/search/")
    assert page.console_errors == []


def test_on_a_desktop_the_navigation_is_open_and_there_is_no_menu_button(
    page, browser_world: BrowserWorld
) -> None:
    _sign_in(page, browser_world.member_email)
    page.goto(f"/tf/{browser_world.slug}/")
    assert not page.locator(".menu-button").is_visible()
    assert page.locator("#main-nav").is_visible()
    assert page.locator(".header-search input").is_visible()


def test_error_pages_sit_in_the_layout_with_the_navigation(page, browser_world: BrowserWorld) -> None:
    _sign_in(page, browser_world.member_email)
    # A record that is not there (or not theirs): the same 404, inside the layout.
    response = page.goto(f"/tf/{browser_world.slug}/members/{uuid.uuid4()}/edit/")
    assert response is not None
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Not found"
    assert page.locator(".site-header").is_visible()
    assert page.locator("#main-nav a").count() >= 3
    page.get_by_role("link", name="Go to your home page").click()
    page.wait_for_url(f"**/tf/{browser_world.slug}/")
    # A page their role may not open at all.
    response = page.goto(f"/tf/{browser_world.slug}/audit/")
    assert response is not None
    assert response.status in (403, 404)
    assert page.locator(".site-header").is_visible()
    assert page.locator("#main-nav a").count() >= 3
    assert page.console_errors == []
