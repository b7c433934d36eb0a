"""Bulk ticket routes, a router of their own under `/itsm/tickets` (`bulk_writes.py`)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from ticketbridge.auth.dependencies import Ctx, CurrentAccount, CurrentConnection, Session
from ticketbridge.idempotency import http as idempotent
from ticketbridge.idempotency.http import IdempotencyKey
from ticketbridge.idempotency.service import Claim
from ticketbridge.itsm.tickets import bulk_writes
from ticketbridge.itsm.tickets.bulk_schemas import BulkCreate, BulkOutcome, BulkUpdate
from ticketbridge.itsm.tickets.schemas import WRITE_ERRORS
from ticketbridge.itsm.tickets.writes import Write
from ticketbridge.jobs import embedded
from ticketbridge.provisioning.schemas import JobAccepted

router = APIRouter(prefix="/itsm/tickets", tags=["tickets"])

BULK_ERRORS = {**WRITE_ERRORS, 413: {"description": "Body over 1 MiB"}}


@router.post(
    "/bulk",
    operation_id="bulk_create_tickets",
    status_code=202,
    response_model=JobAccepted,
    responses=BULK_ERRORS,
)
async def bulk_create(
    request: Request,
    body: BulkCreate,
    ctx: Ctx,
    session: Session,
    account: CurrentAccount,
    connection: CurrentConnection,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Create up to 50 tickets in a job; poll GET /v1/jobs/{job_id}."""
    write = bulk_writes.prepare_create_job(ctx, session, connection, body)
    response = await idempotent.respond(
        request, ctx, session, account.id, connection.id, idempotency_key, _accepted(write)
    )
    embedded.wake(ctx)
    return response


@router.post(
    "/bulk/sync",
    operation_id="bulk_create_tickets_sync",
    response_model=BulkOutcome,
    responses=BULK_ERRORS,
)
async def bulk_create_sync(
    request: Request,
    body: BulkCreate,
    ctx: Ctx,
    session: Session,
    account: CurrentAccount,
    connection: CurrentConnection,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Create up to 50 tickets now; per-ticket results in request order (always 200)."""
    write = bulk_writes.prepare_create_now(ctx, session, connection, body)

    async def produce(claim: Claim | None) -> Response:
        return JSONResponse((await write(claim)).model_dump(mode="json"))

    return await idempotent.respond(
        request, ctx, session, account.id, connection.id, idempotency_key, produce
    )


@router.post(
    "/bulk/update",
    operation_id="bulk_update_tickets",
    status_code=202,
    response_model=JobAccepted,
    responses=BULK_ERRORS,
)
async def bulk_update(
    request: Request,
    body: BulkUpdate,
    ctx: Ctx,
    session: Session,
    account: CurrentAccount,
    connection: CurrentConnection,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Update up to 50 tickets in a job: status by transition first, then the fields."""
    write = bulk_writes.prepare_update_job(ctx, session, connection, body)
    response = await idempotent.respond(
        request, ctx, session, account.id, connection.id, idempotency_key, _accepted(write)
    )
    embedded.wake(ctx)
    return response


def _accepted(write: Write[uuid.UUID]) -> idempotent.Produce:
    async def produce(claim: Claim | None) -> Response:
        job_id = await write(claim)
        return JSONResponse(JobAccepted(job_id=job_id).model_dump(mode="json"), status_code=202)

    return produce
