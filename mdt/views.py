"""HTML screens of the PC 13753 multidisciplinary team: teams and rosters with confidentiality
agreements, meetings (the live page used during a meeting, and a print view), case reviews,
action items. Thin: every object comes through ``mdt.policies`` (404 when not visible), every
action is checked with ``can_*`` (403 when visible but not allowed), every write goes through
``mdt.services``, and every read is written to the audit log (``roster.viewed``,
``meeting.listed``, ``meeting.viewed``, ``review.viewed``, ``action_item.listed``).

Every page carries ``mdt.models.CONFIDENTIAL_MARK``. A member without a current agreement, or
taken off the roster, gets 404 on every meeting, review and action item from the next request.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.services import today_for
from mdt import policies, selectors, services, sorting
from mdt.forms import (
    ActionItemForm,
    ActionStatusForm,
    AgreementSignForm,
    AttendanceForm,
    DecisionsForm,
    GuestForm,
    MeetingEditForm,
    MeetingForm,
    MinutesForm,
    ReviewEditForm,
    ReviewForm,
    RosterAddForm,
    StatusForm,
    TeamForm,
    default_due,
    person,
    team_roster,
)
from mdt.models import AGREEMENT_VERSION, CONFIDENTIAL_MARK, ActionItem, MdtMeeting, MdtTeam
from mdt.selectors import meeting_attendance
from taskforce.access import Actor, NotFoundOrForbidden, get_or_not_found
from taskforce.audit import audit_record
from taskforce.tenancy import tenant_view
from taskforce.web import form_status, posted, tf_url

OPEN_ITEMS = selectors.OPEN_ITEMS


# -------------------------------------------------------------------------------------- helpers


def _apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service's ValidationError onto the form: known fields keep their place, the rest go on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _allow(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, template, {"confidential_mark": CONFIDENTIAL_MARK, **context}, status=status)


def _require_mdt(actor: Actor) -> None:
    """The MDT exists for roster managers and people on a roster; everyone else: 404."""
    if not (policies.can_manage_rosters(actor) or policies.visible_teams(actor).exists()):
        raise NotFoundOrForbidden


def _cleared(actor: Actor) -> bool:
    return policies.is_coordinator(actor) or policies.cleared_team_ids(actor).exists()


def _facilitates_any(actor: Actor) -> bool:
    return (
        policies.is_coordinator(actor) or policies.my_roster_rows(actor).filter(is_facilitator=True).exists()
    )


def _next_url(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


def _form_page(
    request: HttpRequest,
    form: forms.Form,
    *,
    title: str,
    submit: str,
    cancel_url: str,
    crumbs: list[tuple[str, str]],
    intro: str = "",
    **extra: Any,
) -> HttpResponse:
    context = {
        "form": form,
        "title": title,
        "submit": submit,
        "cancel_url": cancel_url,
        "crumbs": crumbs,
        "intro": intro,
        **extra,
    }
    return _page(request, "mdt/form_page.html", context, status=form_status(form))


def _meeting_label(meeting: MdtMeeting) -> str:
    return f"{timezone.localtime(meeting.starts_at):%Y-%m-%d %H:%M}"


def _meeting_crumbs(actor: Actor, meeting: MdtMeeting | None = None) -> list[tuple[str, str]]:
    crumbs = [("MDT", tf_url(actor, "mdt-teams")), ("Meetings", tf_url(actor, "mdt-meetings"))]
    if meeting is not None:
        crumbs.append(
            (
                f"{meeting.team.name} · {_meeting_label(meeting)}",
                tf_url(actor, "mdt-meeting", meeting_id=meeting.pk),
            )
        )
    return crumbs


def _owner_label(item: ActionItem) -> str:
    if item.owner_member_id:
        return person(item.owner_member.membership)
    return item.owner_agency.name if item.owner_agency_id else ""


def _item_rows(
    actor: Actor, items: list[ActionItem], today: Any, updatable: set | None = None
) -> list[dict[str, Any]]:
    if updatable is None:
        updatable = policies.updatable_action_item_ids(actor, items)
    return [
        {
            "item": item,
            "owner": _owner_label(item),
            "overdue": item.status in OPEN_ITEMS and item.due_on < today,
            "can_update": item.pk in updatable,
        }
        for item in items
    ]


# ----------------------------------------------------------------------------------- teams


@tenant_view
@require_GET
def team_list_view(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    _require_mdt(actor)
    listing = sorting.team_page(request, policies.visible_teams(actor))
    teams = listing.rows
    mine = {row.team_id: row for row in policies.my_roster_rows(actor)}
    cleared = set(policies.cleared_team_ids(actor))
    rows = [
        {
            "team": team,
            "on_roster": team.pk in mine,
            "facilitator": team.pk in mine and mine[team.pk].is_facilitator,
            "cleared": team.pk in cleared,
            "can_plan": policies.can_plan_meetings(actor, team),
        }
        for team in teams
    ]
    return _page(
        request,
        "mdt/team_list.html",
        {
            "rows": rows,
            "listing": listing,
            "can_manage": policies.can_manage_rosters(actor),
            "cleared_any": _cleared(actor),
            "facilitates": _facilitates_any(actor),
        },
    )


@tenant_view
@require_http_methods(["GET", "POST"])
def team_create_view(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    _require_mdt(actor)
    _allow(policies.can_manage_rosters(actor))
    form = TeamForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(
                actor=actor, name=form.cleaned_data["name"], kind=form.cleaned_data["kind"]
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Team created. Add its members to the roster.")
            return redirect(tf_url(actor, "mdt-team", team_id=team.pk))
    return _form_page(
        request,
        form,
        title="New MDT team",
        submit="Create team",
        cancel_url=tf_url(actor, "mdt-teams"),
        crumbs=[("MDT", tf_url(actor, "mdt-teams"))],
    )


def _render_team(
    request: HttpRequest, team: MdtTeam, *, add_form: RosterAddForm | None = None, status: int = 200
) -> HttpResponse:
    actor = request.actor
    today = today_for(actor)
    can_manage = policies.can_manage_rosters(actor)
    roster = selectors.roster_with_agreements(actor=actor, team_id=team.pk, today=today)
    for entry in roster:
        entry["own"] = entry["row"].membership_id == actor.membership_id
        entry["name"] = person(entry["row"].membership)
        entry["can_sign"] = entry["row"].is_active and (can_manage or entry["own"])
        entry["outdated"] = bool(entry["agreement"] and entry["agreement"].version != AGREEMENT_VERSION)
    audit_record(action="roster.viewed", actor=actor, target=team, detail={"count": len(roster)})
    if can_manage and add_form is None:
        add_form = RosterAddForm(actor=actor, team=team)
    own = next((e for e in roster if e["own"] and e["row"].is_active), None)
    return _page(
        request,
        "mdt/team_detail.html",
        {
            "team": team,
            "roster": roster,
            "can_manage": can_manage,
            "add_form": add_form if can_manage else None,
            "own": own,
            "cleared": team.pk in set(policies.cleared_team_ids(actor)),
            "can_plan": policies.can_plan_meetings(actor, team),
            "crumbs": [("MDT", tf_url(actor, "mdt-teams"))],
        },
        status=status,
    )


@tenant_view
@require_GET
def team_detail_view(request: HttpRequest, team_id: uuid.UUID) -> HttpResponse:
    team = policies.access_team(request.actor, team_id)
    return _render_team(request, team)


@tenant_view
@require_POST
def roster_add_view(request: HttpRequest, team_id: uuid.UUID) -> HttpResponse:
    actor = request.actor
    team = policies.access_team(actor, team_id)
    _allow(policies.can_manage_rosters(actor))
    form = RosterAddForm(request.POST, actor=actor, team=team)
    if form.is_valid():
        try:
            services.roster_add(
                actor=actor,
                team=team,
                membership=form.cleaned_data["membership"],
                is_facilitator=form.cleaned_data["is_facilitator"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                f"{person(form.cleaned_data['membership'])} is on the roster. "
                "They need a current agreement to see meetings.",
            )
            return redirect(tf_url(actor, "mdt-team", team_id=team.pk))
    return _render_team(request, team, add_form=form, status=400)


def _roster_row(actor: Actor, team: MdtTeam, row_id: uuid.UUID) -> Any:
    return get_or_not_found(policies.visible_roster(actor).filter(team_id=team.pk), row_id)


@tenant_view
@require_POST
def roster_remove_view(request: HttpRequest, team_id: uuid.UUID, row_id: uuid.UUID) -> HttpResponse:
    actor = request.actor
    team = policies.access_team(actor, team_id)
    row = _roster_row(actor, team, row_id)
    _allow(policies.can_manage_rosters(actor))
    services.roster_remove(actor=actor, row=row)
    messages.success(
        request, f"{person(row.membership)} is off the roster and sees nothing of the team's meetings."
    )
    return redirect(tf_url(actor, "mdt-team", team_id=team.pk))


@tenant_view
@require_http_methods(["GET", "POST"])
def agreement_sign_view(request: HttpRequest, team_id: uuid.UUID, row_id: uuid.UUID) -> HttpResponse:
    actor = request.actor
    team = policies.access_team(actor, team_id)
    row = _roster_row(actor, team, row_id)
    own = row.membership_id == actor.membership_id
    _allow(own or policies.can_manage_rosters(actor))
    form = AgreementSignForm(posted(request), own=own)
    if request.method == "POST" and form.is_valid():
        if not row.is_active:
            form.add_error(None, "Put this member back on the roster first.")
        else:
            try:
                services.agreement_sign(actor=actor, row=row, signed_on=form.cleaned_data.get("signed_on"))
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    "Agreement signed. It is valid for one year."
                    if own
                    else "Agreement recorded. It is valid for one year.",
                )
                return redirect(tf_url(actor, "mdt-team", team_id=team.pk))
    return _page(
        request,
        "mdt/agreement_sign.html",
        {
            "team": team,
            "row": row,
            "name": person(row.membership),
            "own": own,
            "form": form,
            "version": AGREEMENT_VERSION,
            "crumbs": [
                ("MDT", tf_url(actor, "mdt-teams")),
                (team.name, tf_url(actor, "mdt-team", team_id=team.pk)),
            ],
        },
        status=form_status(form),
    )


# -------------------------------------------------------------------------------- meetings


@tenant_view
@require_GET
def meeting_list_view(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    if not _cleared(actor):
        raise NotFoundOrForbidden
    meetings = policies.visible_meetings(actor).select_related("team")
    cutoff = timezone.now() - dt.timedelta(hours=12)
    active = (MdtMeeting.Status.PLANNED, MdtMeeting.Status.IN_PROGRESS)
    upcoming = list(meetings.filter(status__in=active, starts_at__gte=cutoff).order_by("starts_at"))
    earlier = meetings.exclude(status__in=active, starts_at__gte=cutoff)
    listing = sorting.meeting_page(request, earlier)
    past = listing.rows
    audit_record(action="meeting.listed", actor=actor, detail={"count": len(upcoming) + len(past)})
    plannable = [
        team
        for team in policies.visible_teams(actor).order_by("name")
        if policies.can_plan_meetings(actor, team)
    ]
    return _page(
        request,
        "mdt/meeting_list.html",
        {
            "upcoming": upcoming,
            "past": past,
            "listing": listing,
            "plannable": plannable,
            "facilitates": _facilitates_any(actor),
            "crumbs": [("MDT", tf_url(actor, "mdt-teams"))],
        },
    )


@tenant_view
@require_http_methods(["GET", "POST"])
def meeting_create_view(request: HttpRequest, team_id: uuid.UUID) -> HttpResponse:
    actor = request.actor
    team = policies.access_team(actor, team_id)
    _allow(policies.can_plan_meetings(actor, team))
    form = MeetingForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(actor=actor, team=team, data=form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Meeting planned. Members can now put case reviews on the agenda.")
            return redirect(tf_url(actor, "mdt-meeting", meeting_id=meeting.pk))
    return _form_page(
        request,
        form,
        title=f"Plan a meeting of {team.name}",
        submit="Plan meeting",
        cancel_url=tf_url(actor, "mdt-team", team_id=team.pk),
        crumbs=[("MDT", tf_url(actor, "mdt-teams")), (team.name, tf_url(actor, "mdt-team", team_id=team.pk))],
    )


def _review_rows(
    actor: Actor, meeting: MdtMeeting, items: list[ActionItem], today: Any
) -> list[dict[str, Any]]:
    rows = []
    reviews = selectors.agenda(actor=actor, meeting=meeting)
    for review in reviews:
        review.meeting = meeting  # already loaded: spares a query per review
    names = selectors.review_client_names(actor=actor, reviews=reviews)
    editable = policies.editable_review_ids(actor, reviews, meeting.team_id)
    updatable = policies.updatable_action_item_ids(actor, items)
    for review in reviews:
        rows.append(
            {
                "review": review,
                "client_name": names[review.pk],
                "can_edit": review.pk in editable,
                "items": _item_rows(actor, [i for i in items if i.review_id == review.pk], today, updatable),
            }
        )
    return rows


RECORD_FORM = "meeting-record"


def _in_record(form: forms.Form) -> forms.Form:
    """Tie a section's fields to the page's one meeting-record form (HTML ``form`` attribute):
    the sections stay where they are on the page, and any of their Save buttons sends them all,
    so saving attendance can never drop the decisions or minutes typed meanwhile."""
    for field in form.fields.values():
        field.widget.attrs["form"] = RECORD_FORM
    return form


def _decisions_prefix(review: Any) -> str:
    return f"d{review.pk.hex[:8]}"


def _render_meeting(
    request: HttpRequest, meeting: MdtMeeting, *, status: int = 200, **forms_: Any
) -> HttpResponse:
    actor = request.actor
    today = today_for(actor)
    can_edit = policies.can_edit_meeting(actor, meeting)
    items = selectors.meeting_items(actor=actor, meeting=meeting)
    reviews = _review_rows(actor, meeting, items, today)
    attendance = meeting_attendance(actor=actor, meeting=meeting)
    current = {a.roster_member_id: a.status for a in attendance if a.roster_member_id}
    guests = [a.guest_agreement for a in attendance if a.guest_agreement_id]
    roster = list(team_roster(actor, meeting.team_id))
    review_objs = [r["review"] for r in reviews]
    context: dict[str, Any] = {
        "meeting": meeting,
        "team": meeting.team,
        "can_edit": can_edit,
        "can_present": policies.can_present(actor, meeting),
        "reviews": reviews,
        "general_items": _item_rows(actor, [i for i in items if i.review_id is None], today),
        "carried": _item_rows(actor, selectors.carried_over(actor=actor, meeting=meeting), today),
        "attendance": [
            {
                "name": person(row.membership),
                "agency": row.membership.agency.name,
                "status": current.get(row.pk, ""),
            }
            for row in roster
        ],
        "guests": guests,
        "status_choices": ActionItem.Status.choices,
        "crumbs": _meeting_crumbs(actor),
        "live": meeting.status == MdtMeeting.Status.IN_PROGRESS,
    }
    if can_edit:
        context.update(
            attendance_form=forms_.get("attendance_form")
            or _in_record(AttendanceForm(rows=roster, current=current)),
            guest_form=forms_.get("guest_form") or GuestForm(),
            minutes_form=forms_.get("minutes_form")
            or _in_record(MinutesForm(initial={"minutes": meeting.minutes})),
            can_start=services.can_start_today(actor, meeting),
            action_form=forms_.get("action_form")
            or ActionItemForm(
                actor=actor, meeting=meeting, reviews=[], initial={"due_on": default_due(today)}
            ),
            action_error_review=forms_.get("action_error_review"),
            decisions_error=forms_.get("decisions_error"),
        )
        for row in reviews:
            review = row["review"]
            if forms_.get("action_error_review") == review.pk:
                row["action_form"] = forms_["review_action_form"]
            else:
                row["action_form"] = ActionItemForm(
                    actor=actor,
                    meeting=meeting,
                    reviews=review_objs,
                    initial={"due_on": default_due(today), "review": str(review.pk)},
                    prefix=f"r{review.pk.hex[:8]}",
                )
            if forms_.get("decisions_review") == review.pk:
                row["decisions_form"] = forms_["decisions_form"]
            elif review.pk in forms_.get("decisions_forms", {}):
                row["decisions_form"] = forms_["decisions_forms"][review.pk]
            elif row["can_edit"]:
                row["decisions_form"] = _in_record(
                    DecisionsForm(
                        initial={"decisions": review.decisions, "recommendations": review.recommendations},
                        prefix=_decisions_prefix(review),
                    )
                )
    audit_record(action="meeting.viewed", actor=actor, target=meeting, detail={"reviews": len(reviews)})
    return _page(request, "mdt/meeting_detail.html", context, status=status)


@tenant_view
@require_GET
def meeting_detail_view(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    meeting = policies.access_meeting(request.actor, meeting_id)
    return _render_meeting(request, meeting)


@tenant_view
@require_http_methods(["GET", "POST"])
def meeting_edit_view(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    actor = request.actor
    meeting = policies.access_meeting(actor, meeting_id)
    _allow(policies.can_edit_meeting(actor, meeting))
    to_meeting = tf_url(actor, "mdt-meeting", meeting_id=meeting.pk)
    if request.method == "POST" and request.POST.get("part") == "minutes":
        minutes_form = MinutesForm(request.POST)
        if minutes_form.is_valid():
            try:
                services.meeting_update(actor=actor, meeting=meeting, data=minutes_form.cleaned_data)
            except ValidationError as exc:
                _apply_errors(minutes_form, exc)
            else:
                messages.success(request, "Minutes saved.")
                return redirect(f"{to_meeting}#minutes")
        return _render_meeting(request, meeting, status=400, minutes_form=minutes_form)
    initial = {
        "starts_at": timezone.localtime(meeting.starts_at),
        "place": meeting.place,
        "video_link": meeting.video_link,
        "status": meeting.status,
        "minutes": meeting.minutes,
    }
    form = MeetingEditForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(actor=actor, meeting=meeting, data=form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Meeting saved.")
            return redirect(to_meeting)
    return _form_page(
        request,
        form,
        title="Edit the meeting",
        submit="Save",
        cancel_url=to_meeting,
        crumbs=_meeting_crumbs(actor, meeting),
    )


STATUS_MESSAGES = {
    MdtMeeting.Status.IN_PROGRESS: "Meeting started.",
    MdtMeeting.Status.HELD: "Meeting finished and marked held.",
    MdtMeeting.Status.CANCELLED: "Meeting cancelled.",
    MdtMeeting.Status.PLANNED: "Meeting back to planned.",
}


@tenant_view
@require_POST
def meeting_status_view(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    actor = request.actor
    meeting = policies.access_meeting(actor, meeting_id)
    _allow(policies.can_edit_meeting(actor, meeting))
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.meeting_update(
                actor=actor, meeting=meeting, data={"status": form.cleaned_data["status"]}
            )
        except ValidationError as exc:
            meeting.refresh_from_db()
            messages.error(request, " ".join(exc.messages))
            return _render_meeting(request, meeting, status=400)
        messages.success(request, STATUS_MESSAGES[form.cleaned_data["status"]])
        return redirect(tf_url(actor, "mdt-meeting", meeting_id=meeting.pk))
    messages.error(request, "Choose a status.")
    return _render_meeting(request, meeting, status=400)


@tenant_view
@require_GET
def meeting_print_view(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    actor = request.actor
    meeting = policies.access_meeting(actor, meeting_id)
    today = today_for(actor)
    items = selectors.meeting_items(actor=actor, meeting=meeting)
    reviews = _review_rows(actor, meeting, items, today)
    attendance = meeting_attendance(actor=actor, meeting=meeting)
    present = [
        person(a.roster_member.membership) + f" ({a.roster_member.membership.agency.name})"
        for a in attendance
        if a.roster_member_id and a.status == "present"
    ]
    absent = [
        person(a.roster_member.membership) for a in attendance if a.roster_member_id and a.status == "absent"
    ]
    guests = [a.guest_agreement for a in attendance if a.guest_agreement_id]
    audit_record(
        action="meeting.viewed", actor=actor, target=meeting, detail={"reviews": len(reviews), "print": True}
    )
    return _page(
        request,
        "mdt/meeting_print.html",
        {
            "meeting": meeting,
            "team": meeting.team,
            "reviews": reviews,
            "general_items": _item_rows(actor, [i for i in items if i.review_id is None], today),
            "carried": _item_rows(actor, selectors.carried_over(actor=actor, meeting=meeting), today),
            "present": present,
            "absent": absent,
            "guests": guests,
            "printed_at": timezone.localtime(),
        },
    )


@tenant_view
@require_POST
def attendance_view(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    actor = request.actor
    meeting = policies.access_meeting(actor, meeting_id)
    _allow(policies.can_edit_meeting(actor, meeting))
    rows = list(team_roster(actor, meeting.team_id))
    form = AttendanceForm(request.POST, rows=rows, current={})
    if form.is_valid():
        try:
            for row, value in form.marked():
                services.attendance_record(actor=actor, meeting=meeting, row=row, status=value)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Attendance saved.")
            return redirect(tf_url(actor, "mdt-meeting", meeting_id=meeting.pk) + "#attendance")
    return _render_meeting(request, meeting, status=400, attendance_form=form)


@tenant_view
@require_POST
def meeting_record_view(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    """The running meeting's one save: attendance, minutes and every decision typed on the page."""
    actor = request.actor
    meeting = policies.access_meeting(actor, meeting_id)
    _allow(policies.can_edit_meeting(actor, meeting))
    rows = list(team_roster(actor, meeting.team_id))
    data = request.POST.copy()
    if data.get("mark_all") == "present":
        for row in rows:
            data[f"row_{row.pk}"] = "present"
    attendance = _in_record(AttendanceForm(data, rows=rows, current={}))
    minutes = _in_record(MinutesForm(data)) if "minutes" in data else None
    agenda = selectors.agenda(actor=actor, meeting=meeting)
    editable = policies.editable_review_ids(actor, agenda, meeting.team_id)
    reviews = [
        review
        for review in agenda
        if review.pk in editable and f"{_decisions_prefix(review)}-decisions" in data
    ]
    decisions = {
        review: _in_record(DecisionsForm(data, prefix=_decisions_prefix(review))) for review in reviews
    }
    parts = [attendance, *([minutes] if minutes else []), *decisions.values()]
    if all(form.is_valid() for form in parts):
        try:
            changed = services.meeting_record_save(
                actor=actor,
                meeting=meeting,
                attendance=attendance.marked(),
                minutes=minutes.cleaned_data["minutes"] if minutes else None,
                decisions={review: form.cleaned_data for review, form in decisions.items()},
            )
        except ValidationError as exc:
            _apply_errors(attendance, exc)
        else:
            messages.success(request, "Meeting record saved." if changed else "Nothing had changed.")
            anchor = request.POST.get("save", "")
            anchor = anchor if anchor in {"attendance", "minutes"} or anchor.startswith("review-") else ""
            return redirect(
                tf_url(actor, "mdt-meeting", meeting_id=meeting.pk) + (f"#{anchor}" if anchor else "")
            )
    # Everything typed comes back as typed, with the errors beside the fields.
    return _render_meeting(
        request,
        meeting,
        status=400,
        attendance_form=attendance,
        **({"minutes_form": minutes} if minutes else {}),
        decisions_forms={review.pk: form for review, form in decisions.items()},
    )


@tenant_view
@require_POST
def guest_add_view(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    actor = request.actor
    meeting = policies.access_meeting(actor, meeting_id)
    _allow(policies.can_edit_meeting(actor, meeting))
    form = GuestForm(request.POST)
    if form.is_valid():
        try:
            services.guest_sign(
                actor=actor,
                meeting=meeting,
                guest_name=form.cleaned_data["guest_name"],
                guest_organization=form.cleaned_data["guest_organization"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                f"{form.cleaned_data['guest_name']} signed for this meeting and is recorded as a guest.",
            )
            return redirect(tf_url(actor, "mdt-meeting", meeting_id=meeting.pk) + "#attendance")
    return _render_meeting(request, meeting, status=400, guest_form=form)


# --------------------------------------------------------------------------------- reviews


@tenant_view
@require_http_methods(["GET", "POST"])
def review_add_view(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    actor = request.actor
    meeting = policies.access_meeting(actor, meeting_id)
    _allow(policies.can_present(actor, meeting))
    form = ReviewForm(posted(request), actor=actor, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            review = services.review_add(
                actor=actor,
                meeting=meeting,
                data={k: data[k] for k in ("summary", "risk_level", "needs_barriers")},
                presenting_agency=data.get("presenting_agency"),
                case=data.get("case"),
                investigation=data.get("investigation"),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request, f"Review {review.mdt_code} is on the agenda. The agenda shows this code, not a name."
            )
            return redirect(tf_url(actor, "mdt-meeting", meeting_id=meeting.pk) + f"#review-{review.pk}")
    return _form_page(
        request,
        form,
        title="Present a case",
        submit="Put on the agenda",
        cancel_url=tf_url(actor, "mdt-meeting", meeting_id=meeting.pk),
        crumbs=_meeting_crumbs(actor, meeting),
        intro=(
            "The agenda shows a pseudonymous MDT code. Write only what your agency may share with the "
            "team; nothing is copied from your case or investigation, and case notes never are."
        ),
    )


@tenant_view
@require_GET
def review_detail_view(request: HttpRequest, review_id: uuid.UUID) -> HttpResponse:
    actor = request.actor
    review = policies.access_review(actor, review_id)
    meeting = policies.access_meeting(actor, review.meeting_id)
    review.meeting = meeting
    today = today_for(actor)
    items = [i for i in selectors.meeting_items(actor=actor, meeting=meeting) if i.review_id == review.pk]
    links = selectors.review_links(actor=actor, review=review)
    audit_record(action="review.viewed", actor=actor, target=review, detail={"meeting": str(meeting.pk)})
    return _page(
        request,
        "mdt/review_detail.html",
        {
            "review": review,
            "meeting": meeting,
            "client_name": selectors.review_client_name(actor=actor, review=review),
            "case_url": tf_url(actor, "case-detail", case_id=review.case_id) if links["case"] else "",
            "investigation_url": tf_url(
                actor, "investigation-detail", investigation_id=review.investigation_id
            )
            if links["investigation"]
            else "",
            "can_edit": policies.can_edit_review(actor, review),
            "items": _item_rows(actor, items, today),
            "status_choices": ActionItem.Status.choices,
            "crumbs": _meeting_crumbs(actor, meeting),
        },
    )


@tenant_view
@require_http_methods(["GET", "POST"])
def review_edit_view(request: HttpRequest, review_id: uuid.UUID) -> HttpResponse:
    actor = request.actor
    review = policies.access_review(actor, review_id)
    meeting = policies.access_meeting(actor, review.meeting_id)
    review.meeting = meeting
    _allow(policies.can_edit_review(actor, review))
    to_meeting = tf_url(actor, "mdt-meeting", meeting_id=meeting.pk)
    if request.method == "POST" and request.POST.get("part") == "decisions":
        prefix = f"d{review.pk.hex[:8]}"
        quick = DecisionsForm(request.POST, prefix=prefix)
        if quick.is_valid():
            try:
                services.review_update(actor=actor, review=review, data=quick.cleaned_data)
            except ValidationError as exc:
                _apply_errors(quick, exc)
            else:
                messages.success(request, f"Decisions for {review.mdt_code} saved.")
                return redirect(f"{to_meeting}#review-{review.pk}")
        return _render_meeting(request, meeting, status=400, decisions_form=quick, decisions_review=review.pk)
    initial = {
        f: getattr(review, f)
        for f in ("summary", "risk_level", "needs_barriers", "decisions", "recommendations", "position")
    }
    form = ReviewEditForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_update(actor=actor, review=review, data=form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"Review {review.mdt_code} saved.")
            return redirect(tf_url(actor, "mdt-review", review_id=review.pk))
    return _form_page(
        request,
        form,
        title=f"Edit review {review.mdt_code}",
        submit="Save review",
        cancel_url=tf_url(actor, "mdt-review", review_id=review.pk),
        crumbs=_meeting_crumbs(actor, meeting),
        intro="Only what your agency may share with the team. No names, no case notes.",
    )


# ---------------------------------------------------------------------------- action items


@tenant_view
@require_http_methods(["GET", "POST"])
def action_add_view(request: HttpRequest, meeting_id: uuid.UUID) -> HttpResponse:
    actor = request.actor
    meeting = policies.access_meeting(actor, meeting_id)
    _allow(policies.can_edit_meeting(actor, meeting))
    reviews = selectors.agenda(actor=actor, meeting=meeting)
    prefix = request.POST.get("prefix") if request.method == "POST" else None
    if not (prefix and prefix.startswith("r") and len(prefix) == 9 and prefix[1:].isalnum()):
        prefix = None
    form = ActionItemForm(
        posted(request),
        actor=actor,
        meeting=meeting,
        reviews=reviews,
        prefix=prefix,
        initial={"due_on": default_due(today_for(actor)), "review": request.GET.get("review", "")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.action_item_add(actor=actor, meeting=meeting, **form.service_kwargs())
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and {"owner_member", "owner_agency"} & set(exc.error_dict):
                form.add_error("owner", exc.messages)
            else:
                _apply_errors(form, exc)
        else:
            messages.success(request, "Action item recorded.")
            review = form.cleaned_data.get("review")
            anchor = f"#review-{review.pk}" if review else "#actions"
            return redirect(tf_url(actor, "mdt-meeting", meeting_id=meeting.pk) + anchor)
    if request.method == "POST" and request.POST.get("live"):
        # Redisplay the live page with the quick form's errors where it was filled in.
        if prefix is None:
            return _render_meeting(request, meeting, status=400, action_form=form)
        key = request.POST.get(f"{prefix}-review", "")
        review = next((r for r in reviews if str(r.pk) == key), None)
        if review is not None:
            return _render_meeting(
                request, meeting, status=400, review_action_form=form, action_error_review=review.pk
            )
    return _form_page(
        request,
        form,
        title="Add an action item",
        submit="Add action item",
        cancel_url=tf_url(actor, "mdt-meeting", meeting_id=meeting.pk),
        crumbs=_meeting_crumbs(actor, meeting),
    )


@tenant_view
@require_POST
def action_status_view(request: HttpRequest, item_id: uuid.UUID) -> HttpResponse:
    actor = request.actor
    item = policies.access_action_item(actor, item_id)
    _allow(policies.can_update_action_item(actor, item))
    form = ActionStatusForm(request.POST)
    fallback = tf_url(actor, "mdt-meeting", meeting_id=item.meeting_id)
    if not form.is_valid():
        messages.error(request, "Choose a status.")
        return _bad_status(request, fallback)
    try:
        services.action_item_update(actor=actor, item=item, data={"status": form.cleaned_data["status"]})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _bad_status(request, fallback)
    messages.success(request, "Action item updated.")
    return redirect(_next_url(request, fallback))


def _bad_status(request: HttpRequest, fallback: str) -> HttpResponse:
    return _page(
        request,
        "mdt/bad_request.html",
        {"back_url": _next_url(request, fallback), "crumbs": [("MDT", tf_url(request.actor, "mdt-teams"))]},
        status=400,
    )


@tenant_view
@require_GET
def my_items_view(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    _require_mdt(actor)
    today = today_for(actor)
    items = policies.my_action_items(actor).select_related(
        "team", "meeting", "owner_member__membership__user", "owner_agency"
    )
    listing = sorting.item_page(request, items.filter(status__in=OPEN_ITEMS), "mine")
    open_items = listing.rows
    closed = list(items.exclude(status__in=OPEN_ITEMS).order_by("-due_on", "-id")[:20])
    audit_record(
        action="action_item.listed",
        actor=actor,
        detail={"count": len(open_items) + len(closed), "list": "mine"},
    )
    return _page(
        request,
        "mdt/my_items.html",
        {
            "open_rows": _item_rows(actor, open_items, today),
            "listing": listing,
            "closed_rows": _item_rows(actor, closed, today),
            "cleared": _cleared(actor),
            "status_choices": ActionItem.Status.choices,
            "crumbs": [("MDT", tf_url(actor, "mdt-teams"))],
        },
    )


@tenant_view
@require_GET
def overdue_view(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    if not _facilitates_any(actor):
        raise NotFoundOrForbidden
    today = today_for(actor)
    items = selectors.overdue_items(actor=actor, today=today)
    if not policies.is_coordinator(actor):
        items = items.filter(
            team_id__in=policies.my_roster_rows(actor).filter(is_facilitator=True).values("team_id")
        )
    listing = sorting.item_page(request, items.select_related("meeting"), "overdue")
    items = listing.rows
    audit_record(action="action_item.listed", actor=actor, detail={"count": len(items), "list": "overdue"})
    return _page(
        request,
        "mdt/overdue.html",
        {
            "rows": _item_rows(actor, items, today),
            "listing": listing,
            "today": today,
            "status_choices": ActionItem.Status.choices,
            "crumbs": [("MDT", tf_url(actor, "mdt-teams"))],
        },
    )
