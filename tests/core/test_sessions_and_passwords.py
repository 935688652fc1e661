"""Session lifetimes and the password policy of shared/design/security.md ("Authentication and
sessions"): idle timeout 30 minutes, absolute lifetime 12 hours, 12 to at least 128 characters
with no composition rules, common passwords refused."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.utils import timezone

from taskforce.middleware import SESSION_STARTED_KEY
from tests.world import World

pytestmark = pytest.mark.django_db


def _me(client) -> int:
    return client.get("/api/v1/me/").status_code


def test_idle_session_ends_after_thirty_minutes(world: World) -> None:
    client = world.client("alpha.coordinator")
    assert _me(client) == 200
    session = Session.objects.get(session_key=client.session.session_key)
    left = (session.expire_date - timezone.now()).total_seconds()
    assert 29 * 60 < left <= 30 * 60  # each request moves the idle deadline 30 minutes on
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    assert _me(client) in (401, 403)


def test_session_ends_twelve_hours_after_sign_in_however_active(world: World) -> None:
    client = world.client("alpha.coordinator")
    assert _me(client) == 200
    session = client.session
    session[SESSION_STARTED_KEY] = time.time() - 12 * 60 * 60 - 1
    session.save()
    assert _me(client) in (401, 403)


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("short-pass1", False),  # 11 characters
        ("twelve chars", True),  # 12, no digits, no capitals: no composition rules
        ("correct horse battery staple " * 4 + "x" * 12, True),  # 128
        ("password1234", False),  # on the common-password list
    ],
)
def test_password_policy(password: str, ok: bool) -> None:
    if ok:
        validate_password(password)
    else:
        with pytest.raises(ValidationError):
            validate_password(password)
