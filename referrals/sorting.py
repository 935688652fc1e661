"""The sortable columns of the referrals app's HTML lists (taskforce.listing). Each is served by
an index ``(task_force, <column>, id)`` (see the models' Meta.indexes)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case as SqlCase
from django.db.models import DateField, IntegerField, Value, When
from django.db.models.functions import Coalesce

from referrals.home_bridge import OPEN_CERTIFICATION
from referrals.models import Referral
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

# Referrals: those waiting for an answer first, then the newest (the boxes' own order).
REFERRAL_BOX_ORDER = (
    SortKey(
        "waiting",
        expression=SqlCase(
            When(status=Referral.Status.SENT, then=Value(0)), default=Value(1), output_field=IntegerField()
        ),
    ),
    *NEWEST,
)
REFERRAL_COLUMNS = {
    "sent": Column("created_at", "Sent", descending_first=True),
    "status": Column("status", "Status"),
}
# Certification requests: the open ones first, the soonest due first (no due date last), then
# the newest request.
CERTIFICATION_ORDER = (
    SortKey(
        "open_first",
        expression=SqlCase(
            When(status__in=OPEN_CERTIFICATION, then=Value(0)), default=Value(1), output_field=IntegerField()
        ),
    ),
    SortKey("due_or_never", expression=Coalesce("due_on", Value(dt.date.max, output_field=DateField()))),
    SortKey("requested_on", descending=True),
    SortKey("id", descending=True),
)
CERTIFICATION_COLUMNS = {
    "requested": Column("requested_on", "Requested", descending_first=True),
    "status": Column("status", "Status"),
}
