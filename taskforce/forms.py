from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from taskforce.access import Actor, Role, Side
from taskforce.models import validate_number_pattern
from taskforce.policies import visible_agencies
from taskforce.statutes import valid_entry


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"})
    )
    error_messages = {
        # One message for every failure: never a hint whether the account exists.
        "invalid_login": "That email and password do not match an active account.",
        "inactive": "That email and password do not match an active account.",
    }

    def clean_username(self) -> str:
        # Addresses are stored in lower case; "Alice@x.org" is the same person (the token
        # endpoint agrees), and must not count as a failed sign-in toward the lockout.
        return self.cleaned_data["username"].strip().lower()


class AgencyCreateForm(forms.Form):
    name = forms.CharField(max_length=200)
    side = forms.ChoiceField(choices=Side.choices)
    mou_signed_on = forms.DateField(
        required=False, label="MOU signed", widget=forms.DateInput(attrs={"type": "date"})
    )
    mou_expires_on = forms.DateField(
        required=False, label="MOU expires", widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        signed, expires = data.get("mou_signed_on"), data.get("mou_expires_on")
        if signed and expires and expires < signed:
            self.add_error("mou_expires_on", "The MOU cannot expire before it was signed.")
        return data


class AgencyUpdateForm(AgencyCreateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The side is fixed at creation: changing it would carry people and records across the wall.
        del self.fields["side"]


class MembershipForm(forms.Form):
    agency = forms.ModelChoiceField(queryset=None, empty_label=None)
    role = forms.ChoiceField(choices=Role.choices)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = visible_agencies(actor).order_by("name")


class MembershipAddForm(MembershipForm):
    email = forms.EmailField()
    full_name = forms.CharField(max_length=200, required=False, label="Full name")

    field_order = ("email", "full_name", "agency", "role")


class TaskForceSettingsForm(forms.Form):
    triage_target_immediate_minutes = forms.IntegerField(
        min_value=5,
        max_value=24 * 60,
        label="Immediate danger: triage within (minutes)",
        help_text="A tip marked immediate danger still new after this is flagged in the inbox.",
    )
    triage_target_business_days = forms.IntegerField(
        min_value=1,
        max_value=30,
        label="Every other tip: triage within (business days)",
        help_text="Monday to Friday, in the task force's time zone.",
    )
    investigation_number_pattern = forms.CharField(
        max_length=60,
        label="Investigation numbers",
        help_text="Given to a new investigation opened without a number: {year} is its year, {seq} counts "
        "the year's investigations ({seq:03d} writes 001, 002, ...). For example CC-HT-{year}-{seq:03d}.",
    )
    trafficking_statutes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Trafficking statutes, one per line",
        help_text="A section counts all its subsections (PC 236.1 counts PC 236.1(a), (b) and (c)); "
        "a range counts every section in it (18 U.S.C. 1581-1592). Charges are recounted when this changes.",
    )

    def clean_trafficking_statutes(self) -> list[str]:
        entries = [" ".join(line.split()) for line in self.cleaned_data["trafficking_statutes"].splitlines()]
        entries = [entry for entry in entries if entry]
        wrong = [entry for entry in entries if not valid_entry(entry)]
        if wrong:
            raise forms.ValidationError(
                "Not a statute this platform understands: %(wrong)s. "
                "Write it like PC 236.1 or 18 U.S.C. 1591.",
                params={"wrong": ", ".join(wrong)},
            )
        if not entries:
            raise forms.ValidationError("List at least one statute.")
        return entries

    def clean_investigation_number_pattern(self) -> str:
        pattern = self.cleaned_data["investigation_number_pattern"].strip()
        validate_number_pattern(pattern)
        return pattern
