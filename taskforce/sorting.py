"""The sortable columns of the task force's own HTML lists (taskforce.listing). Each column is
served by an index ``(task_force, <column>, id)`` (see the models' Meta.indexes)."""

from __future__ import annotations

from django.db.models import F

from taskforce.listing import Column
from taskforce.pagination import SortKey

AGENCY_ORDER = (SortKey("side"), SortKey("name"), SortKey("id"))
AGENCY_COLUMNS = {"name": Column("name", "Agency"), "side": Column("side", "Side")}
# Active members first, by agency and address (a small list: the join is cheap).
MEMBER_ORDER = (
    SortKey("is_active", descending=True),
    SortKey("agency_name", expression=F("agency__name")),
    SortKey("email", expression=F("user__email")),
    SortKey("id"),
)
MEMBER_COLUMNS = {
    "role": Column("role", "Role"),
    "status": Column("is_active", "Status", descending_first=True),
}
# The audit log in the order it was written (seq), newest first unless asked otherwise.
AUDIT_ORDER = (SortKey("seq", descending=True),)
AUDIT_COLUMNS = {"when": Column("seq", "When", descending_first=True, unique=True)}
# Query parameters of the list itself, not of the audit search form.
LIST_PARAMETERS = ("sort", "cursor", "size")
