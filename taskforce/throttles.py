"""Sign-in throttles: one per client address (floods) and one per address and account
(password guessing), so a whole office behind one address can still sign in together."""

from __future__ import annotations

import hashlib
from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import ScopedRateThrottle


class AuthAccountThrottle(ScopedRateThrottle):
    scope_attr = "throttle_account_scope"

    def get_rate(self) -> str | None:
        # No rate configured for the scope: this throttle stands aside (the address one still holds).
        return self.THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request: Request, view: Any) -> str:
        # DRF's request.data for the token endpoint, the form's POST for the HTML sign-in.
        data = getattr(request, "data", None)
        if data is None:
            data = request.POST
        data = data if hasattr(data, "get") else {}
        username = str(data.get("username", "")).strip().lower()[:254]
        # Hashed: the cache never holds the typed username.
        account = hashlib.sha256(username.encode()).hexdigest()[:32]
        return self.cache_format % {"scope": self.scope, "ident": f"{self.get_ident(request)}:{account}"}
