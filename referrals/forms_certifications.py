"""Forms of the certification round: start a request from a case or from an investigation,
record progress and the decision, link the investigation, share the victim reference later.

Every related choice is scoped by a policy in ``__init__``; what a choice may be used for (a
release that does not name the certifying agency, a victim of another investigation) is decided
again by ``referrals.certifications``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from cases.forms import DateInput
from cases.models import Case, Consent
from cases.policies import visible_consents
from referrals import policies
from referrals.codes import CertificationKind
from referrals.forms_bridge import consent_label
from referrals.models import CertificationRequest, Investigation
from taskforce.access import Actor, Side
from taskforce.policies import visible_agencies


class _RequestForm(forms.Form):
    kind = forms.ChoiceField(choices=CertificationKind.choices, widget=forms.RadioSelect, label="Request")
    certifying_agency = forms.ModelChoiceField(
        queryset=None, label="Certifying agency", empty_label="Choose a law-enforcement agency"
    )
    requested_on = forms.DateField(label="Requested on", widget=DateInput())
    due_on = forms.DateField(
        required=False,
        label="Due by",
        widget=DateInput(),
        help_text="A filing deadline, if there is one. The certifying agency is reminded as it nears.",
    )

    def __init__(self, *args: Any, actor: Actor, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["certifying_agency"].queryset = (
            visible_agencies(actor).filter(side=Side.LAW_ENFORCEMENT).order_by("name")
        )
        self.fields["requested_on"].initial = today


def _identity_releases(actor: Actor, case: Case) -> tuple[Any, list[Consent]]:
    """The case's releases (all validate, so the service can say why one does not do) and the
    ones worth offering: current, to a law-enforcement agency, covering identity."""
    now = timezone.now()
    consents = visible_consents(actor).filter(case_id=case.pk).select_related("recipient_agency")
    offered = [
        c
        for c in consents.filter(
            recipient_agency__side=Side.LAW_ENFORCEMENT, scope__contains=["identity"]
        ).order_by("recipient_agency__name", "-signed_on")
        if c.is_valid_at(now)
    ]
    return consents, offered


class _ReleaseField(forms.ModelChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            queryset=Consent.objects.none(),
            label="Release of information",
            widget=forms.RadioSelect,
            **kwargs,
        )


def _offer_releases(field: forms.ModelChoiceField, actor: Actor, case: Case, *, none_label: str) -> bool:
    consents, offered = _identity_releases(actor, case)
    now = timezone.now()
    field.queryset = consents
    choices = [(c.pk, consent_label(c, now)) for c in offered]
    field.choices = [("", none_label), *choices] if not field.required else choices
    return bool(offered)


class CaseCertificationForm(_RequestForm):
    """Victim services ask from a case. The victim reference travels only under a release."""

    field_order = ("kind", "certifying_agency", "consent", "requested_on", "due_on")

    consent = _ReleaseField(
        required=False,
        help_text="The certifying agency sees the client's name and birth date only under a current "
        "release naming it and covering name and date of birth. Without one it cannot tell who the "
        "request is for.",
    )

    def __init__(self, *args: Any, actor: Actor, today: dt.date, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, today=today, **kwargs)
        self.has_release = _offer_releases(
            self.fields["consent"], actor, case, none_label="Send without the client's name for now"
        )


def _victim_label(victim: Any) -> str:
    return f"{victim.name_or_alias} (identified {victim.identified_on:%Y-%m-%d})"


class InvestigationCertificationForm(_RequestForm):
    """An investigator asks from an investigation, for a victim identified in it."""

    field_order = ("kind", "certifying_agency", "victim", "victim_date_of_birth", "requested_on", "due_on")

    victim = forms.ModelChoiceField(
        queryset=None,
        label="Victim",
        empty_label="Choose a potential victim identified",
        help_text="The certifying agency sees this name or alias.",
    )
    victim_date_of_birth = forms.DateField(
        required=False, label="Victim's date of birth", widget=DateInput(), help_text="If known."
    )

    def __init__(
        self, *args: Any, actor: Actor, today: dt.date, investigation: Investigation, **kwargs: Any
    ) -> None:
        super().__init__(*args, actor=actor, today=today, **kwargs)
        victims = policies.visible_identified_victims(actor).filter(investigation=investigation)
        self.fields["victim"].queryset = victims.order_by("-identified_on")
        self.fields["victim"].label_from_instance = _victim_label
        self.has_victims = victims.exists()


class CertificationStatusForm(forms.Form):
    """Progress and the decision. What each status needs (a reason to decline) is checked by the
    service, after a decided request answers 409."""

    status = forms.ChoiceField(
        choices=[
            (CertificationRequest.Status.UNDER_REVIEW, "Under review"),
            (CertificationRequest.Status.SIGNED, "Signed"),
            (CertificationRequest.Status.DECLINED, "Declined"),
        ],
        label="New status",
    )
    reference = forms.CharField(
        max_length=60,
        required=False,
        label="Your reference",
        help_text="Your own report or case number. It is shown to the requesting agency.",
    )
    signer_name = forms.CharField(
        max_length=200,
        required=False,
        label="Certifying official",
        help_text="Who signed the form. Leave empty if you signed it yourself.",
    )
    signer_title = forms.CharField(max_length=200, required=False, label="Official's title")
    reason = forms.CharField(
        max_length=300,
        required=False,
        label="Reason for declining",
        help_text="Needed to decline. The requesting agency reads it.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    decided_on = forms.DateField(
        required=False, label="Decided on", widget=DateInput(), help_text="Today if left empty."
    )


class CertificationLinkForm(forms.Form):
    investigation = forms.ModelChoiceField(
        queryset=None,
        label="Investigation",
        empty_label="Choose an investigation",
        help_text="Seen by your side only: the requesting agency never sees it.",
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["investigation"].queryset = policies.visible_investigations(actor).order_by("-opened_on")
        self.fields["investigation"].label_from_instance = lambda inv: f"{inv.case_number} · {inv.title}"


class CertificationReleaseForm(forms.Form):
    consent = _ReleaseField(required=True, empty_label=None)

    def __init__(self, *args: Any, actor: Actor, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_release = _offer_releases(self.fields["consent"], actor, case, none_label="")


class CertificationFilterForm(forms.Form):
    show = forms.ChoiceField(
        choices=[("all", "Everything, waiting first"), ("open", "Waiting only")], required=False, label="Show"
    )
