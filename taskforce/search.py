"""One search box over everything a person may see.

Each app registers a searcher per record type (cases, tips, investigations, ...). A searcher
starts from that type's ``visible_*`` policy, the same doorway every list uses, so search can
never show what the person's lists would not, and runs one bounded query: ``PER_TYPE`` rows at
most, whatever the task force's size. The search is audited as ``search.performed`` with the
number of hits per type, never its terms: the terms are often a survivor's name.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from taskforce.access import Actor
from taskforce.audit import audit_record

MIN_LENGTH = 2
MAX_LENGTH = 200
PER_TYPE = 10


class BadQuery(ValueError):
    """The text cannot be searched for (too short or too long); the message says why."""


@dataclass(frozen=True, slots=True)
class Query:
    text: str
    words: tuple[str, ...]
    digits: str
    uuid: uuid.UUID | None = None

    @classmethod
    def parse(cls, raw: str | None) -> Query:
        text = " ".join((raw or "").split())
        if any(ord(c) < 32 for c in text):
            # A control character (a NUL above all) is no one's name and PostgreSQL refuses it.
            raise BadQuery("Type letters, digits or punctuation only.")
        if len(text) < MIN_LENGTH:
            raise BadQuery(f"Type at least {MIN_LENGTH} characters.")
        if len(text) > MAX_LENGTH:
            raise BadQuery(f"Type at most {MAX_LENGTH} characters.")
        try:
            as_uuid = uuid.UUID(text)
        except ValueError:
            as_uuid = None
        return cls(text=text, words=tuple(text.split(" ")), digits=re.sub(r"\D", "", text), uuid=as_uuid)

    @property
    def looks_like_phone(self) -> bool:
        # Seven digits or more, and nothing but phone punctuation around them.
        return len(self.digits) >= 7 and re.fullmatch(r"[\d\s()+.\-]+", self.text) is not None


@dataclass(frozen=True, slots=True)
class Hit:
    type: str
    id: str
    title: str
    url: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Searcher:
    type: str
    label: str
    search: Callable[[Actor, Query], list[Hit]]
    order: int = 100


@dataclass
class Group:
    type: str
    label: str
    hits: list[Hit] = field(default_factory=list)


_SEARCHERS: list[Searcher] = []


def register(searcher: Searcher) -> None:
    if any(s.type == searcher.type for s in _SEARCHERS):
        return  # apps' ready() may run twice in tests; one searcher per type
    _SEARCHERS.append(searcher)
    _SEARCHERS.sort(key=lambda s: s.order)


def search(actor: Actor, query: Query) -> list[Group]:
    """The hits of every type, grouped, in a fixed order; audited without the terms."""
    groups = []
    for searcher in _SEARCHERS:
        hits = searcher.search(actor, query)[:PER_TYPE]
        if hits:
            groups.append(Group(type=searcher.type, label=searcher.label, hits=hits))
    audit_record(
        action="search.performed",
        actor=actor,
        target_type="search",
        detail={"count": sum(len(g.hits) for g in groups), "types": {g.type: len(g.hits) for g in groups}},
    )
    return groups
