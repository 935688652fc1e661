"""The sortable columns of the referrals app's HTML lists (taskforce.listing). Each is served by
an index ``(task_force, <column>, id)`` (see the models' Meta.indexes)."""

from __future__ import annotations

from referrals.selectors import INBOX_RANK
from taskforce.listing import Column
from taskforce.pagination import SortKey

NEWEST = (SortKey("created_at", descending=True), SortKey("id", descending=True))

TIP_COLUMNS = {
    "received": Column("received_at", "Received", descending_first=True),
    # Most urgent first, then the longest waiting: the inbox's own index.
    "urgency": Column("inbox_rank", "Urgency", expression=INBOX_RANK, then=("received_at",)),
    "status": Column("status", "Status"),
}
INVESTIGATION_COLUMNS = {
    "number": Column("case_number", "Case number"),
    "opened": Column("opened_on", "Opened", descending_first=True),
    "status": Column("status", "Status"),
}
PROSECUTION_COLUMNS = {
    "docket": Column("court_case_number", "Court case number"),
    "filed": Column("filed_on", "Filed", descending_first=True),
    "stage": Column("stage", "Stage"),
}
