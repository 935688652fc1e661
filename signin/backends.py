from __future__ import annotations

import contextvars
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import OuterRef, Subquery

# The browser session's own record id (signin.middleware.BrowserSessionMiddleware sets it
# before the user is loaded): the user and the state of that session come in one query.
browser_session_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "browser_session_id", default=None
)


class LockoutModelBackend(ModelBackend):
    """Django's backend, refusing a locked account exactly as it refuses a wrong password.

    ``authenticate`` still checks the password first (same work, same timing), then
    ``user_can_authenticate`` says no, and Django sends ``user_login_failed`` as for any
    failure. ``get_user`` consults it too, so a lock also ends the account's open sessions.
    """

    def user_can_authenticate(self, user: Any) -> bool:
        return super().user_can_authenticate(user) and getattr(user, "locked_at", None) is None

    def get_user(self, user_id: Any) -> Any:
        session_id = browser_session_id.get()
        if session_id is None:
            return super().get_user(user_id)
        from signin.models import UserSession

        session = UserSession.objects.filter(pk=session_id, user_id=OuterRef("pk"))
        try:
            user = (
                get_user_model()
                ._default_manager.annotate(
                    signin_session_seen=Subquery(session.values("last_seen_at")),
                    signin_session_ended=Subquery(session.values("ended_at")),
                )
                .get(pk=user_id)
            )
        except (get_user_model().DoesNotExist, ValueError):
            return None
        user.signin_session_checked = session_id
        return user if self.user_can_authenticate(user) else None
