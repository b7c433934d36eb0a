"""The SYNC job."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from ticketbridge.db.session import transaction
from ticketbridge.errors import CONNECTION_INACTIVE
from ticketbridge.errors import failure as job_failure
from ticketbridge.jobs import repository
from ticketbridge.jobs.runtime import finish, handler
from ticketbridge.provisioning import repository as connections
from ticketbridge.provisioning.connectors import open_connector
from ticketbridge.sync.service import sync_connection

if TYPE_CHECKING:
    from ticketbridge.context import AppContext


@handler("SYNC")
async def run_sync(ctx: AppContext, job_id: uuid.UUID) -> None:
    async with transaction(ctx.sessionmaker) as session:
        job = await repository.get(session, job_id)
        assert job is not None
        full = bool((job.payload or {}).get("full"))
        connection = await connections.get_connection_unscoped(session, job.connection_id)
        if connection is None or connection.state in ("DELETED", "PAUSED", "PENDING"):
            state = connection.state if connection else "DELETED"
            failure = job_failure(CONNECTION_INACTIVE, f"connection is {state}")
            connection_id = None
        else:
            failure = None
            connection_id = connection.id
            connector = open_connector(ctx, connection)
    if failure is not None or connection_id is None:
        await finish(ctx, job_id, failure=failure)
        return

    async def progress(processed: int, total: int | None) -> None:
        async with transaction(ctx.sessionmaker) as session:
            await repository.set_progress(session, job_id, processed, total)

    report = await sync_connection(ctx.sessionmaker, connection_id, connector, progress, full=full)
    await finish(ctx, job_id, result=report.as_dict())
