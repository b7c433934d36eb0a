"""Request dependencies: the unit of work, the calling account, the connection."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.security import APIKeyHeader
from sqlalchemy.ext.asyncio import AsyncSession

from ticketbridge.context import AppContext
from ticketbridge.errors import NotFound, RateLimited, TicketBridgeError, Unauthorized
from ticketbridge.ids import parse_uuid  # the endpoints import it from here
from ticketbridge.logs import bind
from ticketbridge.provisioning import auth_cache, repository
from ticketbridge.provisioning.models import Account, Connection


async def get_ctx(request: Request) -> AppContext:
    # async: FastAPI runs a plain `def` dependency in a worker thread, a thread hop per request.
    ctx: AppContext = request.app.state.ctx
    return ctx


async def get_session(ctx: AppContext = Depends(get_ctx)) -> AsyncIterator[AsyncSession]:
    """The request's unit of work: the edge commits, services only flush."""
    async with ctx.sessionmaker() as session:
        try:
            yield session
        except BaseException as exc:
            await end_unit_of_work(session, exc)
            raise
        await end_unit_of_work(session, None)


async def end_unit_of_work(session: AsyncSession, error: BaseException | None) -> None:
    """Commits, or rolls back after `error` - unless the error says a vendor-side change
    already happened and was stored (`TicketBridgeError.committed`: e.g. created in Jira,
    but the status was unreachable), which must be kept even though the request reports
    an error."""
    if error is None or (isinstance(error, TicketBridgeError) and error.committed):
        await session.commit()
    else:
        await session.rollback()


# scope="function": commit before the response is sent, so a client that got 200 reads
# its write on the next request, and a failed commit is an error response, not a lost write.
Session = Annotated[AsyncSession, Depends(get_session, scope="function")]
Ctx = Annotated[AppContext, Depends(get_ctx)]

# Security schemes, so the OpenAPI document declares them (/docs gets an Authorize button,
# generated clients authorise once). auto_error=False: the checks below answer as before
# (401 INVALID_API_KEY in the contract's shape; 422 for a missing X-CONNECTION-ID).
api_key_header = APIKeyHeader(
    name="X-API-KEY", scheme_name="ApiKey", description="Your API key", auto_error=False
)
connection_header = APIKeyHeader(
    name="X-CONNECTION-ID",
    scheme_name="ConnectionId",
    description="The connection to act on (its id)",
    auto_error=False,
)


async def get_account(
    request: Request,
    ctx: Ctx,
    session: Session,
    x_api_key: Annotated[str | None, Security(api_key_header)] = None,
) -> Account:
    account, connection = await _authenticate(request, ctx, x_api_key)
    # Attached to the request's unit of work: endpoints that change them commit it.
    session.add(account)
    if connection is not None:
        session.add(connection)
    return account


async def _authenticate(
    request: Request, ctx: AppContext, x_api_key: str | None, *, cached: bool = False
) -> tuple[Account, Connection | None]:
    """The key's account (401 without one, 429 over its rate limit) and, in the same round
    trip, the connection the request names if it is that account's. `cached`: the lookup
    may come from `provisioning.auth_cache` (read-only routes: the instances are shared)."""
    if not x_api_key:
        raise Unauthorized("Invalid API key")
    # Requests on a connection read the account and the connection in one round trip;
    # get_connection still decides (and refuses) as before.
    connection_id = _uuid_or_none(request.headers.get("x-connection-id"))
    if cached:
        ttl = ctx.settings.api_key_cache_seconds
        found = await auth_cache.authenticate(ctx.engine, x_api_key, connection_id, ttl)
    else:
        found = await repository.authenticate(ctx.engine, x_api_key, connection_id)
    if found is None:
        raise Unauthorized("Invalid API key")
    account, connection = found.account, found.connection
    ctx.key_usage.seen(found.key_id, found.key_last_used_at)
    if ctx.rate_limiter is not None:
        retry_after = await ctx.rate_limiter.hit(account.id)
        if retry_after is not None:
            raise RateLimited(
                f"Rate limit exceeded: {ctx.rate_limiter.limit} requests per "
                f"{ctx.rate_limiter.window} s for this account; retry in {retry_after} s",
                retry_after=retry_after,
            )
    request.state.prefetched_connection = (connection_id, connection)
    bind(account_id=str(account.id))
    return account, connection


CurrentAccount = Annotated[Account, Depends(get_account)]


def _uuid_or_none(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


async def get_connection(
    request: Request,
    session: Session,
    account: CurrentAccount,
    x_connection_id: Annotated[str | None, Security(connection_header)] = None,
) -> Connection:
    connection_id = _connection_id(request, x_connection_id)
    prefetched = getattr(request.state, "prefetched_connection", None)
    if prefetched is not None and prefetched[0] == connection_id:
        connection = prefetched[1]
    else:
        connection = await repository.get_connection(session, account.id, connection_id)
    return _usable(connection)


def _connection_id(request: Request, x_connection_id: str | None) -> uuid.UUID:
    # The scheme reads an empty header as absent; an empty id is an unknown one (404).
    x_connection_id = request.headers.get("x-connection-id", x_connection_id)
    if x_connection_id is None:
        # What FastAPI answered when this was a required Header parameter.
        raise RequestValidationError(
            [{"type": "missing", "loc": ("header", "x-connection-id"), "msg": "Field required"}]
        )
    return parse_uuid(x_connection_id, "Connection")


def _usable(connection: Connection | None) -> Connection:
    if connection is None or connection.state == "DELETED":
        raise NotFound("Connection not found")
    bind(connection_id=str(connection.id))
    return connection


CurrentConnection = Annotated[Connection, Depends(get_connection)]


async def get_read_connection(
    request: Request,
    x_api_key: Annotated[str | None, Security(api_key_header)] = None,
    x_connection_id: Annotated[str | None, Security(connection_header)] = None,
) -> Connection:
    """`get_connection` for read-only routes that read through their own autocommit
    statement (``GET /v1/itsm/tickets``): the same checks, answers and log context, in one
    dependency and without opening the request's unit of work (no session created,
    committed and closed per request). The account and the connection come from the one
    lookup of `_authenticate`, which reads the connection the header names whenever it is
    a UUID; any other header is refused by `_connection_id` before it would be needed."""
    ctx: AppContext = request.app.state.ctx
    _account, connection = await _authenticate(request, ctx, x_api_key, cached=True)
    _connection_id(request, x_connection_id)  # 422 when absent, 404 when not a UUID
    return _usable(connection)


ReadConnection = Annotated[Connection, Depends(get_read_connection)]
