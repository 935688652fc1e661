"""Forms for correcting what was entered: the client after intake, a service, a note's addendum.

The client form reuses the intake form's own field definitions, so a value intake refuses is
refused here too; only the fields the person changed are sent to the service.
"""

from __future__ import annotations

import copy
from typing import Any

from django import forms

from cases.forms import DateInput, IntakeForm, ServiceForm
from cases.models import Case, Client, ClientIdentity, ServiceDelivery
from cases.services import CLIENT_FIELDS, IDENTITY_FIELDS
from taskforce.access import Actor
from taskforce.policies import visible_agencies


class ClientEditForm(forms.Form):
    """One form, four sections: identity, contact, safety, coded attributes."""

    IDENTITY = ("first_name", "last_name", "preferred_name", "aliases", "date_of_birth", "preferred_language")
    CONTACT = ("phone", "email", "address", "immigration_status")
    SAFETY = ("safe_contact", "unsafe_channels", "address_confidential")
    CODED = ("age_group_at_intake", "gender", "citizenship", "race_ethnicity")

    def __init__(self, *args: Any, identity: ClientIdentity, client: Client, **kwargs: Any) -> None:
        initial = {name: getattr(identity, name) for name in IDENTITY_FIELDS}
        initial.update({name: getattr(client, name) for name in CLIENT_FIELDS})
        super().__init__(*args, initial=initial, **kwargs)
        for name in (*self.IDENTITY, *self.CONTACT, *self.SAFETY, *self.CODED):
            self.fields[name] = copy.deepcopy(IntakeForm.base_fields[name])
        # A referral may have brought no legal name; the service refuses blanking a name that
        # is there (the same rule as intake) and leaves an absent one alone.
        self.fields["first_name"].required = False
        self.fields["last_name"].required = False
        self.fields["age_group_at_intake"].help_text = ""

    def sections(self) -> list[dict[str, Any]]:
        return [
            {"title": "Identity", "fields": [self[n] for n in self.IDENTITY]},
            {"title": "Contact", "fields": [self[n] for n in self.CONTACT]},
            {
                "title": "Safety before contact",
                "fields": [self[n] for n in self.SAFETY],
                "hint": "Read by everyone before they contact the client.",
            },
            {
                "title": "Coded attributes",
                "fields": [self[n] for n in self.CODED],
                "hint": "Coded for grant reports; never identifying.",
            },
        ]

    def changes(self) -> dict[str, Any]:
        """Only what the person changed (a multiple choice compared as a set)."""
        return {name: self.cleaned_data[name] for name in self.changed_data if name in self.cleaned_data}


class ServiceCorrectForm(ServiceForm):
    """The service's fields as they stand, and why they are corrected."""

    reason = forms.CharField(
        max_length=300,
        label="Why is it corrected?",
        help_text="Kept with the service's history.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    field_order = ("delivered_on", "service_type", "units", "providing_agency", "note", "reason")

    def __init__(self, *args: Any, actor: Actor, case: Case, service: ServiceDelivery, **kwargs: Any) -> None:
        initial = {
            "delivered_on": service.delivered_on,
            "service_type": service.service_type,
            "units": service.units,
            "providing_agency": (
                service.providing_agency_id if service.providing_agency_id != service.agency_id else None
            ),
            "note": service.note,
        }
        super().__init__(*args, actor=actor, case=case, today=service.delivered_on, initial=initial, **kwargs)
        # The agency it was recorded with stays choosable even if its release has since ended.
        field = self.fields["providing_agency"]
        field.queryset = (
            field.queryset | visible_agencies(actor).filter(pk=service.providing_agency_id)
        ).order_by("name")
        self.fields["delivered_on"].widget = DateInput()

    def changes(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in self.changed_data
            if name in ("delivered_on", "service_type", "units", "providing_agency", "note")
        }


class VoidForm(forms.Form):
    reason = forms.CharField(max_length=300, label="Why is it voided?")


class AddendumForm(forms.Form):
    text = forms.CharField(max_length=20000, label="Addendum", widget=forms.Textarea(attrs={"rows": 3}))
