"""MDT records for the wall tests: a team per task force with a roster from both sides, one
member on the roster without an agreement, a meeting, a review and an action item."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from mdt import services
from tests.world import World, local_today


def add_mdt_records(world: World) -> World:
    for tf in world.each_task_force():
        coordinator = world.actor(f"{tf}.coordinator")
        team = services.team_create(actor=coordinator, name=f"MDTTEAM-{tf}")
        world.records[f"{tf}.mdt_team"] = team
        rows = {}
        for key, facilitator in (("coordinator", True), ("investigator", False), ("case_manager", False)):
            rows[key] = services.roster_add(
                actor=coordinator,
                team=team,
                membership=world.memberships[f"{tf}.{key}"],
                is_facilitator=facilitator,
            )
            services.agreement_sign(actor=coordinator, row=rows[key])
        # On the roster, but without a signed agreement: sees the roster, nothing of the meetings.
        services.roster_add(
            actor=coordinator, team=team, membership=world.memberships[f"{tf}.other_agency_cm"]
        )
        meeting = services.meeting_create(
            actor=coordinator,
            team=team,
            data={"starts_at": timezone.now() + dt.timedelta(days=7), "place": f"MDTPLACE-{tf}"},
        )
        world.records[f"{tf}.mdt_meeting"] = meeting
        world.records[f"{tf}.mdt_review"] = services.review_add(
            actor=world.actor(f"{tf}.case_manager"), meeting=meeting, data={"summary": f"MDTREVIEW-{tf}"}
        )
        world.records[f"{tf}.mdt_item"] = services.action_item_add(
            actor=coordinator,
            meeting=meeting,
            description=f"MDTITEM-{tf}",
            due_on=local_today() + dt.timedelta(days=10),
            owner_member=rows["investigator"],
        )
    return world
