"""Keyed blind indexes of client identity, one key per agency (VAWA: no cross-agency match).

Names, aliases and phones are encrypted in ``ClientIdentity``; to find a client by them (intake's
duplicate check, the caseload search) each identity keeps ``ClientIndexTerm`` rows: HMAC-SHA256
digests of normalised values under a key derived (HKDF) from ``TASKFORCE_BLIND_INDEX_KEY`` and
the owning agency's id. The same name in two agencies gives two unrelated digests, so neither
this table nor a copy of it can link a person across agencies.

Matching is on whole values: a whole name word, a whole alias, a phone number however typed.
Substring search is gone with the plaintext, by design.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable

from django.db.models import QuerySet

from cases.models import ClientIdentity, ClientIndexTerm
from taskforce.crypto import blind_index, blind_index_key, normalise_phone, normalise_text

PURPOSE = "client-identity"
MIN_PHONE_DIGITS = 7
_PHONE_CHARACTERS = set("0123456789+-(). ")
_PUNCTUATION = re.compile(r"[^\w\s]")


def _key(agency_id: uuid.UUID | str) -> bytes:
    return blind_index_key(PURPOSE, agency_id)


def _digest(agency_id: uuid.UUID | str, kind: str, normalised: str) -> str:
    # The kind is part of the hashed text: a name term never equals a duplicate-check key.
    return blind_index(_key(agency_id), f"{kind!s}:{normalised}")


def _looks_like_phone(text: str) -> bool:
    return set(text) <= _PHONE_CHARACTERS and len(normalise_phone(text)) >= MIN_PHONE_DIGITS


def _terms(first_name: str, last_name: str, preferred_name: str, aliases: str, phone: str) -> set[str]:
    """Normalised search terms: every name word, each whole name and alias, the phone digits."""
    terms: set[str] = set()
    names = [first_name, last_name, preferred_name, f"{first_name} {last_name}"]
    names += aliases.split(",")
    for name in names:
        whole = normalise_text(name)
        if whole:
            terms.add(whole)
            terms.update(whole.split())
            # "Holloway-Pike" is found as "holloway-pike", "Holloway" and "Pike".
            terms.update(normalise_text(_PUNCTUATION.sub(" ", name)).split())
    digits = normalise_phone(phone)
    if len(digits) >= MIN_PHONE_DIGITS:
        terms.add(digits)
    return terms


def _duplicate_keys(first_name: str, last_name: str, date_of_birth: dt.date | None) -> dict[str, str]:
    name = f"{normalise_text(first_name)}|{normalise_text(last_name)}"
    keys = {ClientIndexTerm.Kind.NAME: name}
    if date_of_birth is not None:
        keys[ClientIndexTerm.Kind.NAME_DOB] = f"{name}|{date_of_birth.isoformat()}"
    return keys


def index_digests(
    agency_id: uuid.UUID | str,
    *,
    first_name: str,
    last_name: str,
    preferred_name: str = "",
    aliases: str = "",
    phone: str = "",
    date_of_birth: dt.date | None = None,
) -> set[tuple[str, str]]:
    """(kind, digest) pairs of one identity under its agency's key (also used by migrations)."""
    digests = {
        (ClientIndexTerm.Kind.TERM.value, _digest(agency_id, "term", t))
        for t in _terms(first_name, last_name, preferred_name, aliases, phone)
    }
    if first_name.strip() and last_name.strip():
        dup = _duplicate_keys(first_name, last_name, date_of_birth)
        digests.update((str(kind), _digest(agency_id, kind, text)) for kind, text in dup.items())
    return digests


def _rows(identity: ClientIdentity, agency_id: uuid.UUID) -> list[ClientIndexTerm]:
    digests = index_digests(
        agency_id,
        first_name=identity.first_name,
        last_name=identity.last_name,
        preferred_name=identity.preferred_name,
        aliases=identity.aliases,
        phone=identity.phone,
        date_of_birth=identity.date_of_birth,
    )
    return [
        ClientIndexTerm(
            task_force_id=identity.task_force_id,
            client_id=identity.client_id,
            agency_id=agency_id,
            kind=kind,
            digest=digest,
        )
        for kind, digest in sorted(digests)
    ]


def reindex(identities: Iterable[ClientIdentity]) -> int:
    """Replace the index rows of these identities (call after every identity write).
    The identities need ``client`` loaded or fetchable (its agency is the key's scope)."""
    identities = list(identities)
    if not identities:
        return 0
    ClientIndexTerm.objects.filter(
        task_force_id__in={i.task_force_id for i in identities},
        client_id__in=[i.client_id for i in identities],
    ).delete()
    rows = [row for identity in identities for row in _rows(identity, identity.client.agency_id)]
    ClientIndexTerm.objects.bulk_create(rows)
    return len(rows)


def duplicate_client_ids(
    *,
    task_force_id: uuid.UUID,
    agency_id: uuid.UUID,
    first_name: str,
    last_name: str,
    date_of_birth: dt.date | None,
) -> QuerySet[ClientIndexTerm]:
    """Client ids of the agency with this first and last name (and birth date when given)."""
    kind = ClientIndexTerm.Kind.NAME_DOB if date_of_birth is not None else ClientIndexTerm.Kind.NAME
    text = _duplicate_keys(first_name, last_name, date_of_birth)[kind]
    return (
        ClientIndexTerm.objects.filter(
            task_force_id=task_force_id, agency_id=agency_id, kind=kind, digest=_digest(agency_id, kind, text)
        )
        .values("client_id")
        .distinct()
    )


def query_digests(agency_id: uuid.UUID | str, text: str) -> list[str]:
    """One digest per term a client must match: a phone as typed is one term, otherwise each
    word (at most four) must match a name word, a whole name or an alias."""
    text = text.strip()
    if _looks_like_phone(text):
        return [_digest(agency_id, "term", normalise_phone(text))]
    words = normalise_text(text).split()[:4]
    return [_digest(agency_id, "term", word) for word in words]


def client_ids_matching(
    agency: uuid.UUID | str | object, text: str, *, task_force_id: uuid.UUID | None = None
):
    """Client ids of ``agency`` whose name, alias or phone matches ``text`` (a subquery).

    ``agency`` is an Agency or its id. Only that agency's index is consulted, under that
    agency's key: the caller must already be limited to what the actor may see (use it as a
    ``client_id__in`` filter on an already visible queryset). Returns a ``values("client_id")``
    subquery, so the match runs inside the caller's query.
    """
    agency_id = getattr(agency, "pk", agency)
    task_force_id = task_force_id or getattr(agency, "task_force_id", None)
    digests = query_digests(agency_id, text)
    if not digests:
        return ClientIndexTerm.objects.none().values("client_id")
    terms = ClientIndexTerm.objects.filter(agency_id=agency_id, kind=ClientIndexTerm.Kind.TERM)
    if task_force_id is not None:
        terms = terms.filter(task_force_id=task_force_id)
    matching = None
    for digest in digests:
        ids = terms.filter(digest=digest).values("client_id")
        matching = ids if matching is None else matching.filter(client_id__in=ids)
    return matching.values("client_id")
