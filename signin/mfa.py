"""Second factor through django-otp: a TOTP device (RFC 6238, SHA-1, 6 digits, 30 s) and a
recovery-code device (ten single-use codes, stored hashed). No OTP arithmetic lives here."""

from __future__ import annotations

import re
import uuid
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from signin.audit import audit_member_event
from signin.models import RecoveryCodeDevice
from signin.sessions import end_all_sessions
from taskforce.models import User


def is_enrolled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_required(user: User) -> bool:
    """A second factor is asked of everyone when the deployment requires MFA, and of anyone
    who set one up whatever the setting."""
    return bool(settings.TASKFORCE_REQUIRE_MFA) or is_enrolled(user)


def status(user: User) -> dict[str, bool]:
    enrolled = is_enrolled(user)
    return {"required": bool(settings.TASKFORCE_REQUIRE_MFA) or enrolled, "enrolled": enrolled}


def start_totp(user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator-app device; any earlier unfinished one is dropped."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def pending_totp(user: User, device_id: int | None = None) -> TOTPDevice | None:
    devices = TOTPDevice.objects.filter(user=user, confirmed=False)
    if device_id is not None:
        devices = devices.filter(pk=device_id)
    return devices.order_by("-pk").first()


def secret_of(device: TOTPDevice) -> str:
    return b32encode(device.bin_key).decode()


def qr_svg(uri: str) -> str:
    """The otpauth URI as an inline SVG (drawn here: no external image service sees the secret)."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    svg = image.to_string(encoding="unicode")
    return re.sub(r"^<\?xml[^>]*>\s*", "", svg)


@transaction.atomic
def confirm_totp(user: User, device: TOTPDevice, otp: str) -> list[str] | None:
    """Confirm the device with a code from the app; returns the ten recovery codes (shown once)."""
    if device.user_id != user.pk or device.confirmed or not device.verify_token(str(otp).strip()):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    recovery, _ = RecoveryCodeDevice.objects.get_or_create(
        user=user, defaults={"name": "Recovery codes", "confirmed": True}
    )
    codes = recovery.generate_codes()
    audit_member_event(action="mfa.enrolled", user_id=user.pk, detail={"device": "totp"})
    return codes


def verify_second_factor(user: User, otp: str) -> TOTPDevice | RecoveryCodeDevice | None:
    """The device that accepts ``otp`` (an app code, or a recovery code, which is then spent)."""
    otp = str(otp or "").strip()
    if not otp:
        return None
    with transaction.atomic():
        for device in TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True):
            if device.verify_token(otp):
                return device
        for device in RecoveryCodeDevice.objects.select_for_update().filter(user=user, confirmed=True):
            if device.verify_token(otp):
                audit_member_event(
                    action="mfa.recovery_code_used",
                    user_id=user.pk,
                    detail={"remaining": device.codes.count()},
                )
                return device
    return None


@transaction.atomic
def reset_mfa(*, user: User, by_user_id: uuid.UUID | str) -> None:
    """An admin clears a member's second factor (lost phone): every device goes, every session
    and token ends, and the member enrols again at the next sign-in."""
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCodeDevice.objects.filter(user=user).delete()
    WebAuthnCredential.objects.filter(user=user).delete()
    end_all_sessions(user)
    audit_member_event(action="mfa.reset", user_id=user.pk, actor_user_id=by_user_id)
