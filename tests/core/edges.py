"""Which modules are edges, and what an edge may not do: the checker behind the doorway guard.

Modules are chosen by role, not by exact name, so a new ``views_x.py`` or ``forms_y.py`` is
checked the day it is written. ``tests/core/test_edges.py`` plants a raw fetch in a throwaway
module of each kind and proves this checker catches it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("taskforce", "cases", "referrals", "mdt", "reporting", "signin")

# A module is an edge if any ``_``-separated word of its name starts with one of these
# (``views_le``, ``correction_forms``, ``home_bridge``, ``public_urls``, ``tenant_urls``, ``api_router``).
EDGE_WORDS = (
    "views",
    "forms",
    "home",
    "public",
    "urls",
    "tasks",
    "reminders",
    "api",
    "endpoints",
    "serializers",
)
MANAGER_ATTRS = {"objects", "_default_manager", "_base_manager"}
SQL_CALLS = {"raw", "extra", "cursor", "execute", "executemany"}
# Calls that fetch through a model's default manager or write SQL without naming ``.objects``.
FETCH_FUNCTIONS = {"get_object_or_404", "get_list_or_404", "RawSQL"}


def is_edge(relative: Path) -> bool:
    parts = relative.parts
    if relative.suffix != ".py" or "migrations" in parts:
        return False
    packages = parts[:-1]
    if "api" in packages or "templatetags" in packages:
        return True
    if "management" in packages and "commands" in packages:
        return True
    return any(word.startswith(EDGE_WORDS) for word in relative.stem.split("_"))


def edge_modules(root: Path, apps: tuple[str, ...] = APPS) -> Iterator[Path]:
    for app in apps:
        for path in sorted((root / app).rglob("*.py")):
            if is_edge(path.relative_to(root)):
                yield path


def offences(path: Path) -> list[tuple[int, str]]:
    """Each manager access (``Model.objects``), each raw SQL call (``raw()``, ``extra()``,
    ``cursor()``, ``execute()``, ``RawSQL``) and each ``get_object_or_404`` in the module, as
    (line, expression)."""
    tree = ast.parse(path.read_text())
    # ``Model.objects.none()`` reads no row: a form field's placeholder, not a fetch.
    harmless = {
        id(node.func.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "none"
        and not node.args
        and isinstance(node.func.value, ast.Attribute)
        and node.func.value.attr in MANAGER_ATTRS
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in MANAGER_ATTRS and id(node) not in harmless:
            found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.Call) and (
            (isinstance(node.func, ast.Attribute) and node.func.attr in SQL_CALLS)
            or _called_name(node.func) in FETCH_FUNCTIONS
        ):
            found.append((node.lineno, ast.unparse(node.func)))
    return found


def _called_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None
