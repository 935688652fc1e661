"""Parsing of the field-encryption and blind-index keys from their environment strings.

No Django imports: production settings call these at start-up so a missing or malformed key
stops the process before it serves a request (rather than at the first read of a client).
"""

from __future__ import annotations

import base64
import binascii
import re

KEY_BYTES = 32  # AES-256, and HMAC-SHA256 keys of the hash's own size
_KID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")

# Fixed development keys (all-public: they protect nothing). Production settings refuse to
# start without real ones; every other settings module falls back to these.
DEVELOPMENT_FIELD_KEYS = "dev1:" + base64.b64encode(b"taskforce-development-field-key!").decode()
DEVELOPMENT_BLIND_INDEX_KEY = base64.b64encode(b"taskforce-development-blind-idx!").decode()


class KeyConfigurationError(ValueError):
    pass


def _decode_key(text: str, what: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise KeyConfigurationError(f"{what} is not valid base64") from None
    if len(key) != KEY_BYTES:
        raise KeyConfigurationError(f"{what} must decode to {KEY_BYTES} bytes, not {len(key)}")
    return key


def parse_field_keys(value: str) -> tuple[str, dict[str, bytes]]:
    """``kid1:base64key,kid2:base64key`` -> (current key id, {kid: key}). The first is current:
    new values are written with it, the others still decrypt what they wrote."""
    keys: dict[str, bytes] = {}
    current = ""
    for entry in (value or "").split(","):
        entry = entry.strip()
        if not entry:
            continue
        kid, sep, encoded = entry.partition(":")
        if not sep or not _KID.match(kid):
            raise KeyConfigurationError(
                "TASKFORCE_FIELD_KEYS entries look like kid:base64key (kid: letters, digits, - or _)"
            )
        if kid in keys:
            raise KeyConfigurationError(f"TASKFORCE_FIELD_KEYS names key id {kid!r} twice")
        keys[kid] = _decode_key(encoded, f"TASKFORCE_FIELD_KEYS key {kid!r}")
        current = current or kid
    if not keys:
        raise KeyConfigurationError("TASKFORCE_FIELD_KEYS holds no key")
    return current, keys


def parse_blind_index_key(value: str) -> bytes:
    if not (value or "").strip():
        raise KeyConfigurationError("TASKFORCE_BLIND_INDEX_KEY is empty")
    return _decode_key(value, "TASKFORCE_BLIND_INDEX_KEY")


def require_production_keys(field_keys: str, blind_index_key: str) -> None:
    """Refuse malformed keys and the public development keys."""
    from django.core.exceptions import ImproperlyConfigured

    try:
        _current, keys = parse_field_keys(field_keys)
        blind = parse_blind_index_key(blind_index_key)
    except KeyConfigurationError as exc:
        raise ImproperlyConfigured(str(exc)) from None
    development = parse_field_keys(DEVELOPMENT_FIELD_KEYS)[1].values()
    if any(key in development for key in keys.values()) or blind == parse_blind_index_key(
        DEVELOPMENT_BLIND_INDEX_KEY
    ):
        raise ImproperlyConfigured("production settings refuse the public development encryption keys")
