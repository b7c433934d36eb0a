"""What the API and the CLI do to a connection, one call per action: connect it (and queue
its first sync), change it, test it against the vendor, start its sync. The edge commits
(and wakes the worker when a job was queued)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from ticketbridge.connectors.base import Capability
from ticketbridge.connectors.registry import require
from ticketbridge.context import AppContext
from ticketbridge.errors import NotFound, TicketBridgeError, Unprocessable
from ticketbridge.ids import parse_uuid
from ticketbridge.jobs import repository as jobs_repository
from ticketbridge.jobs import service as jobs
from ticketbridge.jobs.models import Job
from ticketbridge.jobs.schemas import JobOut
from ticketbridge.provisioning import repository, service
from ticketbridge.provisioning.accounts import get_organization
from ticketbridge.provisioning.connectors import open_connector
from ticketbridge.provisioning.health import record_health, record_vendor_failure
from ticketbridge.provisioning.models import Account, Connection, Organization
from ticketbridge.provisioning.options import needs_full_resync
from ticketbridge.provisioning.schemas import (
    ConnectionCreate,
    ConnectionOut,
    ConnectionPatch,
    ConnectionTestOut,
)


async def org_connection(
    session: AsyncSession, account: Account, org_id: str, connection_id: str
) -> tuple[Organization, Connection]:
    """The organization's connection by their path ids (404 for either, or a mismatch)."""
    org = await get_organization(session, account, parse_uuid(org_id, "Organization"))
    connection = await service.get_connection(
        session, account, parse_uuid(connection_id, "Connection")
    )
    if connection.organization_id != org.id:
        raise NotFound("Connection not found")
    return org, connection


async def connect(
    ctx: AppContext,
    session: AsyncSession,
    account: Account,
    org_id: uuid.UUID,
    body: ConnectionCreate,
) -> ConnectionOut:
    """Creates a connection; an ACTIVE one (not waiting for OAuth) has its first sync queued."""
    org = await get_organization(session, account, org_id)
    connection = await service.create_connection(ctx, session, account, org.id, body)
    if connection.state == "ACTIVE":
        await activate(ctx, session, connection)
    return service.connection_out(ctx, connection, org)


async def activate(ctx: AppContext, session: AsyncSession, connection: Connection) -> Job:
    """Queues a newly active connection's first sync (the schedule's run is that job)."""
    job = await jobs.schedule_sync(ctx.settings, session, connection)
    connection.next_sync_at = None
    return job


async def authorize(ctx: AppContext, session: AsyncSession, state: str, code: str) -> Connection:
    """The vendor's OAuth callback: stores the tokens, and the connection's first sync."""
    connection = await service.complete_oauth(ctx, session, state, code)
    await activate(ctx, session, connection)
    return connection


async def connections_of(
    ctx: AppContext, session: AsyncSession, account: Account, org_id: str
) -> list[ConnectionOut]:
    org = await get_organization(session, account, parse_uuid(org_id, "Organization"))
    rows = await repository.list_connections(session, account.id, org.id)
    return [service.connection_out(ctx, c, org) for c in rows]


async def every_connection(
    ctx: AppContext, session: AsyncSession, account: Account
) -> list[ConnectionOut]:
    """The account's connections, organization by organization (the CLI's list)."""
    out = []
    for org in await repository.list_organizations(session, account.id):
        for c in await repository.list_connections(session, account.id, org.id):
            out.append(service.connection_out(ctx, c, org))
    return out


async def show(
    ctx: AppContext, session: AsyncSession, account: Account, org_id: str, connection_id: str
) -> ConnectionOut:
    org, connection = await org_connection(session, account, org_id, connection_id)
    return service.connection_out(ctx, connection, org)


async def change(
    ctx: AppContext,
    session: AsyncSession,
    account: Account,
    org_id: str,
    connection_id: str,
    patch: ConnectionPatch,
) -> tuple[ConnectionOut, bool]:
    """`update_connection`; an ACTIVE connection whose filter or mappings changed has a full
    resync queued. Returns the connection and whether a sync was queued."""
    org, connection = await org_connection(session, account, org_id, connection_id)
    before = dict(connection.options or {})
    connection = await service.update_connection(ctx, session, account, connection.id, patch)
    queued = connection.state == "ACTIVE" and needs_full_resync(
        connection.vendor, before, connection.options
    )
    if queued:
        await jobs.schedule_sync(ctx.settings, session, connection, full=True)
    return service.connection_out(ctx, connection, org), queued


async def remove(session: AsyncSession, account: Account, org_id: str, connection_id: str) -> None:
    _, connection = await org_connection(session, account, org_id, connection_id)
    await service.delete_connection(session, account, connection.id)


async def check(
    ctx: AppContext, session: AsyncSession, connection: Connection
) -> ConnectionTestOut:
    """Tests the credentials against the vendor and records the connection's health."""
    if connection.state == "PENDING":
        return ConnectionTestOut(ok=False, detail="Waiting for OAuth authorization")
    try:
        detail = await open_connector(ctx, connection).test()
    except TicketBridgeError as exc:
        await record_vendor_failure(ctx, connection.id, exc)
        return ConnectionTestOut(ok=False, detail=exc.detail)
    await record_health(ctx, session, connection, None)
    return ConnectionTestOut(ok=True, detail=detail)


async def test(
    ctx: AppContext, session: AsyncSession, account: Account, org_id: str, connection_id: str
) -> ConnectionTestOut:
    _, connection = await org_connection(session, account, org_id, connection_id)
    return await check(ctx, session, connection)


async def sync(
    ctx: AppContext,
    session: AsyncSession,
    account: Account,
    org_id: str,
    connection_id: str,
    *,
    full: bool,
) -> Job:
    _, connection = await org_connection(session, account, org_id, connection_id)
    return await start_sync(ctx, session, connection, full=full)


async def start_sync(
    ctx: AppContext, session: AsyncSession, connection: Connection, *, full: bool
) -> Job:
    """The connection's sync job: the one queued or running, else a new one."""
    require(connection.vendor, Capability.SYNC)
    if connection.state != "ACTIVE":
        raise Unprocessable(f"Connection is {connection.state}; only ACTIVE connections sync")
    return await jobs.schedule_sync(ctx.settings, session, connection, full=full)


async def jobs_of(
    session: AsyncSession, account: Account, org_id: str, connection_id: str, limit: int
) -> list[JobOut]:
    """The connection's jobs, newest first."""
    _, connection = await org_connection(session, account, org_id, connection_id)
    rows = await jobs_repository.for_connection(session, connection.id, limit)
    return [jobs.job_out(j) for j in rows]
