"""`ticketbridge connections sync`: runs a sync in this process and shows its progress.

The bar reads the job row (`progress.total`, `progress.processed`), the same numbers
`GET /v1/jobs/{id}` returns, so it shows what any other client would see.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ticketbridge.cli_support import fail, with_ctx
from ticketbridge.context import AppContext
from ticketbridge.db.session import transaction

POLL_SECONDS = 0.25


async def _heartbeat(ctx: AppContext, job_id: uuid.UUID, worker_id: str) -> None:
    """Keeps the lease, so no worker takes the job over while it runs here."""
    from ticketbridge.db.base import utcnow
    from ticketbridge.jobs import repository
    from ticketbridge.jobs.service import LEASE

    while True:
        await asyncio.sleep(LEASE.total_seconds() / 3)
        async with transaction(ctx.sessionmaker) as session:
            job = await repository.get(session, job_id)
            if job is None or job.locked_by != worker_id or job.status != "RUNNING":
                return
            job.lease_expires_at = utcnow() + LEASE


async def _watch(ctx: AppContext, job_id: uuid.UUID, progress: Progress | None) -> dict[str, Any]:
    """Polls the job row until it is finished, moving the bar; returns the job."""
    from ticketbridge.jobs import repository
    from ticketbridge.jobs.service import job_out

    task = progress.add_task("syncing", total=None) if progress else None
    while True:
        async with transaction(ctx.sessionmaker) as session:
            row = await repository.get(session, job_id)
            assert row is not None
            out = job_out(row).model_dump(mode="json")
        if progress is not None and task is not None:
            total = out["progress"]["total"] or None
            progress.update(task, total=total, completed=out["progress"]["processed"])
        if out["status"] in ("SUCCESS", "FAILED"):
            return out
        await asyncio.sleep(POLL_SECONDS)


def connections_sync(
    connection_id: str,
    api_key: Annotated[str, typer.Option(envvar="TICKETBRIDGE_API_KEY")],
    full: Annotated[
        bool, typer.Option("--full", help="Re-read every ticket, not only the changed ones")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the finished job as one JSON line, no bar")
    ] = False,
) -> None:
    """Run a sync now, in this process, with a progress bar (exit code 1 when it fails).

    If a worker is already running this connection's sync, follows that one instead.
    """
    from ticketbridge.bootstrap import run_job
    from ticketbridge.db.base import utcnow
    from ticketbridge.jobs import repository as jobs_repository
    from ticketbridge.jobs import service as jobs
    from ticketbridge.provisioning import connections, repository, service

    worker_id = f"cli:{uuid.uuid4().hex[:8]}"
    console = Console(stderr=True)
    try:
        cid = uuid.UUID(connection_id)
    except ValueError:
        fail(f"CONNECTION_ID must be a UUID, got {connection_id!r}")

    async def run(ctx: AppContext) -> dict[str, Any]:
        async with transaction(ctx.sessionmaker) as session:
            account = await repository.account_by_api_key(session, api_key)
            if account is None:
                fail("Invalid API key")
            connection = await service.get_connection(session, account, cid)
            job_id = (await connections.start_sync(ctx, session, connection, full=full)).id
        async with transaction(ctx.sessionmaker) as session:
            # Take exactly this job (a queue-wide claim could take another connection's).
            now = utcnow()
            claimed = await jobs_repository.try_claim(
                session, job_id, worker_id, now, now + jobs.LEASE
            )
        running: list[asyncio.Task[None]] = []
        if claimed:
            running = [
                asyncio.create_task(run_job(ctx, job_id)),
                asyncio.create_task(_heartbeat(ctx, job_id, worker_id)),
            ]
        try:
            if as_json:
                out = await _watch(ctx, job_id, None)
                if running:
                    await running[0]
                return out
            columns = (
                TextColumn("[progress.description]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("tickets"),
                TimeElapsedColumn(),
            )
            with Progress(*columns, console=console) as progress:
                out = await _watch(ctx, job_id, progress)
            if running:
                await running[0]  # what follows the job's end (its webhook) runs here too
            return out
        finally:
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)

    out = with_ctx(run)
    if as_json:
        print(json.dumps(out))
    else:
        result = out.get("result") or {}
        if out["status"] == "SUCCESS":
            counts = ", ".join(
                f"{result[k]} {k.replace('_', ' ')}"
                for k in ("tickets", "projects", "users", "issue_types")
                if k in result
            )
            Console(soft_wrap=True).print(
                f"[green]sync finished[/green]: {counts} (job {out['id']})"
            )
        else:
            reason = out.get("failure_reason") or "unknown reason"
            Console(soft_wrap=True).print(f"[red]sync failed[/red]: {reason} (job {out['id']})")
    if out["status"] == "FAILED":
        raise typer.Exit(1)
