"""Navigation entries and home panels of the law-enforcement side (domain.md, "what each person
needs first").

- Investigator, detective, LE supervisor: tips assigned to me, my investigations (team),
  deconfliction matches raised for me.
- Prosecutor (and LE supervisor): prosecutions by stage, upcoming court dates.
- Coordinator: new and untriaged tips.

Every number is computed from ``referrals.policies``, so a panel never counts a record its
reader could not open; every count links to the list behind it. Panels that list records write
the same ``*.listed`` audit row as the list pages.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from referrals import policies, selectors
from referrals.models import Investigation, Prosecution, Tip
from taskforce import home, navigation
from taskforce.access import Actor, Role
from taskforce.audit import audit_record
from taskforce.pagination import keyset_order
from taskforce.permissions import granted_ids

SHOWN = 5
OVERDUE_READ = 200


def _url(actor: Actor, name: str, query: str = "") -> str:
    url = reverse(name, kwargs={"task_force": actor.task_force_slug})
    return f"{url}?{query}" if query else url


def _detail(actor: Actor, name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"task_force": actor.task_force_slug, **kwargs})


def _le_or_coordinator(actor: Actor) -> bool:
    return policies.is_le(actor) or policies.is_coordinator(actor)


def _works_cases(actor: Actor) -> bool:
    return actor.role in (Role.LE_INVESTIGATOR, Role.LE_SUPERVISOR, Role.PROSECUTOR)


def _prosecutes(actor: Actor) -> bool:
    return actor.role in (Role.PROSECUTOR, Role.LE_SUPERVISOR)


def _tip_rows(actor: Actor, tips: list[Tip]) -> list[dict[str, Any]]:
    from cases.services import zone_for

    zone = zone_for(actor) if tips else None
    return [
        {
            "tip": tip,
            "url": _detail(actor, "tip-detail", tip_id=tip.pk),
            # The home page is rendered in UTC: show the time as the task force reads it.
            "received": timezone.localtime(tip.received_at, zone).strftime("%Y-%m-%d %H:%M"),
        }
        for tip in tips
    ]


def assigned_tips_context(actor: Actor) -> dict[str, Any]:
    mine = policies.visible_tips(actor).filter(
        assigned_to_id=actor.user_id, status__in=selectors.OPEN_TIP_STATUSES
    )
    tips = list(mine.order_by("-received_at", "-id")[:SHOWN])
    if tips:
        audit_record(action="tip.listed", actor=actor, detail={"count": len(tips), "where": "home"})
    return {
        "count": mine.count(),
        "rows": _tip_rows(actor, tips),
        "list_url": _url(actor, "tip-list", "mine=1"),
        "inbox_url": _url(actor, "tip-list"),
    }


def my_investigations_context(actor: Actor) -> dict[str, Any]:
    mine = policies.visible_investigations(actor).filter(
        pk__in=granted_ids(actor, policies.TEAM, Investigation),
        status__in=(Investigation.Status.OPEN, Investigation.Status.SUSPENDED),
    )
    rows = list(mine.select_related("lead_agency").order_by("-opened_on", "-id")[:SHOWN])
    if rows:
        audit_record(action="investigation.listed", actor=actor, detail={"count": len(rows), "where": "home"})
    return {
        "count": mine.count(),
        "rows": [
            {"investigation": i, "url": _detail(actor, "investigation-detail", investigation_id=i.pk)}
            for i in rows
        ],
        "list_url": _url(actor, "investigation-list", "mine=1"),
        "create_url": _url(actor, "investigation-create"),
    }


def deconfliction_context(actor: Actor) -> dict[str, Any]:
    alerts = list(
        policies.visible_deconfliction_alerts(actor)
        .select_related("matched_agency", "investigation")
        .order_by("-created_at")[:SHOWN]
    )
    return {
        "rows": [
            {
                "alert": alert,
                "agency": alert.matched_agency.name,
                "case_number": alert.investigation.case_number,
                "url": _detail(actor, "investigation-detail", investigation_id=alert.investigation_id),
            }
            for alert in alerts
        ],
    }


def prosecutions_context(actor: Actor) -> dict[str, Any]:
    visible = policies.visible_prosecutions(actor)
    counts = dict(visible.values_list("stage").annotate(n=Count("pk")).order_by())
    rows = [
        {
            "label": label,
            "count": counts.get(value, 0),
            "url": _url(actor, "prosecution-list", f"stage={value}"),
        }
        for value, label in Prosecution.Stage.choices
        if value != Prosecution.Stage.CLOSED
    ]
    return {
        "rows": rows,
        "total": sum(row["count"] for row in rows),
        "list_url": _url(actor, "prosecution-list"),
    }


def court_dates_context(actor: Actor) -> dict[str, Any]:
    from cases.services import today_for

    today = today_for(actor)
    upcoming = list(
        policies.visible_prosecutions(actor)
        .filter(next_court_date__gte=today)
        .exclude(stage=Prosecution.Stage.CLOSED)
        .order_by("next_court_date", "id")[:SHOWN]
    )
    if upcoming:
        audit_record(
            action="prosecution.listed", actor=actor, detail={"count": len(upcoming), "where": "home"}
        )
    return {
        "rows": [
            {"prosecution": p, "url": _detail(actor, "prosecution-detail", prosecution_id=p.pk)}
            for p in upcoming
        ],
        "today": today,
        "list_url": _url(actor, "prosecution-list"),
    }


def untriaged_tips_context(actor: Actor) -> dict[str, Any]:
    tips = policies.visible_tips(actor)
    counts = dict(
        tips.filter(status__in=(Tip.Status.NEW, Tip.Status.TRIAGED))
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    newest = list(tips.filter(status=Tip.Status.NEW).order_by("-received_at", "-id")[:SHOWN])
    triage = selectors.TriageClock.for_task_force_id(actor.task_force_id)
    # Past the triage target, most urgent and longest waiting first. The calendar bound keeps
    # the read small; the exact business-day rule is applied to each candidate.
    candidates = keyset_order(triage.overdue_candidates(tips), selectors.INBOX_ORDER)[:OVERDUE_READ]
    overdue = [tip for tip in candidates if triage.overdue(tip)]
    shown = overdue[:SHOWN]
    if newest or shown:
        audit_record(
            action="tip.listed", actor=actor, detail={"count": len(newest) + len(shown), "where": "home"}
        )
    return {
        "overdue_count": len(overdue),
        "overdue_more": len(candidates) == OVERDUE_READ,
        "overdue_rows": [
            {**row, "age": selectors.age_text(row["tip"].received_at, triage.now)}
            for row in _tip_rows(actor, shown)
        ],
        "inbox_url": _url(actor, "tip-list"),
        "new": counts.get(Tip.Status.NEW, 0),
        "triaged": counts.get(Tip.Status.TRIAGED, 0),
        "new_url": _url(actor, "tip-list", "status=new"),
        "triaged_url": _url(actor, "tip-list", "status=triaged"),
        "rows": _tip_rows(actor, newest),
        "create_url": _url(actor, "tip-create"),
    }


def register() -> None:
    """Register navigation entries and home panels."""
    navigation.register(navigation.NavItem("Tips", "tip-list", _le_or_coordinator, order=20))
    navigation.register(
        navigation.NavItem("Investigations", "investigation-list", _le_or_coordinator, order=21)
    )
    navigation.register(navigation.NavItem("Prosecutions", "prosecution-list", _le_or_coordinator, order=22))

    home.register(
        home.Panel(
            "referrals/le/panels/untriaged_tips.html",
            untriaged_tips_context,
            policies.is_coordinator,
            order=5,
        )
    )
    home.register(
        home.Panel("referrals/le/panels/assigned_tips.html", assigned_tips_context, _works_cases, order=5)
    )
    home.register(
        home.Panel(
            "referrals/le/panels/my_investigations.html", my_investigations_context, _works_cases, order=6
        )
    )
    home.register(
        home.Panel("referrals/le/panels/deconfliction.html", deconfliction_context, _works_cases, order=7)
    )
    home.register(
        home.Panel("referrals/le/panels/prosecutions.html", prosecutions_context, _prosecutes, order=8)
    )
    home.register(
        home.Panel("referrals/le/panels/court_dates.html", court_dates_context, _prosecutes, order=9)
    )
