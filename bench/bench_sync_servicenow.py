"""Full sync of N ServiceNow emulator incidents into PostgreSQL, against merely paging them.

    .venv/bin/python bench/bench_sync_servicenow.py [--records 20000]

The ServiceNow variant of ``bench_sync.py``: the emulator (own process, ``ticketbridge
emulator servicenow``) is seeded with --records incidents; the baseline is a plain httpx
loop over ``GET /api/now/table/incident`` asking for the same encoded query (keyset on
``sys_updated_on, sys_id``), fields, parameters and page size as the connector's full sync.
Then a fresh interpreter runs the real SYNC job (``run_job``: connector, retry layer,
mapping, upserts, progress, deactivation scan) of a SERVICENOW connection into a fresh
PostgreSQL database. Printed: records per second and sync time / paging time (target
<= 1.3), and the sync's peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from common import (
    SN_PASSWORD,
    SN_USERNAME,
    ServiceNowProcess,
    bench_settings,
    calls_since,
    current_rss_mb,
    emulator_calls,
    peak_rss_mb,
    pg_database,
    print_sync_ratio,
    provision_servicenow,
    require_postgres,
    run_child,
    set_latency,
)

HERE = Path(__file__).resolve()


def page_through(url: str) -> dict[str, Any]:
    """The baseline: fetch (and parse) every page the sync fetches, and nothing else."""
    from ticketbridge.connectors.http import json_or_none
    from ticketbridge.connectors.servicenow import mapping, sync_reads
    from ticketbridge.connectors.servicenow.client import READ_PARAMS

    order = "ORDERBYsys_updated_on^ORDERBYsys_id"
    params: dict[str, Any] = {
        **READ_PARAMS,
        "sysparm_limit": sync_reads.PAGE,
        "sysparm_suppress_pagination_header": "true",
        "sysparm_no_count": "true",
        "sysparm_fields": ",".join(mapping.TICKET_FIELDS),
    }
    pages = records = 0
    after: dict[str, Any] | None = None
    start = time.perf_counter()
    with httpx.Client(base_url=f"{url}/api/now/table", auth=(SN_USERNAME, SN_PASSWORD)) as client:
        while True:
            if after is None:
                query = order
            else:
                stamp, sys_id = after["sys_updated_on"], after["sys_id"]
                query = f"sys_updated_on>{stamp}^NQsys_updated_on={stamp}^sys_id>{sys_id}^{order}"
            response = client.get("/incident", params={**params, "sysparm_query": query})
            response.raise_for_status()
            rows = (json_or_none(response) or {}).get("result") or []
            if not rows:
                break
            pages += 1
            records += len(rows)
            after = rows[-1]
    return {"seconds": time.perf_counter() - start, "pages": pages, "records": records}


# --- the child: one real SYNC job in a fresh interpreter -----------------------------------


async def _sync_once(database_url: str, url: str, records: int) -> dict[str, Any]:
    from sqlalchemy import func, select

    from ticketbridge.bootstrap import run_job
    from ticketbridge.context import AppContext
    from ticketbridge.db.session import transaction
    from ticketbridge.itsm.tickets.models import Ticket
    from ticketbridge.jobs import repository as jobs_repo
    from ticketbridge.jobs import service as jobs
    from ticketbridge.provisioning import repository as connections

    ctx = AppContext.create(bench_settings(database_url))
    try:
        info = await provision_servicenow(ctx, url)
        connection_id = uuid.UUID(info["connection_id"])
        async with transaction(ctx.sessionmaker) as session:
            connection = await connections.get_connection_unscoped(session, connection_id)
            assert connection is not None
            job = await jobs.schedule_sync(ctx.settings, session, connection)
            await jobs.claim(session, "bench", limit=1)
        rss_before = current_rss_mb()
        start = time.perf_counter()
        await run_job(ctx, job.id)
        seconds = time.perf_counter() - start
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
        if stored != records:
            raise SystemExit(f"the sync stored {stored} tickets of {records}: {done.result}")
        return {
            "seconds": seconds,
            "tickets": stored,
            "rss_before_mb": rss_before,
            "peak_rss_mb": peak_rss_mb(),
        }
    finally:
        await ctx.stop()


def child(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--records", type=int, required=True)
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(_sync_once(args.db, args.url, args.records))), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--groups", type=int, default=4)
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=0.0,
        help="latency the emulator adds to every request, for both sides",
    )
    args = parser.parse_args()
    require_postgres()
    n = args.records
    with ServiceNowProcess(records=n, users=args.users, groups=args.groups) as url:
        set_latency(url, args.latency_ms)
        calls = emulator_calls(url)
        baseline = page_through(url)
        assert baseline["records"] == n, baseline
        baseline_calls, calls = calls_since(emulator_calls(url), calls), emulator_calls(url)
        with pg_database() as db:
            sync = run_child(HERE, ["child", "--db", db, "--url", url, "--records", str(n)])
        sync_calls = calls_since(emulator_calls(url), calls)
    print_sync_ratio(
        f"Full sync of {n:,} ServiceNow emulator incidents into PostgreSQL "
        f"({baseline['pages']} pages, {args.latency_ms:g} ms emulator latency)",
        "records",
        n,
        baseline,
        sync,
        (baseline_calls, sync_calls),
    )
    print(
        f"  sync process peak RSS {sync['peak_rss_mb']:.0f} MiB "
        f"({sync['peak_rss_mb'] - sync['rss_before_mb']:.0f} MiB above its start)"
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "child":
        child(sys.argv[2:])
    else:
        main()
