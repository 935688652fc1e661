"""Sortable, keyset-paged HTML lists: one helper for every list page.

A list names a few sortable columns (each served by an index ``(task_force, <column>, id)``);
``?sort=<key>`` or ``?sort=-<key>`` picks one, with ``id`` as the tie-breaker so equal values
never repeat or drop a row across pages. ``?cursor=`` carries the last (or first) row's values,
sealed (AES-GCM, a key derived from SECRET_KEY, bound to the list and its order): an edited,
forged or borrowed position is refused rather than run, and no row's values (a case number, a
member's email) are readable in a URL, a server log or a Referer header. ``?size=`` picks a
page size from a short list. Anything else is a ``ListInputError``: a 400 that says what was wrong.
The API keeps its own pagination (``taskforce.pagination``); only the keyset filter is shared.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import os
import uuid
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.exceptions import BadRequest, ValidationError
from django.db import DataError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from taskforce.pagination import SortKey, keyset_after, keyset_order, limit_first

PAGE_SIZES = (10, 25, 50, 100)
_SALT = "taskforce.listing"


def _seal(payload: dict[str, Any], context: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_key()).encrypt(nonce, json.dumps(payload).encode(), context.encode())
    return base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


def _open(text: str, context: str) -> Any:
    """The payload, or ValueError for anything this list and order did not seal."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        return json.loads(AESGCM(_key()).decrypt(raw[:12], raw[12:], context.encode()))
    except (binascii.Error, InvalidTag, UnicodeDecodeError) as exc:
        raise ValueError("not a cursor of this list") from exc


def _key() -> bytes:
    return salted_hmac(_SALT, "cursor key", algorithm="sha256").digest()


class ListInputError(BadRequest):
    """A sort, page position or page size the list does not know: a 400 whose page says why."""

    def __init__(self, message: str, *, back_url: str = "") -> None:
        super().__init__(message)
        self.public_message = message
        self.back_url = back_url


@dataclass(frozen=True)
class Column:
    """A sortable column: the model field it orders by, its header, and the direction of a first
    click (dates newest first, names A to Z)."""

    field: str
    label: str
    descending_first: bool = False
    expression: Any = None  # ``field`` is then an annotation (the tips' urgency rank)
    then: tuple[str, ...] = ()  # further columns before ``id``, as the column's index has them
    unique: bool = False  # no two rows share a value (the audit log's seq): no ``id`` needed

    def keys(self, *, descending: bool) -> tuple[SortKey, ...]:
        first = SortKey(self.field, descending=descending, expression=self.expression)
        tie = () if self.unique else ("id",)
        rest = (SortKey(name, descending=descending) for name in (*self.then, *tie))
        return (first, *rest)


@dataclass(frozen=True)
class Header:
    label: str
    url: str
    aria_sort: str  # "ascending", "descending" or "" (not the active order)
    arrow: str
    next_direction: str


@dataclass
class Page:
    rows: list[Any]
    headers: dict[str, Header]
    sort: str
    next_url: str | None = None
    previous_url: str | None = None
    first_url: str | None = None
    next_cursor: str | None = None
    paged: bool = False
    size_choices: list[tuple[int, str, bool]] = field(default_factory=list)


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _url(request: HttpRequest, **changes: Any) -> str:
    query = request.GET.copy()
    for name, value in changes.items():
        query.pop(name, None)
        if value not in (None, ""):
            query[name] = str(value)
    return f"{request.path}?{query.urlencode()}" if query else request.path


def _reverse(keys: tuple[SortKey, ...]) -> tuple[SortKey, ...]:
    return tuple(SortKey(k.name, descending=not k.descending, expression=k.expression) for k in keys)


def paginate(
    request: HttpRequest,
    queryset: QuerySet,
    *,
    name: str,
    columns: dict[str, Column],
    default: tuple[SortKey, ...],
    default_name: str = "",
    page_size: int = 50,
    ids_first: bool = False,
) -> Page:
    """One page of ``queryset`` in the order the request asks for (one query).

    ``name`` tells the lists apart in the cursor's seal; ``default`` is the order when no sort
    is chosen (it must end with a unique column, ``id``); ``default_name`` tells apart several
    defaults of one list (the tips inbox's "newest" and "oldest")."""
    back = request.path
    sort = request.GET.get("sort", "")
    if sort:
        column = columns.get(sort.removeprefix("-"))
        if column is None:
            choices = ", ".join(columns)
            raise ListInputError(
                f"This list cannot be sorted by “{sort[:40]}”. Sort by one of: {choices} "
                "(with a leading “-” for the reverse order).",
                back_url=back,
            )
        keys = column.keys(descending=sort.startswith("-"))
    else:
        keys = default
    size = _size(request, page_size, back)
    salt = f"{_SALT}:{name}:{sort or 'default:' + default_name}"
    cursor = request.GET.get("cursor", "")
    backwards = False
    if cursor:
        try:
            position = _open(cursor, salt)
            values, backwards = position["v"], position["d"] == "p"
            if not isinstance(values, list) or len(values) != len(keys):
                raise ValueError("wrong length")
        except (ValueError, TypeError, KeyError):
            raise ListInputError(
                "This page position is not valid (it was changed, or made for another order). "
                "Start again from the first page.",
                back_url=back,
            ) from None
        order = _reverse(keys) if backwards else keys
        queryset = keyset_after(keyset_order(queryset, order), order, values)
    else:
        queryset = keyset_order(queryset, keys)
    try:
        # ``ids_first``: rows that join large tables (a case's client and identity) choose the
        # page's ids before the joins (see taskforce.pagination.limit_first).
        rows = list(limit_first(queryset, 0, size + 1) if ids_first else queryset[: size + 1])
    except (ValidationError, ValueError, TypeError, DataError):
        raise ListInputError("This page position is not valid.", back_url=back) from None
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()

    def position(row: Any, direction: str) -> str:
        return _seal({"v": [_plain(getattr(row, k.name)) for k in keys], "d": direction}, salt)

    has_next = more if not backwards else bool(rows)
    has_previous = (more if backwards else bool(cursor)) and bool(rows)
    page = Page(
        rows=rows,
        headers=_headers(request, columns, sort),
        sort=sort,
        paged=bool(cursor),
        size_choices=[(n, _url(request, size=n, cursor=None), n == size) for n in PAGE_SIZES],
    )
    if has_next and rows:
        page.next_cursor = position(rows[-1], "n")
        page.next_url = _url(request, cursor=page.next_cursor)
    if has_previous:
        page.previous_url = _url(request, cursor=position(rows[0], "p"))
    # Paging back to the start lands on the first page itself: no link to where one already is.
    if cursor and (has_previous or not backwards):
        page.first_url = _url(request, cursor=None)
    return page


def _size(request: HttpRequest, default: int, back: str) -> int:
    text = request.GET.get("size", "")
    if not text:
        return default
    if text.isascii() and text.isdigit() and int(text) in PAGE_SIZES:
        return int(text)
    raise ListInputError(
        f"A page holds {', '.join(map(str, PAGE_SIZES))} rows; “{text[:20]}” is not one of them.",
        back_url=back,
    )


def _headers(request: HttpRequest, columns: dict[str, Column], sort: str) -> dict[str, Header]:
    headers = {}
    for key, column in columns.items():
        active = sort.removeprefix("-") == key
        descending = sort.startswith("-")
        # The active header reverses its order; another starts in its own first direction.
        first = descending if active else not column.descending_first
        flip = key if first else f"-{key}"
        headers[key] = Header(
            label=column.label,
            url=_url(request, sort=flip, cursor=None),
            aria_sort=("descending" if descending else "ascending") if active else "",
            arrow=("▼" if descending else "▲") if active else "",
            next_direction="descending" if flip.startswith("-") else "ascending",
        )
    return headers
