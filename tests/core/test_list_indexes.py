"""Every sortable column of an HTML list (taskforce.listing) is served by an index led by the
task force: ``(task_force, <column>, [its tie-breaking columns,] id)``."""

from __future__ import annotations

import pytest
from django.db import models

from cases.models import Case
from cases.views import CASE_COLUMNS
from mdt import sorting as mdt_sorting
from mdt.models import ActionItem, MdtMeeting, MdtTeam
from referrals import sorting as referral_sorting
from referrals.models import CertificationRequest, Investigation, Prosecution, Referral, Tip
from reporting.models import OutreachEvent, ReportExport, TrainingEvent
from reporting.views import EVENT_COLUMNS, EXPORT_COLUMNS
from taskforce import sorting as structure_sorting
from taskforce.listing import Column
from taskforce.models import Agency, AuditEvent, Membership

LISTS = [
    (Case, CASE_COLUMNS),
    (Tip, referral_sorting.TIP_COLUMNS),
    (Investigation, referral_sorting.INVESTIGATION_COLUMNS),
    (Prosecution, referral_sorting.PROSECUTION_COLUMNS),
    (Referral, referral_sorting.REFERRAL_COLUMNS),
    (CertificationRequest, referral_sorting.CERTIFICATION_COLUMNS),
    (TrainingEvent, EVENT_COLUMNS),
    (OutreachEvent, EVENT_COLUMNS),
    (ReportExport, EXPORT_COLUMNS),
    (Agency, structure_sorting.AGENCY_COLUMNS),
    (Membership, structure_sorting.MEMBER_COLUMNS),
    (AuditEvent, structure_sorting.AUDIT_COLUMNS),
    (MdtTeam, mdt_sorting.TEAM_COLUMNS),
    (MdtMeeting, mdt_sorting.MEETING_COLUMNS),
    (ActionItem, mdt_sorting.ITEM_COLUMNS),
]


def _leading(index: models.Index) -> list[str]:
    """An index's columns, plain fields and F() expressions alike (a computed rank is
    compared by its expression)."""
    if index.fields:
        names = [name.lstrip("-") for name in index.fields]
    else:
        names = [getattr(expression, "name", repr(expression)) for expression in index.expressions]
    # The audit log keeps its task force as a plain column (it outlives what it mentions).
    return ["task_force" if name == "task_force_id" else name for name in names]


def _served(model: type[models.Model], column: Column) -> bool:
    wanted = ["task_force", column.field, *column.then, *(() if column.unique else ("id",))]
    for index in model._meta.indexes:
        names = _leading(index)
        if column.expression is not None:
            # The urgency rank: an expression index whose second part is that same expression.
            if index.expressions[1:2] == (column.expression,) and names[2:] == wanted[2:]:
                return True
        elif names == wanted:
            return True
    return False


@pytest.mark.parametrize(("model", "columns"), LISTS, ids=[m.__name__ for m, _ in LISTS])
def test_each_sortable_column_has_its_index(model: type[models.Model], columns: dict[str, Column]) -> None:
    missing = [key for key, column in columns.items() if not _served(model, column)]
    assert not missing, f"{model.__name__}: no (task_force, column, id) index for {missing}"


def test_a_column_without_its_index_is_caught() -> None:
    assert not _served(Case, Column("last_contact_on", "Last contact"))
    assert not _served(
        Tip, Column("inbox_rank", "Urgency", expression=models.F("urgency"), then=("received_at",))
    )
