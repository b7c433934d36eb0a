from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from ticketbridge.auth.dependencies import (
    Ctx,
    CurrentAccount,
    CurrentConnection,
    ReadConnection,
    Session,
    parse_uuid,
)
from ticketbridge.context import AppContext
from ticketbridge.errors import Unprocessable
from ticketbridge.idempotency import http as idempotent
from ticketbridge.idempotency.http import IdempotencyKey
from ticketbridge.idempotency.service import Claim
from ticketbridge.itsm.paging import ListEnvelope, page_params
from ticketbridge.itsm.tickets import listing, serialize, service, writes
from ticketbridge.itsm.tickets.models import Ticket
from ticketbridge.itsm.tickets.schemas import (
    WRITE_ERRORS,
    Priority,
    Status,
    TicketCreate,
    TicketOut,
    TicketUpdate,
)
from ticketbridge.itsm.timestamps import UpdatedSince

router = APIRouter(prefix="/itsm/tickets", tags=["tickets"])


@router.get("", operation_id="list_tickets", response_model=ListEnvelope[TicketOut])
async def list_tickets(
    request: Request,
    connection: ReadConnection,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    offset: Annotated[int | None, Query(ge=0, le=10_000_000)] = None,
    status: Status | None = None,
    priority: Priority | None = None,
    type: Annotated[str | None, Query(max_length=255)] = None,
    project_id: Annotated[str | None, Query(alias="projectId")] = None,
    assigned_user_id: Annotated[str | None, Query(alias="assignedUserId")] = None,
    parent_ticket_id: Annotated[str | None, Query(alias="parentTicketId")] = None,
    identifier: Annotated[str | None, Query(max_length=255)] = None,
    updated_since: UpdatedSince = None,
) -> Response:
    """List tickets from the local store (synced plus written through the API)."""
    if updated_since is not None and cursor is not None:
        raise Unprocessable("updatedSince cannot be combined with cursor", field="updatedSince")
    page = page_params(limit=limit, cursor=cursor, offset=offset)
    # The stored columns as they are (serialize.py), by a prebuilt statement (listing.py):
    # no ORM entity loaded, no model built and validated per ticket, no select built.
    ctx: AppContext = request.app.state.ctx
    rows, nxt, prev = await listing.list_page(
        ctx.engine,
        connection.id,
        page,
        status=status,
        priority=priority,
        type=type,
        project_id=parse_uuid(project_id, "Project") if project_id else None,
        assigned_user_id=parse_uuid(assigned_user_id, "User") if assigned_user_id else None,
        parent_ticket_id=parse_uuid(parent_ticket_id, "Ticket") if parent_ticket_id else None,
        identifier=identifier,
        updated_since=updated_since,
    )
    return Response(serialize.rows_page_json(rows, nxt, prev), media_type="application/json")


@router.get(
    "/by-identifier/{identifier}",
    operation_id="get_ticket_by_identifier",
    response_model=TicketOut,
    responses={404: WRITE_ERRORS[404]},
)
async def get_ticket_by_identifier(
    identifier: str, session: Session, connection: CurrentConnection
) -> Ticket:
    """Get a ticket by the caller's identifier."""
    return await service.get_by_identifier(session, connection, identifier)


@router.get(
    "/{ticket_id}",
    operation_id="get_ticket",
    response_model=TicketOut,
    responses={404: WRITE_ERRORS[404]},
)
async def get_ticket(ticket_id: str, session: Session, connection: CurrentConnection) -> Ticket:
    """Get a ticket by id."""
    return await service.get_ticket(session, connection, parse_uuid(ticket_id, "Ticket"))


@router.post("", operation_id="create_ticket", response_model=TicketOut, responses=WRITE_ERRORS)
async def create_ticket(
    request: Request,
    body: TicketCreate,
    ctx: Ctx,
    session: Session,
    account: CurrentAccount,
    connection: CurrentConnection,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Create a ticket in the vendor, then store it locally."""
    write = writes.prepare_create(ctx, session, connection, body)
    return await idempotent.respond(
        request, ctx, session, account.id, connection.id, idempotency_key, _answer(write)
    )


@router.patch(
    "/{ticket_id}", operation_id="update_ticket", response_model=TicketOut, responses=WRITE_ERRORS
)
async def update_ticket(
    request: Request,
    ticket_id: str,
    body: TicketUpdate,
    ctx: Ctx,
    session: Session,
    account: CurrentAccount,
    connection: CurrentConnection,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Update a ticket in the vendor (status through workflow transitions), then locally."""
    write = await writes.prepare_update(ctx, session, connection, ticket_id, body)
    return await idempotent.respond(
        request, ctx, session, account.id, connection.id, idempotency_key, _answer(write)
    )


def _answer(write: writes.Write[Ticket]) -> idempotent.Produce:
    async def produce(claim: Claim | None) -> Response:
        ticket = await write(claim)
        return JSONResponse(TicketOut.model_validate(ticket).model_dump(mode="json"))

    return produce
