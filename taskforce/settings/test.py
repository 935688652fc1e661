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
