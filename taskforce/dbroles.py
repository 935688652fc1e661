"""The two database roles (security.md, api.md "Running").

The *owner* role (``DATABASE_OWNER_URL``) owns the schema and runs migrations. The *running*
role (``DATABASE_URL``: web, workers, beat) owns nothing and holds DML rights only, and on the
audit log only INSERT and SELECT: so it can neither switch row-level security off, nor disable
a trigger, nor truncate, alter or rewrite the audit log, whatever SQL it is tricked into.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

OWNER_ALIAS = "owner"


def app_role() -> str:
    """The running role's name (from DATABASE_URL)."""
    return getattr(settings, "TASKFORCE_APP_DB_USER", "") or ""


def grant_app_role(connection: Any, role: str | None = None) -> bool:
    """Grant the running role exactly what it needs. Run by the owner after every migrate.

    Returns False (and grants nothing) when there is one role only: the owner is the running role.
    """
    role = role if role is not None else app_role()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        if not role or role == cursor.fetchone()[0]:
            return False
        # The statements live in the database (migration 0004): identifiers quoted by format(%I).
        cursor.execute("SELECT taskforce_grant_app_role(%s)", [role])
    return True


def running_role_problems(connection: Any) -> list[str]:
    """What makes the connected role unfit to run the application (empty when fit)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.rolsuper, r.rolbypassrls,"
            " (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            "   WHERE c.relowner = r.oid AND c.relkind IN ('r', 'p', 'v', 'm', 'S')"
            "   AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
            "   AND n.nspname NOT LIKE 'pg_toast%%'),"
            " (SELECT count(*) FROM pg_namespace n WHERE n.nspowner = r.oid AND n.nspname = current_schema())"
            " FROM pg_roles r WHERE r.rolname = current_user"
        )
        superuser, bypassrls, owned, schemas = cursor.fetchone()
    problems = []
    if superuser:
        problems.append("is a superuser")
    if bypassrls:
        problems.append("has BYPASSRLS")
    if owned:
        problems.append(f"owns {owned} table(s) or sequence(s)")
    if schemas:
        problems.append("owns the schema")
    return problems


def check_running_role(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver (production): refuse to run as a role that owns the schema.

    A runtime check, not a system check: ``check --deploy`` runs without a database, and the
    first real connection is where the role is known.
    """
    if connection.alias == OWNER_ALIAS or getattr(connection, "_taskforce_role_checked", False):
        return
    problems = running_role_problems(connection)
    if problems:
        raise ImproperlyConfigured(
            "DATABASE_URL's role "
            + ", ".join(problems)
            + ": the running role must own nothing and hold DML rights only. Run migrations as the"
            " owner role (DATABASE_OWNER_URL) and connect the application as another role."
        )
    connection._taskforce_role_checked = True
