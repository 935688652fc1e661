"""The tips inbox puts danger first: open tips by urgency, then the longest waiting first (HTML
and the API's default order, api.md), each tip's age shown, tips past the task force's triage
target (1 hour for immediate danger, 2 business days otherwise, settable per task force)
flagged, and the overdue ones on the coordinator's home."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals import services
from referrals.models import Tip
from referrals.selectors import TriageClock
from taskforce.models import TaskForce
from tests.world import World

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def tip(world: World, urgency: str, age: dt.timedelta, key: str = "alpha.investigator", **data: Any) -> Tip:
    return services.tip_create(
        actor=world.actor(key),
        data={
            "source": "hotline",
            "narrative": f"{urgency} tip",
            "urgency": urgency,
            "received_at": NOW - age,
            **data,
        },
    )


@pytest.fixture
def inbox(world: World) -> dict[str, Tip]:
    tips = {
        "normal_old": tip(world, "normal", dt.timedelta(days=20)),
        "normal_new": tip(world, "normal", dt.timedelta(hours=3)),
        "low": tip(world, "low", dt.timedelta(days=30)),
        "high": tip(world, "high", dt.timedelta(days=1)),
        "danger": tip(world, "immediate", dt.timedelta(days=12), minors_involved=True),
        "closed": tip(world, "immediate", dt.timedelta(days=40)),
    }
    services.tip_close(actor=world.actor("alpha.investigator"), tip=tips["closed"], reason="no_indicators")
    return tips


def api_url(**query: str) -> str:
    base = reverse("api:tip-list", kwargs={"task_force": "alpha"})
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


INBOX = ["danger", "high", "normal_old", "normal_new", "low", "closed"]


def test_api_default_order_is_urgency_then_oldest(world: World, inbox: dict[str, Tip]) -> None:
    response = world.api("alpha.coordinator").get(api_url())
    assert response.status_code == 200
    ids = [row["id"] for row in response.json()["results"]]
    assert ids == [str(inbox[name].pk) for name in INBOX]
    first = response.json()["results"][0]
    assert first["triage_overdue"] is True
    assert first["triage_due_at"]


def test_api_pages_keep_the_order(world: World, inbox: dict[str, Tip]) -> None:
    api = world.api("alpha.investigator")
    seen: list[str] = []
    url = api_url(page_size="2")
    while url:
        body = api.get(url).json()
        assert len(body["results"]) <= 2
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert seen == [str(inbox[name].pk) for name in INBOX]


def test_api_other_orders_and_bad_input(world: World, inbox: dict[str, Tip]) -> None:
    api = world.api("alpha.investigator")
    newest = [row["id"] for row in api.get(api_url(ordering="-received_at")).json()["results"]]
    by_age = sorted(inbox.values(), key=lambda t: t.received_at, reverse=True)
    assert newest == [str(t.pk) for t in by_age]
    assert api.get(api_url(ordering="narrative")).status_code == 400
    assert api.get(api_url(cursor="garbage")).status_code == 404
    assert api.get(api_url(cursor="WyJhIl0")).status_code == 404  # a well-formed but foreign position


def test_api_list_queries_do_not_grow_with_the_page(world: World, django_assert_max_num_queries: Any) -> None:
    api = world.api("alpha.investigator")
    for n in range(3):
        tip(world, "normal", dt.timedelta(hours=n + 1))
    api.get(api_url())  # warm the token and content-type caches
    with django_assert_max_num_queries(20) as small:
        assert api.get(api_url()).status_code == 200
    for n in range(30):
        tip(world, "high", dt.timedelta(days=n + 1))
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert api.get(api_url(page_size="100")).status_code == 200


def _tf(world: World) -> TaskForce:
    return TaskForce.objects.get(pk=world.task_forces["alpha"].pk)


def _at(task_force: TaskForce, *args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=zoneinfo.ZoneInfo(task_force.time_zone))


def test_triage_target_counts_business_days_in_the_task_force_zone(world: World) -> None:
    task_force = _tf(world)
    friday = Tip(status="new", urgency="normal", received_at=_at(task_force, 2026, 11, 27, 10, 0))
    assert (
        TriageClock(task_force, now=_at(task_force, 2026, 11, 30, 10, 0)).overdue(friday) is False
    )  # Monday
    assert TriageClock(task_force, now=_at(task_force, 2026, 12, 1, 9, 59)).overdue(friday) is False
    assert TriageClock(task_force, now=_at(task_force, 2026, 12, 1, 10, 1)).overdue(friday) is True  # Tuesday
    danger = Tip(status="new", urgency="immediate", received_at=_at(task_force, 2026, 11, 28, 10, 0))
    assert TriageClock(task_force, now=_at(task_force, 2026, 11, 28, 10, 59)).overdue(danger) is False
    assert TriageClock(task_force, now=_at(task_force, 2026, 11, 28, 11, 1)).overdue(danger) is True
    triaged = Tip(status="triaged", urgency="immediate", received_at=_at(task_force, 2026, 11, 1, 10, 0))
    assert TriageClock(task_force, now=_at(task_force, 2026, 11, 28, 10, 0)).overdue(triaged) is False


def test_targets_are_set_per_task_force(world: World) -> None:
    recent = tip(world, "immediate", dt.timedelta(hours=2))
    api = world.api("alpha.coordinator")
    detail = reverse("api:tip-detail", kwargs={"task_force": "alpha", "pk": recent.pk})
    assert api.get(detail).json()["triage_overdue"] is True
    TaskForce.objects.filter(pk=world.task_forces["alpha"].pk).update(triage_target_immediate_minutes=180)
    assert api.get(detail).json()["triage_overdue"] is False


def test_html_inbox_shows_danger_first_with_its_age(world: World, inbox: dict[str, Tip]) -> None:
    page = world.client("alpha.coordinator").get(reverse("tip-list", kwargs={"task_force": "alpha"}))
    assert page.status_code == 200
    html = page.content.decode()
    rows = html.split("<tbody>", 1)[1].split("</tr>")
    assert str(inbox["danger"].pk) in rows[0]
    assert "12 days" in rows[0]
    assert "past triage target" in rows[0]
    assert str(inbox["high"].pk) in rows[1]
    assert "past triage target" not in rows[1]  # one day: within two business days or just past
    assert str(inbox["closed"].pk) not in html  # the inbox holds open tips


def test_html_inbox_pages_and_refuses_a_bad_position(world: World) -> None:
    for n in range(52):  # a page holds 50
        tip(world, "normal", dt.timedelta(hours=n + 1))
    client = world.client("alpha.investigator")
    list_url = reverse("tip-list", kwargs={"task_force": "alpha"})
    first = client.get(list_url).content.decode()
    assert "Next page" in first
    cursor = first.split("cursor=", 1)[1].split('"', 1)[0]
    second = client.get(f"{list_url}?cursor={cursor}")
    assert second.status_code == 200
    assert second.content.decode().count('<tr class="urgency-normal') == 2
    assert client.get(f"{list_url}?cursor=garbage").status_code == 400


def test_coordinator_home_lists_overdue_tips(world: World, inbox: dict[str, Tip]) -> None:
    home = world.client("alpha.coordinator").get(reverse("tf-home", kwargs={"task_force": "alpha"}))
    html = home.content.decode()
    assert "past the triage target" in html
    assert reverse("tip-detail", kwargs={"task_force": "alpha", "tip_id": inbox["danger"].pk}) in html
    # The old normal and low tips are overdue too; the recent ones are not.
    assert "3 tips past the triage target" in html
    assert (
        reverse("tip-detail", kwargs={"task_force": "alpha", "tip_id": inbox["normal_new"].pk})
        not in (html.split("overdue-tips", 1)[1].split("</div>", 1)[0])
    )


def test_admin_sets_the_triage_targets(world: World) -> None:
    settings_url = reverse("task-force-settings", kwargs={"task_force": "alpha"})
    admin = world.client("alpha.tenant_admin")
    assert admin.get(settings_url).status_code == 200
    response = admin.post(
        settings_url,
        {
            "triage_target_immediate_minutes": "30",
            "triage_target_business_days": "1",
            "trafficking_statutes": "\n".join(_tf(world).trafficking_statutes),
            "investigation_number_pattern": "HT-{year}-{seq:03d}",
        },
    )
    assert response.status_code == 302
    task_force = _tf(world)
    assert (task_force.triage_target_immediate_minutes, task_force.triage_target_business_days) == (30, 1)
    from taskforce.models import AuditEvent

    event = AuditEvent.objects.filter(action="task_force.changed").latest("seq")
    assert event.detail == {"fields": ["triage_target_immediate_minutes", "triage_target_business_days"]}


@pytest.mark.parametrize(
    "body",
    [
        {"triage_target_immediate_minutes": "0", "triage_target_business_days": "2"},
        {"triage_target_immediate_minutes": "60", "triage_target_business_days": "x"},
        {"triage_target_immediate_minutes": "60"},
    ],
)
def test_bad_triage_targets_are_400_and_change_nothing(world: World, body: dict[str, str]) -> None:
    settings_url = reverse("task-force-settings", kwargs={"task_force": "alpha"})
    response = world.client("alpha.tenant_admin").post(settings_url, body)
    assert response.status_code == 400
    task_force = _tf(world)
    assert (task_force.triage_target_immediate_minutes, task_force.triage_target_business_days) == (60, 2)


@pytest.mark.parametrize(
    "key", ["alpha.coordinator", "alpha.investigator", "alpha.case_manager", "beta.tenant_admin"]
)
def test_only_its_own_admins_change_the_settings(world: World, key: str) -> None:
    settings_url = reverse("task-force-settings", kwargs={"task_force": "alpha"})
    response = world.client(key).post(
        settings_url,
        {
            "triage_target_immediate_minutes": "30",
            "triage_target_business_days": "1",
            "trafficking_statutes": "\n".join(_tf(world).trafficking_statutes),
            "investigation_number_pattern": "HT-{year}-{seq:03d}",
        },
    )
    assert response.status_code in (403, 404)
    assert _tf(world).triage_target_immediate_minutes == 60


def test_a_forged_page_position_is_a_400_never_a_500(world: World) -> None:
    """Review finding: a cursor that decodes but was not made here reached the query."""
    import base64
    import json

    client = world.client("alpha.investigator")
    for values in (["x", "y", "z"], [1, "2026-01-01T00:00:00+00:00", "nope"]):
        cursor = base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")
        for order in ("inbox", "newest"):
            response = client.get(
                reverse("tip-list", kwargs={"task_force": "alpha"}), {"cursor": cursor, "order": order}
            )
            assert response.status_code == 400, (values, order)
