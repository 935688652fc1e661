from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend


class LockoutModelBackend(ModelBackend):
    """Django's backend, refusing a locked account exactly as it refuses a wrong password.

    ``authenticate`` still checks the password first (same work, same timing), then
    ``user_can_authenticate`` says no, and Django sends ``user_login_failed`` as for any
    failure. ``get_user`` consults it too, so a lock also ends the account's open sessions.
    """

    def user_can_authenticate(self, user: Any) -> bool:
        return super().user_can_authenticate(user) and getattr(user, "locked_at", None) is None
