"""Keyset pagination for every API list (a module of its own: DRF imports it at start-up)."""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet, Subquery
from rest_framework import pagination, serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param


def limit_first(queryset: QuerySet, start: int, stop: int) -> QuerySet:
    """Rows ``start:stop`` of an ordered queryset, ordered and limited on the list's own table
    before its joins (client, identity, agency) are made.

    PostgreSQL estimates a join of two tables filtered by the same task force as if the task
    forces were unrelated (far too few rows), then joins the whole task force and sorts it; at
    100k cases that is 40 ms for a 25-row page. Picking the page's ids first, in index order,
    and joining only those keeps the page at the cost of the index read.
    """
    if not queryset.query.select_related:
        return QuerySet.__getitem__(queryset, slice(start, stop))
    ids = QuerySet.__getitem__(queryset.values("pk"), slice(start, stop))
    return queryset.filter(pk__in=Subquery(ids))


def _plain_slice(queryset: QuerySet, start: int, stop: int) -> QuerySet:
    return queryset[start:stop]


class _LimitFirst:
    """Mixed into a list's queryset class so that the paginator's slice is ``limit_first``."""

    def __getitem__(self, k: Any) -> Any:
        if isinstance(k, slice) and k.stop is not None and k.step is None:
            return limit_first(self, k.start or 0, k.stop)  # type: ignore[arg-type]
        return super().__getitem__(k)  # type: ignore[misc]


_LIMIT_FIRST_CLASSES: dict[type, type] = {}


def with_limit_first(queryset: QuerySet) -> QuerySet:
    cls = type(queryset)
    if issubclass(cls, _LimitFirst):
        return queryset
    if cls not in _LIMIT_FIRST_CLASSES:
        _LIMIT_FIRST_CLASSES[cls] = type(f"LimitFirst{cls.__name__}", (_LimitFirst, cls), {})
    clone = queryset._chain()
    clone.__class__ = _LIMIT_FIRST_CLASSES[cls]
    return clone


class SafeCursorPagination(pagination.CursorPagination):
    """A forged cursor whose position does not fit the ordering column is a 404, not a 500.

    A view whose rows join large tables (a case's client and identity) sets
    ``page_ids_first = True``: its page is then chosen before the joins (``limit_first``). Lists
    that join only small tables (an investigation's agency) plan well as they are and would pay
    for the extra subquery.
    """

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        if getattr(view, "page_ids_first", False):
            queryset = with_limit_first(queryset)
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, TypeError, ValidationError):
            raise NotFound(self.invalid_cursor_message) from None


class CreatedCursorPagination(SafeCursorPagination):
    """Keyset pages, newest first: no COUNT(*), no OFFSET, constant cost at any depth."""

    ordering = ("-created_at", "-id")
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_paginated_response(self, data: Any) -> Response:
        return Response({"results": data, "next": self.get_next_link(), "previous": self.get_previous_link()})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["results", "next"],
            "properties": {
                "results": schema,
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
            },
        }


@dataclass(frozen=True)
class SortKey:
    """One column of a keyset order: a model field or an annotation (``expression``)."""

    name: str
    descending: bool = False
    expression: Any = None


def keyset_order(queryset: QuerySet, keys: tuple[SortKey, ...]) -> QuerySet:
    annotations = {key.name: key.expression for key in keys if key.expression is not None}
    if annotations:
        queryset = queryset.annotate(**annotations)
    return queryset.order_by(*((f"-{k.name}" if k.descending else k.name) for k in keys))


def keyset_after(queryset: QuerySet, keys: tuple[SortKey, ...], values: list[Any]) -> QuerySet:
    """Rows strictly after ``values`` in the order of ``keys`` (row-value comparison spelled out
    so that mixed directions work): no OFFSET, constant cost at any depth."""
    condition = Q()
    for depth, key in enumerate(keys):
        step = Q(**{f"{k.name}": v for k, v in zip(keys[:depth], values[:depth], strict=True)})
        step &= Q(**{f"{key.name}__{'lt' if key.descending else 'gt'}": values[depth]})
        condition |= step
    return queryset.filter(condition)


def encode_position(values: list[Any]) -> str:
    plain = [
        v.isoformat() if hasattr(v, "isoformat") else str(v) if isinstance(v, uuid.UUID) else v
        for v in values
    ]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def decode_position(text: str, size: int | None = None) -> list[Any]:
    """The values of a cursor, or ValueError for anything that is not one of ours."""
    try:
        values = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError("not a cursor") from exc
    if not isinstance(values, list) or not values or len(values) != (size or len(values)) or len(values) > 5:
        raise ValueError("not a cursor")
    if not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in values):
        raise ValueError("not a cursor")
    return values


class KeysetPagination(pagination.BasePagination):
    """Keyset pages over a choice of named orders (``?ordering=``), for lists whose order is not
    a single column (the tips inbox: urgency, then age). An unknown order is a 400; a forged
    cursor a 404, as with the cursor pagination of every other list."""

    orderings: ClassVar[dict[str, tuple[SortKey, ...]]]
    default_ordering: ClassVar[str]
    page_size = 25
    max_page_size = 100

    def paginate_queryset(self, queryset: QuerySet, request: Any, view: Any = None) -> list[Any]:
        self.request = request
        take = limit_first if getattr(view, "page_ids_first", False) else _plain_slice
        self.ordering_name = request.query_params.get("ordering") or self.default_ordering
        keys = self.orderings.get(self.ordering_name)
        if keys is None:
            raise serializers.ValidationError({"ordering": [f"Choose one of: {', '.join(self.orderings)}."]})
        try:
            size = min(int(request.query_params.get("page_size", self.page_size)), self.max_page_size)
        except ValueError:
            size = self.page_size
        size = max(size, 1)
        queryset = keyset_order(queryset, keys)
        cursor = request.query_params.get("cursor")
        if cursor:
            try:
                queryset = keyset_after(queryset, keys, decode_position(cursor, len(keys)))
                rows = list(take(queryset, 0, size + 1))
            except (ValueError, TypeError, ValidationError):
                raise NotFound("Invalid cursor") from None
        else:
            rows = list(take(queryset, 0, size + 1))
        self.next_position = (
            encode_position([getattr(rows[size - 1], k.name) for k in keys]) if len(rows) > size else None
        )
        return rows[:size]

    def get_paginated_response(self, data: Any) -> Response:
        next_url = None
        if self.next_position is not None:
            next_url = replace_query_param(self.request.build_absolute_uri(), "cursor", self.next_position)
        return Response({"results": data, "next": next_url, "previous": None})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return CreatedCursorPagination().get_paginated_response_schema(schema)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": "ordering",
                "required": False,
                "in": "query",
                "description": f"The order of the list (default `{self.default_ordering}`).",
                "schema": {"type": "string", "enum": list(self.orderings)},
            },
            {"name": "cursor", "required": False, "in": "query", "schema": {"type": "string"}},
            {"name": "page_size", "required": False, "in": "query", "schema": {"type": "integer"}},
        ]
