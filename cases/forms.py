"""Forms of the victim-services screens. Explicit field lists only: task force, agency, owner
and the like come from the actor, never from a payload. Related choices are scoped by the
actor's policies in ``__init__`` (no unscoped ``ModelChoiceField``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet

from cases import screening as screening_rules
from cases.codes import (
    AgeGroup,
    Citizenship,
    ConsentCategory,
    ContactChannel,
    Gender,
    RaceEthnicity,
    ReferralSource,
    ServiceCategory,
    TraffickingType,
)
from cases.models import Case, Consent, FamilyMember, PlanItem
from cases.policies import providing_agencies
from taskforce.access import Actor, Role
from taskforce.models import Membership
from taskforce.policies import visible_agencies, visible_memberships


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


ANSWER_CHOICES = [("", "Not asked"), *screening_rules.Answer.choices]


def screening_field_name(code: str) -> str:
    return f"q_{code}"


def add_screening_fields(form: forms.Form, kind: str) -> None:
    """One optional radio group per question of the form: ``q_<code>``."""
    for _domain, question in screening_rules.questions_for(kind):
        form.fields[screening_field_name(question.code)] = forms.ChoiceField(
            label=question.text,
            choices=ANSWER_CHOICES,
            required=False,
            widget=forms.RadioSelect(attrs={"class": "answer"}),
        )


def screening_answers(form: forms.Form, kind: str) -> dict[str, str]:
    """The answered questions only; "Not asked" is left out."""
    answers = {}
    for _domain, question in screening_rules.questions_for(kind):
        value = form.cleaned_data.get(screening_field_name(question.code))
        if value:
            answers[question.code] = value
    return answers


def screening_groups(form: forms.Form, kind: str) -> list[dict[str, Any]]:
    """Bound fields grouped by indicator domain, for the template."""
    groups: list[dict[str, Any]] = []
    for domain, question in screening_rules.questions_for(kind):
        if not groups or groups[-1]["code"] != domain.code:
            groups.append({"code": domain.code, "label": domain.label, "fields": []})
        groups[-1]["fields"].append(form[screening_field_name(question.code)])
    return groups


class CaseFilterForm(forms.Form):
    """The case list's GET filters. Unknown values are field errors (a 400), not ignored."""

    q = forms.CharField(required=False, max_length=100, label="Search by name")
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Case.Status.choices])
    trafficking_type = forms.ChoiceField(
        required=False, choices=[("", "Any type"), *TraffickingType.choices], label="Trafficking type"
    )
    mine = forms.BooleanField(required=False, label="Assigned to me")
    expiring = forms.BooleanField(required=False, label="Consent expiring within 14 days")
    stale = forms.BooleanField(required=False, label="No contact for 30 days")
    unassigned = forms.BooleanField(required=False, label="No case manager")
    manager = forms.UUIDField(required=False)


class IntakeForm(forms.Form):
    """Client, case and the short screening in one flow."""

    # Who
    first_name = forms.CharField(max_length=100, label="First name")
    last_name = forms.CharField(max_length=100, label="Last name")
    preferred_name = forms.CharField(max_length=100, required=False, label="Preferred name")
    aliases = forms.CharField(max_length=300, required=False, help_text="Other names, separated by commas.")
    date_of_birth = forms.DateField(required=False, label="Date of birth", widget=DateInput())
    preferred_language = forms.CharField(max_length=60, required=False, label="Preferred language")
    # Safety before contact
    safe_contact = forms.CharField(
        max_length=300,
        required=False,
        label="Safe ways and times to make contact",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    unsafe_channels = forms.MultipleChoiceField(
        choices=ContactChannel.choices,
        required=False,
        label="Never contact by",
        widget=forms.CheckboxSelectMultiple,
    )
    address_confidential = forms.BooleanField(
        required=False,
        label="Address confidentiality program: never disclose the address",
    )
    # Contact
    phone = forms.CharField(max_length=40, required=False)
    email = forms.EmailField(required=False)
    address = forms.CharField(max_length=300, required=False)
    immigration_status = forms.CharField(max_length=100, required=False, label="Immigration status")
    # Reporting attributes
    age_group_at_intake = forms.ChoiceField(
        choices=AgeGroup.choices,
        initial=AgeGroup.NOT_REPORTED,
        label="Age group at intake",
        help_text="Left as not reported, it is worked out from the date of birth.",
    )
    gender = forms.ChoiceField(choices=Gender.choices, initial=Gender.NOT_REPORTED)
    citizenship = forms.ChoiceField(choices=Citizenship.choices, initial=Citizenship.NOT_REPORTED)
    race_ethnicity = forms.ChoiceField(
        choices=RaceEthnicity.choices, initial=RaceEthnicity.NOT_REPORTED, label="Race or ethnicity"
    )
    # Case
    trafficking_type = forms.ChoiceField(
        choices=TraffickingType.choices, initial=TraffickingType.UNKNOWN, label="Trafficking type"
    )
    referral_source = forms.ChoiceField(
        choices=ReferralSource.choices, initial=ReferralSource.OTHER, label="Referred by"
    )
    minor_at_intake = forms.BooleanField(required=False, label="Minor at intake")
    opened_on = forms.DateField(label="Opened on", widget=DateInput())
    first_contact_on = forms.DateField(
        required=False,
        label="First contact",
        widget=DateInput(),
        help_text="When you first met the client, if before today's intake. Leave the case opened today.",
    )
    confirm_duplicate = forms.BooleanField(
        required=False, label="I checked: this is a different person, create a new client"
    )

    IDENTITY = (
        "first_name",
        "last_name",
        "preferred_name",
        "aliases",
        "date_of_birth",
        "preferred_language",
    )
    SAFETY = ("safe_contact", "unsafe_channels", "address_confidential")
    CONTACT = ("phone", "email", "address", "immigration_status")
    REPORTING = ("age_group_at_intake", "gender", "citizenship", "race_ethnicity")
    CASE = ("trafficking_type", "referral_source", "minor_at_intake", "opened_on", "first_contact_on")

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["opened_on"].initial = today
        add_screening_fields(self, screening_rules.Form.SHORT)

    def section(self, names: tuple[str, ...]) -> list[forms.BoundField]:
        return [self[name] for name in names]

    def sections(self) -> list[dict[str, Any]]:
        return [
            {"title": "Who", "fields": self.section(self.IDENTITY)},
            {
                "title": "Safety before contact",
                "fields": self.section(self.SAFETY),
                "hint": "Read by everyone before they contact the client.",
            },
            {"title": "Contact details", "fields": self.section(self.CONTACT)},
            {"title": "Case", "fields": self.section(self.CASE)},
            {
                "title": "Reporting attributes",
                "fields": self.section(self.REPORTING),
                "hint": "Coded for grant reports; never identifying.",
            },
        ]

    def screening(self) -> list[dict[str, Any]]:
        return screening_groups(self, screening_rules.Form.SHORT)

    def answers(self) -> dict[str, str]:
        return screening_answers(self, screening_rules.Form.SHORT)

    def client_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        names = (*self.IDENTITY, *self.SAFETY, *self.CONTACT, *self.REPORTING)
        return {name: data.get(name) for name in names}

    def case_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.CASE}


class ScreeningForm(forms.Form):
    screened_on = forms.DateField(label="Screened on", widget=DateInput())

    def __init__(self, *args: Any, kind: str, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["screened_on"].initial = today
        add_screening_fields(self, kind)

    def groups(self) -> list[dict[str, Any]]:
        return screening_groups(self, self.kind)

    def answers(self) -> dict[str, str]:
        return screening_answers(self, self.kind)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors and not self.answers():
            raise forms.ValidationError("Record at least one answer (or 'Prefers not to say').")
        return data


class ServiceForm(forms.Form):
    delivered_on = forms.DateField(label="Date", widget=DateInput())
    service_type = forms.ChoiceField(
        label="Service", choices=[("", "Choose a service"), *ServiceCategory.choices]
    )
    units = forms.DecimalField(
        min_value=0, max_value=1000, max_digits=6, decimal_places=2, initial=1, help_text="Hours or visits."
    )
    providing_agency = forms.ModelChoiceField(
        queryset=None, required=False, label="Provided by", empty_label="Our agency"
    )
    note = forms.CharField(max_length=300, required=False)

    field_order = ("delivered_on", "service_type", "units", "providing_agency", "note")

    def __init__(self, *args: Any, actor: Actor, case: Case, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the case's agency and agencies the client was referred to under a current release.
        self.fields["providing_agency"].queryset = providing_agencies(case).order_by("name")
        self.fields["delivered_on"].initial = today
        self.fields["units"].widget.attrs.update({"step": "0.25", "inputmode": "decimal"})


class NoteForm(forms.Form):
    text = forms.CharField(max_length=20000, label="Note", widget=forms.Textarea(attrs={"rows": 4}))
    privileged = forms.BooleanField(
        required=False,
        label="Privileged (counsellor-victim communication)",
        help_text="Only you and your agency's supervisors can read it. Never shared or exported.",
    )


class ConsentForm(forms.Form):
    recipient_agency = forms.ModelChoiceField(
        queryset=None, label="Release to", empty_label="Choose an agency"
    )
    scope = forms.MultipleChoiceField(
        choices=ConsentCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        label="What may be shared",
    )
    purpose = forms.CharField(max_length=300, help_text="What the information is for.")
    signed_by = forms.CharField(max_length=200, label="Signed by")
    signed_on = forms.DateField(label="Signed on", widget=DateInput())
    expires_on = forms.DateField(
        required=False,
        label="Expires on",
        widget=DateInput(),
        help_text=f"Left empty: {Consent.DEFAULT_DAYS} days after signing. At most {Consent.MAX_DAYS} days.",
    )
    guardian_name = forms.CharField(
        max_length=200, required=False, label="Parent or guardian", help_text="Needed for a minor."
    )
    guardian_relationship = forms.CharField(
        max_length=100, required=False, label="Relationship to the client"
    )
    guardian_not_suspect = forms.BooleanField(
        required=False, label="The parent or guardian is not the suspected trafficker"
    )

    def __init__(self, *args: Any, actor: Actor, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipient_agency"].queryset = (
            visible_agencies(actor).exclude(pk=actor.agency_id).order_by("name")
        )
        self.fields["signed_on"].initial = today


class RevokeForm(forms.Form):
    note = forms.CharField(max_length=300, required=False, label="Reason (optional)")


class CloseForm(forms.Form):
    closure_reason = forms.ChoiceField(
        label="Why is the case closing?",
        choices=[("", "Choose a reason"), *Case.ClosureReason.choices],
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        max_length=300, label="Why is the case reopened?", widget=forms.Textarea(attrs={"rows": 2})
    )


def case_manager_choices(actor: Actor) -> QuerySet[Membership]:
    """Active case managers of the actor's own agency (assignable)."""
    return (
        visible_memberships(actor)
        .filter(agency_id=actor.agency_id, role=Role.VS_CASE_MANAGER, is_active=True)
        .order_by("user__full_name", "user__email")
    )


class MembershipChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.user.full_name or obj.user.email


class AssignForm(forms.Form):
    membership = MembershipChoiceField(
        queryset=None, label="Case manager", empty_label="Choose a case manager"
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = case_manager_choices(actor)


class UnassignForm(forms.Form):
    membership = MembershipChoiceField(
        queryset=None, label="Case manager", empty_label="Choose a case manager"
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Inactive members too: a departed case manager must still be taken off a case.
        self.fields["membership"].queryset = visible_memberships(actor).filter(
            agency_id=actor.agency_id, role=Role.VS_CASE_MANAGER
        )


class PlanItemForm(forms.Form):
    need = forms.ChoiceField(choices=[("", "Choose a need"), *ServiceCategory.choices])
    goal = forms.CharField(max_length=300)
    target_on = forms.DateField(required=False, label="Target date", widget=DateInput())


class PlanStatusForm(forms.Form):
    status = forms.ChoiceField(choices=PlanItem.Status.choices)


class FamilyMemberForm(forms.Form):
    relationship = forms.ChoiceField(
        choices=[("", "Choose a relationship"), *FamilyMember.Relationship.choices]
    )
    age_group = forms.ChoiceField(choices=AgeGroup.choices, initial=AgeGroup.NOT_REPORTED, label="Age group")
    served_from = forms.DateField(label="Served from", widget=DateInput())

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["served_from"].initial = today
