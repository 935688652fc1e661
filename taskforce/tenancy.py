"""The tenant edge: URL task force + authenticated user -> Actor, or the same 404 for every reason."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from taskforce import clock
from taskforce.access import Actor, NotFoundOrForbidden
from taskforce.audit import audit_record, current_actor
from taskforce.models import Membership, TaskForce, User
from taskforce.rls import set_scope


def resolve_actor(*, user: Any, task_force_slug: str) -> Actor:
    """The acting identity for ``user`` inside the task force named in the URL.

    An unknown slug, a task force the user has no active membership in, and an inactive
    user all raise the same ``NotFoundOrForbidden``, after the same queries. On success the
    transaction's row-level security scope is set to that task force.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        raise NotFoundOrForbidden
    task_force_id = TaskForce.objects.filter(slug=task_force_slug).values_list("id", flat=True).first()
    # A random id for an unknown slug: the membership query below runs either way and finds nothing.
    set_scope(task_force_id=task_force_id or uuid.uuid4(), user_id=user.pk)
    membership = (
        Membership.objects.select_related("agency", "task_force")
        .filter(task_force_id=task_force_id, user_id=user.pk, is_active=True)
        .first()
    )
    if membership is None:
        _audit_denied(user=user, task_force_id=task_force_id, slug=task_force_slug)
        raise NotFoundOrForbidden
    actor = Actor.from_membership(membership)
    current_actor.set(actor)
    return actor


def _audit_denied(*, user: Any, task_force_id: uuid.UUID | None, slug: str) -> None:
    """A signed-in person knocked on a task force they are not an active member of: the
    attempt lands in that task force's own audit chain (its admins see it), or in the
    platform chain when the slug names no task force."""
    set_scope(task_force_id=task_force_id, user_id=user.pk)
    audit_record(
        action="tenant.access_denied",
        user_id=user.pk,
        task_force_id=task_force_id,
        outcome="denied",
        detail={} if task_force_id else {"slug": slug[:60]},
    )
    set_scope(task_force_id=None)


def user_memberships(user: User, *, actor: Actor | None = None) -> QuerySet[Membership]:
    """The user's active memberships in every task force (task force switcher, /me).

    Row-level security lets a user read their own membership rows whatever the task force;
    inside a tenant request the scope already names the user, so it is left as it is.
    """
    if actor is None:
        set_scope(task_force_id=None, user_id=user.pk)
    return (
        Membership.objects.filter(user_id=user.pk, is_active=True)
        .select_related("task_force", "agency")
        .order_by("task_force__name")
    )


def tenant_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """HTML views under ``/tf/<slug:task_force>/``: sign-in required, then ``request.actor``."""

    @wraps(view)
    def wrapper(request: HttpRequest, task_force: str, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        actor = resolve_actor(user=request.user, task_force_slug=task_force)
        request.actor = actor  # type: ignore[attr-defined]
        # Forms parse and pages show dates and times in the task force's own time zone.
        with timezone.override(clock.zone(actor.time_zone)):
            return view(request, *args, **kwargs)

    wrapper.tenant_view = True  # type: ignore[attr-defined]  # read by the route-coverage test
    return wrapper
