"""Keyed blind indexes of suspect identifiers, one key per task force.

Suspects' names, phones, plates and handles are encrypted in ``Suspect``; deconfliction compares
HMAC-SHA256 digests of their normalised forms under a key derived (HKDF) from
``TASKFORCE_BLIND_INDEX_KEY`` and the task force's id. Investigations of one task force match
each other; nothing matches across task forces, and the index means nothing without the key.
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING

from taskforce.crypto import blind_index, blind_index_key, normalise_phone, normalise_text

if TYPE_CHECKING:
    from referrals.models import Suspect

PURPOSE = "suspect-identifier"


def normalize_phone(value: str) -> str:
    return normalise_phone(value)


def normalize_plate(value: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", value.upper())


def normalize_handle(value: str) -> str:
    return value.strip().lstrip("@").lower()


def normalize_name(value: str) -> str:
    return normalise_text(value)


def digest(task_force_id: uuid.UUID | str, kind: str, normalised: str) -> str:
    return blind_index(blind_index_key(PURPOSE, task_force_id), f"{kind}:{normalised}")


def index(suspect: Suspect) -> None:
    """Set the suspect's blind-index columns from its (normalised) plaintext identifiers."""
    tf = suspect.task_force_id
    suspect.name_key = digest(tf, "name", normalize_name(suspect.full_name))
    suspect.phone_keys = sorted({digest(tf, "phone", p) for p in suspect.phones})
    suspect.plate_keys = sorted({digest(tf, "plate", p) for p in suspect.plates})
    suspect.handle_keys = sorted({digest(tf, "handle", h) for h in suspect.handles})


INDEX_FIELDS = ("name_key", "phone_keys", "plate_keys", "handle_keys")
