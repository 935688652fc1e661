"""Sign-in events to the audit log. Django sends these signals; we only record them."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.utils import timezone

from taskforce.middleware import SESSION_STARTED_KEY, SESSION_TOUCHED_KEY
from taskforce.models import User
from taskforce.tokens import token_revoke_all


@receiver(user_logged_in)
def on_login(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = timezone.now().timestamp()
        request.session[SESSION_STARTED_KEY] = now
        request.session[SESSION_TOUCHED_KEY] = now
    # The audit row of a sign-in and its failures: signin.receivers (one per task force).


@receiver(user_logged_out)
def on_logout(sender: Any, request: Any, user: User | None, **kwargs: Any) -> None:
    if user is None:
        return
    # Logout ends every session and token of the user, not only this browser's.
    User.objects.filter(pk=user.pk).update(sessions_valid_after=timezone.now())
    token_revoke_all(user=user)
    from signin.audit import audit_member_event  # the sign-in app's per-task-force audit

    audit_member_event(action="auth.logout", user_id=user.pk)
