"""Bulk jobs. Each item is tracked, so a resumed job skips what is done and reconciles
what was sent but never confirmed (by creation token) before sending anything again."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from ticketbridge.db.session import transaction
from ticketbridge.ids import uuid7
from ticketbridge.itsm.tickets import bulk, service
from ticketbridge.itsm.tickets.bulk_schemas import BulkResult, BulkUpdates
from ticketbridge.itsm.tickets.schemas import TicketCreate
from ticketbridge.jobs import repository
from ticketbridge.jobs.models import JobItem
from ticketbridge.jobs.runtime import finish, handler
from ticketbridge.provisioning import repository as connections
from ticketbridge.provisioning.models import Connection
from ticketbridge.provisioning.service import connector_for

if TYPE_CHECKING:
    from ticketbridge.connectors.base import Connector
    from ticketbridge.context import AppContext

CHUNK = 50


async def _load(
    ctx: AppContext, job_id: uuid.UUID
) -> tuple[Connection, Connector, dict[str, Any]] | None:
    async with transaction(ctx.sessionmaker) as session:
        job = await repository.get(session, job_id)
        assert job is not None
        connection = await connections.get_connection_unscoped(session, job.connection_id)
        if connection is None or connection.state == "DELETED":
            return None
        return connection, connector_for(ctx, connection), dict(job.payload)


async def _finish_from_items(ctx: AppContext, job_id: uuid.UUID) -> None:
    async with transaction(ctx.sessionmaker) as session:
        items = await repository.items(session, job_id)
        results = [BulkResult.model_validate(i.outcome) for i in items if i.outcome]
    summary = bulk.outcome(results).model_dump(mode="json")
    await finish(ctx, job_id, result=summary, failure=summary if summary["failed"] else None)


async def _set_progress(ctx: AppContext, job_id: uuid.UUID) -> None:
    async with transaction(ctx.sessionmaker) as session:
        job = await repository.get(session, job_id)
        items = await repository.items(session, job_id)
        if job is not None:
            job.progress_processed = sum(1 for i in items if i.status == "DONE")


@handler("BULK_CREATE_TICKETS")
async def run_bulk_create(ctx: AppContext, job_id: uuid.UUID) -> None:
    loaded = await _load(ctx, job_id)
    if loaded is None:
        await finish(ctx, job_id, failure={"error": "connection was deleted"})
        return
    connection, connector, _ = loaded
    await _reconcile_sent(ctx, job_id, connection, connector)
    while True:
        async with transaction(ctx.sessionmaker) as session:
            items = [i for i in await repository.items(session, job_id) if i.status == "PENDING"]
            chunk = items[:CHUNK]
            if not chunk:
                break
            entries = []
            for item in chunk:
                item.creation_token = item.creation_token or uuid7().hex
                entries.append(
                    (item.index, TicketCreate.model_validate(item.request), item.creation_token)
                )
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
            async with transaction(ctx.sessionmaker) as session:
                results = await bulk.create_prepared(session, connector, connection, sendable)
                rows = {i.index: i for i in await repository.items(session, job_id)}
                for result in results:
                    rows[result.request_index].status = "DONE"
                    rows[result.request_index].outcome = result.model_dump(mode="json")
        await _set_progress(ctx, job_id)
    await _finish_from_items(ctx, job_id)


async def _reconcile_sent(
    ctx: AppContext, job_id: uuid.UUID, connection: Connection, connector: Connector
) -> None:
    """Items sent by a worker that died: adopt what exists in the vendor, resend the rest."""
    async with transaction(ctx.sessionmaker) as session:
        sent = [i for i in await repository.items(session, job_id) if i.status == "SENT"]
        if not sent:
            return
        found = await connector.find_by_creation_tokens([i.creation_token or "" for i in sent])
        mappings = service.Mappings.of(connection)
        for item in sent:
            key = found.get(item.creation_token or "")
            if key is None:
                item.status = "PENDING"  # it never reached the vendor: safe to send again
                continue
            body = TicketCreate.model_validate(item.request)
            result = BulkResult(
                request_index=item.index,
                success=True,
                vendor_ticket_id=key,
                identifier=body.identifier,
            )
            if not body.uses_vendor_ids():
                vt = await connector.get_ticket(key)
                ticket = await service.store_vendor_ticket(
                    session, connection, vt, mappings, body.identifier
                )
                result.ticket_id, result.identifier = ticket.id, ticket.identifier
            item.status, item.outcome = "DONE", result.model_dump(mode="json")


@handler("BULK_UPDATE_TICKETS")
async def run_bulk_update(ctx: AppContext, job_id: uuid.UUID) -> None:
    loaded = await _load(ctx, job_id)
    if loaded is None:
        await finish(ctx, job_id, failure={"error": "connection was deleted"})
        return
    connection, connector, payload = loaded
    updates = BulkUpdates.model_validate(payload["updates"])
    while True:
        async with transaction(ctx.sessionmaker) as session:
            pending: list[JobItem] = [
                i for i in await repository.items(session, job_id) if i.status != "DONE"
            ]
            if not pending:
                break
            item = pending[0]
            result = await bulk.update_one(
                session,
                connector,
                connection,
                uuid.UUID(item.request["ticket_id"]),
                updates,
                item.index,
            )
            item.status, item.outcome = "DONE", result.model_dump(mode="json")
        await _set_progress(ctx, job_id)
    await _finish_from_items(ctx, job_id)
