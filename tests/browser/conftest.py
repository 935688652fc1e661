"""Headless Chromium through Playwright (sync API), against pytest-django's live server.

The browser is the system's Chromium (``CHROMIUM_PATH`` or /usr/bin/chromium): Playwright
never downloads one here. Tests are transactional (``live_server``), so the autouse RLS
fixture does not open the database: setup data is written inside its task force's scope.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.world import world_time_zone

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
# body would otherwise be refused as "called from an async context".
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
# Belt and braces: never fetch a browser.
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "a-long-browser-password-1"


def chromium_path() -> str:
    return os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if not os.path.exists(path):
        message = f"Chromium not found at {path}: apt-get install chromium, or set CHROMIUM_PATH"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI installs it: a missing browser there is a broken build
        pytest.skip(message)  # a developer machine without Chromium still runs everything else
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def page(browser, live_server) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.console_errors = errors  # type: ignore[attr-defined]
    try:
        yield tab
    finally:
        context.close()


@dataclass
class BrowserWorld:
    slug: str
    task_force_name: str
    admin_email: str
    admin_name: str
    member_email: str
    member_name: str
    vs_agency_id: str
    vs_agency_name: str


@pytest.fixture
def browser_world(live_server) -> BrowserWorld:
    """One task force with an admin and a coordinator, written inside its scope."""
    from taskforce.access import Role, Side
    from taskforce.models import Agency, Membership, TaskForce, User
    from taskforce.rls import task_force_scope

    task_force = TaskForce.objects.create(
        slug="delta", name="Delta County Task Force", time_zone=world_time_zone()
    )
    with task_force_scope(task_force.pk):
        office = Agency.objects.create(
            task_force=task_force, name="Delta Task Force Office", side=Side.COORDINATION
        )
        shelter = Agency.objects.create(
            task_force=task_force, name="Delta Shelter", side=Side.VICTIM_SERVICES
        )
        admin = User.objects.create_user(email="admin@delta.test", password=PASSWORD, full_name="Avery Delta")
        member = User.objects.create_user(
            email="casey@delta.test", password=PASSWORD, full_name="Casey Delta"
        )
        Membership.objects.create(task_force=task_force, user=admin, agency=office, role=Role.TENANT_ADMIN)
        Membership.objects.create(task_force=task_force, user=member, agency=office, role=Role.COORDINATOR)
    return BrowserWorld(
        slug="delta",
        task_force_name="Delta County Task Force",
        admin_email="admin@delta.test",
        admin_name="Avery Delta",
        member_email="casey@delta.test",
        member_name="Casey Delta",
        vs_agency_id=str(shelter.id),
        vs_agency_name="Delta Shelter",
    )
