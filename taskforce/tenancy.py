"""The tenant edge: URL task force + authenticated user -> Actor, or the same 404 for every reason."""

from __future__ import annotations

import contextvars
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
from taskforce.rls import enter_task_force, set_scope

# The memberships read by ``resolve_actor`` for this request (the switcher reuses them); the
# request middleware empties it at each request's start.
request_memberships: contextvars.ContextVar[tuple[Any, list[Membership]] | None] = contextvars.ContextVar(
    "request_memberships", default=None
)


def resolve_actor(*, user: Any, task_force_slug: str) -> Actor:
    """The acting identity for ``user`` inside the task force named in the URL.

    An unknown slug, a task force the user has no active membership in, and an inactive
    user all raise the same ``NotFoundOrForbidden``, after the same queries. On success the
    transaction's row-level security scope is set to that task force.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        raise NotFoundOrForbidden
    # A random id for an unknown slug: the membership query below runs either way and finds nothing.
    task_force_id = enter_task_force(slug=task_force_slug, user_id=user.pk)
    # Every active membership of the user in one query (their own rows are readable in any task
    # force): the one of this task force makes the actor, all of them fill the switcher.
    memberships = list(
        Membership.objects.select_related("agency", "task_force")
        .filter(user_id=user.pk, is_active=True)
        .order_by("task_force__name")
    )
    membership = next((m for m in memberships if m.task_force_id == task_force_id), None)
    if membership is None:
        _audit_denied(user=user, task_force_id=task_force_id, slug=task_force_slug)
        raise NotFoundOrForbidden
    actor = Actor.from_membership(membership)
    current_actor.set(actor)
    request_memberships.set((user.pk, memberships))
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


def switcher_memberships(user: User, *, actor: Actor) -> list[Membership]:
    """The user's active memberships for the task force switcher: those the tenant edge read
    with the actor when it can, else a query."""
    cached = request_memberships.get()
    if cached is not None and cached[0] == user.pk:
        return cached[1]
    return list(user_memberships(user, actor=actor))


def loaded_task_force(task_force_id: Any, fields: tuple[str, ...] = ()) -> TaskForce:
    """The task force row the tenant edge read with the membership in this request (all its
    settings), else a query for ``fields`` of it."""
    cached = request_memberships.get()
    if cached is not None:
        for membership in cached[1]:
            if membership.task_force_id == task_force_id:
                return membership.task_force
    queryset = TaskForce.objects.only(*fields) if fields else TaskForce.objects.all()
    return queryset.get(pk=task_force_id)


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
