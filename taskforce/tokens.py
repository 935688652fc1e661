"""API tokens: random, shown once, stored as SHA-256, expiring, revoked with the user's sessions."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from rest_framework import authentication, exceptions

from taskforce.models import ApiToken, User


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_issue(*, user: User, mfa_pending: bool = False) -> str:
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        mfa_pending=mfa_pending,
        key_hash=_digest(key),
        expires_at=timezone.now() + timedelta(seconds=settings.API_TOKEN_LIFETIME_SECONDS),
    )
    return key


def token_revoke_all(*, user: User) -> None:
    ApiToken.objects.filter(user=user).delete()


class ApiTokenAuthentication(authentication.TokenAuthentication):
    keyword = "Token"

    def authenticate(self, request: Any) -> tuple[User, Any] | None:
        result = super().authenticate(request)
        if result is not None and result[1].mfa_pending:
            # A token for a password alone (MFA required, not set up yet) reaches only
            # me/ and the enrolment endpoints under me/mfa/.
            me = reverse("api:me")
            if request.path != me and not request.path.startswith(me + "mfa/"):
                raise exceptions.PermissionDenied("Set up multi-factor sign-in first.")
        return result

    def authenticate_credentials(self, key: str) -> tuple[User, Any]:
        token = (
            ApiToken.objects.select_related("user")
            .filter(
                key_hash=_digest(key),
                expires_at__gt=timezone.now(),
                user__is_active=True,
                created_at__gte=F("user__sessions_valid_after"),
            )
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or expired token.")
        return token.user, token
