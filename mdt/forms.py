"""Forms of the MDT screens. Explicit field lists only: task force, team, presenter and the like
come from the actor and the URL, never from a payload. Related choices are scoped by the actor's
policies in ``__init__`` (no unscoped ``ModelChoiceField``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet

from cases.policies import visible_cases
from mdt import policies
from mdt.models import ActionItem, CaseReview, MdtMeeting, MdtTeam, RosterMember
from referrals.policies import visible_investigations
from taskforce.access import Actor
from taskforce.models import Agency, Membership
from taskforce.policies import visible_agencies, visible_memberships


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def person(membership: Membership) -> str:
    return membership.user.full_name or membership.user.email


def team_roster(actor: Actor, team_id: Any) -> QuerySet[RosterMember]:
    """The team's active roster as the actor may see it."""
    return (
        policies.visible_roster(actor)
        .filter(team_id=team_id, is_active=True)
        .order_by("membership__agency__name", "membership__user__full_name")
    )


def roster_agencies(actor: Actor, team_id: Any) -> QuerySet[Agency]:
    """Agencies with somebody on the team's active roster."""
    return visible_agencies(actor).filter(pk__in=team_roster(actor, team_id).values("membership__agency_id"))


# ----------------------------------------------------------------------------------- teams


class TeamForm(forms.Form):
    name = forms.CharField(max_length=120, help_text="For example: Adult MDT, Youth MDT.")
    kind = forms.ChoiceField(choices=MdtTeam.Kind.choices, initial=MdtTeam.Kind.ADULT, label="Team")


class MembershipChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return f"{person(obj)} · {obj.agency.name} · {obj.get_role_display()}"


class RosterAddForm(forms.Form):
    membership = MembershipChoiceField(queryset=None, label="Member", empty_label="Choose a member")
    is_facilitator = forms.BooleanField(required=False, label="Facilitator (plans and runs meetings)")

    def __init__(self, *args: Any, actor: Actor, team: MdtTeam, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        on_roster = team_roster(actor, team.pk).values("membership_id")
        self.fields["membership"].queryset = (
            visible_memberships(actor)
            .filter(is_active=True)
            .exclude(pk__in=on_roster)
            .order_by("agency__name", "user__full_name", "user__email")
        )


class AgreementSignForm(forms.Form):
    """A member signs their own agreement; a roster manager records one signed on paper."""

    confirm = forms.BooleanField(
        label="I have read the agreement above and agree to keep what is shared at the MDT confidential.",
        error_messages={"required": "Tick the box to sign the agreement."},
    )
    signed_on = forms.DateField(
        widget=DateInput(), required=False, label="Signed on", help_text="Leave empty for today."
    )

    def __init__(self, *args: Any, own: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if own:
            del self.fields["signed_on"]
        else:
            self.fields["confirm"].label = "The member signed this agreement (the current text)."
            self.fields["confirm"].error_messages["required"] = "Confirm the member signed the agreement."


# -------------------------------------------------------------------------------- meetings


class MeetingForm(forms.Form):
    starts_at = forms.DateTimeField(label="Date and time", widget=DateTimeInput())
    place = forms.CharField(max_length=200, required=False, help_text="A room and address.")
    video_link = forms.URLField(required=False, label="Video link", assume_scheme="https")
    status = forms.ChoiceField(
        choices=MdtMeeting.Status.choices,
        initial=MdtMeeting.Status.PLANNED,
        help_text="Record a meeting already held as held or cancelled.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("place") and not data.get("video_link") and not self.errors:
            raise forms.ValidationError("Give a place or a video link.")
        return data


class MeetingEditForm(MeetingForm):
    minutes = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), max_length=50000, required=False)


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=50000,
        required=False,
        help_text="What was decided, in plain words. No client names.",
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=MdtMeeting.Status.choices)


class GuestForm(forms.Form):
    guest_name = forms.CharField(max_length=200, label="Guest's name")
    guest_organization = forms.CharField(max_length=200, required=False, label="Organization")
    confirm = forms.BooleanField(
        label="The guest signed the confidentiality agreement for this meeting.",
        error_messages={"required": "A guest must sign the agreement before the meeting goes on."},
    )


ATTENDANCE_CHOICES = [("", "Not recorded"), ("present", "Present"), ("absent", "Absent")]


class AttendanceForm(forms.Form):
    """One present/absent choice per roster member: ``row_<uuid>``."""

    def __init__(self, *args: Any, rows: list[RosterMember], current: dict[Any, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            self.fields[f"row_{row.pk}"] = forms.ChoiceField(
                choices=ATTENDANCE_CHOICES,
                required=False,
                label=f"{person(row.membership)} ({row.membership.agency.name})",
                initial=current.get(row.pk, ""),
                widget=forms.RadioSelect,
            )

    def marked(self) -> list[tuple[RosterMember, str]]:
        return [
            (row, self.cleaned_data[f"row_{row.pk}"])
            for row in self.rows
            if self.cleaned_data[f"row_{row.pk}"]
        ]


# --------------------------------------------------------------------------------- reviews


class CaseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        name = obj.client.identity.display_name if hasattr(obj.client, "identity") else ""
        return f"{name} · opened {obj.opened_on:%Y-%m-%d} · {obj.get_status_display()}"


class InvestigationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.case_number} · {obj.title}"


class ReviewForm(forms.Form):
    presenting_agency = forms.ModelChoiceField(
        queryset=None, label="Presenting agency", required=False, empty_label="Choose an agency"
    )
    case = CaseChoiceField(
        queryset=None,
        required=False,
        empty_label="No case",
        label="Your case",
        help_text="Optional. Only people who already see the case get a link; nothing is copied from it.",
    )
    investigation = InvestigationChoiceField(
        empty_label="No investigation",
        queryset=None,
        required=False,
        label="Your investigation",
        help_text="Optional. Only people who already see it get a link; nothing is copied from it.",
    )
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10000,
        help_text="Only what your agency may share with the team. No names, no case notes.",
    )
    risk_level = forms.ChoiceField(choices=CaseReview.Risk.choices, initial=CaseReview.Risk.MODERATE)
    needs_barriers = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, required=False, label="Needs and barriers"
    )

    def __init__(self, *args: Any, actor: Actor, meeting: MdtMeeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if policies.is_facilitator(actor, meeting.team_id):
            self.fields["presenting_agency"].queryset = roster_agencies(actor, meeting.team_id).order_by(
                "name"
            )
            self.fields["presenting_agency"].empty_label = "My own agency"
        else:
            del self.fields["presenting_agency"]
        cases = visible_cases(actor).select_related("client__identity").order_by("-opened_on")
        if cases.exists():
            self.fields["case"].queryset = cases
        else:
            del self.fields["case"]
        investigations = visible_investigations(actor).order_by("-opened_on")
        if investigations.exists():
            self.fields["investigation"].queryset = investigations
        else:
            del self.fields["investigation"]


class ReviewEditForm(forms.Form):
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), max_length=10000)
    risk_level = forms.ChoiceField(choices=CaseReview.Risk.choices)
    needs_barriers = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, required=False, label="Needs and barriers"
    )
    decisions = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, required=False)
    recommendations = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, required=False
    )
    position = forms.IntegerField(min_value=1, max_value=999, label="Place on the agenda")


class DecisionsForm(forms.Form):
    """The live page's quick form: what the team decided and recommends."""

    decisions = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, required=False)
    recommendations = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, required=False
    )


# ---------------------------------------------------------------------------- action items


class ActionItemForm(forms.Form):
    description = forms.CharField(max_length=500, label="What is to be done")
    owner = forms.ChoiceField(label="Owner", help_text="A team member, or an agency on the roster.")
    due_on = forms.DateField(widget=DateInput(), label="Due")
    review = forms.ChoiceField(required=False, label="For the review", widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, actor: Actor, meeting: MdtMeeting, reviews: list[CaseReview], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.members = {str(row.pk): row for row in team_roster(actor, meeting.team_id)}
        self.agencies = {str(a.pk): a for a in roster_agencies(actor, meeting.team_id).order_by("name")}
        self.reviews = {str(review.pk): review for review in reviews}
        self.fields["owner"].choices = [
            ("", "Choose an owner"),
            (
                "Team members",
                [
                    (f"m:{k}", f"{person(r.membership)} ({r.membership.agency.name})")
                    for k, r in self.members.items()
                ],
            ),
            ("Agencies", [(f"a:{k}", a.name) for k, a in self.agencies.items()]),
        ]
        self.fields["review"].choices = [("", "None"), *[(k, r.mdt_code) for k, r in self.reviews.items()]]
        if not reviews:
            del self.fields["review"]

    def clean_owner(self) -> dict[str, Any]:
        kind, _, key = self.cleaned_data["owner"].partition(":")
        if kind == "m" and key in self.members:
            return {"owner_member": self.members[key], "owner_agency": None}
        if kind == "a" and key in self.agencies:
            return {"owner_member": None, "owner_agency": self.agencies[key]}
        raise forms.ValidationError("Choose a member or an agency on this team's roster.")

    def clean_review(self) -> CaseReview | None:
        key = self.cleaned_data.get("review")
        return self.reviews.get(key) if key else None

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "description": data["description"],
            "due_on": data["due_on"],
            "review": data.get("review"),
            **data["owner"],
        }


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ActionItem.Status.choices)


def default_due(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=14)
