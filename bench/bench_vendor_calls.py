"""Vendor calls per ticket next to time, ours against a baseline, interleaved (issue 16).

    .venv/bin/python bench/bench_vendor_calls.py [--only 1,2,3,4] [--rounds 3]

Each comparison alternates ours and theirs (ours, theirs, ours, theirs ...) in one run, so
a noisy machine moves both sides alike; vendor calls are counted by the emulator
(`/_emulator/stats`, the sum of `requests_by_route`). The emulator runs in its own process,
our API as a uvicorn process on a fresh PostgreSQL database, workers as `ticketbridge
worker` processes.

(1) 200 tickets with our UUIDs through 4 async bulk jobs of 50 (2 workers), against a
    script creating them one by one with the `jira` client (`create_issue`, which reads
    each issue back), 50 ms emulator latency. Ratio theirs / ours; target >= 25.
(2) Vendor calls per 50-ticket `bulk/sync` with our UUIDs and with vendor ids. Target for
    our UUIDs: at most 2.
(3) One ticket created through our API (`POST /v1/itsm/tickets`) against a direct
    `jira` `create_issue`, 20 ms latency; p50 ours / p50 theirs. Target <= 1.10.
(4) `GET /v1/itsm/tickets?limit=100` throughput with 16 concurrent clients against a bare
    Starlette endpoint (uvicorn, same settings) answering the same JSON bytes from memory;
    ours / bare. Target >= 0.5.

Run as ``bench_vendor_calls.py bare PORT FILE`` it is the bare endpoint's process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from bench_bulk import (
    BATCH,
    Client,
    _faults,
    _free_port,
    _setup,
    _stats,
    _task_type,
    api_process,
    worker_processes,
)
from common import EmulatorProcess, Jira, pg_database, print_table, require_postgres

CLIENTS = 16


def _direct(jira: Jira) -> Any:
    from jira import JIRA

    return JIRA(
        server=jira.base_url,
        basic_auth=(jira.email, jira.api_token),
        get_server_info=False,
        options={"rest_api_version": "3"},
    )


def _calls(jira: Jira, fn: Callable[[], object]) -> tuple[float, int]:
    """Seconds `fn` takes and the vendor requests it made."""
    before = _api_requests(jira)
    start = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - start
    return elapsed, _api_requests(jira) - before


def _api_requests(jira: Jira) -> int:
    """REST requests the emulator has answered (its control endpoints not counted)."""
    return sum(_stats(jira)["requests_by_route"].values())


@contextmanager
def _stack(workers: int) -> Iterator[tuple[Jira, Client]]:
    with EmulatorProcess(issues=50, users=20, projects=2) as jira, pg_database() as url:
        ids = _setup(jira, url)
        with api_process(url, worker=False) as base, worker_processes(url, workers):
            client = Client(base, ids)
            client.sync()
            yield jira, client


# --- (1) and (2) -------------------------------------------------------------------------


def parts_1_2(rounds: int, tickets: int) -> tuple[list[list[object]], list[list[object]]]:
    rows1: list[list[object]] = []
    rows2: list[list[object]] = []
    with _stack(workers=2) as (jira, client):
        project_id = client.project_id("ENG")
        task = _task_type(jira)
        direct = _direct(jira)

        def ours_body(run: str, n: int) -> list[dict[str, Any]]:
            return [
                {"name": f"{run}-{i}", "project_id": project_id, "type": "Task"} for i in range(n)
            ]

        def ours_jobs(run: str) -> None:
            job_ids = []
            for j in range(tickets // BATCH):
                r = client.http.post(
                    "/v1/itsm/tickets/bulk", json={"tickets": ours_body(f"{run}.{j}", BATCH)}
                )
                assert r.status_code == 202, r.text
                job_ids.append(r.json()["job_id"])
            for job_id in job_ids:
                job = client.wait(job_id)
                assert job["status"] == "SUCCESS" and job["result"]["succeeded"] == BATCH, job

        def theirs_one_by_one(run: str) -> None:
            for i in range(tickets):
                direct.create_issue(
                    fields={
                        "project": {"key": "ENG"},
                        "summary": f"{run}-{i}",
                        "issuetype": {"id": task},
                    }
                )

        _faults(jira, latency_ms=50)
        ours_jobs("warm")
        theirs_one_by_one("warm")  # warms the client; 1 ticket would do, this is simpler
        a, b = [], []
        for n in range(rounds):
            a.append(_calls(jira, lambda n=n: ours_jobs(f"o{n}")))  # type: ignore[misc]
            b.append(_calls(jira, lambda n=n: theirs_one_by_one(f"t{n}")))  # type: ignore[misc]
        for (ta, ca), (tb, cb) in zip(a, b, strict=True):
            rows1.append([tickets, ta, ca / tickets, tb, cb / tickets, tb / ta])

        def bare(n: int) -> None:
            fields = [
                {"project": {"key": "ENG"}, "summary": f"b{n}-{i}", "issuetype": {"id": task}}
                for i in range(BATCH)
            ]
            out = direct.create_issues(fields, prefetch=False)
            assert all(o["status"] == "Success" for o in out)

        for kind in ("our UUIDs", "vendor ids"):
            counts, times, bare_times = [], [], []
            for n in range(rounds):
                if kind == "our UUIDs":
                    entries = ours_body(f"s{n}", BATCH)
                else:
                    entries = [
                        {"name": f"v{n}-{i}", "project_vendor_id": "ENG", "type_vendor_id": task}
                        for i in range(BATCH)
                    ]

                def call(entries: list[dict[str, Any]] = entries) -> None:
                    r = client.http.post("/v1/itsm/tickets/bulk/sync", json={"tickets": entries})
                    assert r.status_code == 200 and r.json()["succeeded"] == BATCH, r.text[:300]

                elapsed, calls = _calls(jira, call)
                counts.append(calls)
                times.append(elapsed)
                bare_times.append(_calls(jira, lambda n=n: bare(n))[0])  # type: ignore[misc]
            ours_ms = statistics.median(times) * 1000
            bare_ms = statistics.median(bare_times) * 1000
            rows2.append(
                [kind, max(counts), max(counts) / BATCH, ours_ms, bare_ms, ours_ms / bare_ms]
            )
        _faults(jira, latency_ms=0)
    return rows1, rows2


# --- (3) ---------------------------------------------------------------------------------


def part_3(calls: int, latency_ms: float) -> list[object]:
    with _stack(workers=1) as (jira, client):
        project_id = client.project_id("ENG")
        task = _task_type(jira)
        direct = _direct(jira)
        _faults(jira, latency_ms=latency_ms)

        def ours(n: int) -> None:
            r = client.http.post(
                "/v1/itsm/tickets",
                json={"name": f"one-{n}", "project_id": project_id, "type": "Task"},
            )
            assert r.status_code == 200, r.text[:300]

        def theirs(n: int) -> None:
            direct.create_issue(
                fields={"project": {"key": "ENG"}, "summary": f"d-{n}", "issuetype": {"id": task}}
            )

        for n in range(5):  # warm-up
            ours(-1 - n)
            theirs(-1 - n)
        a, b = [], []
        for n in range(calls):
            a.append(_calls(jira, lambda n=n: ours(n)))  # type: ignore[misc]
            b.append(_calls(jira, lambda n=n: theirs(n)))  # type: ignore[misc]
        _faults(jira, latency_ms=0)
    pa = statistics.median(t for t, _ in a)
    pb = statistics.median(t for t, _ in b)
    return [calls, pa * 1000, max(c for _, c in a), pb * 1000, max(c for _, c in b), pa / pb]


# --- (4) ---------------------------------------------------------------------------------


def _serve_bare(port: int, file: str) -> None:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    body = Path(file).read_bytes()

    async def tickets(request: Any) -> Response:
        return Response(body, media_type="application/json")

    app = Starlette(routes=[Route("/v1/itsm/tickets", tickets)])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


@contextmanager
def _bare(body: bytes) -> Iterator[str]:
    with tempfile.NamedTemporaryFile(suffix=".json") as f:
        f.write(body)
        f.flush()
        port = _free_port()
        proc = subprocess.Popen([sys.executable, __file__, "bare", str(port), f.name])
        base = f"http://127.0.0.1:{port}"
        try:
            while True:
                try:
                    httpx.get(base + "/v1/itsm/tickets")
                    break
                except httpx.TransportError:
                    if proc.poll() is not None:
                        raise SystemExit("the bare endpoint exited") from None
                    time.sleep(0.1)
            yield base
        finally:
            proc.terminate()
            proc.wait(30)


def _throughput(base: str, headers: dict[str, str], seconds: float) -> float:
    """Requests per second that CLIENTS concurrent clients get in `seconds`."""

    async def run() -> int:
        done = 0
        stop = time.perf_counter() + seconds
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as http:

            async def one() -> None:
                nonlocal done
                while time.perf_counter() < stop:
                    r = await http.get("/v1/itsm/tickets", params={"limit": 100})
                    assert r.status_code == 200
                    done += 1

            await asyncio.gather(*(one() for _ in range(CLIENTS)))
        return done

    start = time.perf_counter()
    count = asyncio.run(run())
    return count / (time.perf_counter() - start)


def part_4(rounds: int, seconds: float) -> list[list[object]]:
    with _stack(workers=1) as (_jira, client):
        project_id = client.project_id("ENG")
        for j in range(3):  # 150 stored tickets of ours on top of the synced ones
            r = client.http.post(
                "/v1/itsm/tickets/bulk/sync",
                json={
                    "tickets": [
                        {"name": f"list {j}-{i}", "project_id": project_id, "type": "Task"}
                        for i in range(BATCH)
                    ]
                },
            )
            assert r.status_code == 200, r.text[:300]
        page = client.http.get("/v1/itsm/tickets", params={"limit": 100})
        assert len(page.json()["items"]) == 100
        headers = dict(client.http.headers)
        rows: list[list[object]] = []
        with _bare(page.content) as bare:
            _throughput(str(client.http.base_url), headers, 1.0)  # warm-up
            _throughput(bare, {}, 1.0)
            for _ in range(rounds):
                ours = _throughput(str(client.http.base_url), headers, seconds)
                theirs = _throughput(bare, {}, seconds)
                rows.append([len(page.content), ours, theirs, ours / theirs])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="1,2,3,4")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tickets", type=int, default=200)
    parser.add_argument("--single-calls", type=int, default=60)
    parser.add_argument("--single-latency-ms", type=float, default=20.0)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    parts = set(args.only.split(","))
    require_postgres()
    results: dict[str, Any] = {}
    if parts & {"1", "2"}:
        rows1, rows2 = parts_1_2(args.rounds, args.tickets)
        print_table(
            "(1) tickets with our UUIDs, 50 ms latency: jira create_issue one by one / our "
            "async bulk jobs (target >= 25)",
            ["tickets", "ours s", "ours calls/ticket", "jira s", "jira calls/ticket", "ratio"],
            rows1,
        )
        print_table(
            "(2) vendor calls per 50-ticket bulk/sync (target with our UUIDs <= 2), and its "
            "median against a bare create_issues(prefetch=False) (target <= 2.2)",
            ["entries", "vendor calls", "calls/ticket", "ours ms", "bare ms", "ratio"],
            rows2,
        )
        results["1"] = statistics.median(float(r[-1]) for r in rows1)  # type: ignore[arg-type]
        results["2"] = {str(r[0]): r[1] for r in rows2}
    if "3" in parts:
        row = part_3(args.single_calls, args.single_latency_ms)
        print_table(
            f"(3) single create, {args.single_latency_ms:g} ms latency: p50 ours / p50 jira "
            "create_issue (target <= 1.10)",
            ["calls", "ours p50 ms", "ours calls", "jira p50 ms", "jira calls", "ratio"],
            [row],
        )
        results["3"] = row[-1]
    if "4" in parts:
        rows = part_4(args.rounds, args.seconds)
        print_table(
            f"(4) GET /v1/itsm/tickets?limit=100, {CLIENTS} clients: ours / bare Starlette "
            "req/s (target >= 0.5)",
            ["page bytes", "ours req/s", "bare req/s", "ratio"],
            rows,
        )
        results["4"] = statistics.median(float(r[-1]) for r in rows)  # type: ignore[arg-type]
    print(json.dumps(results))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "bare":
        _serve_bare(int(sys.argv[2]), sys.argv[3])
    else:
        main()
