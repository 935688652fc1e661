"""Sign-in signals: audit rows in each of the person's task forces, the failure count for the
lockout, and the browser-session record that the sessions page lists."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.urls import reverse

from signin import mfa
from signin.audit import audit_member_event
from signin.lockout import record_failure
from signin.middleware import MFA_OK_KEY, start_user_session
from signin.models import SignInFailure
from taskforce.models import User


@receiver(user_logged_in)
def on_login(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        # A password alone never carries over a second factor given in an earlier sign-in.
        request.session[MFA_OK_KEY] = not mfa.is_required(user)
        start_user_session(request, user)
    audit_member_event(action="auth.login", user_id=user.pk)


def channel_of(request: Any) -> str:
    path = getattr(request, "path", "") or ""
    return SignInFailure.Channel.TOKEN if path == reverse("api:token") else SignInFailure.Channel.HTML


@receiver(user_login_failed)
def on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    # The typed username is never stored; the account id is, when there is one.
    username = str(credentials.get("username") or credentials.get("email") or "").lower()
    user_id = User.objects.filter(email=username).values_list("pk", flat=True).first() if username else None
    audit_member_event(action="auth.login_failed", user_id=user_id, outcome="failure")
    if user_id is not None:
        record_failure(user_id=user_id, channel=channel_of(request))
