"""The navigation registry: each app declares its entries and who sees them.

Visibility here is only about what to show in the menu; every page still asks its policy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from taskforce.access import Actor, Role


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str
    url_name: str
    shown_to: Callable[[Actor], bool]
    order: int = 100


_ITEMS: list[NavItem] = []


def register(item: NavItem) -> None:
    _ITEMS.append(item)
    _ITEMS.sort(key=lambda entry: entry.order)


def items_for(actor: Actor) -> list[NavItem]:
    return [item for item in _ITEMS if item.shown_to(actor)]


def _everyone(actor: Actor) -> bool:
    return True


register(NavItem("Home", "tf-home", _everyone, order=0))
register(NavItem("Agencies", "agency-list", _everyone, order=80))
register(NavItem("Members", "membership-list", _everyone, order=85))
register(NavItem("Audit log", "audit-list", lambda actor: actor.role == Role.TENANT_ADMIN, order=90))
register(NavItem("Settings", "task-force-settings", lambda actor: actor.role == Role.TENANT_ADMIN, order=95))
