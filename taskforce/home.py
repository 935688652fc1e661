"""Home page panels: each app contributes what its people need first (domain.md).

A panel is a template and a function that builds its context from the actor; it is shown only
when ``shown_to(actor)`` is true, and its context function must use the app's policies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from taskforce.access import Actor


@dataclass(frozen=True, slots=True)
class Panel:
    template: str
    context: Callable[[Actor], dict[str, Any]]
    shown_to: Callable[[Actor], bool]
    order: int = 100


_PANELS: list[Panel] = []


def register(panel: Panel) -> None:
    _PANELS.append(panel)
    _PANELS.sort(key=lambda p: p.order)


def panels_for(actor: Actor) -> list[dict[str, Any]]:
    return [{"template": p.template, **p.context(actor)} for p in _PANELS if p.shown_to(actor)]
