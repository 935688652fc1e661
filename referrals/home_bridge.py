"""Navigation entries and home panels of the bridge (domain.md, "what each person needs first").

- Coordinator: referrals waiting on either side (envelope counts only).
- VS case manager and supervisor: referrals received by the agency and waiting.
- LE roles: referrals received and waiting; investigators: referrals I sent and their status,
  certification requests due; prosecutors and LE supervisors: certification requests to decide.

Every number comes from ``referrals.policies``, so a panel never counts what its reader could
not open. Panels show counts only (no names, no payload); each count links to the list behind it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Min
from django.urls import reverse

from cases.services import today_for
from referrals import policies
from referrals.models import CertificationRequest, Referral
from taskforce import home, navigation
from taskforce.access import VS_ROLES, Actor, Role, Side

DUE_SOON_DAYS = 7
OPEN_CERTIFICATION = (CertificationRequest.Status.REQUESTED, CertificationRequest.Status.UNDER_REVIEW)


def _url(actor: Actor, name: str, query: str = "") -> str:
    url = reverse(name, kwargs={"task_force": actor.task_force_slug})
    return f"{url}?{query}" if query else url


def _days_since(actor: Actor, moment: dt.datetime | None) -> int | None:
    return None if moment is None else max((today_for(actor) - moment.date()).days, 0)


def _is_vs(actor: Actor) -> bool:
    return actor.role in VS_ROLES


def _works_referrals(actor: Actor) -> bool:
    return policies.is_le(actor) or _is_vs(actor) or policies.is_coordinator(actor)


def _works_certifications(actor: Actor) -> bool:
    return policies.is_le(actor) or _is_vs(actor)


# ----------------------------------------------------------------------------------- panels


def coordinator_context(actor: Actor) -> dict[str, Any]:
    waiting = policies.visible_referrals(actor).filter(status=Referral.Status.SENT)
    by_side = {
        row["to_agency__side"]: row
        for row in waiting.values("to_agency__side")
        .annotate(n=Count("pk"), oldest=Min("created_at"))
        .order_by()
    }

    def side(code: str) -> dict[str, Any]:
        row = by_side.get(code) or {}
        return {"count": row.get("n", 0), "oldest": _days_since(actor, row.get("oldest"))}

    return {
        "on_vs": side(Side.VICTIM_SERVICES),
        "on_le": side(Side.LAW_ENFORCEMENT),
        "list_url": _url(actor, "referral-inbox", "status=sent"),
        "new_url": _url(actor, "referral-new"),
    }


def received_context(actor: Actor) -> dict[str, Any]:
    waiting = policies.visible_referrals(actor).filter(
        to_agency_id=actor.agency_id, status=Referral.Status.SENT
    )
    summary = waiting.aggregate(n=Count("pk"), oldest=Min("created_at"))
    return {
        "count": summary["n"],
        "oldest": _days_since(actor, summary["oldest"]),
        "list_url": _url(actor, "referral-inbox", "status=sent"),
    }


def sent_context(actor: Actor) -> dict[str, Any]:
    mine = policies.visible_referrals(actor).filter(from_agency_id=actor.agency_id, sent_by_id=actor.user_id)
    counts = dict(mine.values_list("status").annotate(n=Count("pk")).order_by())
    rows = [
        {
            "label": label,
            "count": counts.get(value, 0),
            "url": _url(actor, "referral-outbox", f"mine=on&status={value}"),
        }
        for value, label in Referral.Status.choices
        if counts.get(value)
    ]
    return {
        "rows": rows,
        "total": sum(counts.values()),
        "list_url": _url(actor, "referral-outbox", "mine=on"),
        "new_url": _url(actor, "referral-new"),
    }


def certifications_due_context(actor: Actor) -> dict[str, Any]:
    today = today_for(actor)
    open_ = policies.visible_certifications(actor).filter(status__in=OPEN_CERTIFICATION)
    due = open_.filter(due_on__isnull=False, due_on__lte=today + dt.timedelta(days=DUE_SOON_DAYS))
    return {
        "open": open_.count(),
        "due": due.filter(due_on__gte=today).count(),
        "overdue": due.filter(due_on__lt=today).count(),
        # Only what waits on the actor's own agency: a request it started waits on another.
        "to_decide": open_.filter(certifying_agency_id=actor.agency_id).count()
        if policies.is_le(actor) and actor.role != Role.LE_INVESTIGATOR
        else None,
        "list_url": _url(actor, "certification-list", "show=open"),
        "days": DUE_SOON_DAYS,
    }


# ----------------------------------------------------------------------------------- register


def register() -> None:
    """Register navigation entries and home panels."""
    navigation.register(navigation.NavItem("Referrals", "referral-inbox", _works_referrals, order=50))
    navigation.register(
        navigation.NavItem("Certifications", "certification-list", _works_certifications, order=55)
    )
    home.register(
        home.Panel(
            "referrals/bridge/panels/coordinator.html", coordinator_context, policies.is_coordinator, order=30
        )
    )
    home.register(
        home.Panel(
            "referrals/bridge/panels/received.html",
            received_context,
            lambda actor: _is_vs(actor) or policies.is_le(actor),
            order=30,
        )
    )
    home.register(
        home.Panel(
            "referrals/bridge/panels/sent.html",
            sent_context,
            lambda actor: actor.role == Role.LE_INVESTIGATOR,
            order=31,
        )
    )
    home.register(
        home.Panel(
            "referrals/bridge/panels/certifications.html",
            certifications_due_context,
            policies.is_le,
            order=32,
        )
    )
