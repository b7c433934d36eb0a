from __future__ import annotations

import hashlib
import uuid
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse

from ticketbridge.auth.dependencies import Ctx, CurrentAccount, CurrentConnection, Session
from ticketbridge.connectors.base import Capability
from ticketbridge.connectors.registry import check_custom_fields, require
from ticketbridge.idempotency import http as idempotent
from ticketbridge.idempotency.service import Claim
from ticketbridge.ids import tokens
from ticketbridge.itsm.tickets import bulk
from ticketbridge.itsm.tickets.bulk_schemas import BulkCreate, BulkOutcome, BulkUpdate
from ticketbridge.itsm.tickets.endpoints import ERRORS, IdempotencyKey, router, vendor_guard
from ticketbridge.jobs import embedded
from ticketbridge.jobs import service as jobs
from ticketbridge.provisioning.connectors import open_connector
from ticketbridge.provisioning.schemas import JobAccepted

BULK_ERRORS = {**ERRORS, 413: {"description": "Body over 1 MiB"}}


def _check_entries(vendor: str, body: BulkCreate) -> None:
    """A malformed entry fails the whole request (docs/api.md, "Writes"), vendor rules included."""
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
    request: Request,
    body: BulkCreate,
    ctx: Ctx,
    session: Session,
    account: CurrentAccount,
    connection: CurrentConnection,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Create up to 50 tickets in a job; poll GET /v1/jobs/{job_id}."""
    require(connection.vendor, Capability.BULK_CREATE)
    bulk.check_cap(len(body.tickets), ctx.settings.max_batch)
    _check_entries(connection.vendor, body)

    async def produce(_claim: Claim | None) -> Response:
        job = await jobs.enqueue(
            ctx.settings,
            session,
            connection,
            "BULK_CREATE_TICKETS",
            {},
            [t.model_dump(mode="json", exclude_unset=True) for t in body.tickets],
        )
        return _accepted(job.id)

    response = await idempotent.respond(
        request, ctx, session, account.id, connection.id, idempotency_key, produce
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
    require(connection.vendor, Capability.BULK_CREATE)
    bulk.check_cap(len(body.tickets), ctx.settings.max_batch)
    _check_entries(connection.vendor, body)
    connector = open_connector(ctx, connection)

    async def produce(claim: Claim | None) -> Response:
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
        return JSONResponse(bulk.outcome(results).model_dump(mode="json"))

    return await idempotent.respond(
        request, ctx, session, account.id, connection.id, idempotency_key, produce
    )


def entry_tokens(claim_token: str, count: int) -> list[str]:
    """Creation tokens derived from the key's claim, so a retry of the same request looks
    for the very tokens its first attempt sent."""
    return [hashlib.sha256(f"{claim_token}:{i}".encode()).hexdigest()[:32] for i in range(count)]


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
    require(connection.vendor, Capability.BULK_UPDATE)
    bulk.check_cap(len(body.ticket_ids), ctx.settings.max_batch)

    async def produce(_claim: Claim | None) -> Response:
        job = await jobs.enqueue(
            ctx.settings,
            session,
            connection,
            "BULK_UPDATE_TICKETS",
            {"updates": body.updates.model_dump(mode="json", exclude_unset=True)},
            [{"ticket_id": str(t)} for t in body.ticket_ids],
        )
        return _accepted(job.id)

    response = await idempotent.respond(
        request, ctx, session, account.id, connection.id, idempotency_key, produce
    )
    embedded.wake(ctx)
    return response


def _accepted(job_id: uuid.UUID) -> JSONResponse:
    return JSONResponse(JobAccepted(job_id=job_id).model_dump(mode="json"), status_code=202)
