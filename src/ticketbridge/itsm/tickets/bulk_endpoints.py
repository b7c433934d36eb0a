from __future__ import annotations

from ticketbridge.auth.dependencies import Ctx, CurrentConnection, Session
from ticketbridge.connectors.base import Capability, check_custom_fields, require
from ticketbridge.ids import tokens
from ticketbridge.itsm.tickets import bulk
from ticketbridge.itsm.tickets.bulk_schemas import BulkCreate, BulkOutcome, BulkUpdate
from ticketbridge.itsm.tickets.endpoints import ERRORS, router, vendor_guard
from ticketbridge.jobs import runtime
from ticketbridge.jobs import service as jobs
from ticketbridge.provisioning.schemas import JobAccepted
from ticketbridge.provisioning.service import connector_for

BULK_ERRORS = {**ERRORS, 413: {"description": "Body over 1 MiB"}}


def _check_entries(vendor: str, body: BulkCreate) -> None:
    """A malformed entry fails the whole request (API.md 6.3), vendor rules included."""
    for i, ticket in enumerate(body.tickets):
        check_custom_fields(vendor, ticket.custom_fields, where=f"tickets[{i}].")


@router.post(
    "/bulk",
    operation_id="bulk_create_tickets",
    status_code=202,
    response_model=JobAccepted,
    responses=BULK_ERRORS,
)
async def bulk_create(
    body: BulkCreate, ctx: Ctx, session: Session, connection: CurrentConnection
) -> JobAccepted:
    """Create up to 50 tickets in a job; poll GET /v1/jobs/{job_id}."""
    require(connection.vendor, Capability.BULK_CREATE)
    bulk.check_cap(len(body.tickets), ctx.settings.max_batch)
    _check_entries(connection.vendor, body)
    job = await jobs.enqueue(
        session,
        connection,
        "BULK_CREATE_TICKETS",
        {},
        [t.model_dump(mode="json", exclude_unset=True) for t in body.tickets],
    )
    await session.commit()
    runtime.wake(ctx)
    return JobAccepted(job_id=job.id)


@router.post(
    "/bulk/sync",
    operation_id="bulk_create_tickets_sync",
    response_model=BulkOutcome,
    responses=BULK_ERRORS,
)
async def bulk_create_sync(
    body: BulkCreate, ctx: Ctx, session: Session, connection: CurrentConnection
) -> BulkOutcome:
    """Create up to 50 tickets now; per-ticket results in request order (always 200)."""
    require(connection.vendor, Capability.BULK_CREATE)
    bulk.check_cap(len(body.tickets), ctx.settings.max_batch)
    _check_entries(connection.vendor, body)
    fresh = tokens(len(body.tickets))
    entries = [(i, t, fresh[i]) for i, t in enumerate(body.tickets)]
    prepared = await bulk.prepare(session, connection, entries)
    async with vendor_guard(ctx, connection):
        results = await bulk.create_prepared(
            session, connector_for(ctx, connection), connection, prepared, end_reads=True
        )
    return bulk.outcome(results)


@router.post(
    "/bulk/update",
    operation_id="bulk_update_tickets",
    status_code=202,
    response_model=JobAccepted,
    responses=BULK_ERRORS,
)
async def bulk_update(
    body: BulkUpdate, ctx: Ctx, session: Session, connection: CurrentConnection
) -> JobAccepted:
    """Update up to 50 tickets in a job: status by transition first, then the fields."""
    require(connection.vendor, Capability.BULK_UPDATE)
    bulk.check_cap(len(body.ticket_ids), ctx.settings.max_batch)
    job = await jobs.enqueue(
        session,
        connection,
        "BULK_UPDATE_TICKETS",
        {"updates": body.updates.model_dump(mode="json", exclude_unset=True)},
        [{"ticket_id": str(t)} for t in body.ticket_ids],
    )
    await session.commit()
    runtime.wake(ctx)
    return JobAccepted(job_id=job.id)
