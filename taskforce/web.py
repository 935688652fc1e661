"""Small helpers every app's HTML views share."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, QueryDict
from django.urls import reverse

from taskforce.access import Actor


def form_status(*forms: Any) -> int:
    """A redisplayed form with errors is a 400: clients and tests can tell it from a fresh page."""
    return 400 if any(f is not None and getattr(f, "is_bound", False) and f.errors for f in forms) else 200


def posted(request: HttpRequest) -> QueryDict | None:
    """Form data only on POST: an empty POST is a bound (invalid) form, a GET an unbound one."""
    return request.POST if request.method == "POST" else None


def tf_url(actor: Actor, name: str, **kwargs: Any) -> str:
    """A URL inside the actor's task force."""
    return reverse(name, kwargs={"task_force": actor.task_force_slug, **kwargs})
