"""The MDT API: teams and rosters, meetings, case reviews, action items (PC 13753).

Who may: the coordinator runs every meeting; a roster member sees the team's meetings, reviews
and action items only while holding a current confidentiality agreement. Everyone else (members
without an agreement, people on no roster, tenant admins for meetings, analysts, other task
forces, superusers) gets 404 on every route, the collections included; an action refused on a
visible record is 403.
"""

from __future__ import annotations

import datetime as dt
import uuid
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases import services as case_services
from mdt import services
from mdt.models import CONFIDENTIAL_MARK, ActionItem, Agreement, CaseReview, MdtMeeting
from referrals import services as referral_services
from taskforce.models import AuditEvent
from tests.world import World, local_today

pytestmark = pytest.mark.django_db

OUTSIDERS = (
    "alpha.case_manager_2",
    "alpha.analyst",
    "beta.coordinator",
    "beta.case_manager",
    "beta.tenant_admin",
)


def url(name: str, tf: str = "alpha", **kwargs: Any) -> str:
    return reverse(f"api:{name}", kwargs={"task_force": tf, **kwargs})


def later(days: int = 7) -> str:
    return (timezone.now() + dt.timedelta(days=days)).isoformat()


def audits(action: str, **filters: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, **filters).order_by("seq"))


@pytest.fixture
def mdt(world: World) -> SimpleNamespace:
    """An adult team: the coordinator facilitates; investigator and case manager have signed;
    the other agency's case manager is on the roster without an agreement."""
    coordinator = world.actor("alpha.coordinator")
    team = services.team_create(actor=coordinator, name="Adult MDT")
    other_team = services.team_create(actor=coordinator, name="Youth MDT", kind="youth")
    rows = {
        key: services.roster_add(
            actor=coordinator,
            team=team,
            membership=world.memberships[f"alpha.{key}"],
            is_facilitator=key == "coordinator",
        )
        for key in ("coordinator", "investigator", "case_manager", "other_agency_cm")
    }
    for key in ("coordinator", "investigator", "case_manager"):
        services.agreement_sign(actor=coordinator, row=rows[key])
    # Someone on another team only: not a possible owner of this team's items.
    rows["detective_youth"] = services.roster_add(
        actor=coordinator, team=other_team, membership=world.memberships["alpha.detective"]
    )
    services.agreement_sign(actor=coordinator, row=rows["detective_youth"])
    return SimpleNamespace(team=team, other_team=other_team, rows=rows)


def plan_meeting(world: World, mdt: SimpleNamespace, **extra: Any) -> dict:
    body = {"team": str(mdt.team.pk), "starts_at": later(), "place": "Room 4", **extra}
    response = world.api("alpha.coordinator").post(url("mdt-meeting-list"), body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def meeting(world: World, mdt: SimpleNamespace) -> dict:
    return plan_meeting(world, mdt)


@pytest.fixture
def own_case(world: World) -> Any:
    return case_services.intake_create(
        actor=world.actor("alpha.case_manager"),
        client={"first_name": "Mira", "last_name": "Marker-Client"},
        case={"trafficking_type": "labor"},
    )


def present(world: World, meeting: dict, key: str = "alpha.case_manager", **extra: Any) -> dict:
    body = {
        "meeting": meeting["id"],
        "summary": "Needs housing",
        "risk_level": "high",
        "needs_barriers": "No ID",
        **extra,
    }
    response = world.api(key).post(url("mdt-review-list"), body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def add_item(world: World, meeting: dict, **extra: Any) -> Any:
    body = {"meeting": meeting["id"], "description": "Find a bed", "due_on": "2099-01-01", **extra}
    return world.api("alpha.coordinator").post(url("mdt-action-item-list"), body, format="json")


# ========================================================================================= meetings


def test_no_credentials_is_401(world: World) -> None:
    assert APIClient().get(url("mdt-meeting-list")).status_code == 401
    assert APIClient().get(url("mdt-team-list")).status_code == 401


def test_coordinator_plans_and_runs_a_meeting(world: World, mdt: SimpleNamespace) -> None:
    beta = world.task_forces["beta"]
    body = {
        "team": str(mdt.team.pk),
        "starts_at": timezone.now().isoformat(),  # today: a meeting is started on its day
        "place": "Room 4",
        "video_link": "https://meet.example.org/mdt",
        # Whatever places the record: ignored.
        "task_force": str(beta.pk),
        "created_by": str(world.users["alpha.investigator"].pk),
        "id": str(uuid.uuid4()),
        "minutes": "ignored on create",
    }
    api = world.api("alpha.coordinator")
    response = api.post(url("mdt-meeting-list"), body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["id"] != body["id"]
    assert data["team"] == str(mdt.team.pk)
    assert data["team_name"] == "Adult MDT"
    assert data["status"] == "planned"
    assert data["minutes"] == ""
    assert data["confidential"] == CONFIDENTIAL_MARK
    meeting = MdtMeeting.objects.get(pk=data["id"])
    assert meeting.task_force_id == world.task_forces["alpha"].pk
    assert meeting.created_by_id == world.users["alpha.coordinator"].pk
    assert audits("meeting.created", target_id=data["id"])

    address = url("mdt-meeting-detail", pk=data["id"])
    response = api.patch(address, {"status": "in_progress", "minutes": "Discussed A-1."}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "in_progress"
    assert response.json()["minutes"] == "Discussed A-1."
    assert response.json()["confidential"] == CONFIDENTIAL_MARK
    assert audits("meeting.changed", target_id=data["id"])

    detail = api.get(address)
    assert detail.status_code == 200
    assert detail.json()["minutes"] == "Discussed A-1."
    assert audits("meeting.viewed", target_id=data["id"])

    listed = api.get(url("mdt-meeting-list")).json()
    assert [row["id"] for row in listed["results"]] == [data["id"]]
    assert listed["results"][0]["confidential"] == CONFIDENTIAL_MARK
    assert "minutes" not in listed["results"][0]
    assert listed["next"] is None
    assert audits("meeting.listed")[-1].detail == {"count": 1}


def test_a_past_meeting_cannot_be_planned(world: World, mdt: SimpleNamespace) -> None:
    api = world.api("alpha.coordinator")
    past = (timezone.now() - dt.timedelta(days=3)).isoformat()
    before = MdtMeeting.objects.count()
    response = api.post(url("mdt-meeting-list"), {"team": str(mdt.team.pk), "starts_at": past}, format="json")
    assert response.status_code == 400
    assert "starts_at" in response.json()
    assert MdtMeeting.objects.count() == before
    # Recording a past meeting as held is fine.
    held = plan_meeting(world, mdt, starts_at=past, status="held")
    assert held["status"] == "held"
    # ... and turning it back into a planned one is not.
    response = api.patch(url("mdt-meeting-detail", pk=held["id"]), {"status": "planned"}, format="json")
    assert response.status_code == 400
    assert "starts_at" in response.json()


def test_members_see_meetings_but_only_facilitators_run_them(
    world: World, mdt: SimpleNamespace, meeting: dict
) -> None:
    for key in ("alpha.case_manager", "alpha.investigator"):
        api = world.api(key)
        assert api.get(url("mdt-meeting-detail", pk=meeting["id"])).status_code == 200, key
        assert [m["id"] for m in api.get(url("mdt-meeting-list")).json()["results"]] == [meeting["id"]]
        response = api.patch(url("mdt-meeting-detail", pk=meeting["id"]), {"minutes": "x"}, format="json")
        assert response.status_code == 403, key
        response = api.post(
            url("mdt-meeting-list"), {"team": str(mdt.team.pk), "starts_at": later()}, format="json"
        )
        assert response.status_code == 403, key
    assert MdtMeeting.objects.get(pk=meeting["id"]).minutes == ""
    # A team the member is not on is not even a valid choice.
    response = world.api("alpha.case_manager").post(
        url("mdt-meeting-list"), {"team": str(mdt.other_team.pk), "starts_at": later()}, format="json"
    )
    assert response.status_code == 400
    assert "team" in response.json()


def test_roster_facilitator_runs_their_team(world: World, mdt: SimpleNamespace, meeting: dict) -> None:
    services.roster_add(
        actor=world.actor("alpha.coordinator"),
        team=mdt.team,
        membership=world.memberships["alpha.investigator"],
        is_facilitator=True,
    )
    api = world.api("alpha.investigator")
    response = api.patch(url("mdt-meeting-detail", pk=meeting["id"]), {"place": "Room 9"}, format="json")
    assert response.status_code == 200
    assert response.json()["place"] == "Room 9"
    response = api.post(
        url("mdt-meeting-list"), {"team": str(mdt.team.pk), "starts_at": later()}, format="json"
    )
    assert response.status_code == 201


# ========================================================================================== reviews


def test_case_manager_presents_a_review_of_their_case(
    world: World, mdt: SimpleNamespace, meeting: dict, own_case: Any
) -> None:
    review = present(
        world,
        meeting,
        case=str(own_case.pk),
        presented_by=str(world.users["alpha.investigator"].pk),
        mdt_code="EVIL-1",
    )
    assert review["mdt_code"].startswith("A-")
    assert review["mdt_code"] != "EVIL-1"
    assert review["position"] == 1
    assert review["presenting_agency"] == {
        "id": str(world.agencies["alpha.vs"].pk),
        "name": "Shelter One",
        "side": "victim_services",
    }
    assert review["client_name"] is None
    assert review["case"] == str(own_case.pk)
    assert "investigation" not in review
    assert review["confidential"] == CONFIDENTIAL_MARK
    row = CaseReview.objects.get(pk=review["id"])
    assert row.presented_by_id == world.users["alpha.case_manager"].pk
    assert audits("review.added", target_id=review["id"])

    # The investigator sees the review, not the link to the victim-services case.
    api = world.api("alpha.investigator")
    listed = api.get(url("mdt-review-list"))
    assert listed.status_code == 200
    (seen,) = listed.json()["results"]
    assert seen["id"] == review["id"]
    assert seen["summary"] == "Needs housing"
    assert "case" not in seen
    assert seen["client_name"] is None
    assert "Marker-Client" not in listed.content.decode()
    detail = api.get(url("mdt-review-detail", pk=review["id"]))
    assert detail.status_code == 200
    assert "case" not in detail.json()
    assert audits("review.viewed", target_id=review["id"])
    assert audits("review.listed")
    # Nor does the coordinator.
    assert "case" not in world.api("alpha.coordinator").get(url("mdt-review-detail", pk=review["id"])).json()
    # The filter by meeting.
    assert api.get(url("mdt-review-list"), {"meeting": meeting["id"]}).json()["results"]
    assert not api.get(url("mdt-review-list"), {"meeting": str(uuid.uuid4())}).json()["results"]


def test_investigator_presents_their_investigation(world: World, mdt: SimpleNamespace, meeting: dict) -> None:
    investigation = referral_services.investigation_create(
        actor=world.actor("alpha.investigator"), data={"title": "Op Marker"}
    )
    review = present(world, meeting, key="alpha.investigator", investigation=str(investigation.pk))
    assert review["investigation"] == str(investigation.pk)
    seen = world.api("alpha.case_manager").get(url("mdt-review-detail", pk=review["id"])).json()
    assert "investigation" not in seen
    assert "case" not in seen


def test_review_links_must_be_the_presenters_own(
    world: World, mdt: SimpleNamespace, meeting: dict, own_case: Any
) -> None:
    before = CaseReview.objects.count()
    body = {"meeting": meeting["id"], "summary": "s", "risk_level": "low", "case": str(own_case.pk)}
    response = world.api("alpha.investigator").post(url("mdt-review-list"), body, format="json")
    assert response.status_code == 400
    assert "case" in response.json()
    # Presenting for another agency: facilitators only.
    body = {
        "meeting": meeting["id"],
        "summary": "s",
        "risk_level": "low",
        "presenting_agency": str(world.agencies["alpha.da"].pk),
    }
    response = world.api("alpha.case_manager").post(url("mdt-review-list"), body, format="json")
    assert response.status_code == 403
    # An agency with nobody on the roster cannot present.
    body["presenting_agency"] = str(world.agencies["alpha.pd"].pk)
    response = world.api("alpha.coordinator").post(url("mdt-review-list"), body, format="json")
    assert response.status_code == 400
    assert "presenting_agency" in response.json()
    response = world.api("alpha.case_manager").post(
        url("mdt-review-list"), {"meeting": meeting["id"], "risk_level": "extreme"}, format="json"
    )
    assert response.status_code == 400
    assert {"summary", "risk_level"} <= set(response.json())
    assert CaseReview.objects.count() == before


def test_presenter_records_decisions_others_may_not(
    world: World, mdt: SimpleNamespace, meeting: dict
) -> None:
    review = present(world, meeting)
    address = url("mdt-review-detail", pk=review["id"])
    response = world.api("alpha.case_manager").patch(
        address, {"decisions": "Refer to legal aid", "recommendations": "T visa screening"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["decisions"] == "Refer to legal aid"
    assert response.json()["mdt_code"] == review["mdt_code"]
    assert audits("review.changed", target_id=review["id"])
    response = world.api("alpha.investigator").patch(address, {"decisions": "Nope"}, format="json")
    assert response.status_code == 403
    response = world.api("alpha.coordinator").patch(address, {"position": 3}, format="json")
    assert response.status_code == 200
    assert response.json()["position"] == 3
    assert CaseReview.objects.get(pk=review["id"]).decisions == "Refer to legal aid"


# ===================================================================================== action items


def test_action_items(world: World, mdt: SimpleNamespace, meeting: dict) -> None:
    review = present(world, meeting)
    response = add_item(
        world,
        meeting,
        owner_member=str(mdt.rows["case_manager"].pk),
        review=review["id"],
        team=str(mdt.other_team.pk),
    )
    assert response.status_code == 201, response.content
    item = response.json()
    assert item["team"] == str(mdt.team.pk)
    assert item["meeting"] == meeting["id"]
    assert item["review"] == review["id"]
    assert item["owner_member"]["id"] == str(mdt.rows["case_manager"].pk)
    assert item["owner_member"]["agency"]["id"] == str(world.agencies["alpha.vs"].pk)
    assert item["owner_agency"] is None
    assert item["status"] == "open"
    assert item["overdue"] is False
    assert item["confidential"] == CONFIDENTIAL_MARK
    address = url("mdt-action-item-detail", pk=item["id"])

    # Only facilitators record items.
    body = {"meeting": meeting["id"], "description": "x", "due_on": "2099-01-01"}
    body["owner_member"] = str(mdt.rows["case_manager"].pk)
    assert (
        world.api("alpha.case_manager").post(url("mdt-action-item-list"), body, format="json").status_code
        == 403
    )

    # A non-owner member sees it and may not change it; the owner may.
    investigator = world.api("alpha.investigator")
    assert investigator.get(address).status_code == 200
    assert investigator.patch(address, {"status": "done"}, format="json").status_code == 403
    owner = world.api("alpha.case_manager")
    response = owner.patch(address, {"status": "done", "description": "Changed by owner"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "done"
    assert response.json()["completed_on"]
    assert response.json()["description"] == "Find a bed"  # owners change the status only
    assert audits("action_item.changed", target_id=item["id"])
    response = world.api("alpha.coordinator").patch(address, {"due_on": "2099-02-01"}, format="json")
    assert response.status_code == 200
    assert response.json()["due_on"] == "2099-02-01"
    assert owner.patch(address, {"status": "someday"}, format="json").status_code == 400

    # Filters.
    assert [i["id"] for i in owner.get(url("mdt-action-item-list"), {"mine": "1"}).json()["results"]] == [
        item["id"]
    ]
    assert investigator.get(url("mdt-action-item-list"), {"mine": "1"}).json()["results"] == []
    assert len(investigator.get(url("mdt-action-item-list")).json()["results"]) == 1
    assert owner.get(url("mdt-action-item-list"), {"status": "open"}).json()["results"] == []
    assert len(owner.get(url("mdt-action-item-list"), {"status": "done"}).json()["results"]) == 1
    assert audits("action_item.listed")
    assert audits("action_item.viewed", target_id=item["id"])


def test_owner_agency_updates_and_overdue_filter(world: World, mdt: SimpleNamespace, meeting: dict) -> None:
    response = add_item(world, meeting, owner_agency=str(world.agencies["alpha.da"].pk))
    assert response.status_code == 201, response.content
    item = response.json()
    assert item["owner_agency"]["name"] == "District Attorney"
    ActionItem.objects.filter(pk=item["id"]).update(due_on=local_today() - dt.timedelta(days=2))
    api = world.api("alpha.investigator")
    overdue = api.get(url("mdt-action-item-list"), {"overdue": "1", "mine": "true"}).json()["results"]
    assert [row["id"] for row in overdue] == [item["id"]]
    assert overdue[0]["overdue"] is True
    assert (
        world.api("alpha.case_manager").get(url("mdt-action-item-list"), {"mine": "1"}).json()["results"]
        == []
    )
    response = api.patch(
        url("mdt-action-item-detail", pk=item["id"]), {"status": "in_progress"}, format="json"
    )
    assert response.status_code == 200
    assert (
        world.api("alpha.case_manager")
        .patch(url("mdt-action-item-detail", pk=item["id"]), {"status": "done"}, format="json")
        .status_code
        == 403
    )


def test_action_item_owner_must_be_on_the_team(world: World, mdt: SimpleNamespace, meeting: dict) -> None:
    before = ActionItem.objects.count()
    response = add_item(world, meeting, owner_member=str(mdt.rows["detective_youth"].pk))
    assert response.status_code == 400
    assert "owner_member" in response.json()
    response = add_item(world, meeting, owner_agency=str(world.agencies["alpha.pd"].pk))
    assert response.status_code == 400
    assert "owner_agency" in response.json()
    response = add_item(world, meeting)
    assert response.status_code == 400
    assert "owner" in response.json()
    response = add_item(world, meeting, owner_agency=str(world.agencies["beta.da"].pk))
    assert response.status_code == 400
    assert "owner_agency" in response.json()
    response = add_item(world, meeting, owner_member=str(mdt.rows["case_manager"].pk), description="  ")
    assert response.status_code == 400
    other = plan_meeting(world, mdt)
    review = present(world, other)
    response = add_item(world, meeting, owner_member=str(mdt.rows["case_manager"].pk), review=review["id"])
    assert response.status_code == 400
    assert "review" in response.json()
    assert ActionItem.objects.count() == before


# ========================================================================================== rosters


def test_teams_and_roster(world: World, mdt: SimpleNamespace) -> None:
    for key in ("alpha.tenant_admin", "alpha.coordinator"):
        api = world.api(key)
        names = {t["name"] for t in api.get(url("mdt-team-list")).json()["results"]}
        assert names == {"Adult MDT", "Youth MDT"}, key
        response = api.get(url("mdt-team-roster", pk=mdt.team.pk))
        assert response.status_code == 200, key
        rows = {row["id"]: row for row in response.json()["results"]}
        assert response.json()["next"] is None
        assert set(rows) == {
            str(mdt.rows[k].pk) for k in ("coordinator", "investigator", "case_manager", "other_agency_cm")
        }
        assert rows[str(mdt.rows["case_manager"].pk)]["agreement_current"] is True
        assert rows[str(mdt.rows["case_manager"].pk)]["agreement"]["version"]
        assert rows[str(mdt.rows["other_agency_cm"].pk)]["agreement_current"] is False
        assert rows[str(mdt.rows["other_agency_cm"].pk)]["agreement"] is None
        assert rows[str(mdt.rows["coordinator"].pk)]["is_facilitator"] is True
    assert audits("roster.viewed", target_id=str(mdt.team.pk))

    # A member sees the teams they are on and their roster.
    api = world.api("alpha.case_manager")
    assert [t["name"] for t in api.get(url("mdt-team-list")).json()["results"]] == ["Adult MDT"]
    assert api.get(url("mdt-team-roster", pk=mdt.team.pk)).status_code == 200
    assert api.get(url("mdt-team-detail", pk=mdt.other_team.pk)).status_code == 404
    assert api.get(url("mdt-team-roster", pk=mdt.other_team.pk)).status_code == 404
    # Teams are read-only here.
    assert (
        world.api("alpha.coordinator").post(url("mdt-team-list"), {"name": "x"}, format="json").status_code
        == 405
    )


def test_tenant_admin_reads_rosters_never_meetings(world: World, mdt: SimpleNamespace, meeting: dict) -> None:
    # Even on a roster with an agreement.
    coordinator = world.actor("alpha.coordinator")
    row = services.roster_add(
        actor=coordinator, team=mdt.team, membership=world.memberships["alpha.tenant_admin"]
    )
    services.agreement_sign(actor=coordinator, row=row)
    review = present(world, meeting)
    item = add_item(world, meeting, owner_member=str(mdt.rows["case_manager"].pk)).json()
    api = world.api("alpha.tenant_admin")
    assert api.get(url("mdt-team-roster", pk=mdt.team.pk)).status_code == 200
    for address in (
        url("mdt-meeting-list"),
        url("mdt-meeting-detail", pk=meeting["id"]),
        url("mdt-review-list"),
        url("mdt-review-detail", pk=review["id"]),
        url("mdt-action-item-list"),
        url("mdt-action-item-detail", pk=item["id"]),
    ):
        assert api.get(address).status_code == 404, address
    response = api.post(
        url("mdt-meeting-list"), {"team": str(mdt.team.pk), "starts_at": later()}, format="json"
    )
    assert response.status_code == 404


# ======================================================================================== the wall


def _all_routes(
    mdt: SimpleNamespace, meeting: dict, review: dict, item: dict, tf: str = "alpha"
) -> list[str]:
    return [
        url("mdt-team-list", tf=tf),
        url("mdt-team-detail", tf=tf, pk=mdt.team.pk),
        url("mdt-team-roster", tf=tf, pk=mdt.team.pk),
        url("mdt-meeting-list", tf=tf),
        url("mdt-meeting-detail", tf=tf, pk=meeting["id"]),
        url("mdt-review-list", tf=tf),
        url("mdt-review-detail", tf=tf, pk=review["id"]),
        url("mdt-action-item-list", tf=tf),
        url("mdt-action-item-detail", tf=tf, pk=item["id"]),
    ]


@pytest.fixture
def full(world: World, mdt: SimpleNamespace, meeting: dict) -> SimpleNamespace:
    review = present(world, meeting)
    item = add_item(world, meeting, owner_member=str(mdt.rows["case_manager"].pk)).json()
    return SimpleNamespace(meeting=meeting, review=review, item=item)


def test_member_without_agreement_sees_nothing_of_meetings(
    world: World, mdt: SimpleNamespace, full: SimpleNamespace
) -> None:
    api = world.api("alpha.other_agency_cm")
    for address in (
        url("mdt-meeting-list"),
        url("mdt-meeting-detail", pk=full.meeting["id"]),
        url("mdt-review-list"),
        url("mdt-review-detail", pk=full.review["id"]),
        url("mdt-action-item-list"),
        url("mdt-action-item-detail", pk=full.item["id"]),
    ):
        response = api.get(address)
        assert response.status_code == 404, address
        assert b"Needs housing" not in response.content
    body = {"meeting": full.meeting["id"], "summary": "s", "risk_level": "low"}
    assert api.post(url("mdt-review-list"), body, format="json").status_code == 404
    # They are on the roster: the team and its roster (to see they must sign) are readable.
    assert api.get(url("mdt-team-roster", pk=mdt.team.pk)).status_code == 200
    # Once signed, they are in.
    services.agreement_sign(actor=world.actor("alpha.coordinator"), row=mdt.rows["other_agency_cm"])
    assert api.get(url("mdt-meeting-detail", pk=full.meeting["id"])).status_code == 200
    assert len(api.get(url("mdt-review-list")).json()["results"]) == 1


def test_expired_agreement_ends_access_on_the_next_request(
    world: World, mdt: SimpleNamespace, full: SimpleNamespace
) -> None:
    api = world.api("alpha.case_manager")
    assert api.get(url("mdt-meeting-detail", pk=full.meeting["id"])).status_code == 200
    past = local_today() - dt.timedelta(days=1)
    Agreement.objects.filter(roster_member=mdt.rows["case_manager"]).update(
        signed_on=past - dt.timedelta(days=365), expires_on=past
    )
    for address in (
        url("mdt-meeting-detail", pk=full.meeting["id"]),
        url("mdt-meeting-list"),
        url("mdt-review-detail", pk=full.review["id"]),
        url("mdt-action-item-detail", pk=full.item["id"]),
    ):
        assert api.get(address).status_code == 404, address
    assert (
        api.patch(
            url("mdt-action-item-detail", pk=full.item["id"]), {"status": "done"}, format="json"
        ).status_code
        == 404
    )


def test_roster_removal_ends_access_on_the_next_request(
    world: World, mdt: SimpleNamespace, full: SimpleNamespace
) -> None:
    api = world.api("alpha.investigator")
    assert api.get(url("mdt-review-detail", pk=full.review["id"])).status_code == 200
    services.roster_remove(actor=world.actor("alpha.coordinator"), row=mdt.rows["investigator"])
    for address in _all_routes(mdt, full.meeting, full.review, full.item):
        assert api.get(address).status_code == 404, address


@pytest.mark.parametrize("key", [*OUTSIDERS, "alpha.superuser_member"])
def test_outsiders_get_404_everywhere(
    world: World, mdt: SimpleNamespace, full: SimpleNamespace, key: str
) -> None:
    api = world.api(key)
    for address in _all_routes(mdt, full.meeting, full.review, full.item):
        response = api.get(address)
        assert response.status_code == 404, (key, address)
        assert b"Needs housing" not in response.content
        assert api.patch(address, {"status": "done", "minutes": "x"}, format="json").status_code in (404, 405)
    bodies = {
        "mdt-meeting-list": {"team": str(mdt.team.pk), "starts_at": later()},
        "mdt-review-list": {"meeting": full.meeting["id"], "summary": "s", "risk_level": "low"},
        "mdt-action-item-list": {
            "meeting": full.meeting["id"],
            "description": "x",
            "due_on": "2099-01-01",
            "owner_agency": str(world.agencies["alpha.vs"].pk),
        },
    }
    counts = (MdtMeeting.objects.count(), CaseReview.objects.count(), ActionItem.objects.count())
    for name, body in bodies.items():
        assert api.post(url(name), body, format="json").status_code == 404, (key, name)
    assert (MdtMeeting.objects.count(), CaseReview.objects.count(), ActionItem.objects.count()) == counts


def test_platform_superuser_gets_404(world: World, mdt: SimpleNamespace, full: SimpleNamespace) -> None:
    client = APIClient()
    client.force_authenticate(world.users["superuser"])
    for address in _all_routes(mdt, full.meeting, full.review, full.item):
        assert client.get(address).status_code == 404, address


def test_other_task_force_ids_are_404_under_its_own_slug(
    world: World, mdt: SimpleNamespace, full: SimpleNamespace
) -> None:
    beta = world.actor("beta.coordinator")
    beta_team = services.team_create(actor=beta, name="Beta MDT")
    api = world.api("beta.coordinator")
    assert api.get(url("mdt-meeting-list", tf="beta")).json()["results"] == []
    assert [t["id"] for t in api.get(url("mdt-team-list", tf="beta")).json()["results"]] == [
        str(beta_team.pk)
    ]
    routes = _all_routes(mdt, full.meeting, full.review, full.item, tf="beta")
    detail_routes = [routes[i] for i in (1, 2, 4, 6, 8)]
    for address in detail_routes:
        assert api.get(address).status_code == 404, address
    # An alpha team named in a beta payload does not exist there.
    response = api.post(
        url("mdt-meeting-list", tf="beta"), {"team": str(mdt.team.pk), "starts_at": later()}, format="json"
    )
    assert response.status_code == 400
    assert "team" in response.json()


# =================================================================================== hostile input


def test_malformed_input_is_never_a_500(world: World, mdt: SimpleNamespace, full: SimpleNamespace) -> None:
    coordinator = world.api("alpha.coordinator")
    bodies: list[Any] = [
        [],
        "text",
        None,
        {"team": "not-a-uuid", "starts_at": "yesterday"},
        {"team": 12, "starts_at": 12},
        {"team": [str(mdt.team.pk)], "starts_at": {"a": 1}},
        {"team": str(uuid.uuid4()), "starts_at": later(), "video_link": "javascript:alert(1)"},
        {"team": str(mdt.team.pk), "starts_at": later(), "status": "weird", "place": "x" * 5000},
        {"meeting": "nope", "summary": ["a"], "risk_level": None, "case": "x", "investigation": 3},
        {"meeting": full.meeting["id"], "description": "x" * 600, "due_on": "2099-13-45"},
        {"meeting": full.meeting["id"], "description": "d", "due_on": "2099-01-01", "owner_member": "zz"},
    ]
    for name in ("mdt-meeting-list", "mdt-review-list", "mdt-action-item-list"):
        for body in bodies:
            response = coordinator.post(url(name), body, format="json")
            assert response.status_code == 400, (name, body, response.content)
        response = coordinator.post(url(name), b"{not json", content_type="application/json")
        assert response.status_code == 400
    for name, pk in (
        ("mdt-meeting-detail", full.meeting["id"]),
        ("mdt-review-detail", full.review["id"]),
        ("mdt-action-item-detail", full.item["id"]),
    ):
        for body in (
            [],
            {"starts_at": "never", "status": "x"},
            {"position": -1},
            {"risk_level": 5},
            {"due_on": "x"},
            {"minutes": "x" * 60000},
        ):
            response = coordinator.patch(url(name, pk=pk), body, format="json")
            assert response.status_code in (200, 400), (name, body, response.content)
    for name in ("mdt-meeting-list", "mdt-review-list", "mdt-action-item-list", "mdt-team-list"):
        response = coordinator.get(
            url(name),
            {
                "cursor": "bogus!!",
                "page_size": "abc",
                "team": "x",
                "meeting": "'",
                "status": "<>",
                "mine": "2",
            },
        )
        assert response.status_code in (200, 404), name
        response = coordinator.get(url(name), {"page_size": "-5", "overdue": "yes", "team": "not-uuid"})
        assert response.status_code == 200, name
    assert coordinator.get("/api/v1/tf/alpha/mdt/meetings/not-a-uuid/").status_code == 404
    assert coordinator.get("/api/v1/tf/alpha/mdt/teams/12/roster/").status_code == 404
    assert coordinator.delete(url("mdt-meeting-detail", pk=full.meeting["id"])).status_code == 405


# ===================================================================================== performance


def _queries(api: APIClient, address: str, page_size: int) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = api.get(address, {"page_size": page_size})
    assert response.status_code == 200
    return len(captured), len(response.json()["results"])


def test_meeting_and_action_item_lists_cost_the_same_at_any_page_size(
    world: World, mdt: SimpleNamespace
) -> None:
    task_force = world.task_forces["alpha"]
    start = timezone.now() + dt.timedelta(days=1)
    meetings = MdtMeeting.objects.bulk_create(
        MdtMeeting(
            task_force=task_force,
            team=mdt.team,
            starts_at=start + dt.timedelta(days=i),
            created_by=world.users["alpha.coordinator"],
        )
        for i in range(110)
    )
    ActionItem.objects.bulk_create(
        ActionItem(
            task_force=task_force,
            team=mdt.team,
            meeting=meetings[i],
            description=f"item {i}",
            owner_member=mdt.rows["case_manager"] if i % 2 else None,
            owner_agency=world.agencies["alpha.da"] if not i % 2 or i % 3 else None,
            due_on=local_today() + dt.timedelta(days=i - 50),
        )
        for i in range(110)
    )
    for key in ("alpha.coordinator", "alpha.case_manager"):
        api = world.api(key)
        for name in ("mdt-meeting-list", "mdt-action-item-list"):
            api.get(url(name))  # warm-up
            small, small_rows = _queries(api, url(name), 25)
            large, large_rows = _queries(api, url(name), 100)
            assert (small_rows, large_rows) == (25, 100), (key, name)
            assert small == large, (key, name)
    api = world.api("alpha.case_manager")
    first = api.get(url("mdt-action-item-list"), {"page_size": 60}).json()
    second = api.get(first["next"]).json()
    ids = [row["id"] for row in first["results"] + second["results"]]
    assert len(ids) == len(set(ids)) == 110
