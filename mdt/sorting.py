"""The sortable columns of the MDT's HTML lists (taskforce.listing). Each column is served by an
index ``(task_force, <column>, id)`` (see the models' Meta.indexes)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from taskforce.listing import Column, Page, paginate
from taskforce.pagination import SortKey

BY_NAME = (SortKey("name"), SortKey("id"))
TEAM_COLUMNS = {"name": Column("name", "Name"), "kind": Column("kind", "Kind")}
LATEST_MEETINGS = (SortKey("starts_at", descending=True), SortKey("id", descending=True))
MEETING_COLUMNS = {
    "when": Column("starts_at", "When", descending_first=True),
    "status": Column("status", "Status"),
}
# Open items by status (open before in progress), then the soonest due.
ITEMS_BY_STATUS = (SortKey("status"), SortKey("due_on"), SortKey("id"))
SOONEST_DUE = (SortKey("due_on"), SortKey("id"))
ITEM_COLUMNS = {"due": Column("due_on", "Due"), "status": Column("status", "Status")}


def team_page(request: HttpRequest, teams: QuerySet) -> Page:
    return paginate(request, teams, name="teams", columns=TEAM_COLUMNS, default=BY_NAME)


def meeting_page(request: HttpRequest, meetings: QuerySet) -> Page:
    return paginate(request, meetings, name="meetings", columns=MEETING_COLUMNS, default=LATEST_MEETINGS)


def item_page(request: HttpRequest, items: QuerySet, name: str) -> Page:
    """A page of action items; ``name`` is "mine" (by status, then due) or "overdue" (soonest due)."""
    default = ITEMS_BY_STATUS if name == "mine" else SOONEST_DUE
    return paginate(request, items, name=name, columns=ITEM_COLUMNS, default=default)
