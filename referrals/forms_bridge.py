"""Forms of the bridge screens (referrals and certification requests).

Explicit field lists only: task force, sending agency, kind, status and the like come from the
actor and the services, never from a payload. Every related choice is scoped by a policy in
``__init__`` (no unscoped ``ModelChoiceField``); what a choice may be used for is decided again
by the service (a consent that does not name the receiving agency, for example).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.codes import ConsentCategory, ContactChannel, ServiceCategory
from cases.models import Case, Consent
from cases.policies import visible_consents
from referrals import policies
from referrals.codes import Urgency
from referrals.models import Referral
from taskforce.access import Actor, Side
from taskforce.policies import visible_agencies

PAYLOAD_FIELDS = ("summary", "name_or_alias", "language", "safe_contact", "needs", "urgency")


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service's ValidationError onto the form: field errors on their fields when the form
    has them, everything else at the top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            messages = [message for error in errors for message in error.messages]
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)


class _PayloadMixin(forms.Form):
    """What a referral carries: only what the sender writes here."""

    summary = forms.CharField(
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="What the referral is for",
        help_text="A few sentences. Never paste case notes: privileged notes can never be sent.",
    )
    name_or_alias = forms.CharField(
        max_length=200,
        required=False,
        label="First name or alias",
        help_text="A first name or the name the person uses. Not a full legal name.",
    )
    language = forms.CharField(max_length=60, required=False, label="Language")
    safe_contact = forms.CharField(
        max_length=300,
        required=False,
        label="Safe way to make contact",
        help_text="How and when it is safe to reach the person, or who to go through.",
    )
    needs = forms.MultipleChoiceField(
        choices=ServiceCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Needs",
    )
    urgency = forms.ChoiceField(choices=Urgency.choices, initial=Urgency.NORMAL, label="Urgency")

    def payload(self) -> dict[str, Any]:
        # The safety fields exist only where the sender types them (law enforcement); from a case
        # they come from the client's record.
        names = (*PAYLOAD_FIELDS, "unsafe_channels", "address_confidential")
        return {name: self.cleaned_data.get(name) for name in names if name in self.fields}


class ReferToServicesForm(_PayloadMixin):
    """Law enforcement or the coordinator refers a victim identified to a victim-services agency."""

    field_order = (
        "to_agency",
        "name_or_alias",
        "language",
        "safe_contact",
        "unsafe_channels",
        "address_confidential",
        "needs",
        "urgency",
        "summary",
        "investigation",
    )

    unsafe_channels = forms.MultipleChoiceField(
        choices=ContactChannel.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Never contact by",
        help_text="Ways that could put the person at risk (a phone the trafficker reads, for example).",
    )
    address_confidential = forms.BooleanField(
        required=False,
        label="Address confidentiality program: never disclose or use the address",
    )

    to_agency = forms.ModelChoiceField(
        queryset=None, label="Refer to", empty_label="Choose a victim-services agency"
    )
    investigation = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Investigation",
        empty_label="None",
        help_text="Kept on your side only: the receiving agency never sees it.",
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_agency"].queryset = (
            visible_agencies(actor).filter(side=Side.VICTIM_SERVICES).order_by("name")
        )
        self.fields["investigation"].queryset = policies.visible_investigations(actor).order_by("-opened_on")
        self.fields["investigation"].label_from_instance = lambda inv: f"{inv.case_number} · {inv.title}"


def _agency_label(agency: Any) -> str:
    side = "law enforcement" if agency.side == Side.LAW_ENFORCEMENT else "victim services"
    return f"{agency.name} ({side})"


def consent_label(consent: Consent, now: dt.datetime) -> str:
    scope = dict(ConsentCategory.choices)
    covers = ", ".join(scope.get(code, code) for code in consent.scope)
    state = Consent.State(consent.state_at(now)).label
    return (
        f"To {consent.recipient_agency.name}: {covers}. Signed {consent.signed_on:%Y-%m-%d}, "
        f"until {consent.expires_on:%Y-%m-%d} ({state.lower()})"
    )


class CaseReferralForm(_PayloadMixin):
    """Victim services refers a client from a case, under the client's current release."""

    field_order = (
        "to_agency",
        "consent",
        "summary",
        "name_or_alias",
        "language",
        "safe_contact",
        "needs",
        "urgency",
    )

    to_agency = forms.ModelChoiceField(
        queryset=None,
        label="Refer to",
        empty_label="Choose an agency",
        help_text="Law enforcement when the client wishes to report; another provider for services.",
    )
    consent = forms.ModelChoiceField(
        queryset=None,
        label="Release of information",
        widget=forms.RadioSelect,
        empty_label=None,
        help_text="It must name the receiving agency and cover everything you send.",
    )

    def __init__(self, *args: Any, actor: Actor, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        now = timezone.now()
        self.fields["to_agency"].queryset = (
            visible_agencies(actor)
            .filter(side__in=(Side.LAW_ENFORCEMENT, Side.VICTIM_SERVICES))
            .exclude(pk=actor.agency_id)
            .order_by("side", "name")
        )
        self.fields["to_agency"].label_from_instance = _agency_label
        # Every consent of the case validates (so the service can say why an expired or revoked
        # one does not do); only the currently valid ones are offered.
        consents = visible_consents(actor).filter(case_id=case.pk).select_related("recipient_agency")
        self.fields["consent"].queryset = consents
        valid = [c for c in consents.order_by("recipient_agency__name", "-signed_on") if c.is_valid_at(now)]
        self.fields["consent"].choices = [(c.pk, consent_label(c, now)) for c in valid]
        self.has_valid_consent = bool(valid)


class DecideForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        label="Why is it declined?",
        help_text="The sending agency reads this.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReferralFilterForm(forms.Form):
    """Inbox and outbox filters. An unknown value is a field error (400), not ignored."""

    status = forms.ChoiceField(
        choices=[("", "Every status"), *Referral.Status.choices], required=False, label="Status"
    )
    mine = forms.BooleanField(required=False, label="Sent by me")
