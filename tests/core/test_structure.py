"""Structural guarantees that keep later code honest: every tenant route goes through the edge,
every object route is in the wall matrix, the edges never touch ``.objects``, every tenant model
declares its side.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.core import checks
from django.urls import URLPattern, URLResolver, get_resolver

from taskforce.access import TaskForceOwned
from taskforce.api import ScopedViewSet, TenantAPIMixin
from tests.wall.matrix import COVERED_OBJECT_ROUTES

ROOT = Path(__file__).resolve().parents[2]
APPS = ("taskforce", "cases", "referrals", "mdt", "reporting")
EDGE_FILES = ("views.py", "endpoints.py", "forms.py", "tasks.py", "admin.py", "serializers.py")


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), namespace + (entry.name or ""), entry


def _routes():
    return list(_walk(get_resolver().url_patterns))


def test_every_tenant_route_resolves_the_actor_at_the_edge() -> None:
    tenant_routes = [(route, p) for route, _name, p in _routes() if "<slug:task_force>" in route]
    assert len(tenant_routes) > 10
    for route, pattern in tenant_routes:
        view = pattern.callback
        view_class = getattr(view, "cls", None)
        if view_class is not None:
            assert issubclass(view_class, TenantAPIMixin), route
        else:
            assert getattr(view, "tenant_view", False), route


def test_every_object_route_is_in_the_wall_matrix() -> None:
    object_routes = {
        name
        for route, name, _pattern in _routes()
        if "<slug:task_force>" in route and ("<uuid:" in route or "<pk>" in route or "<uuid:pk>" in route)
    }
    missing = object_routes - COVERED_OBJECT_ROUTES
    assert not missing, f"object routes with no row in tests/wall/matrix.py: {sorted(missing)}"


def test_viewsets_cannot_override_scoping() -> None:
    for name in ("get_queryset", "get_object"):
        with pytest.raises(TypeError, match="must not override"):
            type("Sneaky", (ScopedViewSet,), {name: lambda self: None})


def _edge_files():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if path.name in EDGE_FILES or "api" in path.parts:
                yield path


def test_edges_never_query_models_directly() -> None:
    """Views, endpoints, forms, tasks, admin and serializers reach data only through policies."""
    offenders = []
    for path in _edge_files():
        if path.name == "admin.py":
            continue  # ModelAdmin is platform structure only, one chosen task force at a time
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in {
                "objects",
                "_default_manager",
                "_base_manager",
            }:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, offenders


def test_edges_never_call_guardian_directly() -> None:
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if path.name == "permissions.py" and app == "taskforce":
                continue
            if "migrations" in path.parts:
                continue
            if "guardian" in path.read_text() and "import" in path.read_text():
                tree = ast.parse(path.read_text())
                for node in ast.walk(tree):
                    if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("guardian"):
                        offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, offenders


def test_every_task_force_owned_model_declares_its_compartment() -> None:
    owned = [m for m in apps.get_models() if issubclass(m, TaskForceOwned)]
    assert owned
    errors = [e for e in checks.run_checks(tags=[checks.Tags.security]) if e.id == "taskforce.E001"]
    assert errors == []


def test_no_template_marks_user_text_safe() -> None:
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        if "|safe" in text or "{% autoescape off" in text:
            offenders.append(str(path))
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "mark_safe(" in path.read_text():
                offenders.append(str(path))
    assert not offenders, offenders


def test_no_inline_script_or_external_asset_in_templates() -> None:
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        for forbidden in ("<script>", "<style", " style=", "http://", "https://"):
            assert forbidden not in text, (path, forbidden)
