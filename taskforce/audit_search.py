"""Searching the audit log (tenant admins): filters, readable labels, the task force's time,
and a CSV of what the filters select. Nothing here reads record contents: the log holds none.

The filters narrow ``visible_audit_events`` (the same doorway as the page and the API); the
page pages by ``seq`` (newest first), so each page is one index range whatever the log's size.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django import forms
from django.apps import apps
from django.db.models import QuerySet

from taskforce import clock
from taskforce.access import Actor, Role
from taskforce.models import AuditEvent
from taskforce.policies import visible_audit_events, visible_memberships
from taskforce.spreadsheets import neutralise

EXPORT_LIMIT = 10_000

# The words a task force admin would use; any other action reads as "Case viewed" from its code.
ACTION_LABELS = {
    "auth.login": "Signed in",
    "auth.logout": "Signed out",
    "auth.login_failed": "Sign-in failed",
    "access.denied": "Access refused",
    "audit.read": "Read the audit log",
    "audit.exported": "Exported the audit log",
    "search.performed": "Searched",
}


def action_label(action: str) -> str:
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    noun, _, verb = action.partition(".")
    return f"{noun.replace('_', ' ').capitalize()} {verb.replace('_', ' ')}".strip()


def record_label(target_type: str) -> str:
    """ "cases.case" reads "Case"; an unknown type is shown as stored."""
    if "." not in target_type:
        return target_type
    try:
        return str(apps.get_model(target_type)._meta.verbose_name).capitalize()
    except (LookupError, ValueError):
        return target_type


class AuditFilterForm(forms.Form):
    member = forms.ChoiceField(required=False, label="Member")
    action = forms.CharField(
        required=False,
        max_length=80,
        label="Action",
        help_text="A code or its beginning: case. or auth.login",
    )
    record_type = forms.CharField(
        required=False, max_length=80, label="Record type", help_text="e.g. cases.case"
    )
    record_id = forms.CharField(required=False, max_length=64, label="Record id")
    outcome = forms.ChoiceField(
        required=False, choices=[("", "Any outcome"), *AuditEvent.Outcome.choices], label="Outcome"
    )
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = visible_memberships(actor).select_related("user").order_by("user__email")
        self.fields["member"].choices = [("", "Anyone"), *((str(m.user_id), m.user.email) for m in members)]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end comes before the start.")
        for name in ("date_from", "date_to"):
            if data.get(name) and not (dt.date(2000, 1, 1) <= data[name] <= dt.date(2999, 12, 31)):
                self.add_error(name, "Choose a date between 2000 and 2999.")
        return data


def filtered(actor: Actor, data: dict[str, Any]) -> QuerySet[AuditEvent]:
    events = visible_audit_events(actor)
    if data.get("member"):
        events = events.filter(user_id=data["member"])
    if data.get("action"):
        events = events.filter(action__startswith=data["action"].strip())
    if data.get("record_type"):
        events = events.filter(target_type=data["record_type"].strip())
    if data.get("record_id"):
        events = events.filter(target_id=data["record_id"].strip())
    if data.get("outcome"):
        events = events.filter(outcome=data["outcome"])
    zone = clock.zone(actor.time_zone)
    if data.get("date_from"):
        events = events.filter(occurred_at__gte=dt.datetime.combine(data["date_from"], dt.time(), zone))
    if data.get("date_to"):
        end = dt.datetime.combine(data["date_to"] + dt.timedelta(days=1), dt.time(), zone)
        events = events.filter(occurred_at__lt=end)
    return events.order_by("-seq")


def rows_for(actor: Actor, events: list[AuditEvent]) -> list[dict[str, Any]]:
    """The page's rows: who by e-mail and role, readable action and record, local time."""
    people = dict(
        visible_memberships(actor)
        .filter(user_id__in={e.user_id for e in events if e.user_id})
        .values_list("user_id", "user__email")
    )
    zone = clock.zone(actor.time_zone)
    roles = dict(Role.choices)
    return [
        {
            "event": e,
            "when": e.occurred_at.astimezone(zone),
            "who": people.get(e.user_id, "") or (str(e.user_id) if e.user_id else ""),
            "role": roles.get(e.role, e.role),
            "action": action_label(e.action),
            "record": record_label(e.target_type) if e.target_type else "",
        }
        for e in events
    ]


def csv_bytes(actor: Actor, events: QuerySet[AuditEvent]) -> tuple[bytes, int]:
    rows = rows_for(actor, list(events[:EXPORT_LIMIT]))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["when", "who", "role", "action", "code", "record", "record id", "outcome", "from"])
    for row in rows:
        e = row["event"]
        writer.writerow(
            [
                neutralise(f"{row['when']:%Y-%m-%d %H:%M:%S %Z}"),
                neutralise(row["who"]),
                neutralise(row["role"]),
                neutralise(row["action"]),
                neutralise(e.action),
                neutralise(row["record"]),
                neutralise(e.target_id),
                neutralise(e.outcome),
                neutralise(e.source_ip or ""),
            ]
        )
    return buffer.getvalue().encode("utf-8"), len(rows)
