"""Production settings: every secret comes from the environment; nothing insecure by default."""

from taskforce.keys import require_production_keys

from .base import *  # noqa: F403
from .base import database_settings, env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
env("DATABASE_URL")  # required: no default database in production
DATABASES = database_settings(env.int("DJANGO_CONN_MAX_AGE", default=60))
TASKFORCE_APP_DB_USER = DATABASES["default"]["USER"]
# The first connection refuses a running role that is a superuser, has BYPASSRLS or owns a
# table (taskforce.dbroles.check_running_role).
TASKFORCE_CHECK_DB_ROLE = env.bool("TASKFORCE_CHECK_DB_ROLE", default=True)

SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
TASKFORCE_REQUIRE_MFA = env.bool("TASKFORCE_REQUIRE_MFA", default=True)

# Identity is encrypted at rest: no start without real keys (env() raises when unset), and a
# malformed or development key stops the process here rather than at the first client read.
TASKFORCE_FIELD_KEYS = env("TASKFORCE_FIELD_KEYS")
TASKFORCE_BLIND_INDEX_KEY = env("TASKFORCE_BLIND_INDEX_KEY")
require_production_keys(TASKFORCE_FIELD_KEYS, TASKFORCE_BLIND_INDEX_KEY)

# Sign-in hardening (issue 9).
# __Host- cookies: the browser accepts them only over HTTPS, for path /, with no Domain, so no
# sibling subdomain can plant or overwrite our session or CSRF cookie.
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
SESSION_COOKIE_PATH = "/"
CSRF_COOKIE_PATH = "/"
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
# Throttles count in the cache: per process memory would give every gunicorn worker its own
# count. Production shares it through Redis, and refuses to start without it.
if not REDIS_URL:  # noqa: F405
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "REDIS_URL is required in production: sign-in throttles are shared through it."
    )
