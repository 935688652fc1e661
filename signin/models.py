"""Sign-in state that belongs to a person, not to a task force: failures counted for the
lockout, recovery codes (hashed), and the browser sessions a person can list and end.

None of these tables is task-force-owned: a person signs in before any task force is chosen.
What a task force admin sees of them goes through the audit log, one row per task force.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_otp.models import Device, ThrottlingMixin


class SignInFailure(models.Model):
    """One failed sign-in of a known account (HTML form, token endpoint or second factor)."""

    class Channel(models.TextChoices):
        HTML = "html"
        TOKEN = "token"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    occurred_at = models.DateTimeField(default=timezone.now)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    source_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "occurred_at"], name="signinfailure_user_time_idx")]

    def __str__(self) -> str:
        return f"failure of {self.user_id} at {self.occurred_at:%Y-%m-%d %H:%M:%S}"


def _code_digest(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def normalise_code(code: str) -> str:
    return "".join(ch for ch in str(code).lower() if ch.isalnum())


# 16 characters of base32: 80 bits, so a SHA-256 of a code cannot be reversed by guessing.
_CODE_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"


class RecoveryCodeDevice(ThrottlingMixin, Device):
    """django-otp's static device keeps its codes in plain text; this one keeps SHA-256 digests
    only, so a database dump yields no usable code. Each code works once."""

    CODE_COUNT = 10

    def get_throttle_factor(self) -> int:
        return 1

    def generate_codes(self) -> list[str]:
        """Replace every code; the plain codes are returned once and never stored."""
        self.codes.all().delete()
        codes = []
        for _ in range(self.CODE_COUNT):
            raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(16))
            codes.append("-".join(raw[i : i + 4] for i in range(0, 16, 4)))
        RecoveryCode.objects.bulk_create(RecoveryCode(device=self, code_hash=_code_digest(c)) for c in codes)
        return codes

    def verify_token(self, token: str) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed or len(normalise_code(token)) != 16:
            return False
        used = self.codes.filter(code_hash=_code_digest(token)).delete()[0]
        if used:
            self.throttle_reset()
            return True
        self.throttle_increment()
        return False


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64, db_index=True)

    def __str__(self) -> str:
        return f"recovery code of device {self.device_id}"


class UserSession(models.Model):
    """A browser session, so its owner can list it and end it. The session itself stays in
    Django's session store; its id is kept in the session (see signin.middleware)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "ended_at"], name="usersession_user_ended_idx")]

    def __str__(self) -> str:
        return f"session of {self.user_id} since {self.created_at:%Y-%m-%d %H:%M}"
