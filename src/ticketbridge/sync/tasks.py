"""The SYNC job: the sync itself, and what its end records for the connection."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

from ticketbridge.db.base import utcnow
from ticketbridge.db.session import transaction
from ticketbridge.errors import CONNECTION_INACTIVE
from ticketbridge.errors import failure as job_failure
from ticketbridge.jobs import repository
from ticketbridge.jobs.handlers import Finished
from ticketbridge.metrics import SYNC_LAST_SUCCESS
from ticketbridge.provisioning import repository as connections
from ticketbridge.provisioning.connectors import open_connector
from ticketbridge.provisioning.service import health_for
from ticketbridge.sync.service import sync_connection
from ticketbridge.webhooks import events

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ticketbridge.context import AppContext
    from ticketbridge.jobs.models import Job


async def run_sync(ctx: AppContext, job_id: uuid.UUID) -> Finished:
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
        return Finished(failure=failure)

    async def progress(processed: int, total: int | None) -> None:
        async with transaction(ctx.sessionmaker) as session:
            await repository.set_progress(session, job_id, processed, total)

    report = await sync_connection(ctx.sessionmaker, connection_id, connector, progress, full=full)
    return Finished(result=report.as_dict())


async def record_outcome(
    ctx: AppContext, session: AsyncSession, job: Job, exc: BaseException | None
) -> list[events.Event]:
    """The end of a SYNC job, in the transaction that finishes it: the connection's health
    (``exc`` is what stopped the sync; skipped items are noted) and its next scheduled
    sync; returns the ``connection.health_changed`` and ``sync.completed`` events."""
    connection = await connections.get_connection_unscoped(session, job.connection_id)
    outgoing: list[events.Event] = []
    if connection is not None:
        previous = connection.health
        connection.health = health_for(exc, connection.vendor)
        skipped = (job.result or {}).get("skipped_count")
        if job.failure_reason is None and skipped:
            connection.health = {
                **connection.health,
                "description": f"Last sync succeeded; {skipped} item(s) skipped "
                "(the sync job's result.skipped says which and why)",
                "skipped_items": skipped,
            }
        changed = events.health_changed(connection, previous, job.id)
        outgoing += [changed] if changed else []
        if connection.state == "ACTIVE":
            # Conditional in SQL: a pause committed since the row was read wins.
            await connections.schedule_next_sync(
                session,
                connection.id,
                utcnow() + timedelta(seconds=connection.refresh_interval_secs),
            )
    outgoing.append(events.sync_completed(job, connection))
    if job.failure_reason is None:
        SYNC_LAST_SUCCESS.labels(str(job.connection_id)).set_to_current_time()
    return outgoing
