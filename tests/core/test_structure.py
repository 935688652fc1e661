"""Structural guarantees that keep later code honest: every tenant route goes through the edge,
every object route is in the wall matrix, the edges never touch ``.objects``, every tenant model
declares its side.
"""

from __future__ import annotations

import ast
from collections import Counter

import pytest
from django.apps import apps
from django.core import checks
from django.urls import URLPattern, URLResolver, get_resolver

from taskforce.access import TaskForceOwned
from taskforce.api import ScopedViewSet, TenantAPIMixin
from tests.core.edges import APPS, ROOT, edge_modules, offences
from tests.wall.matrix import COVERED_OBJECT_ROUTES

# Edge modules that may touch a manager or SQL directly: path -> ({expression: uses}, why). Every other
# ``.objects``, ``raw()``, ``extra()`` or cursor in an edge fails. Keep it short: a real read of
# tenant records for a user goes through an ``access_*``/``visible_*`` doorway instead.
ALLOWED: dict[str, tuple[dict[str, int], str]] = {
    "taskforce/views.py": (
        {"connection.cursor": 1, "cursor.execute": 1},
        "healthz runs SELECT 1 to prove the database answers; it reads no table",
    ),
    "referrals/public.py": (
        {"TaskForce.objects": 1},
        "the public tip form finds its task force by slug before any actor or scope exists",
    ),
    "signin/api.py": (
        {"ApiToken.objects": 1, "TOTPDevice.objects": 1},
        "the caller's own token and second-factor devices: per user, not task-force records; the"
        " device subquery only annotates rows visible_memberships(actor) already chose",
    ),
    "signin/views.py": (
        {"WebAuthnCredential.objects": 1},
        "whether the user signing in has a security key: their own credential, not tenant data",
    ),
    "signin/tasks.py": (
        {"SignInFailure.objects": 1, "UserSession.objects": 1},
        "daily pruning of platform sign-in records; no task force, no actor",
    ),
    "referrals/reminders.py": (
        {"TaskForce.objects": 3, "CertificationRequest.objects": 2, "Membership.objects": 2},
        "scheduled job under task_force_scope with no user; acting as a system actor is issue 11 item 2",
    ),
    "mdt/reminders.py": (
        {"TaskForce.objects": 2, "ActionItem.objects": 1, "RosterMember.objects": 1},
        "scheduled job under task_force_scope with no user; acting as a system actor is issue 11 item 2",
    ),
    "taskforce/management/commands/rotate_field_keys.py": (
        {"TaskForce.objects": 1, "model._base_manager": 1},
        "operator key rotation re-encrypts every row of every task force, one scope at a time",
    ),
    "taskforce/management/commands/rebuild_blind_indexes.py": (
        {"TaskForce.objects": 1, "ClientIdentity.objects": 1, "Suspect.objects": 2},
        "operator rebuild of blind indexes over every row of every task force, one scope at a time",
    ),
    "referrals/management/commands/rebuild_connection_index.py": (
        {"TaskForce.objects": 1, "IdentifierKey.objects": 2, "Tip.objects": 1, "Suspect.objects": 1},
        "operator rebuild of the connection index over every task force, one scope at a time",
    ),
}


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


def test_edges_never_query_models_directly() -> None:
    """Every edge module reaches data only through the policy doorways (see tests/core/edges.py)."""
    found = Counter(
        (str(path.relative_to(ROOT)), expr) for path in edge_modules(ROOT) for _line, expr in offences(path)
    )
    allowed = Counter(
        {(path, expr): n for path, (exprs, _reason) in ALLOWED.items() for expr, n in exprs.items()}
    )
    assert not found - allowed, sorted(found - allowed)
    # An entry whose code is gone must go too, or the list quietly grows into a hole.
    assert not allowed - found, sorted(allowed - found)


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
    # signin is left out: its one mark_safe wraps the server-drawn QR code SVG, no user text.
    for app in (a for a in APPS if a != "signin"):
        for path in (ROOT / app).rglob("*.py"):
            if "mark_safe(" in path.read_text():
                offenders.append(str(path))
    assert not offenders, offenders


def test_no_inline_script_or_external_asset_in_templates() -> None:
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        for forbidden in ("<script>", "<style", " style=", "http://", "https://"):
            assert forbidden not in text, (path, forbidden)
