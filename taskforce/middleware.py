"""Request edge: one transaction per request, session lifetime, no-store caching."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, InterfaceError, OperationalError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from taskforce.audit import RequestMeta, audit_denied, current_actor, current_request_meta
from taskforce.rls import restore_scope, swap_scope

SESSION_STARTED_KEY = "taskforce_session_started"


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
        try:
            return self._in_transaction(request)
        except (OperationalError, InterfaceError):
            # Postgres briefly unreachable: a clear 503, and the next request reconnects
            # (CONN_HEALTH_CHECKS) without a restart.
            return render(request, "503.html", status=503)
        finally:
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
        with transaction.atomic():
            previous = swap_scope(task_force_id=None)
            response = self.get_response(request)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            if response.status_code >= 500:
                transaction.set_rollback(True)
            elif any(previous):
                # Only under an outer transaction (the test suite) is there anything to restore;
                # in production the commit ends the settings.
                try:
                    restore_scope(previous)
                except DatabaseError:  # pragma: no cover - the transaction is already broken
                    transaction.set_rollback(True)
        return response


class SessionLifetimeMiddleware:
    """Absolute session lifetime (12 hours) and revocation by ``User.sessions_valid_after``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.get(SESSION_STARTED_KEY)
            now = time.time()
            if started is None:
                request.session[SESSION_STARTED_KEY] = now
            elif (
                now - started > settings.SESSION_ABSOLUTE_SECONDS
                or started < user.sessions_valid_after.timestamp()
            ):
                # Only this stale session ends: logout() would fire the logout handler and end
                # the person's newer sessions and tokens too.
                request.session.flush()
                request.user = AnonymousUser()
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
