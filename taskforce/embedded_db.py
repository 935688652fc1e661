"""Embedded PostgreSQL for the quick start: a real server under var/, no system install needed.

Two roles, as in production, neither a superuser nor BYPASSRLS (row-level security only binds
such roles): ``taskforce_owner`` owns the database and runs migrations (and creates the test
database, hence CREATEDB); ``taskforce``, the running role, owns nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

APP_ROLE = "taskforce"
OWNER_ROLE = "taskforce_owner"
APP_DATABASE = "taskforce"


def ensure_embedded_database(var_dir: Path) -> tuple[str, str]:
    """Start (or reuse) the embedded server; return DATABASE_URL (running role) and
    DATABASE_OWNER_URL (owner role)."""
    import pgserver  # imported lazily: production never loads it

    var_dir.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the server outlives this process, so runserver's reloader,
    # manage.py commands and the test run all share it. `make stop-db` stops it.
    server = pgserver.get_server(var_dir / "pgdata", cleanup_mode=None)
    # Constant names, not input: string formatting is safe here.
    for role, attributes in ((OWNER_ROLE, "CREATEDB"), (APP_ROLE, "NOCREATEDB")):
        exists = server.psql(f"SELECT 1 FROM pg_roles WHERE rolname = '{role}';")  # noqa: S608
        if "(1 row)" not in exists:
            server.psql(f"CREATE ROLE {role} LOGIN {attributes} NOSUPERUSER NOBYPASSRLS;")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{APP_DATABASE}';")  # noqa: S608
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {APP_DATABASE} OWNER {OWNER_ROLE};")
    else:
        # A database from before the two roles: hand it, and whatever the running role owns in
        # it, to the owner (psql reads stdin: \\c moves into that database first).
        server.psql(
            f"ALTER DATABASE {APP_DATABASE} OWNER TO {OWNER_ROLE};\n"
            f"\\c {APP_DATABASE}\nREASSIGN OWNED BY {APP_ROLE} TO {OWNER_ROLE};\n"
        )
    host = re.search(r"host=([^&]+)", server.get_uri())
    if host is None:  # pragma: no cover - pgserver always uses a socket on POSIX
        raise RuntimeError(f"unexpected pgserver URI: {server.get_uri()}")
    socket = host.group(1)
    return (
        f"postgres://{APP_ROLE}@/{APP_DATABASE}?host={socket}",
        f"postgres://{OWNER_ROLE}@/{APP_DATABASE}?host={socket}",
    )


def stop_embedded_database(var_dir: Path) -> None:
    import pgserver

    pgdata = var_dir / "pgdata"
    if pgdata.exists():
        pgserver.get_server(pgdata, cleanup_mode="stop").cleanup()
