"""A connection's health: what its last vendor call or job says of it, and the
``connection.health_changed`` event when that changes."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ticketbridge.connectors.registry import label
from ticketbridge.context import AppContext
from ticketbridge.db.session import transaction
from ticketbridge.errors import VendorUnauthorized
from ticketbridge.provisioning import repository
from ticketbridge.provisioning.models import Connection
from ticketbridge.webhooks import dispatch, events

# "{vendor}": the vendor's name (connectors.registry.label), e.g. Jira, ServiceNow.
HEALTH = {
    "VendorUnauthorized": ("UNAUTHORIZED", "{vendor} rejected the stored credentials", "CUSTOMER"),
    "VendorRateLimited": ("RATE_LIMIT_EXCEEDED", "{vendor} rate limit exceeded", "VENDOR"),
    "VendorUnavailable": ("VENDOR_SERVER_ERROR", "{vendor} is failing or unreachable", "VENDOR"),
    "VendorTimeout": ("EXECUTION_TIMEOUT", "{vendor} did not answer in time", "VENDOR"),
    "VendorOutcomeUnknown": ("EXECUTION_TIMEOUT", "{vendor} did not answer in time", "VENDOR"),
    "JobTimedOut": (
        "EXECUTION_TIMEOUT",
        "The last job ran past the connection's timeout_secs",
        "CUSTOMER",
    ),
    "VendorRequestError": ("VENDOR_CLIENT_ERROR", "{vendor} rejected a request", "CUSTOMER"),
}


def health_for(exc: BaseException | None, vendor: str) -> dict[str, Any]:
    """The health a job's or a call's outcome gives a connection of `vendor`."""
    if exc is None:
        return {
            "name": "HEALTHY",
            "status": "HEALTHY",
            "description": "Last job succeeded",
            "resolution_owner": None,
        }
    for cls in type(exc).__mro__:
        if cls.__name__ in HEALTH:
            name, description, owner = HEALTH[cls.__name__]
            break
    else:
        name, description, owner = "INTERNAL_ERROR", "TicketBridge failed", "TICKETBRIDGE"
    description = description.format(vendor=label(vendor))
    return {"name": name, "status": name, "description": description, "resolution_owner": owner}


async def record_health(
    ctx: AppContext, session: AsyncSession, connection: Connection, exc: BaseException | None
) -> None:
    """Writes the connection's health in the caller's transaction; a new status is a
    ``connection.health_changed`` event (queued with the transaction on procrastinate; on
    the embedded worker sent at once, the request's commit being the next thing to run)."""
    previous = connection.health
    connection.health = health_for(exc, connection.vendor)
    changed = events.health_changed(connection, previous)
    if changed:
        later = await dispatch.publish(ctx, session, connection.account_id, [changed])
        dispatch.deliver_later(ctx, connection.account_id, later)


async def record_vendor_failure(
    ctx: AppContext, connection_id: uuid.UUID, exc: BaseException
) -> None:
    """Credentials that stopped working mark the connection, in a transaction of its own."""
    later: list[events.Event] = []
    async with transaction(ctx.sessionmaker) as session:
        connection = await repository.get_connection_unscoped(session, connection_id)
        if connection is not None:
            previous = connection.health
            connection.health = health_for(exc, connection.vendor)
            changed = events.health_changed(connection, previous)
            if changed:
                later = await dispatch.publish(ctx, session, connection.account_id, [changed])
    if connection is not None:  # after the commit
        dispatch.deliver_later(ctx, connection.account_id, later)


@asynccontextmanager
async def vendor_guard(ctx: AppContext, connection: Connection) -> AsyncIterator[None]:
    """Around a request's vendor calls: credentials the vendor refused mark the connection
    (`record_vendor_failure`); the error goes on to the caller."""
    try:
        yield
    except VendorUnauthorized as exc:
        await record_vendor_failure(ctx, connection.id, exc)
        raise
