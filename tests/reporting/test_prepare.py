"""The 1st of the month: last month's report prepared for every task force by a real worker."""

from __future__ import annotations

import time

import pytest

from reporting.models import ReportExport
from reporting.tasks import prepare_previous_month
from tests.world import across_task_forces, build_world


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_previous_month_is_prepared_once_per_task_force(real_worker: None) -> None:
    world = build_world()
    assert prepare_previous_month.delay().get(timeout=30) == 2

    deadline = time.monotonic() + 30
    done: list = []
    while time.monotonic() < deadline:
        done = [
            export
            for _ in across_task_forces()
            for export in ReportExport.objects.filter(requested_by__isnull=True, status="done")
        ]
        if len(done) == 2:
            break
        time.sleep(0.3)
    assert {e.task_force_id for e in done} == {tf.pk for tf in world.task_forces.values()}
    assert all(e.format == "xlsx" and e.file.name.endswith(".xlsx") for e in done)

    # Idempotent: a second run the same month prepares nothing new.
    prepare_previous_month.delay().get(timeout=30)
    time.sleep(2)
    assert (
        sum(ReportExport.objects.filter(requested_by__isnull=True).count() for _ in across_task_forces()) == 2
    )
