"""The reporting screens: the dashboard (who sees which block, 404 for everyone else, 400 on a bad
month, SVG charts), month locks (audited, reopening needs a reason), exports (a Celery task, then
a download audited and refused to anyone else), training and outreach logs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cases.services import today_for
from reporting import charts, services
from reporting.models import MonthLock, OutreachEvent, ReportExport, TrainingEvent
from taskforce.models import AuditEvent
from tests.world import World

pytestmark = pytest.mark.django_db

FULL = ("analyst", "coordinator")


def url(name: str, tf: str = "alpha", **kwargs: object) -> str:
    return reverse(name, kwargs={"task_force": tf, **kwargs})


def last_month(world: World) -> dt.date:
    first = today_for(world.actor("alpha.coordinator")).replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def log_training(world: World, key: str = "alpha.coordinator", **extra: object) -> TrainingEvent:
    held_on = last_month(world) + dt.timedelta(days=3)
    data = {
        "held_on": held_on,
        "title": "Indicators of labor trafficking",
        "hours": 2,
        "attendees_law_enforcement": 12,
        "attendees_health": 3,
        **extra,
    }
    return services.training_record(actor=world.actor(key), data=data)


# ------------------------------------------------------------------------------------ dashboard


@pytest.mark.parametrize("key", FULL)
def test_dashboard_shows_every_block_to_grant_staff(world: World, key: str) -> None:
    log_training(world)
    month = last_month(world)
    response = world.client(f"alpha.{key}").get(url("report-dashboard"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Clients served" in body
    assert "Tips received" in body
    assert "Training events" in body
    assert month.strftime("%B %Y") in body  # default: last month
    # Zero rows hide behind <details>; the counted training is in the open table.
    assert "Show all measures" in body
    assert '<code class="measure-code">training.people_trained.law_enforcement</code>' in body
    assert AuditEvent.objects.filter(action="report.viewed", target_id=f"{month:%Y-%m}").exists()


def test_dashboard_charts_are_svg_with_text_alternatives(world: World) -> None:
    body = world.client("alpha.analyst").get(url("report-dashboard")).content.decode()
    assert body.count("<svg") == 2
    assert '<title id="trend-title">Twelve-month trend</title>' in body
    assert 'role="img"' in body
    assert 'aria-labelledby="trend-title trend-desc"' in body
    assert '<desc id="types-desc">' in body
    assert 'class="visually-hidden"' in body
    assert "the figures</caption>" in body
    assert " style=" not in body
    assert "<polyline" in body
    assert "<rect" in body


def test_investigator_sees_the_law_enforcement_block_only(world: World) -> None:
    response = world.client("alpha.investigator").get(url("report-dashboard"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Tips received" in body
    assert "Investigations opened" in body
    assert "Clients served" not in body
    assert "Training events" not in body
    assert "Month lock" not in body


def test_vs_supervisor_sees_the_own_agency_victim_services_block_only(world: World) -> None:
    response = world.client("alpha.vs_supervisor").get(url("report-dashboard"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Clients served" in body
    assert "Your agency only" in body
    assert "Tips received" not in body
    assert "Training events" not in body


@pytest.mark.parametrize(
    "key", ["alpha.case_manager", "alpha.tenant_admin", "beta.analyst", "beta.coordinator"]
)
def test_dashboard_is_not_found_for_everyone_else(world: World, key: str) -> None:
    client = world.client(key)
    assert client.get(url("report-dashboard")).status_code == 404
    assert client.get(url("export-list")).status_code == 404
    assert client.post(url("report-lock"), {"month": f"{last_month(world):%Y-%m}"}).status_code == 404


@pytest.mark.parametrize("value", ["2026-13", "26-01", "abc", "2026-1", "1999-12"])
def test_malformed_month_is_a_bad_request(world: World, value: str) -> None:
    response = world.client("alpha.analyst").get(url("report-dashboard"), {"month": value})
    assert response.status_code == 400


def test_future_month_is_a_bad_request(world: World) -> None:
    first = today_for(world.actor("alpha.analyst")).replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    client = world.client("alpha.analyst")
    assert client.get(url("report-dashboard"), {"month": f"{following:%Y-%m}"}).status_code == 400
    response = client.get(url("report-dashboard"), {"month": f"{first:%Y-%m}"})
    assert response.status_code == 200
    assert "In progress" in response.content.decode()


def test_month_navigation(world: World) -> None:
    month = last_month(world)
    body = (
        world.client("alpha.analyst")
        .get(url("report-dashboard"), {"month": f"{month:%Y-%m}"})
        .content.decode()
    )
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    following = (month + dt.timedelta(days=32)).replace(day=1)
    assert f"?month={previous:%Y-%m}" in body
    assert f"?month={following:%Y-%m}" in body
    this_month = world.client("alpha.analyst").get(url("report-dashboard"), {"month": f"{following:%Y-%m}"})
    assert 'rel="next"' not in this_month.content.decode()


def test_trend_is_twelve_months_of_counts() -> None:
    months = [dt.date(2025, m, 1) for m in range(1, 13)]
    chart = charts.line_chart(
        chart_id="t",
        title="T",
        desc="D",
        months=months,
        series=[charts.Series("clients-served", "Clients served", list(range(12)))],
    )
    assert len(chart["lines"][0]["points"]) == 12
    assert chart["ticks"][-1]["label"] == "12"
    assert chart["rows"][0] == {"month": "Jan 2025", "values": [0]}
    assert charts.nice_max(0) == 4
    assert charts.nice_max(37) == 40
    assert charts.nice_max(101) == 120
    assert charts.nice_max(11) == 12


@pytest.mark.parametrize("first_month", [11, 12])
def test_year_labels_never_sit_a_step_apart(first_month: int) -> None:
    """Issue 12, item 9: "2025" under December and "2026" under January overlapped."""
    start = dt.date(2025, first_month, 1)
    months = [
        dt.date(start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1, 1)
        for i in range(12)
    ]
    chart = charts.line_chart(
        chart_id="t",
        title="T",
        desc="D",
        months=months,
        series=[charts.Series("tips", "Tips", [1] * 12)],
    )
    years = [(i, label["year"]) for i, label in enumerate(chart["x_labels"]) if label["year"]]
    assert years == [(13 - first_month, "2026")]  # under January only
    # Far from a January, the first month still says its year.
    later = charts.line_chart(
        chart_id="t",
        title="T",
        desc="D",
        months=[dt.date(2025, m, 1) for m in range(3, 13)],
        series=[charts.Series("tips", "Tips", [1] * 10)],
    )
    assert later["x_labels"][0]["year"] == "2025"


# ---------------------------------------------------------------------------------------- locks


def test_lock_and_reopen_with_a_reason_are_audited(world: World) -> None:
    month = last_month(world)
    client = world.client("alpha.coordinator")
    response = client.post(url("report-lock"), {"month": f"{month:%Y-%m}"})
    assert response.status_code == 302
    lock = MonthLock.objects.get(task_force=world.task_forces["alpha"], month=month)
    assert AuditEvent.objects.filter(action="month.locked", target_id=str(lock.pk)).exists()

    # A training of that month logged after the lock is listed as a change since the lock.
    log_training(world)
    body = client.get(url("report-dashboard"), {"month": f"{month:%Y-%m}"}).content.decode()
    assert "Changes since the lock" in body
    assert "Training events: <strong>1</strong> changed" in body

    # Locking twice: 400, nothing written.
    assert client.post(url("report-lock"), {"month": f"{month:%Y-%m}"}).status_code == 400
    assert MonthLock.objects.filter(month=month).count() == 1

    # Reopening needs a reason.
    response = client.post(url("report-reopen"), {"month": f"{month:%Y-%m}", "reason": "  "})
    assert response.status_code == 400
    lock.refresh_from_db()
    assert lock.reopened_at is None

    response = client.post(
        url("report-reopen"), {"month": f"{month:%Y-%m}", "reason": "Late service entries"}
    )
    assert response.status_code == 302
    lock.refresh_from_db()
    assert lock.reopened_at is not None
    assert lock.reopen_reason == "Late service entries"
    assert AuditEvent.objects.filter(action="month.reopened", target_id=str(lock.pk)).exists()


def test_only_grant_staff_lock_and_a_running_month_cannot_be_locked(world: World) -> None:
    month = last_month(world)
    assert (
        world.client("alpha.investigator").post(url("report-lock"), {"month": f"{month:%Y-%m}"}).status_code
        == 403
    )
    assert (
        world.client("alpha.vs_supervisor")
        .post(url("report-reopen"), {"month": f"{month:%Y-%m}", "reason": "x"})
        .status_code
        == 403
    )
    this_month = today_for(world.actor("alpha.analyst")).replace(day=1)
    assert (
        world.client("alpha.analyst").post(url("report-lock"), {"month": f"{this_month:%Y-%m}"}).status_code
        == 400
    )
    assert world.client("alpha.analyst").post(url("report-lock"), {"month": "nope"}).status_code == 400
    assert not MonthLock.objects.exists()


# -------------------------------------------------------------------------------------- exports


def request_export(world: World, capture, key: str = "alpha.analyst", flavour: str = "grant") -> ReportExport:
    client = world.client(key)
    with capture(execute=True):
        response = client.post(
            url("export-list"),
            {"month": f"{last_month(world):%Y-%m}", "file_format": "csv", "flavour": flavour},
        )
    assert response.status_code == 302
    export = ReportExport.objects.get(requested_by=world.users[key])
    assert response["Location"] == url("export-detail", export_id=export.pk)
    return export


def test_export_runs_then_downloads_for_the_requester_only(
    world: World, django_capture_on_commit_callbacks
) -> None:
    export = request_export(world, django_capture_on_commit_callbacks)
    export.refresh_from_db()
    assert export.status == ReportExport.Status.DONE
    assert export.progress == 100

    client = world.client("alpha.analyst")
    detail = client.get(url("export-detail", export_id=export.pk))
    assert detail.status_code == 200
    body = detail.content.decode()
    assert '<progress id="export-progress" value="100" max="100">' in body
    assert 'http-equiv="refresh"' not in body
    assert url("export-download", export_id=export.pk) in body

    download = client.get(url("export-download", export_id=export.pk))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    content = b"".join(download.streaming_content).decode()
    assert content.startswith("code,label,value")
    assert AuditEvent.objects.filter(action="export.downloaded", target_id=str(export.pk)).count() == 1

    listing = client.get(url("export-list"))
    assert listing.status_code == 200
    assert url("export-detail", export_id=export.pk) in listing.content.decode()

    # Someone else's export: 404, like one that does not exist; nothing downloaded is logged.
    for key in ("alpha.coordinator", "alpha.case_manager", "beta.analyst"):
        other = world.client(key)
        assert other.get(url("export-download", export_id=export.pk)).status_code == 404
        assert other.get(url("export-detail", export_id=export.pk)).status_code == 404
    assert AuditEvent.objects.filter(action="export.downloaded", target_id=str(export.pk)).count() == 1


def test_coalition_export_shows_small_cells(world: World, django_capture_on_commit_callbacks) -> None:
    log_training(world)  # one training event: a count from 1 to 4
    export = request_export(world, django_capture_on_commit_callbacks, flavour="coalition")
    content = b"".join(
        world.client("alpha.analyst").get(url("export-download", export_id=export.pk)).streaming_content
    )
    assert b"training.events,Training events,<5" in content


def test_pending_export_refreshes_every_two_seconds(world: World) -> None:
    export = services.export_request(
        actor=world.actor("alpha.analyst"), month=last_month(world), file_format="xlsx"
    )  # on_commit never runs in this test: it stays queued
    response = world.client("alpha.analyst").get(url("export-detail", export_id=export.pk))
    body = response.content.decode()
    assert '<meta http-equiv="refresh" content="2">' in body
    assert '<progress id="export-progress" value="0" max="100">' in body
    assert response["Refresh"] == "2"
    # Not ready: no file, back to the page.
    assert world.client("alpha.analyst").get(url("export-download", export_id=export.pk)).status_code == 302


def test_export_request_with_a_bad_month_is_a_bad_request(world: World) -> None:
    client = world.client("alpha.analyst")
    response = client.post(url("export-list"), {"month": "2026-99", "file_format": "csv", "flavour": "grant"})
    assert response.status_code == 400
    response = client.post(
        url("export-list"), {"month": f"{last_month(world):%Y-%m}", "file_format": "pdf", "flavour": "grant"}
    )
    assert response.status_code == 400
    assert not ReportExport.objects.exists()


# ---------------------------------------------------------------------------- training, outreach


def training_post(world: World, **overrides: object) -> dict[str, object]:
    return {
        "held_on": f"{today_for(world.actor('alpha.coordinator')):%Y-%m-%d}",
        "title": "Recognising trafficking in clinics",
        "topics": "Indicators",
        "delivering_agency": str(world.agencies["alpha.vs"].pk),
        "hours": "1.5",
        "attendees_law_enforcement": "0",
        "attendees_prosecution": "0",
        "attendees_victim_services": "4",
        "attendees_health": "20",
        "attendees_education": "0",
        "attendees_child_welfare": "0",
        "attendees_community": "0",
        "attendees_other": "0",
        **overrides,
    }


def outreach_post(world: World, **overrides: object) -> dict[str, object]:
    return {
        "held_on": f"{today_for(world.actor('alpha.coordinator')):%Y-%m-%d}",
        "kind": "presentation",
        "audience": "schools",
        "title": "High school assembly",
        "people_reached": "150",
        "materials_distributed": "200",
        "language": "Spanish",
        "delivering_agency": str(world.agencies["alpha.coord"].pk),
        **overrides,
    }


def test_training_create_and_list(world: World) -> None:
    client = world.client("alpha.case_manager")
    assert client.get(url("training-create")).status_code == 200
    response = client.post(url("training-create"), training_post(world))
    assert response.status_code == 302
    event = TrainingEvent.objects.get()
    assert event.people_trained == 24
    assert event.delivering_agency == world.agencies["alpha.vs"]
    assert AuditEvent.objects.filter(action="training.recorded", target_id=str(event.pk)).exists()
    for key in ("alpha.analyst", "alpha.tenant_admin", "alpha.investigator"):
        body = world.client(key).get(url("training-list")).content.decode()
        assert "Recognising trafficking in clinics" in body
        assert "Health 20" in body
    assert (
        "Recognising trafficking"
        not in world.client("beta.coordinator").get(url("training-list", tf="beta")).content.decode()
    )


@pytest.mark.parametrize(
    "overrides",
    [
        {"held_on": "2999-01-01"},
        {"attendees_health": "-3"},
        {"hours": "-1"},
        {"title": ""},
        {"delivering_agency": "00000000-0000-0000-0000-000000000000"},
    ],
)
def test_training_bad_input_is_a_bad_request_and_writes_nothing(world: World, overrides: dict) -> None:
    response = world.client("alpha.coordinator").post(
        url("training-create"), training_post(world, **overrides)
    )
    assert response.status_code == 400
    assert not TrainingEvent.objects.exists()


def test_training_agency_of_another_task_force_is_refused(world: World) -> None:
    post = training_post(world, delivering_agency=str(world.agencies["beta.vs"].pk))
    assert world.client("alpha.coordinator").post(url("training-create"), post).status_code == 400
    assert not TrainingEvent.objects.exists()


def test_outreach_create_and_list(world: World) -> None:
    client = world.client("alpha.investigator")
    response = client.post(url("outreach-create"), outreach_post(world))
    assert response.status_code == 302
    event = OutreachEvent.objects.get()
    assert event.people_reached == 150
    assert event.language == "Spanish"
    body = world.client("alpha.analyst").get(url("outreach-list")).content.decode()
    assert "High school assembly" in body
    assert "Schools" in body


@pytest.mark.parametrize(
    "overrides", [{"held_on": "2999-01-01"}, {"people_reached": "-1"}, {"kind": "rally"}]
)
def test_outreach_bad_input_is_a_bad_request(world: World, overrides: dict) -> None:
    response = world.client("alpha.coordinator").post(
        url("outreach-create"), outreach_post(world, **overrides)
    )
    assert response.status_code == 400
    assert not OutreachEvent.objects.exists()


@pytest.mark.parametrize("key", ["alpha.analyst", "alpha.tenant_admin"])
def test_analyst_and_admin_may_not_log_events(world: World, key: str) -> None:
    client = world.client(key)
    assert client.get(url("training-create")).status_code == 403
    assert client.post(url("training-create"), training_post(world)).status_code == 403
    assert client.post(url("outreach-create"), outreach_post(world)).status_code == 403
    assert client.get(url("training-list")).status_code == 200
    assert not TrainingEvent.objects.exists()
    assert not OutreachEvent.objects.exists()


def test_event_lists_page_by_date(world: World) -> None:
    actor = world.actor("alpha.coordinator")
    start = today_for(actor) - dt.timedelta(days=200)
    for i in range(55):
        services.outreach_record(
            actor=actor,
            data={"held_on": start + dt.timedelta(days=i), "kind": "media", "title": f"Spot {i:02d}"},
        )
    client = world.client("alpha.analyst")
    first = client.get(url("outreach-list"))
    body = first.content.decode()
    assert "Spot 54" in body
    assert "Spot 04" not in body
    assert "Next page" in body
    second = client.get(first.context["listing"].next_url).content.decode()
    assert "Spot 04" in second
    assert "Spot 54" not in second
    assert client.get(url("outreach-list"), {"cursor": "garbage"}).status_code == 400


# ---------------------------------------------------------------------------------- nav and home


def test_navigation_and_home_panels(world: World) -> None:
    analyst = world.client("alpha.analyst").get(url("tf-home")).content.decode()
    assert url("report-dashboard") in analyst
    assert "Training &amp; outreach" in analyst
    assert "Last export" in analyst
    assert "Not locked yet" in analyst
    coordinator = world.client("alpha.coordinator").get(url("tf-home")).content.decode()
    assert "Grant report" in coordinator
    assert "Not locked yet" in coordinator
    case_manager = world.client("alpha.case_manager").get(url("tf-home")).content.decode()
    assert url("report-dashboard") not in case_manager
    assert url("training-list") in case_manager
