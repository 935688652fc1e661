"""Cases in the search box: by a whole first name, last name, preferred name or alias, a phone
number as typed, or the case's id, inside the person's own agency only (VAWA: a survivor's
name never finds another agency's client, not even for a coordinator)."""

from __future__ import annotations

import re

from django.db.models import F, Func, Q, Value

from cases.policies import visible_cases
from taskforce.access import Actor
from taskforce.search import PER_TYPE, Hit, Query, Searcher, register
from taskforce.web import tf_url


def search_cases(actor: Actor, query: Query) -> list[Hit]:
    if not actor.is_vs or actor.agency_id is None:
        return []
    text = query.text
    alias = rf"(^|,)\s*{re.escape(text)}\s*(,|$)"
    match = (
        Q(client__identity__first_name__iexact=text)
        | Q(client__identity__last_name__iexact=text)
        | Q(client__identity__preferred_name__iexact=text)
        | Q(client__identity__aliases__iregex=alias)
    )
    if len(query.words) == 2:
        first, last = query.words
        match |= Q(client__identity__first_name__iexact=first, client__identity__last_name__iexact=last)
    if query.uuid is not None:
        match |= Q(pk=query.uuid)
    cases = visible_cases(actor).filter(agency_id=actor.agency_id)
    if query.looks_like_phone:
        cases = cases.annotate(
            phone_digits=Func(
                F("client__identity__phone"), Value(r"\D"), Value(""), Value("g"), function="regexp_replace"
            )
        )
        match |= Q(phone_digits__endswith=query.digits[-10:])
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
