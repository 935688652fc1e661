"""Request edge: one transaction per request, session lifetime, no-store caching."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from taskforce.audit import (
    RequestMeta,
    audit_denied,
    begin_request_audit,
    current_actor,
    current_request_meta,
    end_request_audit,
    flush_request_audit,
)
from taskforce.rls import restore_scope, swap_scope
from taskforce.tenancy import request_memberships

SESSION_STARTED_KEY = "taskforce_session_started"
SESSION_TOUCHED_KEY = "taskforce_session_touched"
# The idle timeout (SESSION_COOKIE_AGE) restarts whenever the session is saved; touching it at
# most this often keeps the timeout within a minute of exact for one write a minute.
TOUCH_SECONDS = 60


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: a proxy's X-Forwarded-For is set by the deployment's proxy config
    # (gunicorn --forwarded-allow-ips), never trusted from the client.
    return request.META.get("REMOTE_ADDR") or None


class RequestTransactionMiddleware:
    """Wrap each request (view *and* template rendering) in one transaction.

    Row-level security settings are transaction-local, so this is what makes them hold for
    the whole request and vanish at its end. The scope starts empty (fail closed); the
    tenant edge (``taskforce.tenancy.resolve_actor``) sets it once the membership is known.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request_meta.set(RequestMeta(source_ip=client_ip(request)))
        actor_token = current_actor.set(None)
        memberships_token = request_memberships.set(None)
        try:
            return self._in_transaction(request)
        except (OperationalError, InterfaceError):
            # Postgres briefly unreachable: a clear 503, and the next request reconnects
            # (CONN_HEALTH_CHECKS) without a restart.
            return render(request, "503.html", status=503)
        finally:
            request_memberships.reset(memberships_token)
            current_actor.reset(actor_token)
            current_request_meta.reset(token)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        """An access check refused an action on a visible record (403): written down, inside
        the request's transaction, which commits with the 403. (404s of a record id are
        written where they are raised, in ``get_or_not_found``.)"""
        actor = getattr(request, "actor", None)
        if isinstance(exception, PermissionDenied) and actor is not None:
            audit_denied(actor=actor, method=request.method, path=request.path)

    def _in_transaction(self, request: HttpRequest) -> HttpResponse:
        # Only under an outer transaction (the test suite) can a scope be set already; a
        # request's own transaction starts with none (the settings are transaction-local), so
        # production skips the round trip that would clear and remember it.
        nested = connection.in_atomic_block
        audit_token = begin_request_audit()
        try:
            with transaction.atomic():
                previous = swap_scope(task_force_id=None) if nested else ("", "")
                response = self.get_response(request)
                if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                    response.render()
                if response.status_code >= 500:
                    transaction.set_rollback(True)
                else:
                    # The audit rows go last: the chain head's lock is then held for one round trip.
                    flush_request_audit()
                    if any(previous):
                        try:
                            restore_scope(previous)
                        except DatabaseError:  # pragma: no cover - the transaction is already broken
                            transaction.set_rollback(True)
        finally:
            end_request_audit(audit_token)
        return response


class SessionLifetimeMiddleware:
    """Absolute session lifetime (12 hours), revocation by ``User.sessions_valid_after``, and the
    idle timeout's bookkeeping (the session saved at most once a minute while in use)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.get(SESSION_STARTED_KEY)
            now = time.time()
            if started is None:
                request.session[SESSION_STARTED_KEY] = now
                request.session[SESSION_TOUCHED_KEY] = now
            elif (
                now - started > settings.SESSION_ABSOLUTE_SECONDS
                or started < user.sessions_valid_after.timestamp()
            ):
                # Only this stale session ends: logout() would fire the logout handler and end
                # the person's newer sessions and tokens too.
                request.session.flush()
                request.user = AnonymousUser()
            elif now - request.session.get(SESSION_TOUCHED_KEY, 0) > TOUCH_SECONDS:
                request.session[SESSION_TOUCHED_KEY] = now
        return self.get_response(request)


class NoStoreMiddleware:
    """Nothing this application answers may be kept by a browser or proxy cache."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(settings.STATIC_URL):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response
