"""Full sync of N emulator issues into PostgreSQL, against merely paging through them.

    .venv/bin/python bench/bench_sync.py [--issues 50000] [--small 10000] [--tracemalloc]

1. Throughput: the emulator (own process) is seeded with --issues issues; the baseline is a
   plain httpx loop over ``POST /rest/api/3/search/jql`` with nextPageToken, asking for the
   same JQL, fields, properties and page size as the connector's full sync. Then a fresh
   interpreter runs the real SYNC job (``run_job``: connector, retry layer, mapping, upserts,
   progress, deactivation) into a fresh PostgreSQL database. Printed: issues per second and
   sync time / paging time (target <= 1.3).
2. Memory: the sync's peak RSS (and, with --tracemalloc, the tracemalloc peak in extra runs)
   at --small issues and at --issues issues, each sync in its own interpreter so nothing
   else counts; the emulator runs in another process. Printed with the ratio large / small.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import tracemalloc
import uuid
from pathlib import Path
from typing import Any

import httpx

from common import (
    EmulatorProcess,
    Jira,
    bench_settings,
    calls_since,
    current_rss_mb,
    emulator_calls,
    peak_rss_mb,
    pg_database,
    print_sync_ratio,
    print_table,
    provision,
    require_postgres,
    run_child,
    set_latency,
)

HERE = Path(__file__).resolve()
FULL_SYNC_JQL = 'updated >= "1970-01-01 00:00" ORDER BY updated ASC, id ASC'  # as iter_tickets


def page_through(jira: Jira) -> dict[str, Any]:
    """The baseline: fetch (and parse) every page the sync fetches, and nothing else."""
    from ticketbridge.connectors.http import json_or_none
    from ticketbridge.connectors.jira import mapping, sync_reads

    pages = issues = 0
    token: str | None = None
    start = time.perf_counter()
    with httpx.Client(base_url=jira.base_url, auth=(jira.email, jira.api_token)) as client:
        while True:
            body: dict[str, Any] = {
                "jql": FULL_SYNC_JQL,
                "maxResults": sync_reads.SEARCH_PAGE,
                "fields": mapping.ISSUE_FIELDS,
                "properties": [mapping.PROPERTY_KEY],
            }
            if token:
                body["nextPageToken"] = token
            response = client.post("/rest/api/3/search/jql", json=body, timeout=120)
            response.raise_for_status()
            page = json_or_none(response)  # the connector's own decoding
            pages += 1
            issues += len(page.get("issues", []))
            token = page.get("nextPageToken")
            if not token or page.get("isLast"):
                break
    return {"seconds": time.perf_counter() - start, "pages": pages, "issues": issues}


# --- the child: one real SYNC job in a fresh interpreter -----------------------------------


async def _sync_once(database_url: str, jira: Jira) -> dict[str, Any]:
    from sqlalchemy import func, select

    from ticketbridge.bootstrap import run_job
    from ticketbridge.context import AppContext
    from ticketbridge.db.session import transaction
    from ticketbridge.itsm.tickets.models import Ticket
    from ticketbridge.jobs import repository as jobs_repo
    from ticketbridge.jobs import service as jobs
    from ticketbridge.provisioning import repository as connections

    ctx = AppContext.create(bench_settings(database_url, jira))
    try:
        info = await provision(ctx, jira)
        connection_id = uuid.UUID(info["connection_id"])
        async with transaction(ctx.sessionmaker) as session:
            connection = await connections.get_connection_unscoped(session, connection_id)
            assert connection is not None
            job = await jobs.schedule_sync(ctx.settings, session, connection)
            await jobs.claim(session, "bench", limit=1)
        rss_before = current_rss_mb()
        if tracemalloc.is_tracing():
            tracemalloc.reset_peak()
            traced_before = tracemalloc.get_traced_memory()[0]
        start = time.perf_counter()
        await run_job(ctx, job.id)
        seconds = time.perf_counter() - start
        traced_peak = (
            (tracemalloc.get_traced_memory()[1] - traced_before) / 2**20
            if tracemalloc.is_tracing()
            else None
        )
        peak = peak_rss_mb()
        async with transaction(ctx.sessionmaker) as session:
            done = await jobs_repo.get(session, job.id)
            assert done is not None
            stored = await session.scalar(
                select(func.count())
                .select_from(Ticket)
                .where(Ticket.connection_id == connection_id, Ticket.active.is_(True))
            )
        if done.status != "SUCCESS":
            raise SystemExit(f"the sync failed: {done.failure_reason}")
        if stored != jira.issues or (done.result or {}).get("tickets") != jira.issues:
            raise SystemExit(f"the sync stored {stored} tickets of {jira.issues}: {done.result}")
        return {
            "seconds": seconds,
            "tickets": stored,
            "rss_before_mb": rss_before,
            "peak_rss_mb": peak,
            "traced_peak_mb": traced_peak,
        }
    finally:
        await ctx.stop()


def child(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--jira", required=True, help="JSON of the Jira dataclass")
    parser.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args(argv)
    jira = Jira(**json.loads(args.jira))
    if args.tracemalloc:
        tracemalloc.start()
    result = asyncio.run(_sync_once(args.db, jira))
    print(json.dumps(result), flush=True)


def sync_in_child(jira: Jira, *, traced: bool = False) -> dict[str, Any]:
    with pg_database() as url:
        argv = ["child", "--db", url, "--jira", json.dumps(jira.__dict__)]
        return run_child(HERE, argv + (["--tracemalloc"] if traced else []))


# --- the parent ---------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=50_000)
    parser.add_argument("--small", type=int, default=10_000, help="smaller size, for memory")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--projects", type=int, default=4)
    parser.add_argument(
        "--tracemalloc", action="store_true", help="also measure tracemalloc peaks (slower)"
    )
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=0.0,
        help="latency the emulator adds to every request, for both sides (a real site's pages "
        "take hundreds of ms; at 0 the emulator, our process and PostgreSQL share 2 cores)",
    )
    args = parser.parse_args()
    require_postgres()
    site = {"users": args.users, "projects": args.projects}

    memory: dict[int, dict[str, Any]] = {}
    with EmulatorProcess(issues=args.small, **site) as jira:
        memory[args.small] = sync_in_child(jira)
        if args.tracemalloc:
            memory[args.small]["traced_peak_mb"] = sync_in_child(jira, traced=True)[
                "traced_peak_mb"
            ]
    with EmulatorProcess(issues=args.issues, **site) as jira:
        set_latency(jira.base_url, args.latency_ms)
        calls = emulator_calls(jira.base_url)
        baseline = page_through(jira)
        baseline_calls, calls = (
            calls_since(emulator_calls(jira.base_url), calls),
            emulator_calls(jira.base_url),
        )
        sync = sync_in_child(jira)
        sync_calls = calls_since(emulator_calls(jira.base_url), calls)
        memory[args.issues] = sync
        if args.tracemalloc:
            memory[args.issues]["traced_peak_mb"] = sync_in_child(jira, traced=True)[
                "traced_peak_mb"
            ]

    n = args.issues
    print_sync_ratio(
        f"Full sync of {n:,} emulator issues into PostgreSQL ({baseline['pages']} search pages, "
        f"{args.latency_ms:g} ms emulator latency)",
        "issues",
        n,
        baseline,
        sync,
        (baseline_calls, sync_calls),
    )

    small, large = memory[args.small], memory[args.issues]
    rows: list[list[object]] = []
    for size, m in ((args.small, small), (args.issues, large)):
        rows.append(
            [
                f"{size:,} issues",
                m["peak_rss_mb"],
                m["peak_rss_mb"] - m["rss_before_mb"],
                m["traced_peak_mb"] if m["traced_peak_mb"] is not None else "-",
            ]
        )
    traced_ratio = (
        f"{large['traced_peak_mb'] / small['traced_peak_mb']:.2f}"
        if large["traced_peak_mb"] and small["traced_peak_mb"]
        else "-"
    )
    rows.append(
        [
            "ratio large / small",
            large["peak_rss_mb"] / small["peak_rss_mb"],
            (large["peak_rss_mb"] - large["rss_before_mb"])
            / max(small["peak_rss_mb"] - small["rss_before_mb"], 0.001),
            traced_ratio,
        ]
    )
    print_table(
        "Peak memory of the sync process (MiB; the emulator runs in another process)",
        ["size", "peak RSS", "peak RSS - RSS before sync", "tracemalloc peak"],
        rows,
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "child":
        child(sys.argv[2:])
    else:
        main()
