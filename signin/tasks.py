"""Housekeeping of sign-in records (neither table is task-force-owned, so no scope is needed)."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from signin.models import SignInFailure, UserSession

# The audit log keeps the history (365 days); these tables only serve the lockout window and
# the sessions list, so they keep what those need and a margin.
FAILURE_KEEP = timedelta(days=1)
SESSION_KEEP = timedelta(days=30)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def prune_sign_in_records() -> int:
    """Daily, idempotent: drop failures older than the lockout window needs (a locked account
    keeps its failures until it is unlocked) and sessions long ended or expired."""
    now = timezone.now()
    failures, _ = (
        SignInFailure.objects.filter(occurred_at__lt=now - max(FAILURE_KEEP, _window()))
        .filter(user__locked_at__isnull=True)
        .delete()
    )
    cutoff = now - SESSION_KEEP
    sessions, _ = UserSession.objects.filter(
        Q(ended_at__lt=cutoff) | Q(last_seen_at__lt=cutoff) | Q(created_at__lt=cutoff)
    ).delete()
    return failures + sessions


def _window() -> timedelta:
    return timedelta(seconds=settings.SIGNIN_LOCKOUT_WINDOW_SECONDS)
