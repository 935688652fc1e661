"""Forms of the reporting screens. Choices of records come from policies (``visible_agencies``);
the month is checked by ``services.parse_month`` (well formed, not in the future)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from reporting import services
from reporting.models import DISCIPLINES, OutreachEvent, ReportExport
from taskforce.access import Actor
from taskforce.policies import visible_agencies


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class MonthInput(forms.TextInput):
    input_type = "month"


def _month_error(exc: ValidationError) -> forms.ValidationError:
    if hasattr(exc, "error_dict"):
        return forms.ValidationError([m for messages in exc.message_dict.values() for m in messages])
    return forms.ValidationError(exc.messages)


class MonthField(forms.CharField):
    """``YYYY-MM`` -> the first day of that month (not in the future)."""

    def __init__(self, *, actor: Actor, **kwargs: Any) -> None:
        self.actor = actor
        kwargs.setdefault("max_length", 7)
        kwargs.setdefault("widget", MonthInput(attrs={"placeholder": "YYYY-MM"}))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> dt.date:
        value = super().clean(value)
        try:
            return services.parse_month(value, actor=self.actor)
        except ValidationError as exc:
            raise _month_error(exc) from None


def _held_on(today: dt.date) -> forms.DateField:
    return forms.DateField(
        label="Date",
        widget=DateInput(attrs={"max": today.isoformat()}),
        initial=today,
    )


def _count(label: str, **kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=100000,
        initial=0,
        widget=forms.NumberInput(attrs={"min": 0}),
        **kwargs,
    )


class _EventForm(forms.Form):
    delivering_agency = forms.ModelChoiceField(queryset=None, empty_label=None, label="Delivering agency")

    def __init__(self, *args: Any, actor: Actor, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["held_on"] = _held_on(today)
        self.order_fields(self.field_order_names)
        agencies = self.fields["delivering_agency"]
        agencies.queryset = visible_agencies(actor).order_by("name")
        agencies.initial = actor.agency_id

    field_order_names: list[str] = []

    def clean_held_on(self) -> dt.date:
        day = self.cleaned_data["held_on"]
        if day > self.today:
            raise forms.ValidationError("Cannot be in the future.")
        return day


class TrainingForm(_EventForm):
    title = forms.CharField(max_length=200)
    topics = forms.CharField(
        max_length=300, required=False, help_text="For example: indicators, trauma-informed interviewing."
    )
    hours = forms.DecimalField(
        min_value=0,
        max_value=200,
        max_digits=5,
        decimal_places=1,
        initial=1,
        widget=forms.NumberInput(attrs={"min": 0, "max": 200, "step": "0.5"}),
        help_text="Length of the training, in hours.",
    )

    field_order_names = ["held_on", "title", "topics", "delivering_agency", "hours"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, label in DISCIPLINES:
            self.fields[f"attendees_{code}"] = _count(label)

    def attendee_fields(self) -> list[forms.BoundField]:
        return [self[f"attendees_{code}"] for code, _ in DISCIPLINES]

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.field_order_names]


class OutreachForm(_EventForm):
    kind = forms.ChoiceField(choices=[("", "Choose a kind"), *OutreachEvent.Kind.choices])
    audience = forms.ChoiceField(
        choices=OutreachEvent.Audience.choices,
        initial=OutreachEvent.Audience.GENERAL_PUBLIC,
        label="Audience",
    )
    title = forms.CharField(max_length=200, required=False, label="Title or place")
    people_reached = _count("People reached")
    materials_distributed = _count("Materials distributed", help_text="Flyers, cards, posters handed out.")
    language = forms.CharField(max_length=60, initial="English", required=False)

    field_order_names = [
        "held_on",
        "kind",
        "audience",
        "title",
        "people_reached",
        "materials_distributed",
        "language",
        "delivering_agency",
    ]


class ExportRequestForm(forms.Form):
    file_format = forms.ChoiceField(
        label="Format", choices=ReportExport.Format.choices, initial=ReportExport.Format.XLSX
    )
    flavour = forms.ChoiceField(
        label="For",
        choices=ReportExport.Flavour.choices,
        initial=ReportExport.Flavour.GRANT,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, actor: Actor, initial_month: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {
            "month": MonthField(actor=actor, label="Month", initial=f"{initial_month:%Y-%m}"),
            **self.fields,
        }


class LockForm(forms.Form):
    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["month"] = MonthField(actor=actor, widget=forms.HiddenInput)


class ReopenForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        label="Why reopen this month?",
        help_text="Kept with the lock and in the audit log.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["month"] = MonthField(actor=actor, widget=forms.HiddenInput)
