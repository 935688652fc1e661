"""Cases in the search box: by whole name words, an alias or a phone number as typed (through
the agency's blind index), or the case's id, inside the person's own agency only (VAWA: a survivor's
name never finds another agency's client, not even for a coordinator)."""

from __future__ import annotations

from django.db.models import Q

from cases.identity_index import client_ids_matching
from cases.policies import visible_cases
from taskforce.access import Actor
from taskforce.search import PER_TYPE, Hit, Query, Searcher, register
from taskforce.web import tf_url


def search_cases(actor: Actor, query: Query) -> list[Hit]:
    if not actor.is_vs or actor.agency_id is None:
        return []
    # Names, aliases and phones are encrypted: they are matched through the agency's own keyed
    # blind index (whole words, a phone however typed), never across agencies.
    matching = client_ids_matching(actor.agency_id, query.text, task_force_id=actor.task_force_id)
    match = Q(client_id__in=matching)
    if query.uuid is not None:
        match |= Q(pk=query.uuid)
    cases = visible_cases(actor).filter(agency_id=actor.agency_id)
    rows = cases.filter(match).select_related("client__identity").order_by("-opened_on", "-id")[:PER_TYPE]
    return [
        Hit(
            type="case",
            id=str(case.pk),
            title=case.client.identity.display_name,
            url=tf_url(actor, "case-detail", case_id=case.pk),
            detail=f"{case.get_status_display()} · opened {case.opened_on:%Y-%m-%d}",
        )
        for case in rows
    ]


def register_searchers() -> None:
    register(Searcher("case", "Cases", search_cases, order=10))
