"""MDT action item reminders: a real worker on Redis, once per item and kind, no case detail."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

import pytest
from django.core import mail
from django.db import transaction

from cases import services as case_services
from mdt import services
from mdt.models import ActionItem, CaseReview
from mdt.reminders import send_action_item_reminders
from mdt.tasks import action_item_reminders
from taskforce.models import AuditEvent
from tests.mdt.test_services import build_mdt, today
from tests.world import World, across_task_forces, build_world, use_scope

DAY = dt.timedelta(days=1)
SUMMARY = "REVIEW-SUMMARY-MARKER the client was recruited at a motel"


@dataclass
class Items:
    due_soon: ActionItem
    overdue: ActionItem
    agency: ActionItem
    done: ActionItem
    later: ActionItem
    beta: ActionItem
    review: CaseReview


def _items(world: World) -> Items:
    """Alpha: a team whose case review links a named client, with items due in 2 days
    (case manager), overdue (investigator), due tomorrow owned by the agency alpha.vs2 (its one
    member on the roster; superuser_member of vs2 is not on it), done, and due in 10 days.
    Beta: one item due tomorrow, to show the fan-out reaches it."""
    mdt = build_mdt(world)
    coordinator = world.actor("alpha.coordinator")
    case = case_services.intake_create(
        actor=world.actor("alpha.case_manager"),
        client={"first_name": "Zelda", "last_name": "Secretclient"},
        case={},
    )
    review = services.review_add(
        actor=world.actor("alpha.case_manager"), meeting=mdt.meeting, data={"summary": SUMMARY}, case=case
    )
    now = today(world)

    def add(days: int, *, member: str = "", agency: str = "", status: str = "") -> ActionItem:
        item = services.action_item_add(
            actor=coordinator,
            meeting=mdt.meeting,
            description=f"Follow up on {review.mdt_code}",
            due_on=now + days * DAY,
            owner_member=mdt.rows[member] if member else None,
            owner_agency=world.agencies[agency] if agency else None,
            review=review,
        )
        if status:
            services.action_item_update(actor=coordinator, item=item, data={"status": status})
        return item

    items = Items(
        due_soon=add(2, member="case_manager"),
        overdue=add(-3, member="investigator"),
        agency=add(1, agency="alpha.vs2"),
        done=add(1, member="coordinator", status="done"),
        later=add(10, member="coordinator"),
        beta=None,  # type: ignore[arg-type]
        review=review,
    )
    beta = build_mdt(world, "beta", members=("case_manager",))
    items.beta = services.action_item_add(
        actor=world.actor("beta.coordinator"),
        meeting=beta.meeting,
        description="Beta follow up",
        due_on=today(world, "beta.coordinator") + DAY,
        owner_member=beta.rows["case_manager"],
    )
    world.use("alpha")  # the tests act in alpha after this
    return items


def _wait_for_mail(count: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while len(mail.outbox) < count and time.monotonic() < deadline:
        time.sleep(0.2)


def _by_recipient() -> dict[frozenset[str], list[mail.EmailMessage]]:
    out: dict[frozenset[str], list[mail.EmailMessage]] = {}
    for message in mail.outbox:
        out.setdefault(frozenset(message.to), []).append(message)
    return out


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_reminders_go_out_once_through_a_real_worker(real_worker: None) -> None:
    world = build_world()
    with transaction.atomic():
        items = _items(world)
        code = items.review.mdt_code
    mail.outbox.clear()

    assert action_item_reminders.delay().get(timeout=30) == 2  # fanned out to both task forces
    _wait_for_mail(4)
    time.sleep(1)  # let both task forces' tasks finish
    sent = _by_recipient()
    email = {key: world.users[key].email for key in world.users}
    assert sent.keys() == {
        frozenset({email["alpha.case_manager"]}),  # due in 2 days
        frozenset({email["alpha.investigator"]}),  # overdue
        frozenset({email["alpha.other_agency_cm"]}),  # the agency's people on the roster
        frozenset({email["beta.case_manager"]}),
    }
    assert all(len(messages) == 1 for messages in sent.values())
    overdue = sent[frozenset({email["alpha.investigator"]})][0]
    assert "overdue" in overdue.subject.lower()
    for message in mail.outbox:
        text = f"{message.subject}\n{message.body}"
        assert "REVIEW-SUMMARY-MARKER" not in text
        assert code not in text
        assert "Zelda" not in text
        assert "Secretclient" not in text
        assert "Follow up" not in text  # not even the item's description
    for recipient in ("alpha.case_manager", "alpha.investigator", "alpha.other_agency_cm"):
        assert "/tf/alpha/mdt/my-items/" in sent[frozenset({email[recipient]})][0].body
    assert "/tf/beta/mdt/my-items/" in sent[frozenset({email["beta.case_manager"]})][0].body

    # A second run the same day (or a redelivered task) sends nothing again.
    assert action_item_reminders.delay().get(timeout=30) == 2
    time.sleep(2)
    assert len(mail.outbox) == 4
    with transaction.atomic():
        reminded = [
            event
            for _ in across_task_forces()
            for event in AuditEvent.objects.filter(action="action_item.reminded")
        ]
        assert sorted(event.target_id for event in reminded) == sorted(
            str(i.pk) for i in (items.due_soon, items.overdue, items.agency, items.beta)
        )
        assert all(set(event.detail) == {"kind", "recipients"} for event in reminded)
        use_scope(world.task_forces["alpha"])
        done = ActionItem.objects.get(pk=items.done.pk)
        later = ActionItem.objects.get(pk=items.later.pk)
        assert (done.reminded_due_on, done.reminded_overdue_on) == (None, None)
        assert (later.reminded_due_on, later.reminded_overdue_on) == (None, None)


@pytest.mark.django_db
def test_send_action_item_reminders_once_per_kind(world: World) -> None:
    items = _items(world)
    alpha = world.task_forces["alpha"].pk
    mail.outbox.clear()
    assert send_action_item_reminders(task_force_id=alpha) == 3
    assert len(mail.outbox) == 3
    assert send_action_item_reminders(task_force_id=alpha) == 0
    due_soon = ActionItem.objects.get(pk=items.due_soon.pk)
    overdue = ActionItem.objects.get(pk=items.overdue.pk)
    assert due_soon.reminded_due_on == today(world)
    assert due_soon.reminded_overdue_on is None
    assert overdue.reminded_overdue_on == today(world)
    assert overdue.reminded_due_on is None
    # Once the due item runs late it gets its one overdue reminder too.
    ActionItem.objects.filter(pk=due_soon.pk).update(due_on=today(world) - DAY)
    mail.outbox.clear()
    assert send_action_item_reminders(task_force_id=alpha) == 1
    assert mail.outbox[0].to == [world.users["alpha.case_manager"].email]
    assert "overdue" in mail.outbox[0].subject.lower()
    # Beta's items are beta's job.
    with world.scope("beta"):
        assert ActionItem.objects.get(pk=items.beta.pk).reminded_due_on is None


@pytest.mark.django_db
def test_no_reminder_to_people_who_left(world: World) -> None:
    """An agency-owned item: only its people still on the roster and active get the mail; an
    item whose owner was deactivated is recorded as reminded with no recipient."""
    items = _items(world)
    membership = world.memberships["alpha.investigator"]
    membership.is_active = False
    membership.save()
    mail.outbox.clear()
    assert send_action_item_reminders(task_force_id=world.task_forces["alpha"].pk) == 2
    recipients = {address for message in mail.outbox for address in message.to}
    assert world.users["alpha.investigator"].email not in recipients
    assert world.users["alpha.superuser_member"].email not in recipients  # vs2, not on the roster
    assert ActionItem.objects.get(pk=items.overdue.pk).reminded_overdue_on == today(world)
    event = AuditEvent.objects.filter(action="action_item.reminded", target_id=str(items.overdue.pk)).get()
    assert event.detail == {"kind": "overdue", "recipients": 0}
