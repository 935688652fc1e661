"""The running meeting's page loses nothing typed (issue 12, item 5): attendance, decisions and
minutes are one record saved together; a refused part saves none of it and gives back what was
typed; "mark all present"; a meeting cannot be started before its day."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from cases.services import zone_for
from mdt.models import Attendance, CaseReview, MdtMeeting
from taskforce.models import AuditEvent
from tests.mdt.test_views import Mdt, build_team, local_input, present_case, url
from tests.world import World

pytestmark = pytest.mark.django_db


def meeting_today(world: World, mdt: Mdt) -> MdtMeeting:
    """A meeting planned for today in the task force's zone (so it may be started)."""
    from mdt import policies

    local_now = timezone.localtime(timezone.now(), _zone(world))
    response = world.client("alpha.coordinator").post(
        url("mdt-meeting-create", team_id=mdt.team.pk),
        {"starts_at": local_now.strftime("%Y-%m-%dT%H:%M"), "place": "Room 4", "status": "planned"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return policies.visible_meetings(world.actor("alpha.coordinator")).get(team=mdt.team)


def _zone(world: World) -> zoneinfo.ZoneInfo:
    return zone_for(world.actor("alpha.coordinator"))


def record(mdt: Mdt, review: CaseReview, **extra: str) -> dict[str, str]:
    prefix = f"d{review.pk.hex[:8]}"
    return {
        f"row_{mdt.rows['coordinator'].pk}": "present",
        f"row_{mdt.rows['case_manager'].pk}": "present",
        f"row_{mdt.rows['investigator'].pk}": "absent",
        f"{prefix}-decisions": "Refer to transitional housing",
        f"{prefix}-recommendations": "Legal screening within a week",
        "minutes": "Quorum present. One case reviewed.",
        "save": "attendance",
        **extra,
    }


def test_saving_attendance_keeps_the_decisions_and_minutes_typed_meanwhile(world: World) -> None:
    mdt = build_team(world)
    meeting = meeting_today(world, mdt)
    review, _ = present_case(world, meeting)
    coord = world.client("alpha.coordinator")

    page = coord.get(url("mdt-meeting", meeting_id=meeting.pk)).content.decode()
    # Every field of the three sections belongs to the one record form.
    assert 'id="meeting-record"' in page
    assert page.count('form="meeting-record"') >= 3 + 2 + 1

    response = coord.post(url("mdt-meeting-record", meeting_id=meeting.pk), record(mdt, review))
    assert response.status_code == 302
    assert response["Location"].endswith("#attendance")
    meeting.refresh_from_db()
    review.refresh_from_db()
    assert meeting.minutes == "Quorum present. One case reviewed."
    assert review.decisions == "Refer to transitional housing"
    assert review.recommendations == "Legal screening within a week"
    statuses = dict(Attendance.objects.filter(meeting=meeting).values_list("roster_member_id", "status"))
    assert statuses == {
        mdt.rows["coordinator"].pk: "present",
        mdt.rows["case_manager"].pk: "present",
        mdt.rows["investigator"].pk: "absent",
    }
    # Audited per part, field names only.
    changed = AuditEvent.objects.filter(action="review.changed", target_id=str(review.pk)).get()
    assert changed.detail == {"fields": ["decisions", "recommendations"]}
    assert "transitional" not in str(AuditEvent.objects.filter(action="meeting.changed").values("detail"))

    # Saving the same record again writes (and audits) nothing.
    before = AuditEvent.objects.exclude(action__endswith=".viewed").count()
    response = coord.post(url("mdt-meeting-record", meeting_id=meeting.pk), record(mdt, review))
    assert response.status_code == 302
    assert AuditEvent.objects.exclude(action__endswith=".viewed").count() == before


def test_a_refused_part_saves_nothing_and_gives_back_everything_typed(world: World) -> None:
    mdt = build_team(world)
    meeting = meeting_today(world, mdt)
    review, _ = present_case(world, meeting)
    coord = world.client("alpha.coordinator")
    too_long = "x" * 50001
    response = coord.post(
        url("mdt-meeting-record", meeting_id=meeting.pk), record(mdt, review, minutes=too_long)
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Refer to transitional housing" in body  # the decisions typed come back
    assert "Legal screening within a week" in body
    assert "at most 50000 characters" in body
    meeting.refresh_from_db()
    review.refresh_from_db()
    assert meeting.minutes == ""
    assert review.decisions == ""
    assert not Attendance.objects.filter(meeting=meeting).exists()


def test_mark_all_present(world: World) -> None:
    mdt = build_team(world)
    meeting = meeting_today(world, mdt)
    coord = world.client("alpha.coordinator")
    page = coord.get(url("mdt-meeting", meeting_id=meeting.pk)).content.decode()
    assert "Mark all present" in page
    response = coord.post(
        url("mdt-meeting-record", meeting_id=meeting.pk),
        {"mark_all": "present", "minutes": "Started on time"},
    )
    assert response.status_code == 302
    statuses = set(Attendance.objects.filter(meeting=meeting).values_list("roster_member_id", "status"))
    assert statuses == {(row.pk, "present") for row in mdt.rows.values()}
    meeting.refresh_from_db()
    assert meeting.minutes == "Started on time"


def test_only_a_facilitator_saves_the_record(world: World) -> None:
    mdt = build_team(world)
    meeting = meeting_today(world, mdt)
    review, _ = present_case(world, meeting)
    response = world.client("alpha.case_manager").post(
        url("mdt-meeting-record", meeting_id=meeting.pk), record(mdt, review)
    )
    assert response.status_code in (403, 404)
    meeting.refresh_from_db()
    assert meeting.minutes == ""
    assert not Attendance.objects.filter(meeting=meeting).exists()
    # Another task force's facilitator does not even learn the meeting exists.
    response = world.client("beta.coordinator").post(
        url("mdt-meeting-record", tf="beta", meeting_id=meeting.pk), record(mdt, review)
    )
    assert response.status_code == 404


def test_a_meeting_cannot_be_started_before_its_day(world: World) -> None:
    mdt = build_team(world)
    coord = world.client("alpha.coordinator")
    tomorrow = timezone.localtime(timezone.now(), _zone(world)) + dt.timedelta(days=1)
    response = coord.post(
        url("mdt-meeting-create", team_id=mdt.team.pk),
        {"starts_at": local_input(world, tomorrow), "place": "Room 4", "status": "planned"},
    )
    assert response.status_code == 302
    meeting = MdtMeeting.objects.get(team=mdt.team)
    page = coord.get(url("mdt-meeting", meeting_id=meeting.pk)).content.decode()
    assert "Start meeting" not in page
    assert "Can be started on" in page

    response = coord.post(url("mdt-meeting-status", meeting_id=meeting.pk), {"status": "in_progress"})
    assert response.status_code == 400
    assert "can be started on that day" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == MdtMeeting.Status.PLANNED

    api = world.api("alpha.coordinator")
    response = api.patch(
        f"/api/v1/tf/alpha/mdt/meetings/{meeting.pk}/", {"status": "in_progress"}, format="json"
    )
    assert response.status_code == 400
    assert "status" in response.json()

    # On its day it starts.
    MdtMeeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now())
    response = coord.post(url("mdt-meeting-status", meeting_id=meeting.pk), {"status": "in_progress"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MdtMeeting.Status.IN_PROGRESS
