"""Benchmark data, by set-based SQL, in a database of its own per size (performance.md).

    python benchmarks/generate.py --size S          # or: make bench-data SIZE=S

Each size lives in its own database, ``<application database>_<size>`` (``tf_bench_s`` next to
``tf_bench``), created by the admin connection (``BENCH_ADMIN_URL``, a superuser: row-level
security is forced on every tenant table and binds the application role), migrated by the
application role (it owns the schema, as in production) and filled by the superuser with
``INSERT ... SELECT generate_series``. Rows are deterministic: ids are md5 digests of their
position, dates count back from the day of generation. The ``bench_marker`` table records the
plan once everything is in; a database without it, or with one written by another generator or
for other migrations, is dropped and built again, so a second run is a no-op.

It never touches the application's own database nor the test database: only ``..._<size>``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import os
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
from psycopg2.extras import Json

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from benchmarks.recipe import AGENCIES, CYCLES, LARGEST_WEIGHT, SINGLE_USERS, SIZES, Size, statements  # noqa: E402


def weights(count: int) -> list[float]:
    """The largest task force 10x the median; the others spread 0.5x-1.5x around the median."""
    others = count - 1
    if others < 5:
        return [LARGEST_WEIGHT] + [1.0] * others
    return [LARGEST_WEIGHT] + [0.5 + i / (others - 1) for i in range(others)]


def apportion(total: int, shares: list[float]) -> list[int]:
    """``total`` split in proportion to ``shares`` (largest remainder: the sum is exact)."""
    whole = sum(shares)
    raw = [total * s / whole for s in shares]
    counts = [math.floor(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)[: total - sum(counts)]:
        counts[i] += 1
    return counts


def plan(size: Size) -> dict:
    """Which task force gets how much, and which are the largest and the median one."""
    w = weights(size.task_forces)
    columns = {
        "clients": apportion(size.clients, w),
        "services": apportion(size.services, w),
        "tips": apportion(size.tips, w),
        "investigations": apportion(size.investigations, w),
    }
    task_forces = [
        {"idx": i, "slug": f"tf{i:04d}", "weight": w[i], **{k: v[i] for k, v in columns.items()}}
        for i in range(size.task_forces)
    ]
    by_size = sorted(task_forces[1:], key=lambda t: (t["weight"], t["idx"])) or task_forces
    median = by_size[len(by_size) // 2] if len(task_forces) > 1 else task_forces[0]
    return {
        "size": asdict(size),
        "task_forces": task_forces,
        "largest": task_forces[0]["slug"],
        "median": median["slug"],
        "today": dt.datetime.now(dt.UTC).date().isoformat(),
    }


# ---------------------------------------------------------------------------------- databases


def database_name(app_url: str, size: str) -> str:
    return f"{urlsplit(app_url).path.lstrip('/')}_{size.lower()}"


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def app_url() -> str:
    """The application's database URL; without DATABASE_URL, the embedded server's (as the
    local settings do)."""
    if not os.environ.get("DATABASE_URL"):
        from taskforce.embedded_db import ensure_embedded_database

        os.environ["DATABASE_URL"] = ensure_embedded_database(ROOT / "var")
    return os.environ["DATABASE_URL"]


def admin_url() -> str:
    """``BENCH_ADMIN_URL``, else the superuser ``postgres`` on the application's server."""
    if os.environ.get("BENCH_ADMIN_URL"):
        return os.environ["BENCH_ADMIN_URL"]
    parts = urlsplit(app_url())
    server = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"postgres@{server}", path="/postgres"))


def fingerprint(size: Size) -> str:
    """What the data is made of (the SQL, the sizes, the people) and the migrations on disk: a
    change to either rebuilds; a change to comments or to the command line does not."""
    recipe = [statements(size), asdict(size), AGENCIES, SINGLE_USERS, CYCLES, weights(size.task_forces)]
    recipe.append((ROOT / "benchmarks" / "seal.py").read_text())
    digest = hashlib.sha256(repr(recipe).encode())
    for path in sorted(ROOT.glob("*/migrations/0*.py")):
        digest.update(path.relative_to(ROOT).as_posix().encode())
    return digest.hexdigest()[:16]


def read_marker(admin: str, database: str, size: str) -> dict | None:
    try:
        conn = psycopg2.connect(with_database(admin, database))
    except psycopg2.OperationalError:
        return None
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT to_regclass('public.bench_marker') IS NOT NULL")
            if not cur.fetchone()[0]:
                return None
            cur.execute("SELECT fingerprint, plan FROM bench_marker WHERE size = %s", [size])
            row = cur.fetchone()
            return {"fingerprint": row[0], "plan": row[1]} if row else None
    finally:
        conn.close()


def recreate_database(admin: str, database: str, owner: str) -> None:
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            cur.execute(f'CREATE DATABASE "{database}" OWNER "{owner}"')
    finally:
        conn.close()


def migrate(app: str, owner: str | None = None) -> None:
    """As the owner role when there is one (it owns the schema and grants the running role),
    else as the application role, the way the project's own ``migrate`` runs."""
    env = {**os.environ, "DATABASE_URL": app, "DJANGO_SETTINGS_MODULE": "taskforce.settings.local"}
    if owner:
        env["DATABASE_OWNER_URL"] = owner
    else:
        env.pop("DATABASE_OWNER_URL", None)
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"], check=True, env=env
    )


def seal(admin_db_url: str) -> None:
    """Encrypt what the SQL wrote, as the application stores it (benchmarks/seal.py)."""
    env = {**os.environ, "DATABASE_URL": admin_db_url, "DJANGO_SETTINGS_MODULE": "taskforce.settings.local"}
    env.pop("DATABASE_OWNER_URL", None)
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "seal.py")], check=True, env=env)


def fill(admin_db_url: str, size: Size, the_plan: dict, *, verbose: bool) -> dict[str, float]:
    conn = psycopg2.connect(admin_db_url)
    timings: dict[str, float] = {}
    try:
        with conn.cursor() as cur:
            # Consistent by construction: skip the per-row foreign key triggers (minutes at M).
            cur.execute("SET session_replication_role = replica")
            cur.execute("SET synchronous_commit = off")
            cur.execute(
                "CREATE TEMP TABLE g_tf (idx int, id uuid, slug text, clients int, services int, tips int,"
                " investigations int)"
            )
            cur.executemany(
                "INSERT INTO g_tf VALUES (%s, md5('tf:' || %s)::uuid, %s, %s, %s, %s, %s)",
                [
                    (
                        t["idx"],
                        t["slug"],
                        t["slug"],
                        t["clients"],
                        t["services"],
                        t["tips"],
                        t["investigations"],
                    )
                    for t in the_plan["task_forces"]
                ],
            )
            cur.execute("CREATE TEMP TABLE g_agency_kind (kind text, name text, side text)")
            cur.executemany("INSERT INTO g_agency_kind VALUES (%s, %s, %s)", AGENCIES)
            cur.execute("CREATE TEMP TABLE g_single_user (local text, kind text, role text)")
            cur.executemany("INSERT INTO g_single_user VALUES (%s, %s, %s)", SINGLE_USERS)
            cur.execute(
                "CREATE TEMP TABLE g_perm AS SELECT p.id, p.codename, p.content_type_id"
                " FROM auth_permission p JOIN django_content_type ct ON ct.id = p.content_type_id"
                " WHERE (ct.app_label, ct.model, p.codename) IN"
                " (('cases', 'case', 'view_case'), ('referrals', 'investigation', 'view_investigation'))"
            )
            today = dt.date.fromisoformat(the_plan["today"])
            params = {"now0": dt.datetime.combine(today, dt.time(), dt.UTC), "today": today}
            for label, sql in statements(size):
                started = time.monotonic()
                # Modulo is written ' % ' in the SQL above; psycopg2 wants it doubled beside parameters.
                cur.execute(sql.replace(" % ", " %% "), params)
                timings[label] = round(time.monotonic() - started, 2)
                if verbose:
                    print(f"  {label}: {timings[label]} s", flush=True)
        conn.commit()
        conn.autocommit = True
        started = time.monotonic()
        with conn.cursor() as cur:
            # Visibility maps and statistics, as a long-lived database would have them.
            cur.execute("VACUUM ANALYZE")
        timings["vacuum analyze"] = round(time.monotonic() - started, 2)
    finally:
        conn.close()
    return timings


def write_marker(admin_db_url: str, size: str, the_plan: dict, finger: str, seconds: float) -> None:
    conn = psycopg2.connect(admin_db_url)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "CREATE TABLE IF NOT EXISTS bench_marker (size text PRIMARY KEY, fingerprint text NOT NULL,"
                " plan jsonb NOT NULL, generated_at timestamptz NOT NULL DEFAULT now(), seconds real)"
            )
            cur.execute("GRANT SELECT ON bench_marker TO PUBLIC")
            cur.execute(
                "INSERT INTO bench_marker (size, fingerprint, plan, seconds) VALUES (%s, %s, %s, %s)",
                [size, finger, Json(the_plan), seconds],
            )
        conn.commit()
    finally:
        conn.close()


def counts(admin_db_url: str) -> dict[str, int]:
    tables = {
        "task_forces": "taskforce_taskforce",
        "users": "taskforce_user",
        "clients": "cases_client",
        "cases": "cases_case",
        "services": "cases_servicedelivery",
        "notes": "cases_casenote",
        "tips": "referrals_tip",
        "investigations": "referrals_investigation",
    }
    conn = psycopg2.connect(admin_db_url)
    try:
        with conn.cursor() as cur:
            found = {}
            for key, table in tables.items():
                cur.execute(f"SELECT count(*) FROM {table}")
                found[key] = cur.fetchone()[0]
            return found
    finally:
        conn.close()


def generate(
    size_name: str, *, database: str | None = None, force: bool = False, verbose: bool = True
) -> dict:
    """Build (or find already built) the database of one size; returns its plan."""
    size = SIZES[size_name.upper()]
    app, admin = app_url(), admin_url()
    database = database or database_name(app, size.name)
    finger = fingerprint(size)
    marker = None if force else read_marker(admin, database, size.name)
    if marker and marker["fingerprint"] == finger:
        if verbose:
            print(f"{database}: size {size.name} already generated", flush=True)
        return {**marker["plan"], "database": database}
    started = time.monotonic()
    if verbose:
        print(f"{database}: generating size {size.name}", flush=True)
    owner_app = os.environ.get("DATABASE_OWNER_URL") or ""
    owner = urlsplit(owner_app or app).username or "taskforce"
    recreate_database(admin, database, owner)
    migrate(with_database(app, database), with_database(owner_app, database) if owner_app else None)
    if verbose:
        print(f"  schema: {time.monotonic() - started:.1f} s", flush=True)
    the_plan = plan(size)
    the_plan["timings"] = fill(with_database(admin, database), size, the_plan, verbose=verbose)
    seal(with_database(admin, database))
    the_plan["counts"] = counts(with_database(admin, database))
    seconds = round(time.monotonic() - started, 1)
    the_plan["seconds"] = seconds
    write_marker(with_database(admin, database), size.name, the_plan, finger, seconds)
    if verbose:
        print(f"{database}: {json.dumps(the_plan['counts'])} in {seconds} s", flush=True)
    return {**the_plan, "database": database}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="T", choices=[*SIZES, *(s.lower() for s in SIZES)])
    parser.add_argument("--database", help="default: <application database>_<size>")
    parser.add_argument("--force", action="store_true", help="rebuild even if already generated")
    args = parser.parse_args(argv)
    generate(args.size, database=args.database, force=args.force)
    return 0


if __name__ == "__main__":
    sys.exit(main())
