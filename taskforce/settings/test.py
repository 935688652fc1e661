"""Test settings: real PostgreSQL (DATABASE_URL, else embedded) and real Redis when REDIS_URL is set."""

from .local import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Throttles would make the suite order-dependent; the throttle tests set their own rates.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"auth": "1000/min", "auth_account": "1000/min"},
}

# Test-only reference records (tests/wallapp) that exercise the access layer.
INSTALLED_APPS = [*INSTALLED_APPS, "tests.wallapp"]  # noqa: F405
ROOT_URLCONF = "tests.urls"

# Tasks run inline unless a test starts a real worker (tests marked celery_worker switch this off).
CELERY_TASK_ALWAYS_EAGER = True

# Two roles, as in production: the owner creates and migrates the test database (pytest-django
# uses ``default`` for that), then tests/conftest.py reconnects ``default`` as the running role.
TASKFORCE_OWNER_DATABASE = None
TASKFORCE_RUNNING_DATABASE = None
if "owner" in DATABASES:  # noqa: F405
    TASKFORCE_RUNNING_DATABASE = {
        key: DATABASES["default"][key]  # noqa: F405
        for key in ("USER", "PASSWORD")
    }
    TASKFORCE_OWNER_DATABASE = {key: DATABASES["owner"][key] for key in ("USER", "PASSWORD")}  # noqa: F405
    DATABASES = {"default": {**DATABASES["default"], **TASKFORCE_OWNER_DATABASE}}  # noqa: F405
