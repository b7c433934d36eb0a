"""Live calls to the vendor; nothing is read from or written to our store."""

from __future__ import annotations

from ticketbridge.connectors.base import Capability, Connector, Page
from ticketbridge.connectors.registry import require
from ticketbridge.context import AppContext
from ticketbridge.provisioning.connectors import open_connector
from ticketbridge.provisioning.models import Connection


def _connector(ctx: AppContext, connection: Connection, capability: Capability) -> Connector:
    """The connection's connector, once the vendor is known to offer ``capability``."""
    require(connection.vendor, capability)
    return open_connector(ctx, connection)


async def projects(
    ctx: AppContext, connection: Connection, offset: int, limit: int, expand: bool
) -> Page:
    connector = _connector(ctx, connection, Capability.PASSTHROUGH_PROJECTS)
    return await connector.passthrough_projects(offset, limit, expand)


async def issue_types(
    ctx: AppContext, connection: Connection, project: str, offset: int, limit: int
) -> Page:
    connector = _connector(ctx, connection, Capability.PASSTHROUGH_ISSUE_TYPES)
    return await connector.passthrough_issue_types(project, offset, limit)


async def users(
    ctx: AppContext,
    connection: Connection,
    query: str | None,
    project: str | None,
    offset: int,
    limit: int,
) -> Page:
    connector = _connector(ctx, connection, Capability.PASSTHROUGH_USERS)
    return await connector.passthrough_users(query, project, offset, limit)


async def search(
    ctx: AppContext, connection: Connection, query: str, cursor: str | None, limit: int
) -> Page:
    connector = _connector(ctx, connection, Capability.PASSTHROUGH_SEARCH)
    return await connector.passthrough_search(query, cursor, limit)
