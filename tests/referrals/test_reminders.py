"""Certification due-date reminders: a real worker on Redis, idempotent, no client detail."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core import mail
from django.db import transaction

from cases import services as case_services
from referrals import certifications
from referrals.models import CertificationRequest
from referrals.reminders import send_certification_reminders
from referrals.tasks import certification_reminders
from taskforce.models import AuditEvent
from tests.world import World, build_world, local_today


def _request(world: World, *, due_in: int, requested_days_ago: int = 14) -> CertificationRequest:
    legal_aid = world.actor("alpha.other_agency_cm")
    case = case_services.intake_create(
        actor=legal_aid,
        client={"first_name": "Zelda", "last_name": "Secretclient"},
        case={"opened_on": local_today() - dt.timedelta(days=30)},
    )
    return certifications.certification_request(
        actor=legal_aid,
        case=case,
        kind="u_visa",
        certifying_agency=world.agencies["alpha.da"],
        due_on=local_today() + dt.timedelta(days=due_in),
        requested_on=local_today() - dt.timedelta(days=requested_days_ago),
    )


def _wait_for_mail(count: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while len(mail.outbox) < count and time.monotonic() < deadline:
        time.sleep(0.2)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_reminders_go_out_once_through_a_real_worker(real_worker: None) -> None:
    world = build_world()
    with transaction.atomic():
        _request(world, due_in=3)
        _request(world, due_in=30)  # not due yet: no reminder
    mail.outbox.clear()

    assert certification_reminders.delay().get(timeout=30) == 2  # fanned out to both task forces
    _wait_for_mail(1)
    time.sleep(1)  # let the other task force's task finish too
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    prosecutors = {world.users["alpha.prosecutor"].email, world.users["alpha.le_supervisor"].email}
    assert set(message.to) == prosecutors
    assert "/tf/alpha/certifications/" in message.body
    assert "Zelda" not in message.body
    assert "Secretclient" not in message.body
    assert "Zelda" not in message.subject

    # A second run the same day (or a redelivered task) sends nothing again.
    certification_reminders.delay().get(timeout=30)
    time.sleep(2)
    assert len(mail.outbox) == 1
    with world.scope("alpha"):
        assert AuditEvent.objects.filter(action="certification.reminded").count() == 1


@pytest.mark.django_db
def test_decided_and_unscheduled_requests_get_no_reminder(world: World) -> None:
    due = _request(world, due_in=-2)  # overdue
    signed = _request(world, due_in=1)
    certifications.certification_set_status(
        actor=world.actor("alpha.prosecutor"), request=signed, status="signed"
    )
    mail.outbox.clear()
    assert send_certification_reminders(task_force_id=world.task_forces["alpha"].pk) == 1
    assert "overdue" in mail.outbox[0].subject.lower()
    due.refresh_from_db()
    assert due.reminded_on is not None
    assert send_certification_reminders(task_force_id=world.task_forces["alpha"].pk) == 0
