"""Embedded PostgreSQL for the quick start: a real server under var/, no system install needed.

The application connects as ``taskforce``, a role that owns its database but is not a
superuser and has no BYPASSRLS: row-level security only binds such roles.
"""

from __future__ import annotations

import re
from pathlib import Path

APP_ROLE = "taskforce"
APP_DATABASE = "taskforce"


def ensure_embedded_database(var_dir: Path) -> str:
    """Start (or reuse) the embedded server and return a DATABASE_URL for the app role."""
    import pgserver  # imported lazily: production never loads it

    var_dir.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the server outlives this process, so runserver's reloader,
    # manage.py commands and the test run all share it. `make stop-db` stops it.
    server = pgserver.get_server(var_dir / "pgdata", cleanup_mode=None)
    # Constant names, not input: string formatting is safe here.
    exists = server.psql(f"SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}';")  # noqa: S608
    if "(1 row)" not in exists:
        server.psql(f"CREATE ROLE {APP_ROLE} LOGIN CREATEDB NOSUPERUSER NOBYPASSRLS;")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{APP_DATABASE}';")  # noqa: S608
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {APP_DATABASE} OWNER {APP_ROLE};")
    host = re.search(r"host=([^&]+)", server.get_uri())
    if host is None:  # pragma: no cover - pgserver always uses a socket on POSIX
        raise RuntimeError(f"unexpected pgserver URI: {server.get_uri()}")
    return f"postgres://{APP_ROLE}@/{APP_DATABASE}?host={host.group(1)}"


def stop_embedded_database(var_dir: Path) -> None:
    import pgserver

    pgdata = var_dir / "pgdata"
    if pgdata.exists():
        pgserver.get_server(pgdata, cleanup_mode="stop").cleanup()
