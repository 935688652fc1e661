"""MDT reviews in the search box, by their pseudonymous code (A-2026-014): the code is what the
team says aloud; the client's name never reaches the MDT and so is never searched here."""

from __future__ import annotations

from mdt.policies import visible_reviews
from taskforce.access import Actor
from taskforce.search import PER_TYPE, Hit, Query, Searcher, register
from taskforce.web import tf_url


def search_reviews(actor: Actor, query: Query) -> list[Hit]:
    rows = (
        visible_reviews(actor)
        .filter(mdt_code__iexact=query.text)
        .select_related("meeting__team")
        .order_by("-created_at", "-id")[:PER_TYPE]
    )
    return [
        Hit(
            type="mdt_review",
            id=str(review.pk),
            title=f"{review.mdt_code} · {review.meeting.team.name}",
            url=tf_url(actor, "mdt-review", review_id=review.pk),
            detail=f"Risk: {review.get_risk_level_display()}",
        )
        for review in rows
    ]


def register_searchers() -> None:
    register(Searcher("mdt_review", "MDT reviews", search_reviews, order=60))
