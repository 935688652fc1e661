"""Home page panels of victim services (domain.md, "what each person needs first").

Case manager: my caseload by status, releases expiring within 14 days, cases with no contact
for 30 days, services recorded this week. Supervisor: the agency's caseload by case manager,
unassigned intakes, and the same attention counts. Every count links to the filtered case
list; every number is computed from ``cases.policies`` / ``cases.selectors``, so a panel
never counts a case its reader could not open.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count
from django.urls import reverse

from cases.models import Case
from cases.policies import ASSIGNED, visible_cases, visible_services
from cases.selectors import CaseFilters, case_list, cases_unassigned, cases_without_contact
from cases.services import today_for
from taskforce import home
from taskforce.access import Actor, Role
from taskforce.policies import visible_memberships

ACTIVE = (Case.Status.INTAKE, Case.Status.OPEN)


def _list_url(actor: Actor, query: str = "") -> str:
    url = reverse("case-list", kwargs={"task_force": actor.task_force_slug})
    return f"{url}?{query}" if query else url


def _is_case_manager(actor: Actor) -> bool:
    return actor.role == Role.VS_CASE_MANAGER


def _is_supervisor(actor: Actor) -> bool:
    return actor.role == Role.VS_SUPERVISOR


def caseload_context(actor: Actor) -> dict[str, Any]:
    counts = dict(visible_cases(actor).values_list("status").annotate(n=Count("pk")).order_by())
    rows = [
        {"label": label, "count": counts.get(value, 0), "url": _list_url(actor, f"status={value}")}
        for value, label in Case.Status.choices
    ]
    return {
        "rows": rows,
        "total": sum(counts.values()),
        "intake_url": reverse("case-intake", kwargs={"task_force": actor.task_force_slug}),
        "list_url": _list_url(actor),
    }


def attention_context(actor: Actor) -> dict[str, Any]:
    today = today_for(actor)
    expiring = case_list(actor=actor, filters=CaseFilters(consent_expiring=True)).count()
    stale = cases_without_contact(visible_cases(actor).filter(status__in=ACTIVE), today).count()
    return {
        "expiring": expiring,
        "expiring_url": _list_url(actor, "expiring=1"),
        "stale": stale,
        "stale_url": _list_url(actor, "stale=1"),
    }


def services_week_context(actor: Actor) -> dict[str, Any]:
    today = today_for(actor)
    week_start = today - dt.timedelta(days=today.weekday())
    services = visible_services(actor).filter(
        delivered_on__gte=week_start, delivered_on__lte=today, voided_at__isnull=True
    )
    mine = services.filter(recorded_by_id=actor.user_id)
    return {
        "count": mine.count(),
        "cases": mine.values("case_id").distinct().count(),
        "week_start": week_start,
        "list_url": _list_url(actor, "status=open"),
    }


def by_case_manager_context(actor: Actor) -> dict[str, Any]:
    managers = list(
        visible_memberships(actor)
        .filter(agency_id=actor.agency_id, role=Role.VS_CASE_MANAGER, is_active=True)
        .order_by("user__full_name", "user__email")
    )
    # Active cases per assigned user, from the agency's visible cases (one query).
    counts = dict(
        visible_cases(actor)
        .filter(status__in=ACTIVE, caseuserobjectpermission__permission__codename=ASSIGNED)
        .values_list("caseuserobjectpermission__user_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows = [
        {
            "name": m.user.full_name or m.user.email,
            "count": counts.get(m.user_id, 0),
            "url": _list_url(actor, f"manager={m.pk}"),
        }
        for m in managers
    ]
    rows.sort(key=lambda row: -row["count"])
    return {
        "rows": rows,
        "members_url": reverse("membership-list", kwargs={"task_force": actor.task_force_slug}),
    }


def unassigned_context(actor: Actor) -> dict[str, Any]:
    unassigned = cases_unassigned(visible_cases(actor).filter(status=Case.Status.INTAKE)).count()
    return {
        "count": unassigned,
        "list_url": _list_url(actor, "status=intake&unassigned=1"),
        "intake_url": reverse("case-intake", kwargs={"task_force": actor.task_force_slug}),
    }


def register_panels() -> None:
    home.register(home.Panel("cases/panels/caseload.html", caseload_context, _is_case_manager, order=10))
    home.register(
        home.Panel("cases/panels/by_manager.html", by_case_manager_context, _is_supervisor, order=10)
    )
    home.register(home.Panel("cases/panels/unassigned.html", unassigned_context, _is_supervisor, order=11))
    home.register(
        home.Panel(
            "cases/panels/attention.html",
            attention_context,
            lambda actor: _is_case_manager(actor) or _is_supervisor(actor),
            order=12,
        )
    )
    home.register(
        home.Panel("cases/panels/services_week.html", services_week_context, _is_case_manager, order=13)
    )
