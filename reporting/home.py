"""Navigation entries and home panels of the grant reports (domain.md, "what each person needs
first").

- Analyst: the report dashboard, the last export, the status of the month to report.
- Coordinator: the status of the month to report.

Who sees reports at all comes from ``reporting.policies.report_scope``; the panels read locks
and exports through the policies too. Training and outreach are for everyone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from reporting import policies
from taskforce import home, navigation
from taskforce.access import Actor, Role
from taskforce.web import tf_url


def _sees_reports(actor: Actor) -> bool:
    return policies.report_scope(actor) is not None


def _everyone(actor: Actor) -> bool:
    return True


def _month_status(actor: Actor) -> dict[str, Any]:
    from cases.services import today_for

    this_month = today_for(actor).replace(day=1)
    to_report = (this_month - dt.timedelta(days=1)).replace(day=1)
    lock = (
        policies.visible_locks(actor)
        .filter(month=to_report, reopened_at__isnull=True)
        .order_by("-locked_at")
        .first()
    )
    dashboard = tf_url(actor, "report-dashboard")
    return {
        "to_report": to_report,
        "this_month": this_month,
        "lock": lock,
        "dashboard_url": dashboard,
        "to_report_url": f"{dashboard}?month={to_report:%Y-%m}",
        "this_month_url": f"{dashboard}?month={this_month:%Y-%m}",
        "exports_url": tf_url(actor, "export-list"),
    }


def analyst_context(actor: Actor) -> dict[str, Any]:
    context = _month_status(actor)
    last = policies.visible_exports(actor).order_by("-created_at").first()
    context["last_export"] = last
    context["last_export_url"] = tf_url(actor, "export-detail", export_id=last.pk) if last else ""
    return context


def coordinator_context(actor: Actor) -> dict[str, Any]:
    return _month_status(actor)


def register() -> None:
    navigation.register(navigation.NavItem("Reports", "report-dashboard", _sees_reports, order=70))
    navigation.register(navigation.NavItem("Training & outreach", "training-list", _everyone, order=75))
    home.register(
        home.Panel(
            "reporting/panels/analyst.html", analyst_context, lambda a: a.role == Role.ANALYST, order=20
        )
    )
    home.register(
        home.Panel(
            "reporting/panels/month_status.html",
            coordinator_context,
            lambda a: a.role == Role.COORDINATOR,
            order=40,
        )
    )
