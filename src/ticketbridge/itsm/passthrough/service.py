"""Live calls to the vendor; nothing is read from or written to our store."""

from __future__ import annotations

from ticketbridge.connectors.base import Capability, Page, require
from ticketbridge.context import AppContext
from ticketbridge.provisioning.models import Connection
from ticketbridge.provisioning.service import connector_for


async def projects(
    ctx: AppContext, connection: Connection, offset: int, limit: int, expand: bool
) -> Page:
    require(connection.vendor, Capability.PASSTHROUGH_PROJECTS)
    return await connector_for(ctx, connection).passthrough_projects(offset, limit, expand)


async def issue_types(
    ctx: AppContext, connection: Connection, project: str, offset: int, limit: int
) -> Page:
    require(connection.vendor, Capability.PASSTHROUGH_ISSUE_TYPES)
    return await connector_for(ctx, connection).passthrough_issue_types(project, offset, limit)


async def users(
    ctx: AppContext,
    connection: Connection,
    query: str | None,
    project: str | None,
    offset: int,
    limit: int,
) -> Page:
    require(connection.vendor, Capability.PASSTHROUGH_USERS)
    return await connector_for(ctx, connection).passthrough_users(query, project, offset, limit)


async def search(
    ctx: AppContext, connection: Connection, query: str, cursor: str | None, limit: int
) -> Page:
    require(connection.vendor, Capability.PASSTHROUGH_SEARCH)
    return await connector_for(ctx, connection).passthrough_search(query, cursor, limit)
