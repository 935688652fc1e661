"""The MDT screens: a meeting planned, prepared, run and printed; who sees what (404 for anyone
without a current agreement, off the roster, or from another task force); 400 on bad input; the
confidential mark on every page."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.services import intake_create, today_for, zone_for
from mdt import policies, services
from mdt.models import CONFIDENTIAL_MARK, ActionItem, Agreement, CaseReview, MdtMeeting, MdtTeam, RosterMember
from taskforce.models import AuditEvent
from tests.world import World

pytestmark = pytest.mark.django_db

ON_ROSTER = ("coordinator", "investigator", "case_manager", "other_agency_cm")
AGREED = ("coordinator", "investigator", "case_manager")


def url(name: str, tf: str = "alpha", **kwargs: object) -> str:
    return reverse(name, kwargs={"task_force": tf, **kwargs})


@dataclass
class Mdt:
    team: MdtTeam
    rows: dict[str, RosterMember]


def build_team(world: World) -> Mdt:
    coordinator = world.actor("alpha.coordinator")
    team = services.team_create(actor=coordinator, name="Adult MDT")
    rows = {
        key: services.roster_add(
            actor=coordinator,
            team=team,
            membership=world.memberships[f"alpha.{key}"],
            is_facilitator=key == "coordinator",
        )
        for key in ON_ROSTER
    }
    for key in AGREED:
        services.agreement_sign(actor=coordinator, row=rows[key])
    return Mdt(team=team, rows=rows)


def local_input(world: World, moment: dt.datetime) -> str:
    return timezone.localtime(moment, zone_for(world.actor("alpha.coordinator"))).strftime("%Y-%m-%dT%H:%M")


def plan_meeting(world: World, mdt: Mdt) -> MdtMeeting:
    response = world.client("alpha.coordinator").post(
        url("mdt-meeting-create", team_id=mdt.team.pk),
        {
            "starts_at": local_input(world, timezone.now() + dt.timedelta(days=2)),
            "place": "Room 4",
            "status": "planned",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    return policies.visible_meetings(world.actor("alpha.coordinator")).get(team=mdt.team)


def present_case(world: World, meeting: MdtMeeting) -> tuple[CaseReview, object]:
    case = intake_create(
        actor=world.actor("alpha.case_manager"),
        client={"first_name": "Zelda", "last_name": "Quorum"},
        case={},
    )
    response = world.client("alpha.case_manager").post(
        url("mdt-review-add", meeting_id=meeting.pk),
        {
            "case": str(case.pk),
            "summary": "Needs housing, SUMMARY-MARK",
            "risk_level": "high",
            "needs_barriers": "No ID documents",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    review = policies.visible_reviews(world.actor("alpha.case_manager")).get(meeting=meeting)
    return review, case


def test_coordinator_plans_prepares_runs_and_prints_a_meeting(world: World) -> None:
    mdt = build_team(world)
    coord = world.client("alpha.coordinator")

    team_page = coord.get(url("mdt-team", team_id=mdt.team.pk))
    assert team_page.status_code == 200
    assert AuditEvent.objects.filter(action="roster.viewed", target_id=str(mdt.team.pk)).exists()

    meeting = plan_meeting(world, mdt)
    review, _case = present_case(world, meeting)
    assert review.presenting_agency_id == world.agencies["alpha.vs"].pk

    # The presenter sees the MDT code on the agenda, never the client's name.
    page = world.client("alpha.case_manager").get(url("mdt-meeting", meeting_id=meeting.pk))
    assert page.status_code == 200
    body = page.content.decode()
    assert review.mdt_code in body
    assert "SUMMARY-MARK" in body
    assert "Zelda" not in body
    assert "Quorum" not in body
    assert AuditEvent.objects.filter(action="meeting.viewed", target_id=str(meeting.pk)).exists()

    # The day comes. Run it: attendance, a guest, start, decisions, an action item, minutes, finish.
    MdtMeeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now())
    live = coord.get(url("mdt-meeting", meeting_id=meeting.pk))
    assert live.status_code == 200
    assert "Start meeting" in live.content.decode()
    response = coord.post(
        url("mdt-attendance", meeting_id=meeting.pk),
        {
            f"row_{mdt.rows['coordinator'].pk}": "present",
            f"row_{mdt.rows['case_manager'].pk}": "present",
            f"row_{mdt.rows['investigator'].pk}": "absent",
        },
    )
    assert response.status_code == 302
    response = coord.post(
        url("mdt-guest-add", meeting_id=meeting.pk),
        {"guest_name": "Gina Guest", "guest_organization": "County Health", "confirm": "on"},
    )
    assert response.status_code == 302
    assert (
        coord.post(url("mdt-guest-add", meeting_id=meeting.pk), {"guest_name": "No Sign"}).status_code == 400
    )
    assert (
        coord.post(url("mdt-meeting-status", meeting_id=meeting.pk), {"status": "in_progress"}).status_code
        == 302
    )
    meeting.refresh_from_db()
    assert meeting.status == MdtMeeting.Status.IN_PROGRESS

    prefix = f"d{review.pk.hex[:8]}"
    response = coord.post(
        url("mdt-review-edit", review_id=review.pk),
        {
            "part": "decisions",
            f"{prefix}-decisions": "Refer to legal aid",
            f"{prefix}-recommendations": "Safety plan",
        },
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.decisions == "Refer to legal aid"

    due = (today_for(world.actor("alpha.coordinator")) + dt.timedelta(days=7)).isoformat()
    rprefix = f"r{review.pk.hex[:8]}"
    response = coord.post(
        url("mdt-action-add", meeting_id=meeting.pk),
        {
            "live": "1",
            "prefix": rprefix,
            f"{rprefix}-description": "Book a housing intake ITEM-MARK",
            f"{rprefix}-owner": f"m:{mdt.rows['case_manager'].pk}",
            f"{rprefix}-due_on": due,
            f"{rprefix}-review": str(review.pk),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    item = policies.visible_action_items(world.actor("alpha.coordinator")).get(meeting=meeting)
    assert item.review_id == review.pk
    assert item.owner_member_id == mdt.rows["case_manager"].pk

    response = coord.post(
        url("mdt-meeting-edit", meeting_id=meeting.pk), {"part": "minutes", "minutes": "MINUTES-MARK"}
    )
    assert response.status_code == 302
    assert coord.post(url("mdt-meeting-status", meeting_id=meeting.pk), {"status": "held"}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MdtMeeting.Status.HELD
    assert meeting.minutes == "MINUTES-MARK"

    printed = coord.get(url("mdt-meeting-print", meeting_id=meeting.pk))
    assert printed.status_code == 200
    text = printed.content.decode()
    assert text.count(CONFIDENTIAL_MARK) >= 3  # title, top and bottom
    assert "main-nav" not in text
    for marker in ("SUMMARY-MARK", "ITEM-MARK", "MINUTES-MARK", "Gina Guest", review.mdt_code):
        assert marker in text
    assert "Zelda" not in text

    # The owner sees it in my items and closes it; the item leaves the next meeting's agenda.
    mine = world.client("alpha.case_manager").get(url("mdt-my-items"))
    assert mine.status_code == 200
    assert "ITEM-MARK" in mine.content.decode()
    assert AuditEvent.objects.filter(action="action_item.listed").exists()
    response = world.client("alpha.case_manager").post(
        url("mdt-action-status", item_id=item.pk), {"status": "done", "next": url("mdt-my-items")}
    )
    assert response.status_code == 302
    assert response["Location"] == url("mdt-my-items")
    item.refresh_from_db()
    assert item.status == ActionItem.Status.DONE


def test_links_to_the_presenters_record_only_for_who_sees_it(world: World) -> None:
    mdt = build_team(world)
    meeting = plan_meeting(world, mdt)
    review, case = present_case(world, meeting)
    case_url = url("case-detail", case_id=case.pk)

    own = world.client("alpha.case_manager").get(url("mdt-review", review_id=review.pk))
    assert own.status_code == 200
    assert case_url in own.content.decode()
    assert AuditEvent.objects.filter(action="review.viewed", target_id=str(review.pk)).exists()

    other = world.client("alpha.investigator").get(url("mdt-review", review_id=review.pk))
    assert other.status_code == 200
    body = other.content.decode()
    assert review.mdt_code in body
    assert "SUMMARY-MARK" in body
    assert case_url not in body
    assert "Zelda" not in body
    # Visible but not theirs to edit.
    assert (
        world.client("alpha.investigator").get(url("mdt-review-edit", review_id=review.pk)).status_code == 403
    )


def test_without_a_current_agreement_or_off_the_roster_everything_is_404(world: World) -> None:
    mdt = build_team(world)
    meeting = plan_meeting(world, mdt)
    review, _case = present_case(world, meeting)
    pages = (
        url("mdt-meeting", meeting_id=meeting.pk),
        url("mdt-review", review_id=review.pk),
        url("mdt-meeting-print", meeting_id=meeting.pk),
    )

    # On the roster, never signed: the roster page yes, meetings and reviews no.
    unsigned = world.client("alpha.other_agency_cm")
    assert unsigned.get(url("mdt-team", team_id=mdt.team.pk)).status_code == 200
    for page in pages:
        assert unsigned.get(page).status_code == 404, page
    assert unsigned.get(url("mdt-meetings")).status_code == 404
    # Signing their own agreement opens the meeting.
    sign = url("mdt-agreement-sign", team_id=mdt.team.pk, row_id=mdt.rows["other_agency_cm"].pk)
    form = unsigned.get(sign)
    assert form.status_code == 200
    assert "stays at the MDT" in form.content.decode()
    assert unsigned.post(sign, {}).status_code == 400
    assert unsigned.post(sign, {"confirm": "on"}).status_code == 302
    assert unsigned.get(pages[0]).status_code == 200
    # ... but nobody else's.
    other_row = url("mdt-agreement-sign", team_id=mdt.team.pk, row_id=mdt.rows["investigator"].pk)
    assert unsigned.post(other_row, {"confirm": "on"}).status_code == 403

    # An agreement that expired: 404 on the next request.
    Agreement.objects.filter(roster_member=mdt.rows["investigator"]).update(
        signed_on=dt.date(2020, 1, 1), expires_on=dt.date(2021, 1, 1)
    )
    for page in pages:
        assert world.client("alpha.investigator").get(page).status_code == 404, page

    # Taken off the roster: 404 on the next request.
    cm = world.client("alpha.case_manager")
    assert cm.get(pages[0]).status_code == 200
    response = world.client("alpha.coordinator").post(
        url("mdt-roster-remove", team_id=mdt.team.pk, row_id=mdt.rows["case_manager"].pk)
    )
    assert response.status_code == 302
    for page in pages:
        assert cm.get(page).status_code == 404, page
    assert cm.get(url("mdt-team", team_id=mdt.team.pk)).status_code == 404

    # Never on the roster.
    outsider = world.client("alpha.case_manager_2")
    for page in (*pages, url("mdt-team", team_id=mdt.team.pk), url("mdt-teams"), url("mdt-meetings")):
        assert outsider.get(page).status_code == 404, page

    # The tenant admin manages the roster but sees no meeting.
    admin = world.client("alpha.tenant_admin")
    assert admin.get(url("mdt-team", team_id=mdt.team.pk)).status_code == 200
    for page in (*pages, url("mdt-meetings")):
        assert admin.get(page).status_code == 404, page

    # Another task force: the same 404, under either slug.
    beta = world.client("beta.coordinator")
    assert beta.get(pages[0]).status_code == 404
    assert beta.get(url("mdt-meeting", tf="beta", meeting_id=meeting.pk)).status_code == 404
    assert beta.get(url("mdt-team", tf="beta", team_id=mdt.team.pk)).status_code == 404

    # Members who are not facilitators do not run meetings.
    signed = world.client("alpha.other_agency_cm")
    assert (
        signed.post(url("mdt-meeting-status", meeting_id=meeting.pk), {"status": "held"}).status_code == 403
    )
    assert signed.post(url("mdt-roster-add", team_id=mdt.team.pk), {}).status_code == 403


def test_bad_input_answers_400(world: World) -> None:
    mdt = build_team(world)
    coord = world.client("alpha.coordinator")
    past = local_input(world, timezone.now() - dt.timedelta(days=3))
    response = coord.post(
        url("mdt-meeting-create", team_id=mdt.team.pk),
        {"starts_at": past, "place": "Room 4", "status": "planned"},
    )
    assert response.status_code == 400
    assert "cannot be planned" in response.content.decode()
    # The same meeting recorded as held is fine.
    response = coord.post(
        url("mdt-meeting-create", team_id=mdt.team.pk),
        {"starts_at": past, "place": "Room 4", "status": "held"},
    )
    assert response.status_code == 302

    meeting = policies.visible_meetings(world.actor("alpha.coordinator")).get()
    due = today_for(world.actor("alpha.coordinator")).isoformat()
    for owner in (f"m:{uuid.uuid4()}", f"a:{world.agencies['alpha.pd'].pk}", "x:nothing", ""):
        response = coord.post(
            url("mdt-action-add", meeting_id=meeting.pk),
            {"description": "Call", "owner": owner, "due_on": due},
        )
        assert response.status_code == 400, owner
    other_team = services.team_create(actor=world.actor("alpha.coordinator"), name="Youth MDT", kind="youth")
    stranger = services.roster_add(
        actor=world.actor("alpha.coordinator"),
        team=other_team,
        membership=world.memberships["alpha.prosecutor"],
    )
    response = coord.post(
        url("mdt-action-add", meeting_id=meeting.pk),
        {"description": "Call", "owner": f"m:{stranger.pk}", "due_on": due},
    )
    assert response.status_code == 400
    assert not policies.visible_action_items(world.actor("alpha.coordinator")).exists()

    # A review presented by an agency with nobody on the roster.
    coord.post(url("mdt-roster-remove", team_id=mdt.team.pk, row_id=mdt.rows["other_agency_cm"].pk))
    response = coord.post(
        url("mdt-review-add", meeting_id=meeting.pk),
        {"presenting_agency": str(world.agencies["alpha.vs2"].pk), "summary": "x", "risk_level": "low"},
    )
    assert response.status_code == 400
    assert not CaseReview.objects.filter(meeting=meeting).exists()

    # Roster managers only add active members of this task force.
    response = coord.post(
        url("mdt-roster-add", team_id=mdt.team.pk),
        {"membership": str(world.memberships["beta.investigator"].pk)},
    )
    assert response.status_code == 400
    assert coord.post(url("mdt-action-status", item_id=uuid.uuid4()), {"status": "done"}).status_code == 404


def test_overdue_list_home_panels_nav_and_the_mark_everywhere(world: World) -> None:
    mdt = build_team(world)
    meeting = plan_meeting(world, mdt)
    review, _case = present_case(world, meeting)
    coordinator = world.actor("alpha.coordinator")
    yesterday = today_for(coordinator) - dt.timedelta(days=1)
    services.action_item_add(
        actor=coordinator,
        meeting=meeting,
        description="LATE-ITEM",
        due_on=yesterday,
        owner_agency=world.agencies["alpha.da"],
    )
    coord = world.client("alpha.coordinator")
    overdue = coord.get(url("mdt-overdue"))
    assert overdue.status_code == 200
    assert "LATE-ITEM" in overdue.content.decode()
    assert world.client("alpha.case_manager").get(url("mdt-overdue")).status_code == 404
    # Owned by the investigator's agency: theirs too.
    assert "LATE-ITEM" in world.client("alpha.investigator").get(url("mdt-my-items")).content.decode()

    home = coord.get(url("tf-home")).content.decode()
    assert "Next MDT meeting" in home
    assert review.mdt_code in home
    assert "LATE-ITEM" in home
    assert url("mdt-teams") in home  # the nav entry
    member_home = world.client("alpha.investigator").get(url("tf-home")).content.decode()
    assert "My MDT action items" in member_home
    assert "LATE-ITEM" in member_home
    analyst_home = world.client("alpha.analyst").get(url("tf-home")).content.decode()
    assert url("mdt-teams") not in analyst_home
    assert "MDT" not in analyst_home

    pages = [
        url("mdt-teams"),
        url("mdt-team-create"),
        url("mdt-team", team_id=mdt.team.pk),
        url("mdt-agreement-sign", team_id=mdt.team.pk, row_id=mdt.rows["other_agency_cm"].pk),
        url("mdt-meetings"),
        url("mdt-meeting-create", team_id=mdt.team.pk),
        url("mdt-meeting", meeting_id=meeting.pk),
        url("mdt-meeting-edit", meeting_id=meeting.pk),
        url("mdt-meeting-print", meeting_id=meeting.pk),
        url("mdt-review-add", meeting_id=meeting.pk),
        url("mdt-review", review_id=review.pk),
        url("mdt-review-edit", review_id=review.pk),
        url("mdt-action-add", meeting_id=meeting.pk),
        url("mdt-my-items"),
        url("mdt-overdue"),
    ]
    for page in pages:
        response = coord.get(page)
        assert response.status_code == 200, page
        assert response.content.decode().count(CONFIDENTIAL_MARK) >= 2, page
    assert AuditEvent.objects.filter(action="meeting.listed").exists()
