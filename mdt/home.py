"""Navigation entry and home panels of the MDT (domain.md, "what each person needs first").

- Coordinator: the next MDT meeting and its agenda (MDT codes only), overdue action items.
- Roster members: my action items.

Every number comes from ``mdt.policies`` / ``mdt.selectors``, so a panel never shows a meeting or
an item its reader could not open (no current agreement: nothing). Panels that list records
write the same ``*.listed`` audit row as the list pages.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from cases.services import today_for
from mdt import policies, selectors
from mdt.models import CONFIDENTIAL_MARK, MdtMeeting
from taskforce import home, navigation
from taskforce.access import Actor
from taskforce.audit import audit_record
from taskforce.web import tf_url

SHOWN = 5


def _sees_mdt(actor: Actor) -> bool:
    # Managers always (they create the first team); others: one query per request, acceptable.
    return policies.can_manage_rosters(actor) or policies.visible_teams(actor).exists()


def _is_member(actor: Actor) -> bool:
    return not policies.is_coordinator(actor) and policies.my_roster_rows(actor).exists()


def coordinator_context(actor: Actor) -> dict[str, Any]:
    from cases.services import zone_for

    cutoff = timezone.now() - dt.timedelta(hours=12)
    meeting = (
        policies.visible_meetings(actor)
        .filter(status__in=(MdtMeeting.Status.PLANNED, MdtMeeting.Status.IN_PROGRESS), starts_at__gte=cutoff)
        .select_related("team")
        .order_by("starts_at")
        .first()
    )
    agenda = selectors.agenda(actor=actor, meeting=meeting) if meeting else []
    overdue = selectors.overdue_items(actor=actor, today=today_for(actor))
    overdue_count = overdue.count()
    overdue_rows = list(overdue[:SHOWN])
    audit_record(
        action="meeting.listed", actor=actor, detail={"count": 1 if meeting else 0, "panel": "next_meeting"}
    )
    audit_record(
        action="action_item.listed", actor=actor, detail={"count": len(overdue_rows), "panel": "overdue"}
    )
    starts = timezone.localtime(meeting.starts_at, zone_for(actor)) if meeting else None
    return {
        "meeting": meeting,
        "starts": starts,
        "agenda": agenda,
        "meeting_url": tf_url(actor, "mdt-meeting", meeting_id=meeting.pk) if meeting else "",
        "meetings_url": tf_url(actor, "mdt-meetings"),
        "teams_url": tf_url(actor, "mdt-teams"),
        "overdue_count": overdue_count,
        "overdue_rows": overdue_rows,
        "overdue_url": tf_url(actor, "mdt-overdue"),
        "mark": CONFIDENTIAL_MARK,
    }


def my_items_context(actor: Actor) -> dict[str, Any]:
    items = policies.my_action_items(actor).filter(status__in=selectors.OPEN_ITEMS).select_related("team")
    rows = list(items.order_by("due_on")[:SHOWN])
    audit_record(action="action_item.listed", actor=actor, detail={"count": len(rows), "panel": "mine"})
    return {
        "rows": rows,
        "count": items.count(),
        "today": today_for(actor),
        "cleared": policies.cleared_team_ids(actor).exists(),
        "my_items_url": tf_url(actor, "mdt-my-items"),
        "teams_url": tf_url(actor, "mdt-teams"),
        "mark": CONFIDENTIAL_MARK,
    }


def register() -> None:
    """Register navigation entries and home panels."""
    navigation.register(navigation.NavItem("MDT", "mdt-teams", _sees_mdt, order=60))
    home.register(
        home.Panel("mdt/panels/next_meeting.html", coordinator_context, policies.is_coordinator, order=30)
    )
    home.register(home.Panel("mdt/panels/my_items.html", my_items_context, _is_member, order=30))
