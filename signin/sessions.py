"""A person's active sign-ins: browser sessions (``UserSession``) and API tokens, listed and ended."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from signin.models import UserSession
from taskforce.models import ApiToken, User
from taskforce.tokens import token_revoke_all


@dataclass(frozen=True)
class ActiveSignIn:
    id: uuid.UUID
    kind: str  # "browser" or "token"
    created_at: datetime
    last_seen_at: datetime | None
    expires_at: datetime
    source_ip: str | None
    user_agent: str
    current: bool


def _browser_sessions(user: User) -> list[UserSession]:
    now = timezone.now()
    return list(
        UserSession.objects.filter(
            user=user,
            ended_at__isnull=True,
            created_at__gte=user.sessions_valid_after,
            created_at__gt=now - timedelta(seconds=settings.SESSION_ABSOLUTE_SECONDS),
            last_seen_at__gt=now - timedelta(seconds=settings.SESSION_COOKIE_AGE),
        ).order_by("-last_seen_at")
    )


def active_sign_ins(
    user: User, *, current_session_id: str | None = None, current_token_id: object = None
) -> list[ActiveSignIn]:
    absolute = timedelta(seconds=settings.SESSION_ABSOLUTE_SECONDS)
    idle = timedelta(seconds=settings.SESSION_COOKIE_AGE)
    rows = [
        ActiveSignIn(
            id=s.id,
            kind="browser",
            created_at=s.created_at,
            last_seen_at=s.last_seen_at,
            expires_at=min(s.created_at + absolute, s.last_seen_at + idle),
            source_ip=s.source_ip,
            user_agent=s.user_agent,
            current=str(s.id) == str(current_session_id),
        )
        for s in _browser_sessions(user)
    ]
    tokens = ApiToken.objects.filter(
        user=user, expires_at__gt=timezone.now(), created_at__gte=user.sessions_valid_after
    ).order_by("-created_at")
    rows += [
        ActiveSignIn(
            id=t.id,
            kind="token",
            created_at=t.created_at,
            last_seen_at=None,
            expires_at=t.expires_at,
            source_ip=None,
            user_agent="",
            current=str(t.id) == str(current_token_id),
        )
        for t in tokens
    ]
    return rows


def end_sign_in(user: User, sign_in_id: uuid.UUID) -> bool:
    """End one of the person's own sessions or tokens; another person's id ends nothing."""
    ended = UserSession.objects.filter(user=user, pk=sign_in_id, ended_at__isnull=True).update(
        ended_at=timezone.now()
    )
    ended += ApiToken.objects.filter(user=user, pk=sign_in_id).delete()[0]
    return bool(ended)


def end_all_sessions(user: User) -> None:
    """Sign out everywhere: every session (they check ``sessions_valid_after``) and every token."""
    now = timezone.now()
    User.objects.filter(pk=user.pk).update(sessions_valid_after=now)
    user.sessions_valid_after = now
    UserSession.objects.filter(Q(user=user) & Q(ended_at__isnull=True)).update(ended_at=now)
    token_revoke_all(user=user)
