"""The benchmark runner (performance.md; issue 10's table of goals).

    python benchmarks/run.py --size S            # or: make bench SIZE=S

For every page below, in the largest and in the median task force of the generated data, one run
measures interleaved, round after round (medians and p95 of ``--rounds`` after ``--warmup``):

- ``floor``: the tenant-only SQL of the same page (same columns, order and limit; only the task
  force predicate), through Django's raw cursor on the same connection, inside the same scope;
- ``sql``: the SQL the application builds for the page (its policy), run the same way;
- ``control`` (case manager's list only): guardian's default generic query (user or group grants
  in ``guardian_userobjectpermission``) for the same page;
- ``domain``: the statements of the API request that read the page's records (not sign-in, the
  tenant edge, the scope or the audit row), replayed through the raw cursor: "its SQL";
- ``replay``: every statement the API request issued, replayed through the raw cursor in one
  transaction (rolled back): the request's whole SQL without Python, DRF or templates (the
  raw-cursor floor of performance.md);
- ``api`` and ``html``: the request end to end through Django's test client, as a real user of
  the role (an API token; a signed-in session for HTML).

Queries per request are counted at page sizes 25 and 100 (every statement Django logs, BEGIN and
COMMIT included). A concurrency run serves the application with gunicorn (2 sync
workers) on 127.0.0.1 and drives the tips list with 1 and then 4 clients, ``--load-repeats`` times.
The table compares each figure with its goal and says meets or misses; nothing here asserts a time.
Results: printed, and written to ``benchmarks/results/<size>.json`` with the commit and settings.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import generate as gen  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
PAGE = 25
BIG_PAGE = 100


def md5_uuid(text: str) -> uuid.UUID:
    """The generator's ids: ``md5(text)::uuid`` in PostgreSQL."""
    return uuid.UUID(hashlib.md5(text.encode()).hexdigest())  # noqa: S324 - an id, not a secret


def setup_django(database: str) -> None:
    os.environ["DATABASE_URL"] = gen.with_database(gen.app_url(), database)
    os.environ["DJANGO_SETTINGS_MODULE"] = os.environ.get("BENCH_SETTINGS", "taskforce.settings.local")
    os.environ["DJANGO_DEBUG"] = "false"
    import django

    django.setup()


# ----------------------------------------------------------------------------------- the pages


@dataclass
class Page:
    key: str
    label: str
    user: str  # email local part in each task force
    api: str
    html: str | None = None
    sql: Callable[[Any], Any] | None = None  # actor -> the app's page queryset
    floor: Callable[[Any], Any] | None = None  # actor -> the tenant-only page queryset
    control: Callable[[Any], Any] | None = None
    is_list: bool = True
    goals: dict[str, Any] = field(default_factory=dict)


def pages(month: str, fiscal_year: str) -> list[Page]:
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Q, UUIDField
    from django.db.models.functions import Cast
    from guardian.models import GroupObjectPermission, UserObjectPermission

    from cases.models import Case
    from cases.selectors import case_list
    from referrals.models import Investigation, Tip
    from referrals.policies import visible_investigations, visible_tips
    from referrals.selectors import INBOX_ORDER
    from taskforce.pagination import keyset_order, limit_first

    newest = ("-created_at", "-id")

    def case_floor(actor: Any) -> Any:
        return (
            Case.objects.filter(task_force_id=actor.task_force_id)
            .select_related("client__identity")
            .order_by(*newest)[: PAGE + 1]
        )

    def case_sql(actor: Any) -> Any:
        # As the API's paginator runs it: the page's ids first, then their joins.
        return limit_first(case_list(actor=actor).order_by(*newest), 0, PAGE + 1)

    def guardian_default(actor: Any) -> Any:
        # What get_objects_for_user does by default with guardian's generic tables: the
        # user's grants OR their groups' grants, object_pk (text) cast to the key's type.
        content_type = ContentType.objects.get_for_model(Case)
        permission = Permission.objects.get(content_type=content_type, codename="view_case")
        mine = (
            UserObjectPermission.objects.filter(
                user_id=actor.user_id, permission=permission, content_type=content_type
            )
            .annotate(pk_value=Cast("object_pk", UUIDField()))
            .values("pk_value")
        )
        groups = (
            GroupObjectPermission.objects.filter(
                group__user__id=actor.user_id, permission=permission, content_type=content_type
            )
            .annotate(pk_value=Cast("object_pk", UUIDField()))
            .values("pk_value")
        )
        return (
            Case.objects.filter(task_force_id=actor.task_force_id, agency_id=actor.agency_id)
            .filter(Q(pk__in=mine) | Q(pk__in=groups))
            .select_related("client__identity")
            .order_by(*newest)[: PAGE + 1]
        )

    return [
        Page(
            "case_list.vs_supervisor",
            "VS supervisor's case list",
            "sup.vs0",
            "/api/v1/tf/{slug}/cases/",
            "/tf/{slug}/cases/",
            sql=case_sql,
            floor=case_floor,
        ),
        Page(
            "case_list.case_manager",
            "case manager's case list",
            "cm0.vs0",
            "/api/v1/tf/{slug}/cases/",
            "/tf/{slug}/cases/",
            sql=case_sql,
            floor=case_floor,
            control=guardian_default,
        ),
        Page(
            "tips.investigator",
            "tips list (DA investigator)",
            "investigator",
            "/api/v1/tf/{slug}/tips/",
            "/tf/{slug}/tips/",
            sql=lambda a: keyset_order(visible_tips(a), INBOX_ORDER)[: PAGE + 1],
            floor=lambda a: keyset_order(Tip.objects.filter(task_force_id=a.task_force_id), INBOX_ORDER)[
                : PAGE + 1
            ],
        ),
        Page(
            "investigations.investigator",
            "investigations list (DA investigator)",
            "investigator",
            "/api/v1/tf/{slug}/investigations/",
            "/tf/{slug}/investigations/",
            sql=lambda a: (
                visible_investigations(a).select_related("lead_agency").order_by(*newest)[: PAGE + 1]
            ),
            floor=lambda a: Investigation.objects.filter(task_force_id=a.task_force_id).order_by(*newest)[
                : PAGE + 1
            ],
        ),
        Page(
            "case_detail.vs_supervisor",
            "case detail (the longest case in the largest task force)",
            "sup.vs0",
            "/api/v1/tf/{slug}/cases/{case}/",
            "/tf/{slug}/cases/{case}/",
            is_list=False,
        ),
        # Issue 12: a search answers within 100 ms (p95) at size S. A place and a word of the
        # tips' narratives (full text), and a client's name (the agency's blind index).
        Page(
            "search.investigator",
            "search 'Harbor' (DA investigator: tips, investigations, prosecutions)",
            "investigator",
            "/api/v1/tf/{slug}/search/?q=Harbor",
            is_list=False,
        ),
        Page(
            "search.vs_supervisor",
            "search a client's name (VS supervisor: cases of the agency)",
            "sup.vs0",
            "/api/v1/tf/{slug}/search/?q=Maria",
            is_list=False,
        ),
        Page(
            "report.monthly",
            f"monthly report {month} (coordinator)",
            "coordinator",
            "/api/v1/tf/{slug}/reports/monthly/?month=" + month,
            is_list=False,
        ),
        Page(
            "report.period",
            f"fiscal year report from {fiscal_year} (coordinator)",
            "coordinator",
            "/api/v1/tf/{slug}/reports/period/?months=12&from=" + fiscal_year,
            is_list=False,
        ),
    ]


# ------------------------------------------------------------------------------- measurements


@dataclass
class Subject:
    """One page in one task force, with the people and the statements it needs."""

    page: Page
    which: str  # largest | median
    slug: str
    task_force_id: uuid.UUID
    user: Any
    actor: Any
    api_url: str
    html_url: str | None
    token_client: Any
    session_client: Any
    statements: dict[str, tuple[str, list]] = field(default_factory=dict)
    replay: list[str] = field(default_factory=list)
    queries: dict[str, int] = field(default_factory=dict)
    samples: dict[str, list[float]] = field(default_factory=dict)


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {"median_ms": round(statistics.median(ordered), 3), "p95_ms": round(p95, 3), "n": len(ordered)}


def time_sql(subject: Subject, sql: str, params: list) -> float:
    from django.db import connection, transaction

    from taskforce.rls import set_scope

    with transaction.atomic():
        set_scope(task_force_id=subject.task_force_id, user_id=subject.user.pk)
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed * 1000


# The audit row's public id (the first array of its unnest) is made fresh for each replay.
AUDIT_INSERT = re.compile(r"^(INSERT INTO taskforce_auditevent .*?unnest\(ARRAY\[')[0-9a-f-]{36}'", re.S)


# Replayed inside one transaction of our own, which they must neither open nor end.
TRANSACTION_CONTROL = frozenset({"BEGIN", "COMMIT", "ROLLBACK"})
# Per-request bookkeeping rather than the page's own reads: sign-in, tenant edge, scope, audit.
BOOKKEEPING = re.compile(
    r"^(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO|INSERT INTO taskforce_auditevent)|set_config\("
)
BOOKKEEPING_TABLES = frozenset(
    {"taskforce_apitoken", "django_session", "django_content_type", "auth_permission", "taskforce_user"}
)
# The tenant edge's look-ups (task force by slug, the caller's membership) end in ``.first()``;
# other reads of these tables (a case's assignees, the tips' triage targets) are the page's own.
EDGE_TABLES = frozenset({"taskforce_membership", "taskforce_taskforce"})
FIRST_TABLE = re.compile(r'\b(?:FROM|UPDATE|INTO) "([a-z0-9_]+)"')


def domain_statements(statements: list[str]) -> list[str]:
    """The statements reading the page's own records: not sign-in, the tenant edge, the scope or
    the audit row (a join to users or permissions inside a list query keeps it a list query)."""
    kept = []
    for sql in statements:
        if sql.strip().upper() in TRANSACTION_CONTROL or BOOKKEEPING.search(sql):
            continue
        first = FIRST_TABLE.search(sql)
        table = first.group(1) if first else ""
        if table in BOOKKEEPING_TABLES or (table in EDGE_TABLES and sql.rstrip().endswith("LIMIT 1")):
            continue
        kept.append(sql)
    return kept


def time_replay(statements: list[str], subject: Subject | None = None) -> float:
    """The request's statements again, in one transaction that is rolled back. An audit row
    gets a fresh public id (the original is taken). With ``subject``, the scope is set first
    (untimed): the statements then are only the page's own reads."""
    from django.db import connection, transaction

    from taskforce.rls import set_scope

    with transaction.atomic():
        if subject is not None:
            set_scope(task_force_id=subject.task_force_id, user_id=subject.user.pk)
        with connection.cursor() as cursor:
            started = time.perf_counter()
            for sql in statements:
                if sql.strip().upper() in TRANSACTION_CONTROL:
                    continue
                cursor.execute(AUDIT_INSERT.sub(lambda m: f"{m.group(1)}{uuid.uuid4()}'", sql))
                if cursor.description is not None:
                    cursor.fetchall()
            elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed * 1000


def time_request(client: Any, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"GET {url}: {response.status_code}")
    return elapsed * 1000


def capture(client: Any, url: str) -> tuple[int, list[str], Any]:
    """The statements of one request, as Django logs them (BEGIN and COMMIT included)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url}: {response.status_code}")
    statements = [q["sql"] for q in ctx.captured_queries]
    return len(statements), statements, response


def with_page_size(url: str, size: int) -> str:
    return f"{url}{'&' if '?' in url else '?'}page_size={size}"


def build_subjects(plan: dict, which_pages: list[Page]) -> list[Subject]:
    from django.db import transaction
    from django.test import Client

    from taskforce.access import Actor
    from taskforce.models import Membership, TaskForce, User
    from taskforce.rls import set_scope
    from taskforce.tokens import token_issue

    subjects = []
    by_slug = {t["slug"]: t for t in plan["task_forces"]}
    for which in ("largest", "median"):
        slug = plan[which]
        tf = TaskForce.objects.get(slug=slug)
        case_id = md5_uuid(f"case:{by_slug[slug]['idx']}:0")
        for page in which_pages:
            user = User.objects.get(email=f"{page.user}@{slug}.bench")
            with transaction.atomic():
                set_scope(task_force_id=tf.id, user_id=user.pk)
                membership = Membership.objects.select_related("agency", "task_force").get(
                    task_force=tf, user=user
                )
                actor = Actor.from_membership(membership)
            token_client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token_issue(user=user)}")
            session_client = Client(HTTP_HOST="127.0.0.1")
            session_client.force_login(user)
            subjects.append(
                Subject(
                    page=page,
                    which=which,
                    slug=slug,
                    task_force_id=tf.id,
                    user=user,
                    actor=actor,
                    api_url=page.api.format(slug=slug, case=case_id),
                    html_url=page.html.format(slug=slug, case=case_id) if page.html else None,
                    token_client=token_client,
                    session_client=session_client,
                )
            )
    return subjects


def prepare(subject: Subject) -> None:
    """The statements to time, and the query counts (outside the timed rounds)."""
    page = subject.page
    for arm in ("floor", "sql", "control"):
        build = getattr(page, arm)
        if build is not None:
            sql, params = build(subject.actor).query.sql_with_params()
            subject.statements[arm] = (sql, list(params))
    count, subject.replay, _ = capture(subject.token_client, subject.api_url)
    subject.queries["api"] = count
    if page.is_list:
        subject.queries["api_100"] = capture(subject.token_client, with_page_size(subject.api_url, BIG_PAGE))[
            0
        ]
    if subject.html_url:
        subject.queries["html"] = capture(subject.session_client, subject.html_url)[0]


def arms(subject: Subject) -> list[tuple[str, Callable[[], float]]]:
    result: list[tuple[str, Callable[[], float]]] = []
    for arm, (sql, params) in subject.statements.items():
        result.append((arm, lambda sql=sql, params=params: time_sql(subject, sql, params)))
    domain = domain_statements(subject.replay)
    result.append(("domain", lambda: time_replay(domain, subject)))
    result.append(("replay", lambda: time_replay(subject.replay)))
    result.append(("api", lambda: time_request(subject.token_client, subject.api_url)))
    if subject.html_url:
        result.append(("html", lambda: time_request(subject.session_client, subject.html_url)))
    return result


def run_rounds(subjects: list[Subject], rounds: int, warmup: int, progress: bool) -> None:
    work = [(subject, name, call) for subject in subjects for name, call in arms(subject)]
    started = time.monotonic()
    for number in range(warmup + rounds):
        # Rotate the order every round so no arm always runs right after the same neighbour.
        shift = number % len(work)
        for subject, name, call in work[shift:] + work[:shift]:
            elapsed = call()
            if number >= warmup:
                subject.samples.setdefault(name, []).append(elapsed)
        if progress and (number + 1) % 10 == 0:
            print(f"  round {number + 1}/{warmup + rounds} ({time.monotonic() - started:.0f} s)", flush=True)


def explain_floor(subject: Subject) -> dict[str, Any]:
    """Does the tenant-only page read an index in the list's order (no sort, no sequential scan)?"""
    from django.db import connection, transaction

    from taskforce.rls import set_scope

    sql, params = subject.statements["floor"]
    with transaction.atomic():
        set_scope(task_force_id=subject.task_force_id, user_id=subject.user.pk)
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
        transaction.set_rollback(True)
    nodes: list[str] = []

    def walk(node: dict) -> None:
        nodes.append(f"{node['Node Type']} {node.get('Relation Name', node.get('Index Name', ''))}".strip())
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"] if isinstance(plan, list) else json.loads(plan)[0]["Plan"])
    bad = [n for n in nodes if n.startswith(("Sort", "Incremental Sort", "Seq Scan"))]
    return {"nodes": nodes, "sorted_or_scanned": bad}


# --------------------------------------------------------------------------------------- main


def previous_month() -> str:
    first = dt.datetime.now(dt.UTC).date().replace(day=1)
    return f"{first - dt.timedelta(days=1):%Y-%m}"


def last_fiscal_year() -> str:
    """The first month of the last complete federal fiscal year (October to September)."""
    today = dt.datetime.now(dt.UTC).date()
    current = today.year if today.month >= 10 else today.year - 1
    return f"{current - 1}-10"


def machine() -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        postgres = cursor.fetchone()[0]
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = bool(
            subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout
        )
    except (OSError, subprocess.CalledProcessError):
        commit, dirty = "unknown", False
    return {
        "commit": commit,
        "dirty": dirty,
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "nice": os.nice(0),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "postgres": postgres,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="T", type=str.upper, choices=list(gen.SIZES))
    parser.add_argument("--database", help="default: <application database>_<size>")
    parser.add_argument("--rounds", type=int, default=100, help="timed rounds (performance.md: 100)")
    parser.add_argument("--warmup", type=int, help="untimed rounds first (default: 5%% of --rounds, 1 to 5)")
    parser.add_argument("--only", help="comma-separated page keys (default: every page)")
    parser.add_argument("--load-seconds", type=float, default=10.0, help="each HTTP run; 0 skips them")
    parser.add_argument("--load-repeats", type=int, default=2)
    parser.add_argument("--load-max-requests", type=int, default=20_000)
    parser.add_argument("--json", type=Path, help="default: benchmarks/results/<size>.json")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    if args.warmup is None:
        args.warmup = max(1, min(5, args.rounds // 20))

    plan = gen.generate(args.size, database=args.database, verbose=not args.quiet)
    database = plan["database"]
    setup_django(database)
    month = previous_month()
    chosen = pages(month, last_fiscal_year())
    if args.only:
        keys = set(args.only.split(","))
        chosen = [p for p in chosen if p.key in keys]
    started = time.monotonic()
    before = machine()
    subjects = build_subjects(plan, chosen)
    for subject in subjects:
        prepare(subject)
    if not args.quiet:
        print(
            f"{len(subjects)} pages x task forces; {args.rounds} rounds after {args.warmup} warm-up",
            flush=True,
        )
    run_rounds(subjects, args.rounds, args.warmup, progress=not args.quiet)
    results: dict[str, dict[str, Any]] = {}
    for subject in subjects:
        entry = {
            "slug": subject.slug,
            "user": subject.user.email,
            "api_url": subject.api_url,
            "html_url": subject.html_url,
            "arms": {arm: summary(values) for arm, values in subject.samples.items()},
            "queries": subject.queries,
            "statements": subject.replay,
        }
        if "floor" in subject.statements:
            entry["floor_plan"] = explain_floor(subject)
        results.setdefault(subject.page.key, {})[subject.which] = entry
    load = None
    if args.load_seconds > 0:
        if not args.quiet:
            print("HTTP run against gunicorn", flush=True)
        from benchmarks.load import load_run

        load = load_run(database, plan, args.load_seconds, args.load_repeats, args.load_max_requests)

    from benchmarks import goals

    table = goals.rows(results, load, args.size)
    output = {
        "size": args.size,
        "database": database,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": before,
        "load_average_after": os.getloadavg(),
        "settings": {
            "rounds": args.rounds,
            "warmup": args.warmup,
            "load_seconds": args.load_seconds,
            "load_repeats": args.load_repeats,
            "django_settings": os.environ["DJANGO_SETTINGS_MODULE"],
            "month": month,
            "fiscal_year_from": last_fiscal_year(),
        },
        "data": {k: plan[k] for k in ("counts", "largest", "median", "size") if k in plan},
        "seconds": round(time.monotonic() - started, 1),
        "results": results,
        "load": load,
        "goals": table,
    }
    print(goals.render(results, table, load))
    path = args.json or RESULTS / f"{args.size}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(output, indent=2, default=str))
    print(f"\nwritten to {path} ({output['seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
