"""Bulk jobs. Each item is tracked, so a resumed job skips what is done and reconciles
what was sent but never confirmed (by creation token) before sending anything again.

Item states: PENDING (not sent) -> SENT (committed before the vendor sees it) ->
CREATED (the vendor's key is saved) -> DONE (outcome final). A worker that dies leaves
SENT or CREATED items; whoever resumes the job looks SENT ones up by token and finishes
CREATED ones, so no ticket is lost and none is created twice.

Operational vendor failures (rate limited after our retries, unavailable, timeouts,
unknown outcomes) do not fail items: the job pauses and resumes from its items.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ticketbridge.db.session import transaction
from ticketbridge.errors import CONNECTION_INACTIVE, VendorOperationalError, VendorRateLimited
from ticketbridge.errors import failure as job_failure
from ticketbridge.ids import uuid7
from ticketbridge.itsm.tickets import bulk
from ticketbridge.itsm.tickets.bulk_schemas import BulkResult, BulkUpdates
from ticketbridge.itsm.tickets.bulk_update import BATCH, update_batch
from ticketbridge.itsm.tickets.schemas import TicketCreate
from ticketbridge.jobs import repository
from ticketbridge.jobs.handlers import Finished
from ticketbridge.jobs.models import JobItem
from ticketbridge.provisioning import repository as connections
from ticketbridge.provisioning.connectors import open_connector
from ticketbridge.provisioning.models import Connection
from ticketbridge.provisioning.service import health_for
from ticketbridge.webhooks import events

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from sqlalchemy.ext.asyncio import AsyncSession

    from ticketbridge.connectors.base import Connector
    from ticketbridge.context import AppContext
    from ticketbridge.jobs.models import Job

log = logging.getLogger("ticketbridge.jobs")

CHUNK = 50
# Rounds of "pause, then resume from the items" after operational vendor failures.
MAX_PAUSES = 12
MAX_PAUSE_SECONDS = 60.0


async def _load(
    ctx: AppContext, job_id: uuid.UUID
) -> tuple[Connection, Connector, dict[str, Any]] | None:
    async with transaction(ctx.sessionmaker) as session:
        job = await repository.get(session, job_id)
        assert job is not None
        connection = await connections.get_connection_unscoped(session, job.connection_id)
        if connection is None or connection.state == "DELETED":
            return None
        return connection, open_connector(ctx, connection), dict(job.payload)


async def _resuming(job_id: uuid.UUID, step: Callable[[], Awaitable[None]]) -> None:
    """Runs `step` until it completes, pausing (bounded) after operational failures."""
    pauses = 0
    while True:
        try:
            await step()
            return
        except VendorOperationalError as exc:
            pauses += 1
            if pauses > MAX_PAUSES:
                raise
            wait = min(MAX_PAUSE_SECONDS, 0.5 * 2**pauses) * random.uniform(0.5, 1.0)
            if isinstance(exc, VendorRateLimited):
                wait = max(wait, exc.retry_after)
            log.info("job %s paused %.1fs after %s", job_id, wait, type(exc).__name__)
            await asyncio.sleep(wait)


async def _finished_from_items(ctx: AppContext, job_id: uuid.UUID) -> Finished:
    async with transaction(ctx.sessionmaker) as session:
        items = await repository.items(session, job_id)
        results = [BulkResult.model_validate(i.outcome) for i in items if i.outcome]
    summary = bulk.outcome(results).model_dump(mode="json")
    return Finished(result=summary, failure=summary if summary["failed"] else None)


async def record_outcome(
    ctx: AppContext, session: AsyncSession, job: Job, exc: BaseException | None
) -> list[events.Event]:
    """The end of a bulk job, in the transaction that finishes it: the connection's health
    (``exc`` is what stopped the job); returns the ``connection.health_changed`` event."""
    connection = await connections.get_connection_unscoped(session, job.connection_id)
    if connection is None:
        return []
    previous = connection.health
    connection.health = health_for(exc, connection.vendor)
    changed = events.health_changed(connection, previous, job.id)
    return [changed] if changed else []


async def _set_progress(ctx: AppContext, job_id: uuid.UUID) -> None:
    async with transaction(ctx.sessionmaker) as session:
        job = await repository.get(session, job_id)
        done = await repository.count_items(session, job_id, "DONE")
        if job is not None:
            job.progress_processed = done


async def run_bulk_create(ctx: AppContext, job_id: uuid.UUID) -> Finished:
    loaded = await _load(ctx, job_id)
    if loaded is None:
        return Finished(failure=job_failure(CONNECTION_INACTIVE, "connection was deleted"))
    connection, connector, _ = loaded

    async def step() -> None:
        await _reconcile_sent(ctx, job_id, connector)
        await _complete_created(ctx, job_id, connection, connector)
        while await _send_chunk(ctx, job_id, connection, connector):
            await _complete_created(ctx, job_id, connection, connector)

    await _resuming(job_id, step)
    return await _finished_from_items(ctx, job_id)


async def _send_chunk(
    ctx: AppContext, job_id: uuid.UUID, connection: Connection, connector: Connector
) -> bool:
    """Sends the next pending chunk; False when nothing is pending."""
    async with transaction(ctx.sessionmaker) as session:
        chunk = list(await repository.items(session, job_id, status="PENDING", limit=CHUNK))
        if not chunk:
            return False
        entries = []
        for item in chunk:
            try:
                body = TicketCreate.model_validate(item.request)
            except ValidationError as exc:  # stored before today's rules: this entry alone
                item.status = "DONE"
                item.outcome = bulk.invalid_entry(item.index, item.request, exc).model_dump(
                    mode="json"
                )
                continue
            item.creation_token = item.creation_token or uuid7().hex
            entries.append((item.index, body, item.creation_token))
        prepared = await bulk.prepare(session, connection, entries)
        by_index = {i.index: i for i in chunk}
        for p in prepared:
            item = by_index[p.index]
            if p.error is not None:
                item.status, item.outcome = "DONE", p.error.model_dump(mode="json")
            else:
                item.status = "SENT"  # committed before the vendor sees it
    sendable = [p for p in prepared if p.error is None]
    if sendable:
        results = await bulk.send(connector, sendable)
        async with transaction(ctx.sessionmaker) as session:
            rows = {i.index: i for i in await repository.items(session, job_id, status="SENT")}
            for p, result in zip(sendable, results, strict=True):
                row = rows[p.index]
                row.outcome = result.model_dump(mode="json")
                created = result.success and bulk.needs_completion(p.body)
                row.status = "CREATED" if created else "DONE"
    await _set_progress(ctx, job_id)
    return True


async def _complete_created(
    ctx: AppContext, job_id: uuid.UUID, connection: Connection, connector: Connector
) -> None:
    """Reads back, transitions and stores the tickets the vendor created."""
    async with transaction(ctx.sessionmaker) as session:
        created = list(await repository.items(session, job_id, status="CREATED"))
    for start in range(0, len(created), bulk.READBACK_BATCH):
        batch = created[start : start + bulk.READBACK_BATCH]
        bodies = [TicketCreate.model_validate(i.request) for i in batch]
        keys = [str((i.outcome or {}).get("vendor_ticket_id")) for i in batch]
        fetched = await bulk.fetch_all(connector, connection, list(zip(bodies, keys, strict=True)))
        async with transaction(ctx.sessionmaker) as session:
            rows = {i.index: i for i in await repository.items(session, job_id, status="CREATED")}
            work = [
                (body, BulkResult.model_validate(rows[item.index].outcome), got)
                for item, body, got in zip(batch, bodies, fetched, strict=True)
            ]
            finals = await bulk.store_all(session, connection, work)
            for item, final in zip(batch, finals, strict=True):
                row = rows[item.index]
                row.status, row.outcome = "DONE", final.model_dump(mode="json")
        await _set_progress(ctx, job_id)


async def _reconcile_sent(ctx: AppContext, job_id: uuid.UUID, connector: Connector) -> None:
    """Items sent by a run that died or failed mid-call: adopt what the vendor has."""
    async with transaction(ctx.sessionmaker) as session:
        sent = list(await repository.items(session, job_id, status="SENT"))
    if not sent:
        return
    found = await connector.find_by_creation_tokens([i.creation_token or "" for i in sent])
    async with transaction(ctx.sessionmaker) as session:
        rows = {i.index: i for i in await repository.items(session, job_id, status="SENT")}
        for item in sent:
            row = rows[item.index]
            key = found.get(item.creation_token or "")
            if key is None:
                row.status = "PENDING"  # it never reached the vendor: safe to send again
                continue
            body = TicketCreate.model_validate(row.request)
            result = BulkResult(
                request_index=row.index,
                success=True,
                vendor_ticket_id=key,
                identifier=body.identifier,
            )
            row.outcome = result.model_dump(mode="json")
            row.status = "CREATED" if bulk.needs_completion(body) else "DONE"
    await _set_progress(ctx, job_id)


async def run_bulk_update(ctx: AppContext, job_id: uuid.UUID) -> Finished:
    loaded = await _load(ctx, job_id)
    if loaded is None:
        return Finished(failure=job_failure(CONNECTION_INACTIVE, "connection was deleted"))
    connection, connector, payload = loaded
    updates = BulkUpdates.model_validate(payload["updates"])

    async def step() -> None:
        while True:
            async with transaction(ctx.sessionmaker) as session:
                pending: list[JobItem] = list(
                    await repository.items(session, job_id, status="PENDING", limit=BATCH)
                )
                if not pending:
                    return
                results = await update_batch(
                    session,
                    connector,
                    connection,
                    [(item.index, uuid.UUID(item.request["ticket_id"])) for item in pending],
                    updates,
                )
                for item in pending:
                    item.status = "DONE"
                    item.outcome = results[item.index].model_dump(mode="json")
            await _set_progress(ctx, job_id)

    await _resuming(job_id, step)
    return await _finished_from_items(ctx, job_id)
