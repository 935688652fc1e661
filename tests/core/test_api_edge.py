"""API and HTTP edge cases: authentication, tenant 404s, malformed input, the scoped API base
classes, query budgets, security headers, health and the OpenAPI documents."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework import serializers
from rest_framework.test import APIClient

from taskforce.access import Side
from taskforce.api import ScopedPrimaryKeyRelatedField, ScopedViewSet
from taskforce.models import Agency, ApiToken, User
from taskforce.policies import visible_agencies
from tests.world import PASSWORD, World

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


def _post_token(body: object, *, raw: bytes | None = None, client: APIClient | None = None):
    client = client or APIClient()
    if raw is not None:
        return client.generic("POST", TOKEN_URL, raw, content_type="application/json")
    return client.post(TOKEN_URL, body, format="json")


# --- the token endpoint -----------------------------------------------------------------------


def test_token_for_good_credentials(world: World) -> None:
    response = _post_token({"username": "coordinator@alpha.test", "password": PASSWORD})
    assert response.status_code == 200
    token = response.json()["token"]
    assert len(token) >= 32
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/me/").json()["username"] == "coordinator@alpha.test"
    # Only a digest is stored, never the token itself.
    assert not ApiToken.objects.filter(key_hash=token).exists()


def test_wrong_password_and_unknown_user_answer_alike(world: World) -> None:
    wrong_password = _post_token({"username": "coordinator@alpha.test", "password": "not-the-password-1"})
    unknown_user = _post_token({"username": "nobody@alpha.test", "password": "not-the-password-1"})
    inactive = world.users["alpha.analyst"]
    User.objects.filter(pk=inactive.pk).update(is_active=False)
    inactive_user = _post_token({"username": inactive.email, "password": PASSWORD})
    assert wrong_password.status_code == 400
    assert unknown_user.status_code == wrong_password.status_code
    assert inactive_user.status_code == wrong_password.status_code
    assert unknown_user.content == wrong_password.content
    assert inactive_user.content == wrong_password.content
    assert "token" not in wrong_password.json()


def test_malformed_json_is_400(world: World) -> None:
    for raw in (b'{"username": "coordinator@alpha.test", "password": ', b"not json", b"\xff\xfe\x00"):
        response = _post_token(None, raw=raw)
        assert response.status_code == 400, raw
        assert "token" not in response.json()
    # A JSON value that is not an object.
    response = _post_token(None, raw=b'["coordinator@alpha.test", "a-long-test-password-1"]')
    assert response.status_code == 400


def test_missing_fields_are_400_with_field_errors(world: World) -> None:
    response = _post_token({})
    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}
    response = _post_token({"username": "coordinator@alpha.test"})
    assert response.status_code == 400
    assert set(response.json()) == {"password"}
    response = _post_token({"username": "", "password": PASSWORD})
    assert response.status_code == 400
    assert set(response.json()) == {"username"}


def test_oversized_json_body_is_400_never_500(world: World) -> None:
    """DATA_UPLOAD_MAX_MEMORY_SIZE (2 MiB): Django refuses to read the body (RequestDataTooBig,
    a SuspiciousOperation), answered by the project's 400 handler."""
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 2 * 1024 * 1024
    padding = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1024)
    raw = json.dumps({"username": "coordinator@alpha.test", "password": PASSWORD, "pad": padding}).encode()
    client = APIClient(raise_request_exception=False)
    response = _post_token(None, raw=raw, client=client)
    assert response.status_code == 400
    assert response.json() == {"detail": "Bad request."}
    assert not ApiToken.objects.exists()
    # Just under the limit is read and judged on its content (no token: unknown field ignored,
    # credentials valid -> 200), proving the 400 above is about size.
    small = json.dumps({"username": "coordinator@alpha.test", "password": PASSWORD, "pad": "x" * 1024})
    assert _post_token(None, raw=small.encode()).status_code == 200


def test_me_without_credentials_is_401() -> None:
    response = APIClient().get("/api/v1/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "username" not in response.json()


def test_garbage_token_is_401(world: World) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/v1/me/").status_code == 401
    assert client.get("/api/v1/tf/alpha/agencies/").status_code == 401


def test_inactive_users_token_is_401(world: World) -> None:
    client = world.api("alpha.coordinator")
    assert client.get("/api/v1/me/").status_code == 200
    # Deactivated behind the application's back (no token clean-up): the check is at read time.
    User.objects.filter(pk=world.users["alpha.coordinator"].pk).update(is_active=False)
    assert ApiToken.objects.filter(user=world.users["alpha.coordinator"]).exists()
    assert client.get("/api/v1/me/").status_code == 401
    response = client.get("/api/v1/tf/alpha/agencies/")
    assert response.status_code == 401
    assert b"District Attorney" not in response.content


def test_expired_token_is_401(world: World) -> None:
    client = world.api("alpha.coordinator")
    assert client.get("/api/v1/tf/alpha/agencies/").status_code == 200
    ApiToken.objects.filter(user=world.users["alpha.coordinator"]).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert client.get("/api/v1/me/").status_code == 401
    assert client.get("/api/v1/tf/alpha/agencies/").status_code == 401


def test_token_issued_before_sessions_valid_after_is_401(world: World) -> None:
    client = world.api("alpha.coordinator")
    User.objects.filter(pk=world.users["alpha.coordinator"].pk).update(
        sessions_valid_after=timezone.now() + dt.timedelta(seconds=1)
    )
    assert client.get("/api/v1/me/").status_code == 401


def test_logout_ends_every_token_and_session_of_the_user(world: World) -> None:
    user = world.users["alpha.coordinator"]
    browser = world.client("alpha.coordinator")
    other_browser = world.client("alpha.coordinator")
    api = world.api("alpha.coordinator")
    other_user_api = world.api("alpha.analyst")
    assert api.get("/api/v1/me/").status_code == 200

    response = browser.post("/accounts/logout/")
    assert response.status_code == 302

    assert not ApiToken.objects.filter(user=user).exists()
    assert api.get("/api/v1/me/").status_code == 401
    assert api.get("/api/v1/tf/alpha/agencies/").status_code == 401
    # The other browser's session of the same person ends too.
    assert other_browser.get("/tf/alpha/").status_code == 302
    # Someone else's token lives on.
    assert other_user_api.get("/api/v1/me/").status_code == 200


# --- one 404 for 'no such task force' and 'not yours' -----------------------------------------


def test_unknown_and_foreign_slug_answer_identically_in_the_api(world: World) -> None:
    client = world.api("alpha.coordinator")
    for path in ("agencies/", "memberships/", "audit-events/", f"agencies/{world.agencies['beta.vs'].id}/"):
        foreign = client.get(f"/api/v1/tf/beta/{path}")
        unknown = client.get(f"/api/v1/tf/no-such-task-force/{path}")
        assert foreign.status_code == 404, path
        assert unknown.status_code == 404, path
        assert foreign.content == unknown.content, path
        assert foreign["Content-Type"] == unknown["Content-Type"]
        assert b"Beta" not in foreign.content


def test_unknown_and_foreign_slug_answer_identically_in_html(world: World) -> None:
    client = world.client("alpha.coordinator")
    for path in ("", "agencies/", "members/", "audit/"):
        foreign = client.get(f"/tf/beta/{path}")
        unknown = client.get(f"/tf/no-such-task-force/{path}")
        assert foreign.status_code == 404, path
        assert unknown.status_code == 404, path
        assert foreign.content == unknown.content, path
        assert b"Not found" in foreign.content
        assert b"Beta" not in foreign.content


def test_invalid_uuid_in_a_detail_url_is_404(world: World) -> None:
    api = world.api("alpha.coordinator")
    html = world.client("alpha.tenant_admin")
    for url in (
        "/api/v1/tf/alpha/agencies/not-a-uuid/",
        "/api/v1/tf/alpha/memberships/not-a-uuid/",
        "/api/v1/tf/alpha/agencies/123/",
        "/api/v1/tf/alpha/agencies/%27%20OR%201=1--/",
    ):
        response = api.get(url)
        assert response.status_code == 404, url
        assert response.json() == {"detail": "Not found."}, url
    for url in (
        "/tf/alpha/agencies/not-a-uuid/edit/",
        "/tf/alpha/members/not-a-uuid/edit/",
        "/tf/alpha/members/123/deactivate/",
    ):
        assert html.get(url).status_code == 404, url
        assert html.post(url).status_code == 404, url
    # A well-formed id that exists in another task force answers like a random one.
    foreign = api.get(f"/api/v1/tf/alpha/agencies/{world.agencies['beta.vs'].id}/")
    random = api.get(f"/api/v1/tf/alpha/agencies/{uuid.uuid4()}/")
    assert foreign.status_code == random.status_code == 404
    assert foreign.content == random.content


# --- the scoped API base classes --------------------------------------------------------------


@pytest.mark.parametrize("method", ["get_queryset", "get_object"])
def test_scoped_viewset_refuses_overrides(method: str) -> None:
    with pytest.raises(TypeError, match=method):
        type(
            "LeakyViewSet",
            (ScopedViewSet,),
            {"visible": staticmethod(visible_agencies), method: lambda self: None},
        )


def test_scoped_viewset_subclass_without_overrides_is_fine() -> None:
    cls = type("FineViewSet", (ScopedViewSet,), {"visible": staticmethod(visible_agencies)})
    assert issubclass(cls, ScopedViewSet)


def test_scoped_viewset_refuses_overrides_further_down() -> None:
    base = type("FineViewSet", (ScopedViewSet,), {"visible": staticmethod(visible_agencies)})
    with pytest.raises(TypeError):
        type("Leaky", (base,), {"get_queryset": lambda self: Agency.objects.all()})


class _PickAgency(serializers.Serializer):
    agency = ScopedPrimaryKeyRelatedField(visible=visible_agencies)


def test_scoped_related_field_rejects_another_task_forces_id(world: World) -> None:
    actor = world.actor("alpha.coordinator")
    own = _PickAgency(data={"agency": str(world.agencies["alpha.vs"].id)}, context={"actor": actor})
    assert own.is_valid(), own.errors
    assert own.validated_data["agency"] == world.agencies["alpha.vs"]

    foreign = _PickAgency(data={"agency": str(world.agencies["beta.vs"].id)}, context={"actor": actor})
    assert not foreign.is_valid()
    assert "does not exist" in str(foreign.errors["agency"][0])

    random = _PickAgency(data={"agency": str(uuid.uuid4())}, context={"actor": actor})
    assert not random.is_valid()
    assert str(random.errors["agency"][0]).replace(str(random.initial_data["agency"]), "X") == str(
        foreign.errors["agency"][0]
    ).replace(str(world.agencies["beta.vs"].id), "X")


def test_scoped_related_field_without_actor_is_improperly_configured(world: World) -> None:
    serializer = _PickAgency(data={"agency": str(world.agencies["alpha.vs"].id)}, context={})
    with pytest.raises(ImproperlyConfigured):
        serializer.is_valid()


# --- query budget: constant in the number of rows ---------------------------------------------


def _add_agencies(world: World, count: int) -> None:
    task_force = world.task_forces["alpha"]
    start = Agency.objects.filter(task_force=task_force, name__startswith="Extra Agency").count()
    Agency.objects.bulk_create(
        Agency(
            task_force=task_force,
            name=f"Extra Agency {start + index:04d}",
            side=Side.PARTNER,
            mou_signed_on=dt.date(2025, 1, 1),
            mou_expires_on=dt.date(2027, 1, 1),
        )
        for index in range(count)
    )


def _measure(client: Client | APIClient, url: str, *, rows: int | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    if rows is not None:
        assert len(response.json()["results"]) == rows, url
    return len(queries)


def test_agency_lists_run_a_constant_number_of_queries(world: World, django_assert_max_num_queries) -> None:
    api = world.api("alpha.coordinator")
    html = world.client("alpha.coordinator")
    members_api = "/api/v1/tf/alpha/memberships/?page_size=100"

    _add_agencies(world, 25)
    small = {
        "api25": _measure(api, "/api/v1/tf/alpha/agencies/?page_size=25", rows=25),
        "api100": _measure(api, "/api/v1/tf/alpha/agencies/?page_size=100"),
        "html": _measure(html, "/tf/alpha/agencies/"),
        "members": _measure(api, members_api),
    }
    _add_agencies(world, 75)
    large = {
        "api25": _measure(api, "/api/v1/tf/alpha/agencies/?page_size=25", rows=25),
        "api100": _measure(api, "/api/v1/tf/alpha/agencies/?page_size=100", rows=100),
        "html": _measure(html, "/tf/alpha/agencies/"),
        "members": _measure(api, members_api),
    }
    assert small == large
    # Page size changes nothing either.
    assert large["api25"] == large["api100"]
    # And an absolute ceiling, so a constant but silly number fails too.
    with django_assert_max_num_queries(12):
        assert api.get("/api/v1/tf/alpha/agencies/?page_size=100").status_code == 200
    with django_assert_max_num_queries(18):
        # The HTML list pages (taskforce.listing): the newest extra agency leads by name, Z to A.
        response = html.get("/tf/alpha/agencies/", {"sort": "-name", "size": 100})
    assert b"Extra Agency 0099" in response.content


def test_agency_api_page_size_is_capped(world: World) -> None:
    _add_agencies(world, 120)
    response = world.api("alpha.coordinator").get("/api/v1/tf/alpha/agencies/?page_size=1000")
    assert response.status_code == 200
    body = response.json()
    assert len(body["results"]) == 100
    assert body["next"] is not None
    # Cursor pages: following next ends without repeating a row.
    seen = {row["id"] for row in body["results"]}
    client = world.api("alpha.coordinator")
    next_url = body["next"]
    while next_url:
        page = client.get(next_url).json()
        ids = {row["id"] for row in page["results"]}
        assert not ids & seen
        seen |= ids
        next_url = page["next"]
    assert len(seen) == Agency.objects.filter(task_force=world.task_forces["alpha"]).count()


# --- security headers, health, OpenAPI --------------------------------------------------------


def _assert_hardened(response, what: str) -> None:
    csp = response.get("Content-Security-Policy")
    assert csp, what
    assert "unsafe-inline" not in csp, what
    assert "unsafe-eval" not in csp, what
    assert "default-src 'self'" in csp, what
    assert "frame-ancestors 'none'" in csp, what
    assert response["X-Frame-Options"] == "DENY", what
    assert "no-store" in response["Cache-Control"], what
    assert response["X-Content-Type-Options"] == "nosniff", what


def test_security_headers_on_html_and_api(world: World) -> None:
    html = world.client("alpha.coordinator").get("/tf/alpha/")
    assert html.status_code == 200
    _assert_hardened(html, "html")
    api = world.api("alpha.coordinator").get("/api/v1/tf/alpha/agencies/")
    assert api.status_code == 200
    _assert_hardened(api, "api")
    # Error answers too: a 404 and the sign-in page.
    _assert_hardened(world.api("alpha.coordinator").get("/api/v1/tf/beta/agencies/"), "api 404")
    _assert_hardened(Client().get("/accounts/login/"), "login")


def test_session_cookie_is_httponly_and_samesite(world: World) -> None:
    client = Client()
    response = client.post("/accounts/login/", {"username": "coordinator@alpha.test", "password": PASSWORD})
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_healthz() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_schema_for_an_authenticated_user(world: World) -> None:
    response = world.client("alpha.coordinator").get("/api/v1/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "openapi: 3" in text
    assert "/api/v1/tf/{task_force}/agencies/" in text
    assert "/api/v1/auth/token/" in text


def test_docs_use_no_external_script(world: World) -> None:
    response = world.client("alpha.coordinator").get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger" in html.lower()
    sources = re.findall(r"""<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*["']([^"']+)""", html, re.I)
    assert sources, "the docs page loads no assets at all?"
    external = [src for src in sources if re.match(r"(?:https?:)?//", src)]
    assert external == []
    # Our own static files, plus Swagger's setup script served by the docs view itself.
    assert all(src.startswith((settings.STATIC_URL, "/api/v1/docs/?script")) for src in sources), sources


def test_docs_work_under_the_content_security_policy(world: World) -> None:
    """The CSP forbids inline script and style: a docs page that needs them is a blank page."""
    response = world.client("alpha.coordinator").get("/api/v1/docs/")
    html = response.content.decode()
    inline_scripts = [
        body for body in re.findall(r"<script\b[^>]*>(.*?)</script>", html, re.S | re.I) if body.strip()
    ]
    assert inline_scripts == [], "inline <script> is blocked by the CSP (no 'unsafe-inline')"
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_api_answers_json_for_a_wrong_method(world: World) -> None:
    response = world.api("alpha.coordinator").delete("/api/v1/tf/alpha/agencies/")
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
