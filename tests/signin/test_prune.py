from __future__ import annotations

import datetime as dt

from django.utils import timezone

from signin.models import SignInFailure, UserSession
from signin.tasks import prune_sign_in_records
from taskforce.models import User
from tests.world import World


def test_prune_keeps_what_the_lockout_and_the_sessions_list_need(world: World) -> None:
    now = timezone.now()
    free, locked = world.users["alpha.analyst"], world.users["alpha.coordinator"]
    User.objects.filter(pk=locked.pk).update(locked_at=now)
    old = now - dt.timedelta(days=3)
    SignInFailure.objects.create(user=free, channel="html", occurred_at=old)
    recent = SignInFailure.objects.create(user=free, channel="html", occurred_at=now)
    evidence = SignInFailure.objects.create(user=locked, channel="token", occurred_at=old)
    stale = UserSession.objects.create(user=free, created_at=now - dt.timedelta(days=40), last_seen_at=old)
    live = UserSession.objects.create(user=free)

    assert prune_sign_in_records() == 2
    assert set(SignInFailure.objects.values_list("pk", flat=True)) == {recent.pk, evidence.pk}
    assert not UserSession.objects.filter(pk=stale.pk).exists()
    assert UserSession.objects.filter(pk=live.pk).exists()
    assert prune_sign_in_records() == 0
