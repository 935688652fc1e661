"""Per request: is this browser session still one its owner has not ended, and has the second
factor been given where one is needed. Runs after authentication, before the views."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone

from signin import mfa
from signin.backends import browser_session_id
from signin.models import UserSession
from taskforce.middleware import client_ip

SESSION_ID_KEY = "signin_session_id"
MFA_OK_KEY = "signin_mfa_ok"
# last_seen_at is written at most this often: one UPDATE a minute per session, not per request.
TOUCH_EVERY = timedelta(seconds=60)


def start_user_session(request: HttpRequest, user: object) -> UserSession:
    row = UserSession.objects.create(
        user=user,
        source_ip=client_ip(request),
        user_agent=str(request.META.get("HTTP_USER_AGENT", ""))[:200],
    )
    request.session[SESSION_ID_KEY] = str(row.id)
    return row


def _mfa_exempt(path: str) -> bool:
    if path.startswith(settings.STATIC_URL):
        return True
    api_me = reverse("api:me")
    return (
        path in (reverse("login"), reverse("logout"), reverse("healthz"), api_me)
        or path.startswith(reverse("signin-mfa"))
        # A security key as the second factor (registration stays behind the gate).
        or path.startswith(reverse("otp_webauthn:credential-authentication-begin").rsplit("/", 2)[0] + "/")
        or path == reverse("otp_webauthn:js-i18n-catalog")
        or path.startswith(api_me + "mfa/")
    )


class BrowserSessionMiddleware:
    """Tell the auth backend which session record to read with the user (one query for both).

    Sits between Django's SessionMiddleware and AuthenticationMiddleware; the user is loaded
    lazily later in the request, while this is set.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session_id = request.session.get(SESSION_ID_KEY) if hasattr(request, "session") else None
        token = browser_session_id.set(session_id)
        try:
            return self.get_response(request)
        finally:
            browser_session_id.reset(token)


class SignInMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if not self._session_alive(request, user):
                request.session.flush()
                request.user = AnonymousUser()
            elif not self._mfa_done(request, user) and not _mfa_exempt(request.path):
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"detail": "Multi-factor sign-in is required.", "mfa_required": True}, status=403
                    )
                query = urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(f"{reverse('signin-mfa')}?{query}")
        return self.get_response(request)

    def _session_alive(self, request: HttpRequest, user: object) -> bool:
        session_id = request.session.get(SESSION_ID_KEY)
        if session_id is None:
            # A session from before this record existed: give it one, so it can be listed and ended.
            start_user_session(request, user)
            return True
        if getattr(user, "signin_session_checked", None) == session_id:
            # Read with the user by signin.backends (same query).
            row = {"ended_at": user.signin_session_ended, "last_seen_at": user.signin_session_seen}
            if row["last_seen_at"] is None:
                return False
        else:
            row = (
                UserSession.objects.filter(pk=session_id, user=user)
                .values("ended_at", "last_seen_at")
                .first()
            )
        if row is None or row["ended_at"] is not None:
            return False
        now = timezone.now()
        if now - row["last_seen_at"] > TOUCH_EVERY:
            UserSession.objects.filter(pk=session_id).update(last_seen_at=now)
        return True

    def _mfa_done(self, request: HttpRequest, user: object) -> bool:
        done = request.session.get(MFA_OK_KEY)
        if done is None:
            # Decided at sign-in (signin.receivers); sessions older than that decide here once.
            done = request.session[MFA_OK_KEY] = not mfa.is_required(user)
        return bool(done)
