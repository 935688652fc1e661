"""Sign-in events to the audit log. Django sends these signals; we only record them."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from taskforce.audit import audit_record
from taskforce.middleware import SESSION_STARTED_KEY
from taskforce.models import User
from taskforce.tokens import token_revoke_all


@receiver(user_logged_in)
def on_login(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_STARTED_KEY] = timezone.now().timestamp()
    audit_record(action="auth.login", user_id=user.pk)


@receiver(user_logged_out)
def on_logout(sender: Any, request: Any, user: User | None, **kwargs: Any) -> None:
    if user is None:
        return
    # Logout ends every session and token of the user, not only this browser's.
    User.objects.filter(pk=user.pk).update(sessions_valid_after=timezone.now())
    token_revoke_all(user=user)
    audit_record(action="auth.logout", user_id=user.pk)


@receiver(user_login_failed)
def on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    # The typed username is never stored; the account id is, when there is one (lockout counts per account).
    username = str(credentials.get("username") or credentials.get("email") or "").lower()
    user_id = User.objects.filter(email=username).values_list("pk", flat=True).first() if username else None
    audit_record(action="auth.login_failed", user_id=user_id, outcome="failure")
