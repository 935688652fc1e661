"""Forms of the law-enforcement screens (tips, investigations, prosecutions) and the public tip
form. Explicit field lists only: task force, agency side, owner and the like come from the actor,
never from a payload. Related choices are scoped by the actor's policies in ``__init__``.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from cases.codes import AgeGroup, Gender, TraffickingType
from referrals import policies
from referrals.codes import (
    RELATED_STATUTES,
    TRAFFICKING_STATUTES,
    ChargeVenue,
    Disposition,
    TipChannel,
    TipSource,
    Urgency,
    VenueType,
)
from referrals.forms_connections import TipIdentifiersForm
from referrals.models import Investigation, Prosecution, Tip
from referrals.selectors import OPEN_TIP_STATUSES
from taskforce.access import LE_ROLES, Actor, Side
from taskforce.models import Membership
from taskforce.policies import visible_agencies, visible_memberships

MERGE_CHOICES_SHOWN = 100
STATUTE_SUGGESTIONS = {**TRAFFICKING_STATUTES, **RELATED_STATUTES}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def _split_list(value: str, *, limit: int, max_length: int, label: str) -> list[str]:
    """One value a line (or comma-separated): phones, plates, handles."""
    items = [part.strip() for part in re.split(r"[\n,;]+", value or "") if part.strip()]
    if len(items) > limit:
        raise forms.ValidationError(f"At most {limit} {label}.")
    for item in items:
        if len(item) > max_length:
            raise forms.ValidationError(f"Each entry is at most {max_length} characters.")
    return items


# ----------------------------------------------------------------------------------------- tips


class TipFilterForm(forms.Form):
    """The tip inbox's GET filters. Unknown values are field errors (a 400), not ignored."""

    STATUS_CHOICES = [
        ("", "Open (new, triaged, assigned)"),
        *Tip.Status.choices,
        ("all", "Any status"),
    ]
    status = forms.ChoiceField(required=False, choices=STATUS_CHOICES)
    urgency = forms.ChoiceField(required=False, choices=[("", "Any urgency"), *Urgency.choices])
    source = forms.ChoiceField(required=False, choices=[("", "Any source"), *TipSource.choices])
    mine = forms.BooleanField(required=False, label="Assigned to me")
    order = forms.ChoiceField(
        required=False,
        label="Order",
        choices=[
            ("", "Most urgent, then waiting longest"),
            ("newest", "Newest first"),
            ("oldest", "Oldest first"),
        ],
    )


class TipForm(TipIdentifiersForm):
    received_at = forms.DateTimeField(
        label="Received", widget=DateTimeInput(), help_text="Date and time the tip came in."
    )
    channel = forms.ChoiceField(choices=TipChannel.choices, initial=TipChannel.PHONE)
    source = forms.ChoiceField(choices=[("", "Choose a source"), *TipSource.choices])
    trafficking_type = forms.ChoiceField(
        choices=TraffickingType.choices, initial=TraffickingType.UNKNOWN, label="Suspected trafficking type"
    )
    city = forms.CharField(max_length=100, required=False)
    venue_type = forms.ChoiceField(
        choices=VenueType.choices, initial=VenueType.UNKNOWN, label="Type of venue"
    )
    narrative = forms.CharField(
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What was seen or heard, where and when. No need to repeat the fields above.",
    )
    potential_victims = forms.IntegerField(
        min_value=0, max_value=10000, initial=0, label="Number of potential victims"
    )
    minors_involved = forms.BooleanField(required=False, label="Minors may be involved")
    urgency = forms.ChoiceField(choices=Urgency.choices, initial=Urgency.NORMAL)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["received_at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class TriageForm(forms.Form):
    urgency = forms.ChoiceField(required=False, choices=[("", "Keep the urgency"), *Urgency.choices])


def le_member_choices(actor: Actor) -> QuerySet[Membership]:
    """Active law-enforcement members of the task force (tip assignment, investigation team)."""
    return (
        visible_memberships(actor)
        .filter(role__in=LE_ROLES, is_active=True)
        .order_by("user__full_name", "user__email")
    )


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.user.full_name or obj.user.email} ({obj.agency.name})"


class TipAssignForm(forms.Form):
    """``user`` is the assignee's user id; choices are the active LE members of the task force."""

    user = MemberChoiceField(
        queryset=None, to_field_name="user_id", label="Assign to", empty_label="Choose an investigator"
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = le_member_choices(actor)


class TipCloseForm(forms.Form):
    close_reason = forms.ChoiceField(
        label="Why is the tip closed?", choices=[("", "Choose a reason"), *Tip.CloseReason.choices]
    )


class TipChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        received = timezone.localtime(obj.received_at).strftime("%Y-%m-%d %H:%M")
        where = obj.city or "no city"
        return f"{received} · {where} · {obj.get_source_display()} · {obj.get_status_display()}"


class TipMergeForm(forms.Form):
    into = TipChoiceField(queryset=None, label="Merge into", empty_label="Choose the tip to keep")

    def __init__(self, *args: Any, actor: Actor, tip: Tip, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        candidates = (
            policies.visible_tips(actor).exclude(pk=tip.pk).exclude(status=Tip.Status.MERGED)
        ).order_by("-received_at", "-id")
        field = self.fields["into"]
        field.queryset = candidates  # validation: any tip the actor sees
        # Display: the most recent open tips (a long inbox is not a usable menu).
        shown = list(candidates.filter(status__in=OPEN_TIP_STATUSES)[:MERGE_CHOICES_SHOWN])
        field.choices = [("", field.empty_label), *[(str(t.pk), field.label_from_instance(t)) for t in shown]]


class TipConvertForm(forms.Form):
    """Convert into a new investigation, or link the tip to an existing one."""

    investigation = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Link to an existing investigation",
        empty_label="No: open a new investigation",
    )
    case_number = forms.CharField(
        max_length=40, required=False, label="Case number", help_text="Left empty, one is generated."
    )
    title = forms.CharField(
        max_length=200, required=False, label="Working title", help_text="No victim names."
    )
    lead_agency = forms.ModelChoiceField(
        queryset=None, required=False, label="Lead agency", empty_label="My agency"
    )
    restricted = forms.BooleanField(
        required=False, label="Restricted: only its team and LE supervisors see it"
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["investigation"].queryset = (
            policies.visible_investigations(actor)
            .exclude(status=Investigation.Status.CLOSED)
            .order_by("-opened_on", "case_number")
        )
        self.fields["lead_agency"].queryset = le_agencies(actor)


# ------------------------------------------------------------------------------ investigations


def le_agencies(actor: Actor) -> QuerySet:
    return visible_agencies(actor).filter(side=Side.LAW_ENFORCEMENT).order_by("name")


class InvestigationFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False, choices=[("", "Open and suspended"), *Investigation.Status.choices, ("all", "Any")]
    )
    mine = forms.BooleanField(required=False, label="My team")


class InvestigationForm(forms.Form):
    case_number = forms.CharField(
        max_length=40, required=False, label="Case number", help_text="Left empty, one is generated."
    )
    title = forms.CharField(max_length=200, label="Working title", help_text="No victim names.")
    lead_agency = forms.ModelChoiceField(queryset=None, label="Lead agency", empty_label=None)
    trafficking_type = forms.ChoiceField(
        choices=TraffickingType.choices, initial=TraffickingType.UNKNOWN, label="Trafficking type"
    )
    opened_on = forms.DateField(label="Opened on", widget=DateInput())
    restricted = forms.BooleanField(
        required=False,
        label="Restricted: only its team and LE supervisors see it",
        help_text="You join the team; add the others from the investigation page.",
    )
    summary = forms.CharField(max_length=10000, required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, actor: Actor, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_agency"].queryset = le_agencies(actor)
        self.fields["lead_agency"].initial = actor.agency_id
        self.fields["opened_on"].initial = today


class InvestigationEditForm(forms.Form):
    title = forms.CharField(max_length=200, label="Working title", help_text="No victim names.")
    trafficking_type = forms.ChoiceField(choices=TraffickingType.choices, label="Trafficking type")
    status = forms.ChoiceField(choices=Investigation.Status.choices)
    closed_on = forms.DateField(
        required=False, label="Closed on", widget=DateInput(), help_text="Left empty when closing: today."
    )
    restricted = forms.BooleanField(
        required=False, label="Restricted: only its team and LE supervisors see it"
    )
    summary = forms.CharField(max_length=10000, required=False, widget=forms.Textarea(attrs={"rows": 4}))


class TeamAddForm(forms.Form):
    membership = MemberChoiceField(queryset=None, label="Add to the team", empty_label="Choose a member")

    def __init__(
        self, *args: Any, actor: Actor, exclude: list[uuid.UUID] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = le_member_choices(actor).exclude(pk__in=exclude or [])


class TeamRemoveForm(forms.Form):
    membership = forms.ModelChoiceField(queryset=None, label="Team member", empty_label="Choose a member")

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Inactive members too: someone who left must still be taken off a team.
        self.fields["membership"].queryset = visible_memberships(actor).filter(role__in=LE_ROLES)


class SuspectForm(forms.Form):
    full_name = forms.CharField(max_length=200, label="Name", help_text="The name used, if not known.")
    aliases = forms.CharField(max_length=300, required=False, help_text="Separated by commas.")
    date_of_birth = forms.DateField(required=False, label="Date of birth", widget=DateInput())
    phones = forms.CharField(
        required=False,
        label="Phone numbers",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One a line. Checked against every other investigation (deconfliction).",
    )
    plates = forms.CharField(
        required=False,
        label="Vehicle plates",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One a line.",
    )
    handles = forms.CharField(
        required=False,
        label="Online handles",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One a line, e.g. @name on a named platform.",
    )

    def clean_phones(self) -> list[str]:
        phones = _split_list(self.cleaned_data["phones"], limit=20, max_length=30, label="phone numbers")
        for phone in phones:
            if not re.fullmatch(r"[0-9+()\-. ]+", phone) or len(re.sub(r"\D", "", phone)) < 7:
                raise forms.ValidationError(f"“{phone}” is not a phone number.")
        return phones

    def clean_plates(self) -> list[str]:
        return _split_list(self.cleaned_data["plates"], limit=20, max_length=12, label="plates")

    def clean_handles(self) -> list[str]:
        return _split_list(self.cleaned_data["handles"], limit=20, max_length=100, label="handles")


class VictimForm(forms.Form):
    name_or_alias = forms.CharField(max_length=200, label="Name or alias")
    age_group = forms.ChoiceField(choices=AgeGroup.choices, initial=AgeGroup.NOT_REPORTED, label="Age group")
    gender = forms.ChoiceField(choices=Gender.choices, initial=Gender.NOT_REPORTED)
    trafficking_type = forms.ChoiceField(choices=TraffickingType.choices, label="Trafficking type")
    identified_on = forms.DateField(label="Identified on", widget=DateInput())

    def __init__(self, *args: Any, investigation: Investigation, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["trafficking_type"].initial = investigation.trafficking_type
        self.fields["identified_on"].initial = today


class _ByNameIterator(forms.models.ModelChoiceIterator):
    """Choices sorted by the decrypted name: the column holds ciphertext, so SQL cannot sort
    it. An investigation's suspects are few."""

    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in sorted(self.queryset, key=lambda s: (s.full_name.casefold(), s.created_at)):
            yield self.choice(obj)


class SuspectChoiceField(forms.ModelChoiceField):
    iterator = _ByNameIterator

    def label_from_instance(self, obj: Any) -> str:
        return obj.full_name


class ArrestForm(forms.Form):
    suspect = SuspectChoiceField(queryset=None, empty_label="Choose a suspect")
    arrested_on = forms.DateField(label="Arrested on", widget=DateInput())
    agency = forms.ModelChoiceField(
        queryset=None, required=False, label="Arresting agency", empty_label="The lead agency"
    )

    def __init__(
        self, *args: Any, actor: Actor, investigation: Investigation, today: dt.date, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["suspect"].queryset = (
            policies.visible_suspects(actor).filter(investigation=investigation).order_by("created_at")
        )
        self.fields["agency"].queryset = le_agencies(actor)
        self.fields["arrested_on"].initial = today


# -------------------------------------------------------------------------------- prosecutions


class ProsecutionFilterForm(forms.Form):
    stage = forms.ChoiceField(
        required=False, choices=[("", "Active (not closed)"), *Prosecution.Stage.choices, ("all", "Any")]
    )
    venue = forms.ChoiceField(required=False, choices=[("", "State and federal"), *ChargeVenue.choices])


class ProsecutionForm(forms.Form):
    court = forms.CharField(max_length=200, help_text="For example: Superior Court, Martinez.")
    court_case_number = forms.CharField(max_length=60, label="Court case number")
    venue = forms.ChoiceField(choices=ChargeVenue.choices, initial=ChargeVenue.STATE)
    filed_on = forms.DateField(label="Filed on", widget=DateInput())
    next_court_date = forms.DateField(required=False, label="Next court date", widget=DateInput())

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["filed_on"].initial = today


class ProsecutionEditForm(forms.Form):
    court = forms.CharField(max_length=200)
    court_case_number = forms.CharField(max_length=60, label="Court case number")
    venue = forms.ChoiceField(choices=ChargeVenue.choices)
    stage = forms.ChoiceField(choices=Prosecution.Stage.choices)
    next_court_date = forms.DateField(required=False, label="Next court date", widget=DateInput())


class DefendantForm(forms.Form):
    suspect = SuspectChoiceField(queryset=None, empty_label="Choose a suspect of the investigation")
    charged_on = forms.DateField(
        required=False, label="Charged on", widget=DateInput(), help_text="Left empty: the filing date."
    )

    def __init__(self, *args: Any, actor: Actor, prosecution: Prosecution, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["suspect"].queryset = (
            policies.visible_suspects(actor)
            .filter(investigation_id=prosecution.investigation_id)
            .order_by("created_at")
        )


class ChargeForm(forms.Form):
    statute = forms.CharField(
        max_length=40,
        help_text="For example PC 236.1, PC 266h, PC 266i, 18 U.S.C. 1591 or 18 U.S.C. 1589. "
        "Trafficking statutes are flagged automatically.",
        widget=forms.TextInput(attrs={"list": "statutes", "autocomplete": "off"}),
    )
    description = forms.CharField(
        max_length=200, required=False, help_text="Left empty for a known statute: its usual name."
    )
    counts = forms.IntegerField(min_value=1, max_value=999, initial=1)


class DispositionForm(forms.Form):
    disposition = forms.ChoiceField(choices=[("", "Choose a disposition"), *Disposition.choices])
    disposition_on = forms.DateField(
        required=False, label="Disposition date", widget=DateInput(), help_text="Left empty: today."
    )
    sentence = forms.CharField(max_length=300, required=False)


# ---------------------------------------------------------------------------------- public form


class PublicTipForm(forms.Form):
    """No sign-in. ``website`` is a honeypot: people never see it, bots fill it in."""

    narrative = forms.CharField(
        max_length=5000,
        label="What did you see or hear?",
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text="Where and when, who was involved, anything that worried you.",
    )
    city = forms.CharField(max_length=100, required=False, label="City or town")
    trafficking_type = forms.ChoiceField(
        required=False,
        label="What kind of situation is it?",
        choices=[
            ("", "Not sure"),
            (TraffickingType.SEX, "Someone forced or tricked into sex work (sex trafficking)"),
            (TraffickingType.LABOR, "Someone forced or tricked into work (labor trafficking)"),
            (TraffickingType.BOTH, "Both"),
        ],
    )
    minors_involved = forms.BooleanField(required=False, label="Children or teenagers may be involved")
    contact = forms.CharField(
        max_length=300,
        required=False,
        label="How can we reach you?",
        help_text="Leave empty to stay anonymous.",
    )
    website = forms.CharField(
        required=False,
        label="Leave this empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
