"""The tip page's identifiers and "connected tips and investigations", the inbox's count of
connections, and the page that corrects a tip's identifiers. Same doorways as every LE screen:
the tip through ``referrals.policies`` (404 when not visible), connections only for LE roles
(``referrals.connections``), writes through ``referrals.services`` (audited there as
``tip.changed``)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from referrals import connections, policies, services
from referrals.forms_connections import IDENTIFIER_LABELS, TipIdentifiersForm
from referrals.models import Tip
from taskforce.access import Actor
from taskforce.tenancy import tenant_view
from taskforce.web import form_status, posted, tf_url

FINAL = (Tip.Status.CLOSED, Tip.Status.CONVERTED, Tip.Status.MERGED)


def tip_page_context(actor: Actor, tip: Tip) -> dict[str, Any]:
    """What the tip page shows of its identifiers (to all who see the tip) and, to LE roles
    only, its connections (one query)."""
    identifiers = [
        (IDENTIFIER_LABELS[name][0], values)
        for name in connections.TIP_IDENTIFIER_FIELDS
        if (values := getattr(tip, name))
    ]
    return {
        "identifiers": identifiers,
        "can_edit_identifiers": policies.can_work_tips(actor) and tip.status not in FINAL,
        "connections": (
            connections.connections_for_tip(actor, tip) if connections.may_see_connections(actor) else None
        ),
    }


def inbox_counts(actor: Actor, rows: list[dict[str, Any]]) -> None:
    """Put each inbox row's number of connected tips and investigations on it (LE roles only;
    two queries for the page)."""
    counts = connections.connection_counts(actor, [row["tip"].pk for row in rows])
    for row in rows:
        row["connected"] = counts.get(row["tip"].pk, 0)


@tenant_view
@require_http_methods(["GET", "POST"])
def tip_identifiers_view(request: HttpRequest, tip_id: uuid.UUID) -> HttpResponse:
    """Correct the phones, handles, ad URLs, plates, addresses and names a tip names: whoever
    works tips (LE roles and the coordinator), on a tip still open."""
    actor = request.actor
    tip = policies.access_tip(actor, tip_id)
    if not policies.can_work_tips(actor):
        raise PermissionDenied
    form = TipIdentifiersForm(posted(request), initial=TipIdentifiersForm.initial_for(tip))
    tip_url = tf_url(actor, "tip-detail", tip_id=tip.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.tip_update(actor=actor, tip=tip, data=form.cleaned_data)
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, "Identifiers saved. Connections are up to date.")
            return redirect(tip_url + "#h-connections")
    context = {
        "form": form,
        "title": "Identifiers the tip names",
        "submit": "Save identifiers",
        "cancel_url": tip_url,
        "crumbs": [("Tips", tf_url(actor, "tip-list")), ("The tip", tip_url)],
        "intro": "Other tips and investigations naming the same ones show on the tip's page "
        "(to law enforcement).",
    }
    return render(request, "referrals/le/form_page.html", context, status=form_status(form))
