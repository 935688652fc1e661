"""Account lockout (CJIS 5.5.3): 5 failed sign-ins of one account within 15 minutes lock it
until a task force admin unlocks it.

Counted in PostgreSQL (``SignInFailure`` rows, ``User.locked_at``), so every web process and
both doors (the HTML form and ``POST /api/v1/auth/token/``) share one count, and a flushed
Redis forgets nothing. A wrong second factor after the right password counts as a failure too.

Why not django-axes (8.3.1, read in its ``conf.py``, ``helpers.py`` and database handler):
- one setting, ``AXES_COOLOFF_TIME``, is both the window in which failures count and how long
  a lock lasts. ``None`` gives "locked until reset" but then failures never expire, so five
  typos spread over a year lock an account; a 15-minute cool-off gives the window but the lock
  lifts by itself after 15 minutes. ``AXES_USE_ATTEMPT_EXPIRATION`` derives each attempt's
  expiry from the same cool-off (it raises ``TypeError`` when the cool-off is ``None``). The
  CJIS rule needs a 15-minute window *and* a lock that only an administrator lifts.
- its ``AccessAttempt``/``AccessLog`` tables keep the typed username, user agent and GET/POST
  data in plain text, outside our hash-chained audit log and outside row-level security: they
  give a task force admin no view scoped to their own members.
- a locked-out request gets axes' own lockout response (or a callable we would write anyway),
  while we must answer a locked account's right password exactly like a wrong one.
What is left is ~100 lines here: a failure table, a lock column, and the audit rows.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from signin.audit import audit_member_event
from signin.models import SignInFailure
from signin.sessions import end_all_sessions
from taskforce.audit import current_request_meta
from taskforce.models import User

log = logging.getLogger(__name__)

LOCK_MAIL_SUBJECT = "Your task force platform account is locked"
LOCK_MAIL_BODY = (
    "Your account was locked after repeated failed sign-in attempts.\n\n"
    "Ask your task force administrator to unlock it. If these attempts were not yours, tell them.\n"
)


def record_failure(*, user_id: uuid.UUID | str, channel: str) -> bool:
    """Count one failed sign-in of a known account; lock it at the limit. True when this
    failure locked it."""
    meta = current_request_meta.get()
    with transaction.atomic():
        # The row lock serialises concurrent failures of one account across processes.
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if user is None:
            return False
        now = timezone.now()
        SignInFailure.objects.create(
            user=user, channel=channel, occurred_at=now, source_ip=meta.source_ip if meta else None
        )
        if user.locked_at is not None:
            return False
        since = now - timedelta(seconds=settings.SIGNIN_LOCKOUT_WINDOW_SECONDS)
        recent = SignInFailure.objects.filter(user=user, occurred_at__gt=since).count()
        if recent < settings.SIGNIN_LOCKOUT_FAILURES:
            return False
        User.objects.filter(pk=user.pk).update(locked_at=now)
        # Someone may be guessing because they hold a stolen session or token: end them all.
        end_all_sessions(user)
        audit_member_event(
            action="auth.locked", user_id=user.pk, outcome="failure", detail={"failures": recent}
        )
    _mail_holder(user)
    return True


def _mail_holder(user: User) -> None:
    # No detail in the mail (no address, no time, no count): it may be read by someone else.
    try:
        send_mail(LOCK_MAIL_SUBJECT, LOCK_MAIL_BODY, None, [user.email])
    except OSError:
        log.exception("lockout mail to user %s failed", user.pk)


def unlock(*, user: User, by_user_id: uuid.UUID | str) -> bool:
    """Clear the lock and forget the failures that led to it. Audited in each task force of
    the person's memberships. False when the account was not locked."""
    with transaction.atomic():
        updated = User.objects.filter(pk=user.pk, locked_at__isnull=False).update(locked_at=None)
        if updated:
            # Only a real lock clears the count: "unlocking" an open account between guesses
            # must not reset the failures that would lock it.
            SignInFailure.objects.filter(user_id=user.pk).delete()
            audit_member_event(action="auth.unlocked", user_id=user.pk, actor_user_id=by_user_id)
    user.locked_at = None
    return bool(updated)
