"""The public tip form of a task force: no sign-in, anonymous allowed.

- Only when the task force turned it on (``TaskForce.public_tip_form_enabled``); otherwise, and
  for an unknown slug, the same 404 page.
- Throttled per client address and task force: at most ``LIMIT`` accepted submissions per
  ``WINDOW_SECONDS``; over it a plain 429 page and nothing is saved.
- A honeypot field (``website``) that people never see: when filled, the same confirmation is
  shown and nothing is saved.
- The confirmation carries no reference number, nothing that reveals how many tips come in.
- The tip lands as new for the coordinator through ``referrals.services.tip_submit_public``,
  which writes ``tip.public_submitted`` to the audit log (no user, no content).
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from referrals.forms_le import PublicTipForm
from referrals.services import tip_submit_public
from taskforce.middleware import client_ip
from taskforce.models import TaskForce

LIMIT = 5
WINDOW_SECONDS = 10 * 60


def _task_force(slug: str) -> TaskForce:
    # The one ORM lookup here: the tenant itself, before any scope exists (like resolve_actor).
    task_force = TaskForce.objects.filter(slug=slug, public_tip_form_enabled=True).first()
    if task_force is None:
        raise Http404
    return task_force


def _throttle_key(task_force: TaskForce, request: HttpRequest) -> str:
    address = client_ip(request) or "unknown"
    digest = hashlib.sha256(address.encode()).hexdigest()[:32]  # no raw address in the cache
    return f"public-tip:{task_force.pk}:{digest}"


def _over_limit(key: str) -> bool:
    return (cache.get(key) or 0) >= LIMIT


def _count_submission(key: str) -> bool:
    """Count one submission in the window (opened by the first one); False when over the limit."""
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: start a new window
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        count = 1
    return count <= LIMIT


def _too_many(request: HttpRequest, task_force: TaskForce) -> HttpResponse:
    return render(request, "referrals/public/too_many.html", {"task_force": task_force}, status=429)


@require_http_methods(["GET", "POST"])
def public_tip_view(request: HttpRequest, task_force_slug: str) -> HttpResponse:
    task_force = _task_force(task_force_slug)
    form = PublicTipForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        key = _throttle_key(task_force, request)
        if _over_limit(key):
            return _too_many(request, task_force)
        if form.is_valid():
            if not _count_submission(key):
                return _too_many(request, task_force)
            if not form.cleaned_data["website"]:
                try:
                    tip_submit_public(task_force=task_force, data=form.cleaned_data)
                except PermissionDenied:
                    raise Http404 from None
                except ValidationError as exc:
                    form.add_error("narrative" if hasattr(exc, "error_dict") else None, exc.messages)
                    return _form(request, task_force, form)
            # A filled honeypot gets the same answer, and nothing is saved.
            return render(request, "referrals/public/thanks.html", {"task_force": task_force})
    return _form(request, task_force, form)


def _form(request: HttpRequest, task_force: TaskForce, form: PublicTipForm) -> HttpResponse:
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "referrals/public/tip_form.html", {"task_force": task_force, "form": form}, status=status
    )
