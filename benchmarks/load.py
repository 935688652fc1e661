"""The HTTP run of the benchmark: gunicorn with two sync workers on 127.0.0.1, driven by client
threads (one connection per request, as a browser behind no keep-alive would), bounded by time
and by a number of requests, with one and then four clients, repeated."""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from typing import Any

from benchmarks import generate as gen
from benchmarks.generate import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(database: str, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": gen.with_database(gen.app_url(), database),
        "DJANGO_SETTINGS_MODULE": os.environ.get("BENCH_SETTINGS", "taskforce.settings.local"),
        "DJANGO_DEBUG": "false",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "taskforce.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def drive(port: int, url: str, token: str, clients: int, seconds: float, max_requests: int) -> dict[str, Any]:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker() -> None:
        while time.monotonic() < deadline:
            with lock:
                if len(latencies) + errors[0] >= max_requests:
                    return
            started = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("GET", url, headers={"Authorization": f"Token {token}", "Host": "127.0.0.1"})
                response = conn.getresponse()
                response.read()
                conn.close()
                ok = response.status == 200
            except OSError:
                ok = False
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    errors[0] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    ordered = sorted(latencies) or [0.0]

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 2)

    return {
        "clients": clients,
        "requests": len(latencies),
        "errors": errors[0],
        "seconds": round(wall, 2),
        "rps": round(len(latencies) / wall, 1) if wall else 0.0,
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
    }


def load_run(database: str, plan: dict, seconds: float, repeats: int, max_requests: int) -> dict[str, Any]:
    from taskforce.models import User
    from taskforce.tokens import token_issue

    slug = plan["largest"]
    token = token_issue(user=User.objects.get(email=f"investigator@{slug}.bench"))
    url = f"/api/v1/tf/{slug}/tips/"
    port = free_port()
    process = serve(database, port)
    try:
        drive(port, url, token, 2, min(seconds, 1.0), 20)  # warm both workers
        runs = {
            clients: [drive(port, url, token, clients, seconds, max_requests) for _ in range(repeats)]
            for clients in (1, 4)
        }
    finally:
        process.terminate()
        process.wait(timeout=30)
    result: dict[str, Any] = {"url": url, "workers": 2, "seconds": seconds, "runs": runs}
    for clients, results in runs.items():
        rps = [r["rps"] for r in results]
        result[f"rps_{clients}"] = round(statistics.median(rps), 1)
        result[f"agree_{clients}"] = len(rps) < 2 or (max(rps) - min(rps)) <= 0.05 * max(rps)
    result["errors"] = sum(r["errors"] for results in runs.values() for r in results)
    four = runs[4]
    result["p50_4"] = statistics.median(r["p50_ms"] for r in four)
    result["p95_4"] = statistics.median(r["p95_ms"] for r in four)
    return result
