"""The bulk writes an endpoint asks for, one call each (`writes.py` for the single ones):
what a whole request is refused for is refused before an ``Idempotency-Key`` is claimed;
the returned `Write` queues the job, or creates the tickets now (`bulk/sync`)."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ticketbridge.connectors.base import Capability
from ticketbridge.connectors.registry import require
from ticketbridge.context import AppContext
from ticketbridge.idempotency.service import Claim
from ticketbridge.ids import tokens
from ticketbridge.itsm.tickets import bulk
from ticketbridge.itsm.tickets.bulk_schemas import BulkCreate, BulkOutcome, BulkUpdate
from ticketbridge.itsm.tickets.writes import Write, check_new_ticket
from ticketbridge.jobs import service as jobs
from ticketbridge.provisioning.connectors import open_connector
from ticketbridge.provisioning.health import vendor_guard
from ticketbridge.provisioning.models import Connection


def _check_entries(vendor: str, body: BulkCreate) -> None:
    """A malformed entry fails the whole request (docs/api.md, "Writes"), vendor rules included."""
    for i, ticket in enumerate(body.tickets):
        check_new_ticket(vendor, ticket, where=f"tickets[{i}].")


def prepare_create_job(
    ctx: AppContext, session: AsyncSession, connection: Connection, body: BulkCreate
) -> Write[uuid.UUID]:
    """`POST /tickets/bulk`: the write queues the job and returns its id."""
    require(connection.vendor, Capability.BULK_CREATE)
    bulk.check_cap(len(body.tickets), ctx.settings.max_batch)
    _check_entries(connection.vendor, body)

    async def enqueue(_claim: Claim | None) -> uuid.UUID:
        job = await jobs.enqueue(
            ctx.settings,
            session,
            connection,
            "BULK_CREATE_TICKETS",
            {},
            [t.model_dump(mode="json", exclude_unset=True) for t in body.tickets],
        )
        return job.id

    return enqueue


def prepare_create_now(
    ctx: AppContext, session: AsyncSession, connection: Connection, body: BulkCreate
) -> Write[BulkOutcome]:
    """`POST /tickets/bulk/sync`: the write creates the tickets and returns the per-entry
    results; retried after an attempt that died, it adopts what that attempt created."""
    require(connection.vendor, Capability.BULK_CREATE)
    bulk.check_cap(len(body.tickets), ctx.settings.max_batch)
    _check_entries(connection.vendor, body)
    connector = open_connector(ctx, connection)

    async def create(claim: Claim | None) -> BulkOutcome:
        count = len(body.tickets)
        fresh = tokens(count) if claim is None else entry_tokens(claim.creation_token, count)
        entries = [(i, t, fresh[i]) for i, t in enumerate(body.tickets)]
        cache: dict[tuple[str, str], Any] = {}  # what prepare looked up, found again to store
        prepared = await bulk.prepare(session, connection, entries, cache)
        async with vendor_guard(ctx, connection):
            # A retry after an attempt that died: adopt what that attempt created.
            adopted = (
                await connector.find_by_creation_tokens(fresh)
                if claim is not None and claim.resumed
                else None
            )
            results = await bulk.create_prepared(
                session,
                connector,
                connection,
                prepared,
                end_reads=True,
                adopted=adopted,
                cache=cache,
            )
        return bulk.outcome(results)

    return create


def entry_tokens(claim_token: str, count: int) -> list[str]:
    """Creation tokens derived from the key's claim, so a retry of the same request looks
    for the very tokens its first attempt sent."""
    return [hashlib.sha256(f"{claim_token}:{i}".encode()).hexdigest()[:32] for i in range(count)]


def prepare_update_job(
    ctx: AppContext, session: AsyncSession, connection: Connection, body: BulkUpdate
) -> Write[uuid.UUID]:
    """`POST /tickets/bulk/update`: the write queues the job and returns its id."""
    require(connection.vendor, Capability.BULK_UPDATE)
    bulk.check_cap(len(body.ticket_ids), ctx.settings.max_batch)

    async def enqueue(_claim: Claim | None) -> uuid.UUID:
        job = await jobs.enqueue(
            ctx.settings,
            session,
            connection,
            "BULK_UPDATE_TICKETS",
            {"updates": body.updates.model_dump(mode="json", exclude_unset=True)},
            [{"ticket_id": str(t)} for t in body.ticket_ids],
        )
        return job.id

    return enqueue
