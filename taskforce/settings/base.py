"""Settings shared by every environment. Values come from the environment (twelve-factor)."""

from pathlib import Path

import environ
from celery.schedules import crontab

from taskforce.keys import DEVELOPMENT_BLIND_INDEX_KEY, DEVELOPMENT_FIELD_KEYS

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "taskforce.admin_config.PlatformAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.postgres",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "csp",
    "taskforce",
    "cases",
    "referrals",
    "mdt",
    "reporting",
    # Sign-in hardening (issue 9): lockout, MFA, sessions list.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp_webauthn",
    "signin",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "taskforce.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "signin.middleware.BrowserSessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "taskforce.middleware.SessionLifetimeMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "signin.middleware.SignInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Innermost: one database transaction per request, so the row-level security
    # settings (transaction-local) hold for the view *and* the template rendering.
    "taskforce.middleware.RequestTransactionMiddleware",
]

ROOT_URLCONF = "taskforce.urls"
WSGI_APPLICATION = "taskforce.wsgi.application"
AUTH_USER_MODEL = "taskforce.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "taskforce.context_processors.shell",
            ],
        },
    },
]


def database_settings(conn_max_age: int) -> dict:
    """``default``: the running role (DATABASE_URL). ``owner``: the schema's owner
    (DATABASE_OWNER_URL), used by ``migrate`` only; absent when one role does both."""
    databases = {"default": env.db("DATABASE_URL", default="postgres:///taskforce")}
    databases["default"]["CONN_MAX_AGE"] = conn_max_age
    databases["default"]["CONN_HEALTH_CHECKS"] = True
    # Requests read pages and one period through indexes: starting parallel workers costs more
    # than it saves (20 ms for the report's law-enforcement block on 2 cores, for 3 ms of work).
    # DJANGO_DB_PARALLEL_WORKERS raises it for a deployment that wants it.
    workers = env.int("DJANGO_DB_PARALLEL_WORKERS", default=0)
    options = databases["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c max_parallel_workers_per_gather={workers}".strip()
    if env("DATABASE_OWNER_URL", default=""):
        databases["owner"] = env.db("DATABASE_OWNER_URL")
        databases["owner"]["CONN_MAX_AGE"] = 0
    return databases


DATABASES = database_settings(env.int("DJANGO_CONN_MAX_AGE", default=60))
# The running role, whom ``migrate`` (as the owner) grants its DML rights.
TASKFORCE_APP_DB_USER = DATABASES["default"]["USER"]
# Production sets this: the first connection refuses a running role that owns a table.
TASKFORCE_CHECK_DB_ROLE = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # ModelBackend that refuses locked accounts with the same answer as a wrong password.
    "signin.backends.LockoutModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# No anonymous user row: anonymous visitors get nothing, and guardian must not invent one.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "taskforce.passwords.MaximumLengthValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = env("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media"))

# Sessions: idle timeout 30 minutes (refreshed on each request), absolute 12 hours (middleware).
SESSION_COOKIE_AGE = 30 * 60
# The idle timeout is kept by SessionLifetimeMiddleware touching the session at most once a
# minute, not by a write on every request (a second transaction per page).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "taskforce.errors.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy: our own files only, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: without a broker (quick start) tasks run inline in the web process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Longer than the longest task (exports), so Redis never hands a running task to a second worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
CELERY_BEAT_SCHEDULE: dict = {
    "verify-audit-chains-nightly": {
        "task": "taskforce.tasks.verify_audit_chains",
        "schedule": crontab(hour=3, minute=17),
    },
    "mdt-action-item-reminders-daily": {
        "task": "mdt.tasks.action_item_reminders",
        "schedule": crontab(hour=7, minute=10),
    },
    "reports-prepare-previous-month": {
        "task": "reporting.tasks.prepare_previous_month",
        "schedule": crontab(day_of_month=1, hour=5, minute=30),
    },
    "signin-prune-records-daily": {
        "task": "signin.tasks.prune_sign_in_records",
        "schedule": crontab(hour=4, minute=40),
    },
    "certification-reminders-daily": {
        "task": "referrals.tasks.certification_reminders",
        "schedule": crontab(hour=7, minute=5),
    },
}
# Links in notification mails point here (mails never carry case or client detail).
TASKFORCE_BASE_URL = env("TASKFORCE_BASE_URL", default="http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="taskforce@localhost")
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "taskforce.tokens.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "taskforce.pagination.CreatedCursorPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "taskforce.api.exception_handler",
    # Per address (an office may share one) and per address and account (guessing one password).
    "DEFAULT_THROTTLE_RATES": {"auth": "120/min", "auth_account": "10/min"},
    # Throttles key on the client address: never trust a client's X-Forwarded-For. Behind a
    # known number of proxies set DJANGO_NUM_PROXIES so DRF reads the proxy-added entry only.
    "NUM_PROXIES": env.int("DJANGO_NUM_PROXIES", default=0),
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Task force platform API",
    "DESCRIPTION": "Case coordination for multi-agency human trafficking task forces.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

TASKFORCE_REQUIRE_MFA = env.bool("TASKFORCE_REQUIRE_MFA", default=False)

# Field-level encryption and blind-index keys (docs/encryption.md). Outside production a fixed,
# public development key: it protects nothing and production settings refuse to start with it.
TASKFORCE_FIELD_KEYS = env("TASKFORCE_FIELD_KEYS", default=DEVELOPMENT_FIELD_KEYS)
TASKFORCE_BLIND_INDEX_KEY = env("TASKFORCE_BLIND_INDEX_KEY", default=DEVELOPMENT_BLIND_INDEX_KEY)

# Sign-in hardening (signin app): CJIS lockout figures and the TOTP issuer shown in apps.
SIGNIN_LOCKOUT_FAILURES = 5
SIGNIN_LOCKOUT_WINDOW_SECONDS = 15 * 60
OTP_TOTP_ISSUER = "Task force platform"
# Security keys and passkeys: a second factor only, never instead of the password.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_RP_NAME = "Task force platform"
_BASE = TASKFORCE_BASE_URL.rstrip("/")
_SECURE_BASE = _BASE.startswith("https://")
_BASE_HOST = _BASE.split("://", 1)[-1].split("/")[0].split(":")[0]
OTP_WEBAUTHN_RP_ID = env("TASKFORCE_WEBAUTHN_RP_ID", default=_BASE_HOST if _SECURE_BASE else "localhost")
OTP_WEBAUTHN_ALLOWED_ORIGINS = env.list(
    "TASKFORCE_WEBAUTHN_ORIGINS", default=[_BASE] if _SECURE_BASE else ["http://localhost:8000"]
)
# An API token lives as long as a browser session may: 12 hours.
API_TOKEN_LIFETIME_SECONDS = 12 * 60 * 60

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
