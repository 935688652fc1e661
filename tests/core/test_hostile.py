"""Hostile probes against the foundation: each test is an attack, and passes when it fails.

Vectors: cross-tenant access on every route with foreign ids, slug tricks, the unknown-vs-foreign
oracle, session fixation, CSRF, token handling, login enumeration, open redirects, XSS in
structure text, mass assignment, privilege escalation by tenant admins, SQL/RLS, audit forging
and content, response headers on every status, HTTP method oracles, malformed input.
"""

from __future__ import annotations

import ast
import json
import re
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from taskforce.access import Role, Side
from taskforce.audit import audit_record
from taskforce.models import Agency, ApiToken, AuditEvent, Membership, TaskForce, User
from taskforce.tokens import token_issue
from tests.wallapp.models import VsRecord
from tests.world import PASSWORD, World

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
ADMIN = "alpha.tenant_admin"
XSS = '<script>alert("x")</script>'
XSS_ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"


def _tf(world: World, slug: str) -> TaskForce:
    return world.task_forces[slug]


def _html_routes(world: World, slug: str) -> list[tuple[str, str]]:
    """(method, path) for every tenant HTML route, with ids of ``slug``'s records."""
    agency = world.agencies[f"{slug}.pd"].id
    membership = world.memberships[f"{slug}.coordinator"].id
    vs = world.records[f"{slug}.vs_record"].id
    le = world.records[f"{slug}.le_record"].id
    routes = [
        ("GET", "/tf/{tf}/"),
        ("GET", "/tf/{tf}/agencies/"),
        ("GET", "/tf/{tf}/agencies/new/"),
        ("POST", "/tf/{tf}/agencies/new/"),
        ("GET", f"/tf/{{tf}}/agencies/{agency}/edit/"),
        ("POST", f"/tf/{{tf}}/agencies/{agency}/edit/"),
        ("GET", "/tf/{tf}/members/"),
        ("GET", "/tf/{tf}/members/new/"),
        ("POST", "/tf/{tf}/members/new/"),
        ("GET", f"/tf/{{tf}}/members/{membership}/edit/"),
        ("POST", f"/tf/{{tf}}/members/{membership}/edit/"),
        ("POST", f"/tf/{{tf}}/members/{membership}/deactivate/"),
        ("POST", f"/tf/{{tf}}/members/{membership}/reactivate/"),
        ("GET", "/tf/{tf}/audit/"),
        ("GET", "/tf/{tf}/wall/vs/"),
        ("GET", f"/tf/{{tf}}/wall/vs/{vs}/"),
        ("GET", f"/tf/{{tf}}/wall/le/{le}/"),
    ]
    return routes


def _api_routes(world: World, slug: str) -> list[str]:
    agency = world.agencies[f"{slug}.pd"].id
    membership = world.memberships[f"{slug}.coordinator"].id
    vs = world.records[f"{slug}.vs_record"].id
    le = world.records[f"{slug}.le_record"].id
    return [
        "/api/v1/tf/{tf}/agencies/",
        f"/api/v1/tf/{{tf}}/agencies/{agency}/",
        "/api/v1/tf/{tf}/memberships/",
        f"/api/v1/tf/{{tf}}/memberships/{membership}/",
        "/api/v1/tf/{tf}/audit-events/",
        "/api/v1/tf/{tf}/wall/vs-records/",
        f"/api/v1/tf/{{tf}}/wall/vs-records/{vs}/",
        "/api/v1/tf/{tf}/wall/le-records/",
        f"/api/v1/tf/{{tf}}/wall/le-records/{le}/",
    ]


def _beta_ids(world: World) -> list[uuid.UUID]:
    return [
        world.agencies["beta.pd"].id,
        world.memberships["beta.coordinator"].id,
        world.records["beta.vs_record"].id,
        world.records["beta.le_record"].id,
    ]


def _beta_markers(world: World) -> list[bytes]:
    markers = [b"VS-SECRET-beta", b"LE-SECRET-beta", b"LE-RESTRICTED-beta", b"@beta.test"]
    markers += [str(world.agencies[f"beta.{key}"].id).encode() for key in ("pd", "vs", "coord")]
    markers += [str(world.memberships["beta.coordinator"].id).encode()]
    return markers


def _snapshot() -> tuple:
    return (
        sorted(Agency.objects.values_list("id", "task_force_id", "name", "side", "mou_expires_on")),
        sorted(
            Membership.objects.values_list("id", "task_force_id", "user_id", "agency_id", "role", "is_active")
        ),
        sorted(User.objects.values_list("id", "email", "is_staff", "is_superuser", "is_active")),
    )


def _comparable_headers(response) -> dict[str, str]:
    return {k.lower(): v for k, v in response.headers.items() if k.lower() not in {"date", "set-cookie"}}


def _assert_hardened(response, what: str) -> None:
    csp = response.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp, what
    assert "unsafe-inline" not in csp, what
    assert response.get("X-Frame-Options") == "DENY", what
    assert "no-store" in response.get("Cache-Control", ""), what
    assert response.get("X-Content-Type-Options") == "nosniff", what


# --- cross-tenant access on every route ---------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["alpha.tenant_admin", "alpha.vs_supervisor", "alpha.le_supervisor", "superuser"]
)
def test_every_html_route_of_another_task_force_is_404_and_changes_nothing(world: World, who: str) -> None:
    client = world.client(who)
    before = _snapshot()
    for method, template in _html_routes(world, "beta"):
        path = template.format(tf="beta")
        data = {"name": "pwned", "side": Side.LAW_ENFORCEMENT, "role": Role.VS_SUPERVISOR}
        response = client.get(path) if method == "GET" else client.post(path, data)
        assert response.status_code == 404, (who, method, path, response.status_code)
        for marker in _beta_markers(world):
            assert marker not in response.content, (who, path, marker)
    assert _snapshot() == before


@pytest.mark.parametrize("who", ["alpha.tenant_admin", "alpha.vs_supervisor", "alpha.le_supervisor"])
def test_foreign_ids_under_own_slug_are_404_and_change_nothing(world: World, who: str) -> None:
    """The id-carrying routes with beta's ids but alpha's slug: scope comes from the id's owner."""
    client = world.client(who)
    before = _snapshot()
    for method, template in _html_routes(world, "beta"):
        if not any(str(ids) in template for ids in _beta_ids(world)):
            continue  # only routes carrying an id
        path = template.format(tf="alpha")
        data = {"name": "pwned", "agency": str(world.agencies["alpha.pd"].id), "role": Role.LE_INVESTIGATOR}
        response = client.get(path) if method == "GET" else client.post(path, data)
        assert response.status_code == 404, (who, method, path, response.status_code)
        for marker in _beta_markers(world):
            assert marker not in response.content, (who, path, marker)
    assert _snapshot() == before


@pytest.mark.parametrize(
    "who", ["alpha.tenant_admin", "alpha.vs_supervisor", "alpha.le_supervisor", "superuser"]
)
def test_every_api_route_of_another_task_force_is_404(world: World, who: str) -> None:
    api = world.api(who)
    for template in _api_routes(world, "beta"):
        for slug in ("beta", "alpha"):
            if slug == "alpha" and template.endswith("s/"):
                continue  # lists under alpha are alpha's own
            path = template.format(tf=slug)
            response = api.get(path)
            assert response.status_code == 404, (who, path, response.status_code)
            for marker in _beta_markers(world):
                assert marker not in response.content, (who, path, marker)


def test_api_lists_never_carry_another_task_forces_rows(world: World) -> None:
    api = world.api("alpha.tenant_admin")
    for path in (
        "/api/v1/tf/alpha/agencies/",
        "/api/v1/tf/alpha/memberships/",
        "/api/v1/tf/alpha/audit-events/",
    ):
        response = api.get(path, {"page_size": 200})
        assert response.status_code == 200, path
        for marker in _beta_markers(world):
            assert marker not in response.content, (path, marker)


# --- HTTP methods: no existence oracle ----------------------------------------------------------


@pytest.mark.parametrize("method", ["put", "patch", "delete", "post"])
def test_write_verbs_on_read_only_api_from_outsiders_are_404_not_405(world: World, method: str) -> None:
    outsider = world.api("alpha.coordinator")
    member = world.api("beta.coordinator")
    before = _snapshot()
    for template in _api_routes(world, "beta"):
        path = template.format(tf="beta")
        response = getattr(outsider, method)(path, {"name": "x"}, format="json")
        assert response.status_code == 404, (method, path, response.status_code)
        unknown = getattr(outsider, method)(template.format(tf="nosuchtf"), {"name": "x"}, format="json")
        assert unknown.status_code == 404, (method, path)
        assert response.content == unknown.content
        # Members get an honest 405 (or 404 for rows they may not see), never a write.
        inside = getattr(member, method)(path, {"name": "x"}, format="json")
        assert inside.status_code in (404, 405), (method, path, inside.status_code)
    assert _snapshot() == before


@pytest.mark.parametrize("method", ["put", "patch", "delete", "options", "trace"])
def test_odd_verbs_on_html_routes_from_outsiders_are_404(world: World, method: str) -> None:
    client = world.client("alpha.coordinator")
    for _, template in _html_routes(world, "beta"):
        response = getattr(client, method)(template.format(tf="beta"))
        assert response.status_code == 404, (method, template, response.status_code)


def test_anonymous_api_answer_does_not_depend_on_the_slug(world: World) -> None:
    anon = APIClient()
    for template in _api_routes(world, "beta"):
        known = anon.get(template.format(tf="beta"))
        unknown = anon.get(template.format(tf="nosuchtf"))
        assert known.status_code in (401, 403)
        assert (known.status_code, known.content) == (unknown.status_code, unknown.content)


# --- slug tricks --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/tf/BETA/",
        "/tf/Beta/",
        "/tf/beta%2F/",
        "/tf/beta%2f/members/",
        "/tf/beta%00/",
        "/tf/beta/./members/",
        "/tf/beta/../beta/members/",
        "/tf/beta;/",
        "/tf/beta /",
        "/tf/beta%20/",
        "/tf/%62eta/members/x/",
        "/tf/beta/members/junk/",
        "/tf/alpha/../beta/members/",
        "/tf/alpha%2F..%2Fbeta/members/",
        "/tf/beta--/",
        "/tf/beta'--/",
        "/tf/beta\\/",
    ],
)
def test_slug_tricks_never_reach_another_task_force(world: World, path: str) -> None:
    client = world.client("alpha.coordinator")
    response = client.get(path)
    assert response.status_code in (301, 302, 404), (path, response.status_code)
    if response.status_code in (301, 302):
        # The only acceptable redirect is a normalisation that ends in a 404 for this user.
        followed = client.get(response["Location"])
        assert followed.status_code == 404, (path, response["Location"])
    for marker in _beta_markers(world):
        assert marker not in response.content


def test_uppercase_own_slug_is_not_an_alias(world: World) -> None:
    """Slugs are exact: /tf/ALPHA/ does not alias alpha (one canonical URL per task force)."""
    client = world.client("alpha.coordinator")
    assert client.get("/tf/alpha/").status_code == 200
    assert client.get("/tf/ALPHA/").status_code == 404
    assert world.api("alpha.coordinator").get("/api/v1/tf/ALPHA/agencies/").status_code == 404


# --- the unknown-vs-foreign oracle --------------------------------------------------------------


@pytest.mark.parametrize(
    "prefix", ["/tf/{tf}/", "/tf/{tf}/members/", "/tf/{tf}/audit/", "/tf/{tf}/agencies/new/"]
)
def test_unknown_and_foreign_slug_html_answers_are_byte_identical(world: World, prefix: str) -> None:
    client = world.client("alpha.coordinator")
    foreign = client.get(prefix.format(tf="beta"))
    unknown = client.get(prefix.format(tf="no-such-task-force"))
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.content == unknown.content
    assert _comparable_headers(foreign) == _comparable_headers(unknown)


def test_unknown_and_foreign_slug_api_answers_are_byte_identical(world: World) -> None:
    api = world.api("alpha.coordinator")
    for template in _api_routes(world, "beta"):
        foreign = api.get(template.format(tf="beta"))
        unknown = api.get(template.format(tf="no-such-task-force"))
        assert foreign.status_code == unknown.status_code == 404
        assert foreign.content == unknown.content
        assert _comparable_headers(foreign) == _comparable_headers(unknown)


def test_foreign_id_and_random_id_answer_alike(world: World) -> None:
    client = world.client(ADMIN)
    foreign = client.get(f"/tf/alpha/members/{world.memberships['beta.coordinator'].id}/edit/")
    random = client.get(f"/tf/alpha/members/{uuid.uuid4()}/edit/")
    assert foreign.status_code == random.status_code == 404
    assert foreign.content == random.content
    assert _comparable_headers(foreign) == _comparable_headers(random)


def test_deactivated_member_answers_like_a_stranger(world: World) -> None:
    leaver = world.client("alpha.investigator")
    Membership.objects.filter(pk=world.memberships["alpha.investigator"].pk).update(is_active=False)
    gone = leaver.get("/tf/alpha/members/")
    stranger = world.client("beta.investigator").get("/tf/alpha/members/")
    assert gone.status_code == stranger.status_code == 404
    assert gone.content == stranger.content


# --- sessions and CSRF --------------------------------------------------------------------------


def test_login_rotates_a_planted_session_key(world: World) -> None:
    client = Client()
    session = client.session
    session["planted"] = "by attacker"
    session.save()
    planted = session.session_key
    client.cookies[settings.SESSION_COOKIE_NAME] = planted
    response = client.post("/accounts/login/", {"username": "coordinator@alpha.test", "password": PASSWORD})
    assert response.status_code == 302
    new_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert new_key != planted
    # The planted key is not signed in.
    attacker = Client()
    attacker.cookies[settings.SESSION_COOKIE_NAME] = planted
    assert attacker.get("/tf/alpha/").status_code == 302


def _csrf_client(world: World, key: str) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users[key])
    return client


def test_html_forms_refuse_posts_without_csrf_token(world: World) -> None:
    client = _csrf_client(world, ADMIN)
    target = world.memberships["alpha.coordinator"]
    before = _snapshot()
    posts = {
        "/tf/alpha/agencies/new/": {"name": "Forged", "side": Side.VICTIM_SERVICES},
        f"/tf/alpha/agencies/{world.agencies['alpha.pd'].id}/edit/": {"name": "Forged"},
        "/tf/alpha/members/new/": {
            "email": "forged@evil.example",
            "agency": str(world.agencies["alpha.vs"].id),
            "role": Role.VS_SUPERVISOR,
        },
        f"/tf/alpha/members/{target.id}/edit/": {
            "agency": str(world.agencies["alpha.vs"].id),
            "role": Role.VS_SUPERVISOR,
        },
        f"/tf/alpha/members/{target.id}/deactivate/": {},
        f"/tf/alpha/members/{world.memberships['alpha.analyst'].id}/reactivate/": {},
    }
    for path, data in posts.items():
        response = client.post(path, data)
        assert response.status_code == 403, (path, response.status_code)
        # ... and a forged token or a cookie-only token is no better.
        client.cookies[settings.CSRF_COOKIE_NAME] = "a" * 32
        response = client.post(path, {**data, "csrfmiddlewaretoken": "b" * 32})
        assert response.status_code == 403, (path, response.status_code)
    assert _snapshot() == before
    # Cross-site logout is refused too (and GET logout does nothing).
    assert client.post("/accounts/logout/").status_code == 403
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/tf/alpha/").status_code == 200


def test_login_form_refuses_posts_without_csrf_token(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "coordinator@alpha.test", "password": PASSWORD})
    assert response.status_code == 403
    assert settings.SESSION_COOKIE_NAME not in response.cookies


def test_api_with_session_auth_enforces_csrf_on_unsafe_methods(world: World) -> None:
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(world.users[ADMIN])
    assert api.get("/api/v1/tf/alpha/agencies/").status_code == 200
    before = _snapshot()
    for method in ("post", "put", "patch", "delete"):
        response = getattr(api, method)("/api/v1/tf/alpha/agencies/", {"name": "x"}, format="json")
        assert response.status_code == 403, (method, response.status_code)
        assert b"CSRF" in response.content
    assert _snapshot() == before


# --- tokens -------------------------------------------------------------------------------------


def test_token_in_query_string_or_body_is_ignored(world: World) -> None:
    key = token_issue(user=world.users["alpha.coordinator"])
    anon = APIClient()
    for params in ({"token": key}, {"auth_token": key}, {"access_token": key}, {"key": key}):
        response = anon.get("/api/v1/tf/alpha/agencies/", params)
        assert response.status_code == 401, params
    assert anon.get("/api/v1/me/", HTTP_X_AUTH_TOKEN=key).status_code == 401


@pytest.mark.parametrize(
    "header", ["Bearer {k}", "token{k}", "Token  {k} extra", "Basic {k}", "Token {k}\x00"]
)
def test_token_header_variants_do_not_authenticate(world: World, header: str) -> None:
    key = token_issue(user=world.users["alpha.coordinator"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=header.format(k=key))
    response = api.get("/api/v1/tf/alpha/agencies/")
    assert response.status_code in (401, 403), (header, response.status_code)


def test_token_hash_is_not_a_token(world: World) -> None:
    token_issue(user=world.users["alpha.coordinator"])
    stored = ApiToken.objects.filter(user=world.users["alpha.coordinator"]).first()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {stored.key_hash}")
    assert api.get("/api/v1/me/").status_code == 401


def test_token_of_deactivated_user_and_after_logout_is_401(world: World) -> None:
    user = world.users["alpha.coordinator"]
    api = world.api("alpha.coordinator")
    assert api.get("/api/v1/me/").status_code == 200
    client = world.client("alpha.coordinator")
    client.post("/accounts/logout/")
    assert api.get("/api/v1/me/").status_code == 401
    api = world.api("alpha.coordinator")
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert api.get("/api/v1/me/").status_code == 401
    assert api.get("/api/v1/tf/alpha/agencies/").status_code == 401


def test_token_after_membership_removed_reaches_nothing(world: World) -> None:
    api = world.api("alpha.coordinator")
    response = world.client(ADMIN).post(
        f"/tf/alpha/members/{world.memberships['alpha.coordinator'].id}/deactivate/"
    )
    assert response.status_code == 302
    assert api.get("/api/v1/tf/alpha/agencies/").status_code in (401, 404)


def test_password_change_ends_tokens(world: World) -> None:
    """security.md: a password change ends every session and token of the user. A platform
    admin resetting a compromised account's password must cut off the thief's token."""
    victim = world.users["alpha.coordinator"]
    thief = world.api("alpha.coordinator")
    assert thief.get("/api/v1/me/").status_code == 200
    root = world.client("superuser")
    new_password = "another-long-password-99"
    response = root.post(
        f"/platform-admin/taskforce/user/{victim.pk}/password/",
        {"password1": new_password, "password2": new_password, "usable_password": "true"},
    )
    assert response.status_code == 302, response.status_code
    victim.refresh_from_db()
    assert victim.check_password(new_password)
    assert thief.get("/api/v1/me/").status_code == 401


def test_token_endpoint_throttle_is_not_bypassed_by_x_forwarded_for(world: World, monkeypatch) -> None:
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth": "3/min"})
    cache.clear()
    control = [
        APIClient()
        .post("/api/v1/auth/token/", {"username": "a@b.c", "password": "x"}, format="json")
        .status_code
        for _ in range(5)
    ]
    assert 429 in control, control
    cache.clear()
    statuses = []
    for attempt in range(6):
        response = APIClient().post(
            "/api/v1/auth/token/",
            {"username": "coordinator@alpha.test", "password": f"guess-{attempt}"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}",
        )
        statuses.append(response.status_code)
    cache.clear()
    assert 429 in statuses, statuses


# --- sign-in: enumeration and redirects ---------------------------------------------------------


def _normalised_login_page(response, username: str) -> bytes:
    body = response.content.replace(username.encode(), b"USERNAME")
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)


def test_login_answers_alike_for_every_kind_of_wrong(world: World) -> None:
    inactive = User.objects.create_user(email="inactive@alpha.test", password=PASSWORD, is_active=False)
    invited = User.objects.create_user(email="invited@alpha.test", password=None)
    cases = {
        "coordinator@alpha.test": "wrong-password-123",
        "nobody@alpha.test": "wrong-password-123",
        inactive.email: PASSWORD,
        invited.email: "",
        "root@platform.test": "wrong-password-123",
    }
    answers = []
    for username, password in cases.items():
        response = Client().post("/accounts/login/", {"username": username, "password": password or "x"})
        answers.append((response.status_code, _normalised_login_page(response, username)))
        assert (
            settings.SESSION_COOKIE_NAME not in response.cookies
            or not response.cookies[settings.SESSION_COOKIE_NAME].value
        )
    assert len(set(answers)) == 1, [a[0] for a in answers]


def test_token_endpoint_answers_alike_for_inactive_and_unknown(world: World) -> None:
    User.objects.create_user(email="inactive@alpha.test", password=PASSWORD, is_active=False)
    answers = set()
    for username, password in (
        ("inactive@alpha.test", PASSWORD),
        ("nobody@alpha.test", PASSWORD),
        ("coordinator@alpha.test", "wrong-password-123"),
    ):
        response = APIClient().post(
            "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
        )
        answers.add((response.status_code, response.content))
    assert len(answers) == 1, answers


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "///evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "https:evil.example",
        "http://testserver@evil.example/",
        "javascript:alert(1)",
        " https://evil.example/",
        "https://evil.example%2F@testserver/",
    ],
)
def test_login_and_logout_never_redirect_off_site(world: World, target: str) -> None:
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "coordinator@alpha.test", "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    location = response["Location"]
    assert "evil" not in location, location
    assert not location.startswith("javascript"), location
    # An already signed-in visitor who follows a crafted login link.
    response = client.get("/accounts/login/", {"next": target})
    assert response.status_code == 302
    assert "evil" not in response["Location"]
    assert "javascript" not in response["Location"]
    response = client.post(f"/accounts/logout/?next={target}")
    assert response.status_code == 302
    assert "evil" not in response["Location"]
    assert "javascript" not in response["Location"]


def test_next_is_escaped_in_the_login_page(world: World) -> None:
    response = Client().get("/accounts/login/", {"next": '/"><script>alert(1)</script>'})
    assert b"<script>alert(1)</script>" not in response.content


# --- XSS in structure text ----------------------------------------------------------------------


def test_full_name_and_email_payloads_are_inert_everywhere(world: World) -> None:
    xss_email = '"<script>alert(1)</script>"@evil.example'
    admin = world.client(ADMIN)
    response = admin.post(
        "/tf/alpha/members/new/",
        {
            "email": xss_email,
            "full_name": XSS,
            "agency": str(world.agencies["alpha.coord"].id),
            "role": Role.ANALYST,
        },
        follow=True,
    )
    assert response.status_code == 200
    assert b"<script>" not in response.content  # the flash message with the email
    User.objects.filter(email="coordinator@alpha.test").update(full_name=XSS)
    user = User.objects.get(email=xss_email.lower())
    audit_record(action="probe.xss", user_id=user.pk, task_force_id=_tf(world, "alpha").id)
    pages = ["/tf/alpha/", "/tf/alpha/members/", "/tf/alpha/audit/", "/tf/alpha/agencies/"]
    for page in pages:
        body = admin.get(page).content
        assert b"<script>" not in body, page
    members = admin.get("/tf/alpha/members/").content.decode()
    assert XSS_ESCAPED in members
    coordinator = world.client("alpha.coordinator")
    assert b"<script>" not in coordinator.get("/tf/alpha/").content  # user menu short name


def test_agency_and_task_force_names_are_inert_in_the_switcher(world: World) -> None:
    """A beta admin names an agency with a payload; a person in both task forces sees it in
    alpha's switcher."""
    user = world.users["alpha.coordinator"]
    with world.scope("beta"):
        Membership.objects.create(
            task_force=_tf(world, "beta"), user=user, agency=world.agencies["beta.coord"], role=Role.ANALYST
        )
    beta_admin = world.client("beta.tenant_admin")
    response = beta_admin.post(f"/tf/beta/agencies/{world.agencies['beta.coord'].id}/edit/", {"name": XSS})
    assert response.status_code == 302
    TaskForce.objects.filter(pk=_tf(world, "beta").pk).update(name=XSS)
    body = world.client("alpha.coordinator").get("/tf/alpha/").content
    assert b"<script>" not in body
    assert XSS_ESCAPED.encode() in body


# --- mass assignment ----------------------------------------------------------------------------


def test_membership_add_ignores_placement_and_privilege_fields(world: World) -> None:
    victim = world.users["beta.vs_supervisor"]
    response = world.client(ADMIN).post(
        "/tf/alpha/members/new/",
        {
            "email": "newbie@example.org",
            "agency": str(world.agencies["alpha.coord"].id),
            "role": Role.ANALYST,
            "task_force": str(_tf(world, "beta").id),
            "task_force_id": str(_tf(world, "beta").id),
            "user": str(victim.pk),
            "user_id": str(victim.pk),
            "is_staff": "on",
            "is_superuser": "on",
            "is_active": "false",
            "id": str(world.memberships["beta.coordinator"].id),
            "compartments": "vs",
        },
    )
    assert response.status_code == 302
    newbie = User.objects.get(email="newbie@example.org")
    assert not newbie.is_staff
    assert not newbie.is_superuser
    assert newbie.is_active
    membership = Membership.objects.get(user=newbie)
    assert membership.task_force_id == _tf(world, "alpha").id
    assert membership.is_active
    assert membership.role == Role.ANALYST
    assert not Membership.objects.filter(user=victim, task_force=_tf(world, "alpha")).exists()
    with world.scope("beta"):
        assert (
            Membership.objects.get(pk=world.memberships["beta.coordinator"].pk).user_id
            == world.users["beta.coordinator"].pk
        )


def test_membership_edit_ignores_user_task_force_and_active_fields(world: World) -> None:
    target = world.memberships["alpha.analyst"]
    response = world.client(ADMIN).post(
        f"/tf/alpha/members/{target.id}/edit/",
        {
            "agency": str(world.agencies["alpha.coord"].id),
            "role": Role.COORDINATOR,
            "user": str(world.users[ADMIN].pk),
            "task_force": str(_tf(world, "beta").id),
            "is_active": "false",
            "is_staff": "on",
        },
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.user_id == world.users["alpha.analyst"].pk
    assert target.task_force_id == _tf(world, "alpha").id
    assert target.is_active
    assert target.role == Role.COORDINATOR
    assert not User.objects.get(pk=world.users["alpha.analyst"].pk).is_staff


def test_agency_create_and_edit_ignore_placement_fields(world: World) -> None:
    admin = world.client(ADMIN)
    beta_pd = world.agencies["beta.pd"]
    response = admin.post(
        "/tf/alpha/agencies/new/",
        {
            "name": "Injected",
            "side": Side.PARTNER,
            "task_force": str(_tf(world, "beta").id),
            "id": str(beta_pd.id),
        },
    )
    assert response.status_code == 302
    created = Agency.objects.get(name="Injected")
    assert created.task_force_id == _tf(world, "alpha").id
    assert created.id != beta_pd.id
    response = admin.post(
        f"/tf/alpha/agencies/{world.agencies['alpha.vs'].id}/edit/",
        {"name": "Shelter One", "side": Side.LAW_ENFORCEMENT, "task_force": str(_tf(world, "beta").id)},
    )
    assert response.status_code == 302
    agency = Agency.objects.get(pk=world.agencies["alpha.vs"].pk)
    assert agency.side == Side.VICTIM_SERVICES
    assert agency.task_force_id == _tf(world, "alpha").id


# --- privilege escalation by tenant admins ------------------------------------------------------


def test_admin_cannot_place_a_member_in_another_task_forces_agency(world: World) -> None:
    before = _snapshot()
    admin = world.client(ADMIN)
    target = world.memberships["alpha.analyst"]
    response = admin.post(
        f"/tf/alpha/members/{target.id}/edit/",
        {"agency": str(world.agencies["beta.vs"].id), "role": Role.ANALYST},
    )
    assert response.status_code == 400
    response = admin.post(
        "/tf/alpha/members/new/",
        {"email": "x@example.org", "agency": str(world.agencies["beta.vs"].id), "role": Role.ANALYST},
    )
    assert response.status_code == 400
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("agency", "role"),
    [
        ("pd", Role.VS_CASE_MANAGER),
        ("pd", Role.VS_SUPERVISOR),
        ("vs", Role.LE_INVESTIGATOR),
        ("vs", Role.LE_SUPERVISOR),
        ("vs", Role.PROSECUTOR),
        ("vs", Role.COORDINATOR),
        ("coord", Role.LE_SUPERVISOR),
        ("coord", Role.VS_SUPERVISOR),
        ("partner", Role.TENANT_ADMIN),
        ("partner", Role.LE_INVESTIGATOR),
        ("partner", Role.VS_CASE_MANAGER),
    ],
)
def test_role_must_fit_the_agencys_side(world: World, agency: str, role: str) -> None:
    before = _snapshot()
    admin = world.client(ADMIN)
    target = world.memberships["alpha.analyst"]
    edit = admin.post(
        f"/tf/alpha/members/{target.id}/edit/",
        {"agency": str(world.agencies[f"alpha.{agency}"].id), "role": role},
    )
    add = admin.post(
        "/tf/alpha/members/new/",
        {"email": "y@example.org", "agency": str(world.agencies[f"alpha.{agency}"].id), "role": role},
    )
    assert (edit.status_code, add.status_code) == (400, 400)
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("agency", "role"),
    [
        ("vs", Role.VS_SUPERVISOR),
        ("vs", Role.VS_CASE_MANAGER),
        ("da", Role.LE_SUPERVISOR),
        ("pd", Role.LE_INVESTIGATOR),
    ],
)
def test_tenant_admin_cannot_give_themselves_content_access(world: World, agency: str, role: str) -> None:
    """access.md 'No god mode': admins get no content access by being admins. Editing one's own
    membership into a VS supervisor (or LE supervisor) hands the admin every case of an agency."""
    admin = world.client(ADMIN)
    own = world.memberships[ADMIN]
    response = admin.post(
        f"/tf/alpha/members/{own.id}/edit/",
        {"agency": str(world.agencies[f"alpha.{agency}"].id), "role": role},
    )
    own.refresh_from_db()
    assert response.status_code in (400, 403), response.status_code
    assert own.role == Role.TENANT_ADMIN
    # ... and the content stays out of reach from a fresh sign-in.
    fresh = Client()
    fresh.force_login(world.users[ADMIN])
    for path in (
        f"/tf/alpha/wall/vs/{world.records['alpha.vs_record'].id}/",
        f"/tf/alpha/wall/le/{world.records['alpha.le_restricted'].id}/",
    ):
        assert fresh.get(path).status_code == 404, path


def test_a_move_across_the_wall_and_back_does_not_revive_old_grants(world: World) -> None:
    """A case manager moved to the police and later back must not silently regain the cases
    assigned before the move: grants are taken away when the membership leaves the side."""
    admin = world.client(ADMIN)
    cm = world.memberships["alpha.case_manager"]
    record = world.records["alpha.vs_record"]
    path = f"/tf/alpha/wall/vs/{record.id}/"
    assert world.client("alpha.case_manager").get(path).status_code == 200
    to_le = admin.post(
        f"/tf/alpha/members/{cm.id}/edit/",
        {"agency": str(world.agencies["alpha.pd"].id), "role": Role.LE_INVESTIGATOR},
    )
    assert to_le.status_code == 302
    assert world.client("alpha.case_manager").get(path).status_code == 404
    back = admin.post(
        f"/tf/alpha/members/{cm.id}/edit/",
        {"agency": str(world.agencies["alpha.vs"].id), "role": Role.VS_CASE_MANAGER},
    )
    assert back.status_code == 302
    assert world.client("alpha.case_manager").get(path).status_code == 404


@pytest.mark.parametrize(
    "who",
    [
        "alpha.coordinator",
        "alpha.vs_supervisor",
        "alpha.le_supervisor",
        "alpha.analyst",
        "alpha.superuser_member",
    ],
)
def test_non_admins_cannot_change_structure(world: World, who: str) -> None:
    client = world.client(who)
    own = world.memberships[who]
    before = _snapshot()
    posts = {
        "/tf/alpha/agencies/new/": {"name": "Mine", "side": Side.VICTIM_SERVICES},
        f"/tf/alpha/agencies/{world.agencies['alpha.pd'].id}/edit/": {"name": "Mine"},
        "/tf/alpha/members/new/": {
            "email": "sock@example.org",
            "agency": str(world.agencies["alpha.vs"].id),
            "role": Role.VS_SUPERVISOR,
        },
        f"/tf/alpha/members/{own.id}/edit/": {
            "agency": str(world.agencies["alpha.coord"].id),
            "role": Role.TENANT_ADMIN,
        },
        f"/tf/alpha/members/{world.memberships[ADMIN].id}/deactivate/": {},
        f"/tf/alpha/members/{own.id}/reactivate/": {},
    }
    for path, data in posts.items():
        response = client.post(path, data)
        assert response.status_code == 403, (who, path, response.status_code)
    assert client.get("/tf/alpha/audit/").status_code == 404
    assert world.api(who).get("/api/v1/tf/alpha/audit-events/").status_code == 404
    assert _snapshot() == before


def test_tenant_admin_cannot_enter_the_platform_admin(world: World) -> None:
    client = world.client(ADMIN)
    for path in (
        "/platform-admin/",
        "/platform-admin/taskforce/membership/",
        "/platform-admin/taskforce/user/",
    ):
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/platform-admin/login/" in response["Location"]


# --- SQL injection and row-level security -------------------------------------------------------


def _rls_flags() -> list[tuple[str, bool, bool]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = ANY(%s)"
            " ORDER BY relname",
            [["taskforce_agency", "taskforce_membership", "taskforce_auditevent", "wallapp_vsrecord"]],
        )
        return cursor.fetchall()


SQL_PAYLOADS = [
    "'; ALTER TABLE taskforce_agency DISABLE ROW LEVEL SECURITY; --",
    "x'); SELECT set_config('app.bypass_rls', 'on', false); --",
    "1 OR 1=1",
    "\\'; DROP TABLE taskforce_auditevent; --",
    "$$; RESET ALL; $$",
]


def test_sql_payloads_in_every_input_change_nothing(world: World) -> None:
    flags = _rls_flags()
    assert all(enabled and forced for _, enabled, forced in flags), flags
    admin = world.client(ADMIN)
    api = world.api(ADMIN)
    for payload in SQL_PAYLOADS:
        for response in (
            admin.post("/tf/alpha/agencies/new/", {"name": payload[:200], "side": Side.PARTNER}),
            admin.post(
                "/tf/alpha/members/new/",
                {"email": "sql@example.org", "full_name": payload, "agency": payload, "role": payload},
            ),
            admin.get("/tf/alpha/audit/", {"before": payload}),
            api.get(
                "/api/v1/tf/alpha/agencies/", {"cursor": payload, "page_size": payload, "ordering": payload}
            ),
            api.get("/api/v1/tf/alpha/audit-events/", {"cursor": payload, "page_size": payload}),
            Client().post("/accounts/login/", {"username": payload, "password": payload}),
            APIClient().post(
                "/api/v1/auth/token/", {"username": payload, "password": payload}, format="json"
            ),
        ):
            assert response.status_code < 500, (payload, response.status_code)
    assert _rls_flags() == flags
    # A payload's set_config never outlives its request, and no such setting would open anything.
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('app.bypass_rls', true)")
        assert cursor.fetchone()[0] in (None, "")
    response = world.api("alpha.coordinator").get("/api/v1/tf/alpha/agencies/", {"page_size": 100})
    assert len(response.json()["results"]) == len(AGENCY_KEYS_PER_TF) + sum(
        1
        for _ in Agency.objects.filter(
            task_force=_tf(world, "alpha"), name__in=[p[:200] for p in SQL_PAYLOADS]
        )
    )


AGENCY_KEYS_PER_TF = ("coord", "da", "pd", "vs", "vs2", "partner")


def _module_constants(tree: ast.Module) -> set[str]:
    names = set()
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and all(isinstance(t, ast.Name) for t in node.targets)
            and _is_static_sql(node.value, set())
        ):
            names.update(t.id for t in node.targets)
    return names


def _is_static_sql(node: ast.AST, constants: set[str]) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return True
    if isinstance(node, ast.Name):
        return node.id in constants
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _is_static_sql(node.left, constants) and _is_static_sql(node.right, constants)
    if isinstance(node, ast.JoinedStr):
        # f-strings only over module constants (e.g. the RLS policy fragments).
        return all(
            isinstance(part, ast.Constant)
            or (isinstance(part, ast.FormattedValue) and _is_static_sql(part.value, constants))
            for part in node.values
        )
    return False


def test_raw_sql_on_request_paths_is_static_and_parameterised() -> None:
    """Every cursor.execute outside migrations takes a static SQL string; values go in params."""
    offenders = []
    for path in sorted((ROOT / "taskforce").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text())
        constants = _module_constants(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr not in ("execute", "executemany", "raw", "extra", "RawSQL"):
                continue
            receiver = node.func.value
            if isinstance(receiver, ast.Name) and receiver.id == "schema_editor":
                continue  # migration-time DDL on model table names
            if node.args and not _is_static_sql(node.args[0], constants):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_a_platform_admin_request_leaves_no_scope_for_the_next_one(world: World) -> None:
    """Even a platform admin request (scoped to the task force staff chose) leaves nothing behind."""
    staff = world.client("superuser")
    staff.get("/platform-admin/scope/beta/")
    staff.get("/platform-admin/taskforce/agency/")
    response = world.api("alpha.coordinator").get("/api/v1/tf/alpha/agencies/", {"page_size": 100})
    names = {row["id"] for row in response.json()["results"]}
    assert str(world.agencies["beta.pd"].id) not in names
    assert len(names) == len(AGENCY_KEYS_PER_TF)


# --- audit: no forging, no content --------------------------------------------------------------


def test_requests_cannot_forge_the_audit_source_or_fields(world: World) -> None:
    before = AuditEvent.objects.count()
    Client(HTTP_X_FORWARDED_FOR="6.6.6.6", HTTP_X_REAL_IP="6.6.6.6").post(
        "/accounts/login/", {"username": "coordinator@alpha.test", "password": "wrong-password-1"}
    )
    APIClient().post(
        "/api/v1/auth/token/",
        {"username": "coordinator@alpha.test", "password": "wrong", "action": "forged", "outcome": "success"},
        format="json",
        HTTP_X_FORWARDED_FOR="6.6.6.6",
    )
    rows = list(AuditEvent.objects.order_by("seq")[before:])
    assert rows, "failed logins must be audited"
    for row in rows:
        assert row.source_ip != "6.6.6.6"
        assert row.action == "auth.login_failed"
        assert row.outcome == "failure"


def test_audit_rows_never_carry_content(world: World) -> None:
    secret_name = "Jane Q. Confidential"
    admin = world.client(ADMIN)
    admin.post(
        "/tf/alpha/members/new/",
        {
            "email": "jane.confidential@example.org",
            "full_name": secret_name,
            "agency": str(world.agencies["alpha.vs"].id),
            "role": Role.VS_CASE_MANAGER,
        },
    )
    admin.post(
        f"/tf/alpha/agencies/{world.agencies['alpha.vs'].id}/edit/", {"name": "Renamed Secret Shelter"}
    )
    Client().post(
        "/accounts/login/", {"username": "typed.secret@example.org", "password": "typed-password-xyz"}
    )
    APIClient().post(
        "/api/v1/auth/token/",
        {"username": "typed.secret2@example.org", "password": "typed-password-xyz"},
        format="json",
    )
    world.client("alpha.vs_supervisor").get(f"/tf/alpha/wall/vs/{world.records['alpha.vs_record'].id}/")
    dump = json.dumps(
        list(AuditEvent.objects.values("action", "target_type", "target_id", "detail", "role")), default=str
    )
    for forbidden in (
        secret_name,
        "jane.confidential",
        "Renamed Secret Shelter",
        "typed.secret",
        "typed-password",
        "VS-SECRET",
        "@alpha.test",
    ):
        assert forbidden not in dump, forbidden
    # ... and the API shows no detail at all.
    events = world.api(ADMIN).get("/api/v1/tf/alpha/audit-events/", {"page_size": 200}).json()["results"]
    assert events
    assert all("detail" not in event for event in events)


def test_denied_tenant_access_is_audited(world: World) -> None:
    """security.md: denied accesses are logged (who tried to reach what)."""
    prober = world.users["alpha.coordinator"]
    with world.scope("beta"):
        before = AuditEvent.objects.filter(user_id=prober.pk, outcome=AuditEvent.Outcome.DENIED).count()
    world.client("alpha.coordinator").get(
        f"/tf/beta/members/{world.memberships['beta.coordinator'].id}/edit/"
    )
    world.api("alpha.coordinator").get("/api/v1/tf/beta/memberships/")
    # The knock lands in beta's own chain (its admins see it).
    with world.scope("beta"):
        after = AuditEvent.objects.filter(user_id=prober.pk, outcome=AuditEvent.Outcome.DENIED).count()
    assert after > before


# --- headers on every status --------------------------------------------------------------------


def test_security_headers_on_every_status(world: World, monkeypatch) -> None:
    client = world.client("alpha.coordinator")
    admin = world.client(ADMIN)
    api = world.api("alpha.coordinator")
    cases = {
        "html 404": client.get("/tf/beta/"),
        "html 404 resolver": client.get("/no/such/page/"),
        "html 403": client.get("/tf/alpha/agencies/new/"),
        "html 405": client.put("/tf/alpha/"),
        "html 400 form": admin.post("/tf/alpha/agencies/new/", {"name": "", "side": "nope"}),
        "html 302": Client().get("/tf/alpha/"),
        "login": Client().get("/accounts/login/"),
        "api 200 me": api.get("/api/v1/me/"),
        "api 200 list": api.get("/api/v1/tf/alpha/memberships/"),
        "api 401": APIClient().get("/api/v1/me/"),
        "api 404": api.get("/api/v1/tf/beta/agencies/"),
        "api 405": api.delete("/api/v1/tf/alpha/agencies/"),
        "api 400": APIClient().post("/api/v1/auth/token/", {}, format="json"),
        "api token 200": APIClient().post(
            "/api/v1/auth/token/", {"username": "coordinator@alpha.test", "password": PASSWORD}, format="json"
        ),
    }
    for what, response in cases.items():
        _assert_hardened(response, what)

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom VS-SECRET-alpha")

    monkeypatch.setattr("taskforce.views.visible_agencies", boom)
    monkeypatch.setattr("taskforce.endpoints.AgencyViewSet.visible", staticmethod(boom))
    crashing = Client(raise_request_exception=False)
    crashing.force_login(world.users["alpha.coordinator"])
    html_500 = crashing.get("/tf/alpha/agencies/")
    api_crash = APIClient(raise_request_exception=False)
    api_crash.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=world.users['alpha.coordinator'])}")
    api_500 = api_crash.get("/api/v1/tf/alpha/agencies/")
    for what, response in (("html 500", html_500), ("api 500", api_500)):
        assert response.status_code == 500, what
        _assert_hardened(response, what)
        assert b"VS-SECRET" not in response.content
        assert b"Traceback" not in response.content


# --- malformed and oversized input --------------------------------------------------------------


def _posts(world: World) -> dict[str, dict[str, str]]:
    target = world.memberships["alpha.analyst"]
    return {
        "/tf/alpha/agencies/new/": {"name": "A", "side": Side.PARTNER},
        f"/tf/alpha/agencies/{world.agencies['alpha.partner'].id}/edit/": {"name": "A"},
        "/tf/alpha/members/new/": {
            "email": "m@example.org",
            "agency": str(world.agencies["alpha.coord"].id),
            "role": Role.ANALYST,
        },
        f"/tf/alpha/members/{target.id}/edit/": {
            "agency": str(world.agencies["alpha.coord"].id),
            "role": Role.ANALYST,
        },
    }


HUGE = "x" * 10_000
BAD_BY_FIELD = {
    "name": [HUGE, "nul\x00byte", "", "   "],
    "side": ["nope", HUGE, "\x00", "", "law_enforcement\x00"],
    "mou_signed_on": ["9999-99-99", "0000-00-00", "2024-02-30", "-1", "1e308", str(2**64), HUGE, "\x00"],
    "mou_expires_on": ["9999-99-99", "0000-00-00", "2024-02-30", "-1", "1e308", str(2**64), HUGE, "\x00"],
    "email": [HUGE + "@example.org", "nul\x00@example.org", "not-an-email", '"a"@', "@", ""],
    "full_name": [HUGE, "nul\x00byte"],
    "agency": ["not-a-uuid", str(2**64), HUGE, "\x00", str(uuid.uuid4()), "' OR 1=1 --", ""],
    "role": ["superuser", "is_staff", HUGE, "\x00", "", "tenant_admin\x00"],
}


def test_every_form_answers_400_on_malformed_fields_and_writes_nothing(world: World) -> None:
    admin = Client(raise_request_exception=False)
    admin.force_login(world.users[ADMIN])
    before = _snapshot()
    failures = []
    for path, good in _posts(world).items():
        fields = [*good]
        if "agencies" in path:
            fields += ["mou_signed_on", "mou_expires_on"]
        if path.endswith("/members/new/"):
            fields += ["full_name"]
        for field in fields:
            for bad in BAD_BY_FIELD[field]:
                response = admin.post(path, {**good, field: bad})
                if response.status_code != 400:
                    failures.append((path, field, bad[:20], response.status_code))
    assert failures == []
    assert _snapshot() == before


def test_multi_valued_and_missing_fields_are_400(world: World) -> None:
    admin = world.client(ADMIN)
    before = _snapshot()
    response = admin.post(
        "/tf/alpha/members/new/",
        {
            "email": ["a@example.org", "b@example.org"],
            "agency": [str(world.agencies["alpha.coord"].id), str(world.agencies["beta.coord"].id)],
            "role": [Role.TENANT_ADMIN, Role.ANALYST],
        },
    )
    # Django takes the last value of a repeated field; the beta agency must not win.
    assert response.status_code == 400
    assert _snapshot() == before


def test_an_empty_post_is_400_not_a_fresh_form(world: World) -> None:
    """security.md: bad input of any kind answers 400. ``Form(request.POST or None)`` treats an
    empty POST as a GET and answers 200 with a blank form."""
    admin = world.client(ADMIN)
    before = _snapshot()
    target = world.memberships["alpha.analyst"]
    for path in (
        "/tf/alpha/members/new/",
        "/tf/alpha/agencies/new/",
        f"/tf/alpha/members/{target.id}/edit/",
        f"/tf/alpha/agencies/{world.agencies['alpha.pd'].id}/edit/",
    ):
        assert admin.post(path, {}).status_code == 400, path
    assert _snapshot() == before


def test_oversized_and_overfull_form_posts_are_400(world: World) -> None:
    admin = Client(raise_request_exception=False)
    admin.force_login(world.users[ADMIN])
    before = _snapshot()
    huge = {"name": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10), "side": Side.PARTNER}
    assert admin.post("/tf/alpha/agencies/new/", huge).status_code == 400, "huge"
    many = {f"f{i}": "1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 5)}
    assert (
        admin.post("/tf/alpha/agencies/new/", {**many, "name": "Many", "side": Side.PARTNER}).status_code
        == 400
    ), "many"
    login = Client(raise_request_exception=False)
    assert (
        login.post("/accounts/login/", {"username": "a@b.c", "password": "x" * (3 * 1024 * 1024)}).status_code
        == 400
    ), "login"
    assert _snapshot() == before
    raw = admin.generic(
        "POST",
        "/tf/alpha/agencies/new/",
        b"name=\xff\xfe&side=partner",
        content_type="application/x-www-form-urlencoded",
    )
    assert raw.status_code in (302, 400), "raw"  # decoded with replacement characters


@pytest.mark.parametrize("before", ["\u00b2", "\u0663", "99999999999999999999999999", "-1", "1.5", "", "abc"])
def test_audit_page_cursor_never_500(world: World, before: str) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(world.users[ADMIN])
    response = client.get("/tf/alpha/audit/", {"before": before})
    assert response.status_code in (200, 400), (before, response.status_code)


@pytest.mark.parametrize(
    "params",
    [
        {"page_size": "-1"},
        {"page_size": "999999999999999999999"},
        {"page_size": "abc"},
        {"cursor": "%%%"},
        {"cursor": "cD0yMDI0LTAxLTAx"},  # p=2024-01-01
        {"cursor": "bz05OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5"},  # o=huge
        {"cursor": "cD0nOyBERUxFVEUgRlJPTSB4OyAtLQ=="},  # p='; DELETE FROM x; --
    ],
)
def test_api_pagination_params_never_500(world: World, params: dict[str, str]) -> None:
    api = APIClient(raise_request_exception=False)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=world.users[ADMIN])}")
    for path in (
        "/api/v1/tf/alpha/agencies/",
        "/api/v1/tf/alpha/memberships/",
        "/api/v1/tf/alpha/audit-events/",
    ):
        response = api.get(path, params)
        assert response.status_code in (200, 400, 404), (path, params, response.status_code)


@pytest.mark.parametrize(
    "body",
    [
        b'{"username": {"$ne": null}, "password": "x"}',
        b'{"username": ["a"], "password": ["b"]}',
        b'{"username": 1e999, "password": true}',
        b'{"username": "a\\u0000b", "password": "x"}',
        b"[]",
        b'"just a string"',
        b"null",
        b'{"username": "' + b"a" * 100_000 + b'", "password": "x"}',
        b"\xff\xfe",
        b'{"username": "a", "password": "x", "otp": {"a": 1}}',
    ],
)
def test_token_endpoint_malformed_json_is_400(world: World, body: bytes) -> None:
    api = APIClient(raise_request_exception=False)
    response = api.generic("POST", "/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400, (body[:40], response.status_code)
    assert response["Content-Type"].startswith("application/json")


# --- sessions: revocation side effects ----------------------------------------------------------


def test_a_stale_session_does_not_sign_the_user_out_of_a_newer_one(world: World) -> None:
    """Logout ends every session. A stale tab that comes back later is signed out, but it must
    not end the sessions and tokens the person opened *after* that logout (else anyone holding
    an old cookie can keep kicking the owner out)."""
    user = world.users["alpha.coordinator"]
    laptop, phone = Client(), Client()
    laptop.post("/accounts/login/", {"username": user.email, "password": PASSWORD})
    phone.post("/accounts/login/", {"username": user.email, "password": PASSWORD})
    laptop.post("/accounts/logout/")  # ends the phone's session too
    time.sleep(0.01)
    fresh = Client()
    fresh.post("/accounts/login/", {"username": user.email, "password": PASSWORD})
    token = world.api("alpha.coordinator")
    assert fresh.get("/tf/alpha/").status_code == 200
    assert phone.get("/tf/alpha/").status_code == 302  # the stale one is out
    assert fresh.get("/tf/alpha/").status_code == 200, "the stale cookie signed out the newer session"
    assert token.get("/api/v1/me/").status_code == 200, "the stale cookie revoked a newer token"


def test_membership_change_elsewhere_cannot_be_used_to_probe_vs_records(world: World) -> None:
    """Global permission rows granted by mistake (world's case_manager_2) widen nothing via the API."""
    response = world.api("alpha.case_manager_2").get("/api/v1/tf/alpha/wall/vs-records/")
    assert response.status_code == 200
    assert b"VS-SECRET" not in response.content
    assert (
        world.api("alpha.superuser_member").get("/api/v1/tf/alpha/wall/vs-records/").json()["results"] == []
    )
    assert VsRecord.objects.filter(task_force=_tf(world, "alpha")).exists()


def test_schema_is_not_public(world: World) -> None:
    """The OpenAPI schema and docs describe every tenant route: signed-in people only."""
    for path in ("/api/v1/schema/", "/api/v1/docs/"):
        response = Client().get(path)
        assert response.status_code in (302, 401, 403), (path, response.status_code)


def test_adding_an_existing_or_a_new_email_answers_alike(world: World) -> None:
    """A tenant admin cannot tell from the answer whether an email already has an account
    elsewhere on the platform (the redirect and the flash message read the same)."""
    admin = world.client(ADMIN)
    answers = []
    for email in ("vs_supervisor@beta.test", "brand-new-person@example.org"):
        response = admin.post(
            "/tf/alpha/members/new/",
            {"email": email, "agency": str(world.agencies["alpha.coord"].id), "role": Role.ANALYST},
            follow=True,
        )
        body = response.content.replace(email.encode(), b"EMAIL")
        body = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)
        answers.append((response.status_code, response.redirect_chain, body.count(b"Added EMAIL.")))
    assert answers[0] == answers[1]
