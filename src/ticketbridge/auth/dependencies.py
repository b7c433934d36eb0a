"""Request dependencies: the unit of work, the calling account, the connection."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.ext.asyncio import AsyncSession

from ticketbridge.context import AppContext
from ticketbridge.errors import NotFound, Unauthorized
from ticketbridge.provisioning import repository
from ticketbridge.provisioning.models import Account, Connection


def get_ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


async def get_session(ctx: AppContext = Depends(get_ctx)) -> AsyncIterator[AsyncSession]:
    """The request's unit of work: the edge commits, services only flush."""
    async with ctx.sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException as exc:
            # A vendor-side change that already happened must be recorded even when the
            # request reports an error (e.g. created in Jira, but the status was unreachable).
            if getattr(exc, "commit_anyway", False):
                await session.commit()
            else:
                await session.rollback()
            raise


# scope="function": commit before the response is sent, so a client that got 200 reads
# its write on the next request, and a failed commit is an error response, not a lost write.
Session = Annotated[AsyncSession, Depends(get_session, scope="function")]
Ctx = Annotated[AppContext, Depends(get_ctx)]


async def get_account(
    session: Session,
    x_api_key: Annotated[str | None, Header(description="Your API key")] = None,
) -> Account:
    if not x_api_key:
        raise Unauthorized("Invalid API key")
    account = await repository.account_by_api_key(session, x_api_key)
    if account is None:
        raise Unauthorized("Invalid API key")
    return account


CurrentAccount = Annotated[Account, Depends(get_account)]


def parse_uuid(value: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound(f"{what} not found") from None


async def get_connection(
    session: Session,
    account: CurrentAccount,
    x_connection_id: Annotated[str, Header(description="The connection to act on")],
) -> Connection:
    connection = await repository.get_connection(
        session, account.id, parse_uuid(x_connection_id, "Connection")
    )
    if connection is None or connection.state == "DELETED":
        raise NotFound("Connection not found")
    return connection


CurrentConnection = Annotated[Connection, Depends(get_connection)]
