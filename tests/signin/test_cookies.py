"""`__Host-` cookies in production (issue 9 weakness 10), a clean `check --deploy`, and
production refusing to start without the shared Redis its throttles count in (weakness 2)."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

from django.test import Client, override_settings

from tests.world import PASSWORD, World

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "taskforce.settings.production",
    "DJANGO_SECRET_KEY": "p" * 20 + "-production-like-secret-key-for-the-check-0123456789",
    "DJANGO_ALLOWED_HOSTS": "tf.example.org",
    "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://taskforce@127.0.0.1:5432/taskforce"),
    "REDIS_URL": "redis://127.0.0.1:6379/15",
    # Production refuses to start without real encryption keys: fresh random ones for the check.
    "TASKFORCE_FIELD_KEYS": "test:" + base64.b64encode(os.urandom(32)).decode(),
    "TASKFORCE_BLIND_INDEX_KEY": base64.b64encode(os.urandom(32)).decode(),
}
_PRINT = (
    "import json, django; from django.conf import settings; django.setup(); print(json.dumps({k: getattr("
    "settings, k) for k in ('SESSION_COOKIE_NAME', 'CSRF_COOKIE_NAME', 'SESSION_COOKIE_SECURE', "
    "'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_PATH', 'CSRF_COOKIE_PATH', 'SESSION_COOKIE_DOMAIN', "
    "'CSRF_COOKIE_DOMAIN')} | {'cache': settings.CACHES['default']['BACKEND']}))"
)


def _production(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **PRODUCTION_ENV, **(env or {})}
    # The browser tests' conftest sets this for Playwright in this process: not for production.
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def _production_cookie_settings() -> dict:
    result = _production("-c", _PRINT)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_names_its_cookies_with_the_host_prefix() -> None:
    values = _production_cookie_settings()
    assert values["SESSION_COOKIE_NAME"] == "__Host-sessionid"
    assert values["CSRF_COOKIE_NAME"] == "__Host-csrftoken"
    # What the browser demands of a __Host- cookie: Secure, Path=/, no Domain.
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_PATH"] == values["CSRF_COOKIE_PATH"] == "/"
    assert values["SESSION_COOKIE_DOMAIN"] is None
    assert values["CSRF_COOKIE_DOMAIN"] is None
    assert values["cache"] == "django.core.cache.backends.redis.RedisCache"


def test_cookies_set_at_sign_in_carry_the_prefix_rules(world: World) -> None:
    values = _production_cookie_settings()
    names = {k: v for k, v in values.items() if k.isupper()}
    with override_settings(**names):
        client = Client(enforce_csrf_checks=True)
        page = client.get("/accounts/login/", secure=True)
        csrf = page.cookies["__Host-csrftoken"]
        answer = client.post(
            "/accounts/login/",
            {
                "username": world.users["alpha.analyst"].email,
                "password": PASSWORD,
                "csrfmiddlewaretoken": csrf.value,
            },
            secure=True,
            HTTP_REFERER="https://testserver/accounts/login/",
        )
        assert answer.status_code == 302
        session = answer.cookies["__Host-sessionid"]
        for cookie in (session, csrf):
            assert cookie["secure"] is True
            assert cookie["path"] == "/"
            assert cookie["domain"] == ""
        assert "sessionid" not in answer.cookies
        assert "csrftoken" not in answer.cookies


def test_check_deploy_is_clean_with_production_settings() -> None:
    result = _production("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_redis() -> None:
    """Throttles count in the cache: without Redis each gunicorn worker would count alone."""
    result = _production("-c", _PRINT, env={"REDIS_URL": ""})
    assert result.returncode != 0
    assert "REDIS_URL is required in production" in result.stderr
