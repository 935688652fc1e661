from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from taskforce import navigation
from taskforce.tenancy import switcher_memberships


def shell(request: HttpRequest) -> dict[str, Any]:
    """Navigation and task force switcher for the base layout."""
    actor = getattr(request, "actor", None)
    if actor is None:
        return {}
    nav = [
        {
            "label": item.label,
            "url": reverse(item.url_name, kwargs={"task_force": actor.task_force_slug}),
        }
        for item in navigation.items_for(actor)
    ]
    current = request.path
    for entry in nav:
        entry["active"] = current == entry["url"] or (
            entry["url"] != nav[0]["url"] and current.startswith(entry["url"])
        )
    return {
        "actor": actor,
        "nav_items": nav,
        "my_memberships": switcher_memberships(request.user, actor=actor),
    }
