"""Field-level encryption (AES-256-GCM) and keyed blind indexes.

What identifies a victim or a suspect is stored as ``v1:<kid>:<base64(nonce || ciphertext)>``.
The associated data binds each value to its table, column and row id, so a ciphertext copied
to another column or another row does not decrypt: it raises ``FieldDecryptionError``, never
shows garbage. Keys come from ``TASKFORCE_FIELD_KEYS`` (first one current, the others still
read) and ``TASKFORCE_BLIND_INDEX_KEY``; see docs/encryption.md for rotation.

The model fields decrypt lazily, on attribute access, because only the instance knows its row
id: ``values()``/``values_list()`` return the sealed text (``Sealed``), which is what the key
rotation wants and what nothing else should ask for. An encrypted column cannot be filtered or
ordered on in SQL (a random nonce makes equal values differ): a lookup with a plaintext value
raises ``FieldEncryptionError``; matching goes through the blind indexes instead
(``cases.identity_index``, ``referrals.suspect_index``).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import os
import re
import unicodedata
import uuid
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models
from django.db.models.query_utils import DeferredAttribute

from taskforce.keys import parse_blind_index_key, parse_field_keys

VERSION = "v1"
NONCE_BYTES = 12


class FieldDecryptionError(Exception):
    """A stored value could not be decrypted: unknown key id, wrong key, or a value altered or
    moved from another column or row."""


class FieldEncryptionError(Exception):
    """An encrypted column was used in a way that cannot work (SQL comparison with plaintext,
    a write that bypasses ``save()``)."""


class Sealed(str):
    """Ciphertext as stored. Marks a value that is already encrypted."""

    __slots__ = ()


# --------------------------------------------------------------------------------------- keys


@lru_cache(maxsize=4)
def _keyring(value: str) -> tuple[str, dict[str, bytes]]:
    return parse_field_keys(value)


def keyring() -> tuple[str, dict[str, bytes]]:
    """(current key id, every configured key). Cached per setting value, so a test that
    overrides the setting gets the new keys."""
    return _keyring(settings.TASKFORCE_FIELD_KEYS)


def current_key_id() -> str:
    return keyring()[0]


def key_id_of(token: str) -> str:
    parts = token.split(":", 2)
    return parts[1] if len(parts) == 3 and parts[0] == VERSION else ""


def associated_data(table: str, column: str, row_id: object) -> bytes:
    if row_id is None or row_id == "":
        raise FieldEncryptionError(
            f"{table}.{column}: a value is encrypted for its row; the row has no id yet"
        )
    return f"taskforce:{table}.{column}:{row_id}".encode()


def encrypt(plaintext: str, aad: bytes) -> str:
    kid, keys = keyring()
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(keys[kid]).encrypt(nonce, plaintext.encode(), aad)
    return f"{VERSION}:{kid}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(token: str, aad: bytes) -> str:
    where = aad.decode().removeprefix("taskforce:")
    version, _, rest = token.partition(":")
    kid, _, payload = rest.partition(":")
    if version != VERSION or not kid or not payload:
        raise FieldDecryptionError(f"{where}: the stored value is not an encrypted value (plaintext?)")
    keys = keyring()[1]
    if kid not in keys:
        raise FieldDecryptionError(
            f"{where}: encrypted with key id {kid!r}, which TASKFORCE_FIELD_KEYS does not hold"
        )
    try:
        raw = base64.b64decode(payload, validate=True)
        plain = AESGCM(keys[kid]).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], aad)
    except (binascii.Error, ValueError, InvalidTag):
        raise FieldDecryptionError(
            f"{where}: cannot decrypt with key {kid!r} (wrong key, or the value was altered or "
            "moved from another column or row)"
        ) from None
    return plain.decode()


def reencrypt(token: str, aad: bytes) -> str:
    """The same plaintext under the current key (for rotation)."""
    return encrypt(decrypt(token, aad), aad)


# ------------------------------------------------------------------------------ blind indexes


@lru_cache(maxsize=4)
def _blind_root(value: str) -> bytes:
    return parse_blind_index_key(value)


@lru_cache(maxsize=1024)
def _derived_key(root: bytes, purpose: str, scope_id: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=f"taskforce-blind-index:{purpose}:{scope_id}".encode(),
    ).derive(root)


def blind_index_key(purpose: str, scope_id: uuid.UUID | str) -> bytes:
    """A key of its own per purpose and per scope (an agency, a task force): the same value
    hashes differently in two agencies, so no index can match a person across them."""
    return _derived_key(_blind_root(settings.TASKFORCE_BLIND_INDEX_KEY), purpose, str(scope_id))


def blind_index(key: bytes, normalised: str) -> str:
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()


def normalise_text(value: str) -> str:
    """Casefold, strip accents and punctuation, collapse spaces: 'José  O'Neil' == 'jose oneil'."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    no_marks = "".join(c for c in decomposed if not unicodedata.combining(c))
    cleaned = "".join(c if c.isalnum() or c.isspace() else "" for c in no_marks)
    return " ".join(cleaned.split())


def normalise_phone(value: str) -> str:
    """Digits only, the last ten (a leading +1 or 1 does not make another number)."""
    digits = re.sub(r"\D", "", value)
    return digits[-10:] if len(digits) >= 10 else digits


# ------------------------------------------------------------------------------- model fields


class _SealedAttribute(DeferredAttribute):
    """Decrypts on first access, when the instance (and so the row id) is known. A data
    descriptor (it has ``__set__``), so it sees every read even though the value lives in the
    instance's ``__dict__``."""

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.field.attname] = value

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, Sealed):
            value = self.field.open(value, instance.pk)
            instance.__dict__[self.field.attname] = value
        return value


class EncryptedMixin:
    """Stores the field's value encrypted in a text column. Empty values stay empty (an empty
    string, or NULL): whether a client has a phone is not worth a ciphertext per row."""

    descriptor_class = _SealedAttribute
    empty_value: Any = ""

    def db_type(self, connection: Any) -> str:
        return "text"

    def rel_db_type(self, connection: Any) -> str:
        return "text"

    # What the plaintext looks like as text, and back.
    def encode(self, value: Any) -> str:
        return str(value)

    def decode(self, text: str) -> Any:
        return text

    def _aad(self, row_id: object) -> bytes:
        return associated_data(self.model._meta.db_table, self.column, row_id)

    def open(self, token: Sealed, row_id: object) -> Any:
        return self.decode(decrypt(token, self._aad(row_id)))

    def seal(self, value: Any, row_id: object) -> Sealed | str | None:
        if value is None or isinstance(value, Sealed):
            return value
        text = self.encode(value)
        if text == "":
            return ""
        return Sealed(encrypt(text, self._aad(row_id)))

    def pre_save(self, model_instance: Any, add: bool) -> Any:
        return self.seal(getattr(model_instance, self.attname), model_instance.pk)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        if value == "":
            return self.decode("")
        return Sealed(value)

    def get_prep_value(self, value: Any) -> Any:
        if value is None or isinstance(value, Sealed):
            return value
        if self.encode(value) == "":
            return ""
        raise FieldEncryptionError(
            f"{self.model._meta.label}.{self.name} is encrypted: it cannot be compared in SQL or "
            "written except through save(); match through its blind index"
        )

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        value = self.get_prep_value(value) if not prepared else value
        return None if value is None else str(value)

    # Pattern and range lookups would run on ciphertext and silently find nothing: refuse them.
    # exact/in still work for the empty value and for NULL (and refuse plaintext, above).
    _ALLOWED_LOOKUPS = frozenset({"exact", "in", "isnull"})

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name not in self._ALLOWED_LOOKUPS:
            raise FieldEncryptionError(
                f"{self.model._meta.label}.{self.name} is encrypted: no {lookup_name!r} lookup; "
                "match through its blind index"
            )
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name: str) -> Any:
        return None


class EncryptedCharField(EncryptedMixin, models.CharField):
    """A CharField (with its max_length validation) whose column holds ciphertext."""


class EncryptedEmailField(EncryptedMixin, models.EmailField):
    pass


class EncryptedTextField(EncryptedMixin, models.TextField):
    pass


class EncryptedDateField(EncryptedMixin, models.DateField):
    empty_value = None

    def encode(self, value: Any) -> str:
        return value.isoformat() if isinstance(value, dt.date) else str(self.to_python(value))

    def decode(self, text: str) -> Any:
        return dt.date.fromisoformat(text) if text else None

    def pre_save(self, model_instance: Any, add: bool) -> Any:
        # DateField.pre_save would handle auto_now; these fields have none.
        return EncryptedMixin.pre_save(self, model_instance, add)


class EncryptedListField(EncryptedMixin, models.JSONField):
    """A list of short strings (phones, plates, handles), encrypted as one JSON value."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def encode(self, value: Any) -> str:
        items = list(value or [])
        return json.dumps(items, ensure_ascii=False) if items else ""

    def decode(self, text: str) -> Any:
        return json.loads(text) if text else []

    def get_db_prep_save(self, value: Any, connection: Any) -> Any:
        return self.get_db_prep_value(value, connection)

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        return EncryptedMixin.get_db_prep_value(self, value, connection, prepared)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return EncryptedMixin.from_db_value(self, value, expression, connection)

    def get_internal_type(self) -> str:
        return "TextField"


def encrypted_fields(model: type[models.Model]) -> list[EncryptedMixin]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedMixin)]


def encrypted_models() -> list[type[models.Model]]:
    from django.apps import apps

    return [m for m in apps.get_models() if encrypted_fields(m)]
