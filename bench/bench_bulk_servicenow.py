"""Bulk creates on ServiceNow, measured as ratios in one run (not a test).

    .venv/bin/python bench/bench_bulk_servicenow.py [--rounds 10] [--latency-ms 50]

The ServiceNow emulator runs in its own process with --latency-ms on every request, a fresh
PostgreSQL database, our API as a separate uvicorn process and one `ticketbridge worker`
process for jobs (as deployed on PostgreSQL). Every comparison is interleaved (ours, theirs,
ours, theirs ...) so a noisy machine moves both sides alike. Vendor calls are the REST
requests the emulator counted (`/_emulator/stats`), control endpoints excluded.

(a) `POST /v1/itsm/tickets/bulk/sync` of 50 incidents (vendor ids, no status) through our
    API, against the same 50 creates sent directly as one Batch API request
    (`POST /api/now/v1/batch`, what the connector sends). Median of --rounds each.
(b) 200 incidents through 4 async bulk jobs of 50 (`POST /v1/itsm/tickets/bulk`, polled
    until done), against a script inserting them one by one with ServiceNow's own client
    `pysnc` (`GlideRecord.insert`). Time ratio (theirs / ours) and calls per ticket.
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import httpx

from bench_bulk import Client, api_process, worker_processes
from common import (
    SN_PASSWORD,
    SN_USERNAME,
    ServiceNowProcess,
    bench_settings,
    pg_database,
    print_table,
    provision_servicenow,
    require_postgres,
    set_latency,
)

BATCH = 50
TABLE_URL = (
    "/api/now/table/incident?sysparm_exclude_reference_link=true&sysparm_fields=sys_id,number"
)


def _setup(url: str, database_url: str) -> dict[str, str]:
    import asyncio

    from ticketbridge.context import AppContext

    async def run() -> dict[str, str]:
        ctx = AppContext.create(bench_settings(database_url))
        try:
            return await provision_servicenow(ctx, url)
        finally:
            await ctx.stop()

    return asyncio.run(run())


def _vendor_calls(url: str) -> int:
    stats = httpx.get(f"{url}/_emulator/stats").json()
    routes: dict[str, int] = stats["requests_by_route"]
    return sum(n for route, n in routes.items() if "_emulator" not in route)


def _measured(url: str, work: Callable[[], None]) -> tuple[float, int]:
    """Seconds and vendor calls of one piece of work."""
    calls = _vendor_calls(url)
    start = time.perf_counter()
    work()
    return time.perf_counter() - start, _vendor_calls(url) - calls


def _batch_body(names: list[str]) -> dict[str, Any]:
    headers = [
        {"name": "Content-Type", "value": "application/json"},
        {"name": "Accept", "value": "application/json"},
    ]
    return {
        "batch_request_id": "bench",
        "rest_requests": [
            {
                "id": str(i),
                "method": "POST",
                "url": TABLE_URL,
                "headers": headers,
                "body": base64.b64encode(json.dumps({"short_description": n}).encode()).decode(),
                "exclude_response_headers": True,
            }
            for i, n in enumerate(names)
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    args = parser.parse_args()
    require_postgres()
    with ServiceNowProcess(records=50, users=20, groups=2) as url, pg_database() as db:
        ids = _setup(url, db)
        with api_process(db, worker=False) as base, worker_processes(db, 1):
            client = Client(base, ids)
            client.sync()
            direct = httpx.Client(base_url=url, auth=(SN_USERNAME, SN_PASSWORD), timeout=600)
            set_latency(url, args.latency_ms)

            def ours_sync(tag: str) -> None:
                tickets = [{"name": f"{tag}-{i}", "type_vendor_id": "incident"} for i in range(50)]
                r = client.http.post("/v1/itsm/tickets/bulk/sync", json={"tickets": tickets})
                body = r.json()
                assert r.status_code == 200 and body["succeeded"] == BATCH, r.text[:500]

            def theirs_batch(tag: str) -> None:
                names = [f"{tag}-{i}" for i in range(BATCH)]
                r = direct.post("/api/now/v1/batch", json=_batch_body(names))
                served = r.json()["serviced_requests"]
                assert len(served) == BATCH and all(s["status_code"] == 201 for s in served)

            def ours_jobs(tag: str) -> None:
                jobs = []
                for j in range(4):
                    tickets = [
                        {"name": f"{tag}-{j}-{i}", "type_vendor_id": "incident"}
                        for i in range(BATCH)
                    ]
                    r = client.http.post("/v1/itsm/tickets/bulk", json={"tickets": tickets})
                    assert r.status_code == 202, r.text
                    jobs.append(r.json()["job_id"])
                for job_id in jobs:
                    job = client.wait(job_id)
                    assert job["status"] == "SUCCESS" and job["result"]["succeeded"] == BATCH, job

            def theirs_one_by_one(tag: str) -> None:
                for i in range(4 * BATCH):
                    r = direct.post(TABLE_URL, json={"short_description": f"{tag}-{i}"})
                    assert r.status_code == 201, r.text

            ours_sync("warm")
            theirs_batch("warm")
            a: list[tuple[float, int]] = []
            b: list[tuple[float, int]] = []
            for run in range(args.rounds):
                a.append(_measured(url, lambda run=run: ours_sync(f"a{run}")))
                b.append(_measured(url, lambda run=run: theirs_batch(f"b{run}")))
            c: list[tuple[float, int]] = []
            d: list[tuple[float, int]] = []
            for run in range(2):
                c.append(_measured(url, lambda run=run: ours_jobs(f"c{run}")))
                d.append(_measured(url, lambda run=run: theirs_one_by_one(f"d{run}")))

    ms = 1000.0
    rows: list[list[object]] = [
        [
            f"(a) bulk/sync of 50 vs one Batch API call ({args.rounds} each, median)",
            statistics.median(x[0] for x in a) * ms,
            statistics.median(x[0] for x in b) * ms,
            statistics.median(x[0] for x in a) / statistics.median(x[0] for x in b),
            f"{statistics.median(x[1] for x in a):g} / {statistics.median(x[1] for x in b):g}",
        ],
        [
            "(b) 200 via 4 async bulk jobs vs Table API inserts one by one (2 each, median)",
            statistics.median(x[0] for x in c) * ms,
            statistics.median(x[0] for x in d) * ms,
            statistics.median(x[0] for x in d) / statistics.median(x[0] for x in c),
            f"{statistics.median(x[1] for x in c):g} / {statistics.median(x[1] for x in d):g}",
        ],
    ]
    print_table(
        f"ServiceNow bulk creates, {args.latency_ms:g} ms emulator latency",
        ["comparison", "ours ms", "theirs ms", "ratio", "vendor calls ours / theirs"],
        rows,
    )
    print("  (a) ratio is ours / theirs (target as Jira's vendor-id bulk: 1.10-1.18);")
    print("  (b) ratio is theirs / ours (how many times faster than one by one).")


if __name__ == "__main__":
    main()
