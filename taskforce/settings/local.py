"""Developer and quick-start settings: embedded PostgreSQL when DATABASE_URL is unset."""

import os

from .base import *  # noqa: F403
from .base import BASE_DIR, database_settings, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-only-insecure-key-change-me")

if not os.environ.get("DATABASE_URL"):
    from taskforce.embedded_db import ensure_embedded_database

    os.environ["DATABASE_URL"], os.environ["DATABASE_OWNER_URL"] = ensure_embedded_database(BASE_DIR / "var")

DATABASES = database_settings(60)
TASKFORCE_APP_DB_USER = DATABASES["default"]["USER"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# WhiteNoise warns when the collected static folder is missing; in development it serves from finders.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
