"""Tips, investigations, prosecutions and referrals in the search box, each through its own
``visible_*`` policy: a restricted investigation a person may not see is not found, and a
referral's payload (summary, names) is searched only for the two agencies it travels between."""

from __future__ import annotations

import datetime as dt

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db.models import Q
from django.utils import timezone

from referrals import connections, suspect_index
from referrals.models import Prosecution
from referrals.policies import (
    visible_defendants,
    visible_investigations,
    visible_prosecutions,
    visible_referrals,
    visible_suspects,
    visible_tips,
)
from referrals.suspect_index import normalize_handle, normalize_name, normalize_phone, normalize_plate
from taskforce import clock
from taskforce.access import Actor
from taskforce.search import PER_TYPE, Hit, Query, Searcher, register
from taskforce.web import tf_url

# The tip's words, as the GIN index ``tip_tf_search_idx`` stores them ('simple': no stemming,
# so names of places and people are found as typed, in any language).
TIP_SEARCH_VECTOR = SearchVector("narrative", "city", config="simple")


def _day(actor: Actor, moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment, clock.zone(actor.time_zone)):%Y-%m-%d}"


def _words(query: Query) -> SearchQuery:
    return SearchQuery(query.text, config="simple", search_type="websearch")


def search_tips(actor: Actor, query: Query) -> list[Hit]:
    match = Q(search=_words(query)) | Q(city__iexact=query.text)
    # A phone, handle, ad URL, plate, address or name the tip names (its blind index).
    match |= Q(pk__in=connections.tip_ids_matching(actor, query.text))
    if query.uuid is not None:
        match |= Q(pk=query.uuid)
    rows = (
        visible_tips(actor)
        .annotate(search=TIP_SEARCH_VECTOR)
        .filter(match)
        .order_by("-received_at", "-id")[:PER_TYPE]
    )
    return [
        Hit(
            type="tip",
            id=str(tip.pk),
            title=f"Tip received {_day(actor, tip.received_at)}" + (f" · {tip.city}" if tip.city else ""),
            url=tf_url(actor, "tip-detail", tip_id=tip.pk),
            detail=f"{tip.get_status_display()} · {tip.get_urgency_display()} · {tip.narrative[:80]}",
        )
        for tip in rows
    ]


def _suspect_match(actor: Actor, query: Query) -> Q:
    """Suspects by a whole name, a phone, a plate or a handle, through the task force's keyed
    blind index (the identifiers themselves are encrypted)."""
    tf = actor.task_force_id
    match = Q(name_key=suspect_index.digest(tf, "name", normalize_name(query.text)))
    if query.looks_like_phone:
        match |= Q(phone_keys__contains=[suspect_index.digest(tf, "phone", normalize_phone(query.text))])
    plate = normalize_plate(query.text)
    if 2 <= len(plate) <= 12 and " " not in query.text:
        match |= Q(plate_keys__contains=[suspect_index.digest(tf, "plate", plate)])
    match |= Q(handle_keys__contains=[suspect_index.digest(tf, "handle", normalize_handle(query.text))])
    return match


def search_investigations(actor: Actor, query: Query) -> list[Hit]:
    suspects = visible_suspects(actor).filter(_suspect_match(actor, query)).values("investigation_id")
    match = Q(case_number__iexact=query.text) | Q(title__icontains=query.text) | Q(pk__in=suspects)
    if query.uuid is not None:
        match |= Q(pk=query.uuid)
    rows = (
        visible_investigations(actor)
        .filter(match)
        .select_related("lead_agency")
        .order_by("-opened_on", "-id")[:PER_TYPE]
    )
    return [
        Hit(
            type="investigation",
            id=str(inv.pk),
            title=f"{inv.case_number} · {inv.title}",
            url=tf_url(actor, "investigation-detail", investigation_id=inv.pk),
            detail=f"{inv.get_status_display()} · {inv.lead_agency.name}",
        )
        for inv in rows
    ]


def search_prosecutions(actor: Actor, query: Query) -> list[Hit]:
    defendants = visible_defendants(actor).filter(
        suspect__in=visible_suspects(actor).filter(_suspect_match(actor, query))
    )
    match = Q(court_case_number__iexact=query.text) | Q(pk__in=defendants.values("prosecution_id"))
    if query.uuid is not None:
        match |= Q(pk=query.uuid)
    rows: list[Prosecution] = list(
        visible_prosecutions(actor).filter(match).order_by("-filed_on", "-id")[:PER_TYPE]
    )
    return [
        Hit(
            type="prosecution",
            id=str(p.pk),
            title=f"{p.court_case_number} · {p.court}",
            url=tf_url(actor, "prosecution-detail", prosecution_id=p.pk),
            detail=f"{p.get_stage_display()} · filed {p.filed_on:%Y-%m-%d}",
        )
        for p in rows
    ]


def search_referrals(actor: Actor, query: Query) -> list[Hit]:
    # The payload is the two agencies' own business: the coordinator finds the envelope by id only.
    between = Q(from_agency_id=actor.agency_id) | Q(to_agency_id=actor.agency_id)
    # The names a referral carries are encrypted; its summary is searched by its words.
    payload = Q(summary__search=_words(query))
    match = between & payload
    if query.uuid is not None:
        match |= Q(pk=query.uuid)
    rows = (
        visible_referrals(actor)
        .filter(match)
        .select_related("from_agency", "to_agency")
        .order_by("-created_at", "-id")[:PER_TYPE]
    )
    return [
        Hit(
            type="referral",
            id=str(r.pk),
            title=f"{r.get_kind_display()} referral · {r.from_agency.name} → {r.to_agency.name}",
            url=tf_url(actor, "referral-detail", referral_id=r.pk),
            detail=f"{r.get_status_display()} · sent {_day(actor, r.created_at)}",
        )
        for r in rows
    ]


def register_searchers() -> None:
    register(Searcher("tip", "Tips", search_tips, order=20))
    register(Searcher("investigation", "Investigations", search_investigations, order=30))
    register(Searcher("prosecution", "Prosecutions", search_prosecutions, order=40))
    register(Searcher("referral", "Referrals", search_referrals, order=50))
