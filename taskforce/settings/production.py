"""Production settings: every secret comes from the environment; nothing insecure by default."""

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
