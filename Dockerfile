# Production image: gunicorn (web), celery worker and celery beat all run from it.
# Settings come from the environment (see .env.example); nothing secret is baked in.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=taskforce.settings.production \
    DJANGO_MEDIA_ROOT=/app/var/media \
    WEB_CONCURRENCY=3

WORKDIR /app

# Dependencies first (pinned in pyproject.toml; the project itself installs no package),
# so code changes do not invalidate this layer.
COPY pyproject.toml ./
RUN pip install . && rm -rf build *.egg-info

COPY . .

# Static files are collected at build time and served by WhiteNoise. The values below only
# satisfy the production settings for this one command; no database is contacted.
RUN DJANGO_SECRET_KEY=collectstatic-only-not-a-secret \
    DJANGO_ALLOWED_HOSTS=localhost \
    DATABASE_URL=postgres://unused@localhost/unused \
    TASKFORCE_FIELD_KEYS=build:Y29sbGVjdHN0YXRpYy1vbmx5LW5vdC1hLXNlY3JldCE= \
    TASKFORCE_BLIND_INDEX_KEY=Y29sbGVjdHN0YXRpYy1vbmx5LWJsaW5kLWluZGV4ISE= \
    REDIS_URL=redis://unused:6379/0 \
    python manage.py collectstatic --noinput

# Run as an unprivileged user; only var/ (media, exports, beat schedule) is writable.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app \
    && mkdir -p /app/var/media \
    && chown -R app:app /app/var
USER app

EXPOSE 8000
# gunicorn takes its number of worker processes from WEB_CONCURRENCY.
CMD ["gunicorn", "taskforce.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
