"""Bulk writes and durable jobs, measured as ratios in one run (not a test).

    .venv/bin/python bench/bench_bulk.py [--only a,b,c] [--rate 20] [--tickets 2000]
                                         [--memory-tickets 10000]

Every part runs the Jira emulator in its own process, a fresh PostgreSQL database, our
API as a separate uvicorn process and, where jobs run, separate `ticketbridge worker`
processes (procrastinate).

(a) 10 sync bulk calls of 50 through our API (``POST /v1/itsm/tickets/bulk/sync``) against
    the emulator with 50 ms latency, divided by the same 10 bulk creates made directly
    with the ``jira`` client's ``create_issues``. Two pairings: entries with vendor ids
    (one bulk call each; baseline ``prefetch=False``) and entries with our UUIDs (read
    back and stored; baseline ``prefetch=True``, which reads each issue back too).
    Target: <= 1.10.
(b) --tickets tickets through async bulk jobs (50 each) run by 2 workers, emulator limited
    to --rate requests per second; total time divided by the time the vendor requests the
    work needs take at that rate (the bucket's one-second burst deducted). Target <= 1.25.
(c) One worker's peak RSS growth over --memory-tickets tickets (after a warm-up job).
    Target < 50 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from common import (
    EmulatorProcess,
    Jira,
    bench_settings,
    pg_database,
    print_table,
    provision,
    require_postgres,
)

BATCH = 50


def _free_port() -> int:
    """A free loopback port: any, or one of TICKETBRIDGE_BENCH_PORTS ("19200-19299")."""
    low, _, high = os.environ.get("TICKETBRIDGE_BENCH_PORTS", "0-0").partition("-")
    for port in range(int(low), int(high) + 1):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(s.getsockname()[1])
    raise SystemExit(f"no free port in TICKETBRIDGE_BENCH_PORTS={low}-{high}")


def _env(database_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "TICKETBRIDGE_ENV": "development",
        "TICKETBRIDGE_DATABASE_URL": database_url,
        "TICKETBRIDGE_ALLOW_PRIVATE_VENDOR_URLS": "true",
        "TICKETBRIDGE_LOG_LEVEL": "WARNING",
        "TICKETBRIDGE_SCHEDULER_INTERVAL_SECONDS": "3600",
        **extra,
    }


@contextmanager
def api_process(database_url: str, *, worker: bool) -> Iterator[str]:
    port = _free_port()
    env = _env(database_url, TICKETBRIDGE_RUN_EMBEDDED_WORKER="true" if worker else "false")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "ticketbridge.app:create_app",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                if httpx.get(base + "/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None:
                raise SystemExit("the API process exited")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(30)


@contextmanager
def worker_processes(database_url: str, count: int, **extra: str) -> Iterator[list[int]]:
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "ticketbridge.cli", "worker"],
            env=_env(database_url, **extra),
        )
        for _ in range(count)
    ]
    try:
        yield [p.pid for p in procs]
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(60)


class Client:
    def __init__(self, base: str, ids: dict[str, str]) -> None:
        self.http = httpx.Client(
            base_url=base,
            timeout=600,
            headers={"X-API-KEY": ids["api_key"], "X-CONNECTION-ID": ids["connection_id"]},
        )
        self.ids = ids

    def sync(self) -> None:
        path = (
            f"/v1/provisioning/organizations/{self.ids['org_id']}"
            f"/connections/{self.ids['connection_id']}/sync"
        )
        r = self.http.post(path)
        assert r.status_code == 202, r.text
        self.wait(r.json()["job_id"])

    def wait(self, job_id: str) -> dict[str, Any]:
        while True:
            job: dict[str, Any] = self.http.get(f"/v1/jobs/{job_id}").json()
            if job["status"] in ("SUCCESS", "FAILED"):
                return job
            time.sleep(0.05)

    def project_id(self, key: str) -> str:
        items = self.http.get("/v1/itsm/projects").json()["items"]
        return str(next(p["id"] for p in items if p["vendor_id"] == key))


def _setup(jira: Jira, database_url: str) -> dict[str, str]:
    from ticketbridge.context import AppContext

    async def run() -> dict[str, str]:
        ctx = AppContext.create(bench_settings(database_url, jira))
        try:
            return await provision(ctx, jira)
        finally:
            await ctx.stop()

    return asyncio.run(run())


def _faults(jira: Jira, **changes: Any) -> None:
    httpx.post(jira.base_url + "/_emulator/faults", json=changes).raise_for_status()


def _stats(jira: Jira) -> dict[str, Any]:
    stats: dict[str, Any] = httpx.get(jira.base_url + "/_emulator/stats").json()
    return stats


def _task_type(jira: Jira) -> str:
    r = httpx.get(
        jira.base_url + "/rest/api/3/issue/createmeta/ENG/issuetypes",
        auth=(jira.email, jira.api_token),
    )
    return str(next(t["id"] for t in r.json()["issueTypes"] if t["name"] == "Task"))


# --- (a) ------------------------------------------------------------------------------


def part_a() -> list[list[object]]:
    from jira import JIRA

    rows: list[list[object]] = []
    with EmulatorProcess(issues=50, users=20, projects=2) as jira, pg_database() as url:
        ids = _setup(jira, url)
        task = _task_type(jira)
        # As deployed on PostgreSQL: the API only enqueues, a worker process runs the sync.
        with api_process(url, worker=False) as base, worker_processes(url, 1):
            client = Client(base, ids)
            client.sync()
            project_id = client.project_id("ENG")
            direct = JIRA(
                server=jira.base_url,
                basic_auth=(jira.email, jira.api_token),
                get_server_info=False,
                options={"rest_api_version": "3"},
            )
            _faults(jira, latency_ms=50)

            def ours(kind: str, run: int) -> float:
                if kind == "vendor ids":
                    tickets = [
                        {"name": f"a{run}-{i}", "project_vendor_id": "ENG", "type_vendor_id": task}
                        for i in range(BATCH)
                    ]
                else:
                    tickets = [
                        {"name": f"a{run}-{i}", "project_id": project_id, "type": "Task"}
                        for i in range(BATCH)
                    ]
                start = time.perf_counter()
                r = client.http.post("/v1/itsm/tickets/bulk/sync", json={"tickets": tickets})
                elapsed = time.perf_counter() - start
                body = r.json()
                assert r.status_code == 200 and body["succeeded"] == BATCH, r.text[:500]
                return elapsed

            def theirs(prefetch: bool, run: int) -> float:
                fields = [
                    {"project": {"key": "ENG"}, "summary": f"d{run}-{i}", "issuetype": {"id": task}}
                    for i in range(BATCH)
                ]
                start = time.perf_counter()
                out = direct.create_issues(fields, prefetch=prefetch)
                elapsed = time.perf_counter() - start
                assert all(o["status"] == "Success" for o in out)
                return elapsed

            # Warm both paths once (connections, caches), then 10 calls each, interleaved.
            ours("vendor ids", -1)
            theirs(False, -1)
            for kind, prefetch in (("vendor ids", False), ("our UUIDs", True)):
                a, b = [], []
                for run in range(10):
                    a.append(ours(kind, run))
                    b.append(theirs(prefetch, run))
                rows.append(
                    [
                        f"{kind} (create_issues prefetch={prefetch})",
                        sum(a),
                        sum(b),
                        sum(a) / sum(b),
                        statistics.median(a) * 1000,
                        statistics.median(b) * 1000,
                    ]
                )
    return rows


# --- (b) ------------------------------------------------------------------------------


def part_b(rate: float, tickets: int) -> list[object]:
    jobs = tickets // BATCH
    with EmulatorProcess(issues=50, users=20, projects=2) as jira, pg_database() as url:
        ids = _setup(jira, url)
        with api_process(url, worker=False) as base, worker_processes(url, 2):
            client = Client(base, ids)
            client.sync()
            project_id = client.project_id("ENG")
            # Every 5th entry with our UUIDs: read back (one search per job) and stored.
            bodies = [
                {
                    "tickets": [
                        {"name": f"b{j}-{i}", "project_id": project_id, "type": "Task"}
                        if i % 5 == 0
                        else {"name": f"b{j}-{i}", "project_vendor_id": "ENG", "type": "Task"}
                        for i in range(BATCH)
                    ]
                }
                for j in range(jobs)
            ]
            needed = jobs * 2  # one bulk create + one read-back search, per job
            _faults(jira, rate_limit_per_second=rate)
            time.sleep(1.5)  # let the bucket fill: the run starts with the burst available
            before = _stats(jira)
            start = time.perf_counter()
            job_ids = []
            for body in bodies:
                r = client.http.post("/v1/itsm/tickets/bulk", json=body)
                assert r.status_code == 202, r.text
                job_ids.append(r.json()["job_id"])
            done = [client.wait(j) for j in job_ids]
            elapsed = time.perf_counter() - start
            after = _stats(jira)
            _faults(jira, rate_limit_per_second=0)
    assert all(j["status"] == "SUCCESS" for j in done), [
        j for j in done if j["status"] != "SUCCESS"
    ]
    sent = after["requests_total"] - before["requests_total"]
    limited = after["responses_429"] - before["responses_429"]
    allowed = max(needed - rate, 0) / rate
    return [tickets, rate, needed, sent - limited, limited, elapsed, allowed, elapsed / allowed]


# --- (c) ------------------------------------------------------------------------------


def _rss_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(field)


def part_c(tickets: int) -> list[object]:
    jobs = tickets // BATCH
    with EmulatorProcess(issues=50, users=20, projects=2) as jira, pg_database() as url:
        ids = _setup(jira, url)
        with api_process(url, worker=False) as base, worker_processes(url, 1) as pids:
            client = Client(base, ids)
            client.sync()
            project_id = client.project_id("ENG")

            def body(j: int) -> dict[str, Any]:
                return {
                    "tickets": [
                        {"name": f"c{j}-{i}", "project_id": project_id, "type": "Task"}
                        if i % 5 == 0
                        else {"name": f"c{j}-{i}", "project_vendor_id": "ENG", "type": "Task"}
                        for i in range(BATCH)
                    ]
                }

            warm = client.http.post("/v1/itsm/tickets/bulk", json=body(-1)).json()["job_id"]
            client.wait(warm)
            (pid,) = pids
            baseline = _rss_kb(pid, "VmRSS")
            peak_before = _rss_kb(pid, "VmHWM")
            pending: list[str] = []
            for j in range(jobs):
                r = client.http.post("/v1/itsm/tickets/bulk", json=body(j))
                pending.append(r.json()["job_id"])
                if len(pending) >= 20:  # keep the queue busy, not the API's memory
                    assert client.wait(pending.pop(0))["status"] == "SUCCESS"
            for job_id in pending:
                assert client.wait(job_id)["status"] == "SUCCESS"
            peak = _rss_kb(pid, "VmHWM")
            final = _rss_kb(pid, "VmRSS")
    growth = (max(peak, peak_before) - baseline) / 1024
    return [tickets, baseline / 1024, peak / 1024, final / 1024, growth]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="a,b,c")
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--memory-tickets", type=int, default=10_000)
    args = parser.parse_args()
    parts = set(args.only.split(","))
    require_postgres()
    results: dict[str, Any] = {}
    if "a" in parts:
        rows = part_a()
        print_table(
            "(a) 10 sync bulk calls of 50, 50 ms vendor latency: ours / jira.create_issues "
            "(target <= 1.10)",
            ["entries", "ours s", "direct s", "ratio", "ours median ms", "direct median ms"],
            rows,
        )
        results["a"] = {str(r[0]): r[3] for r in rows}
    if "b" in parts:
        row = part_b(args.rate, args.tickets)
        print_table(
            "(b) async bulk jobs, 2 workers, rate-limited vendor: total / what R allows "
            "(target <= 1.25)",
            ["tickets", "R req/s", "needed", "answered", "429s", "total s", "R allows s", "ratio"],
            [row],
        )
        results["b"] = row[-1]
    if "c" in parts:
        row = part_c(args.memory_tickets)
        print_table(
            "(c) one worker's memory over the run (target: growth < 50 MB)",
            ["tickets", "RSS after warm-up MB", "peak MB", "RSS at end MB", "growth MB"],
            [row],
        )
        results["c"] = row[-1]
    print(json.dumps(results))


if __name__ == "__main__":
    main()
