"""Scheduled syncs: a SYNC job for each active connection whose refresh interval has
passed. The embedded backend runs a ``Scheduler`` loop; procrastinate runs
``queue_due_syncs`` as a periodic task (``jobs/queue.py``)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from ticketbridge.db import locks
from ticketbridge.db.base import utcnow
from ticketbridge.db.session import transaction
from ticketbridge.jobs import embedded, service
from ticketbridge.provisioning import repository as connections

if TYPE_CHECKING:
    from ticketbridge.context import AppContext

log = logging.getLogger("ticketbridge.jobs")


class Scheduler:
    """Queues a SYNC job for each active connection whose refresh interval has passed."""

    def __init__(self, ctx: AppContext, interval: float) -> None:
        self.ctx = ctx
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> Scheduler:
        self._task = asyncio.create_task(self._loop(), name="ticketbridge-scheduler")
        return self

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("scheduler tick failed")
            await asyncio.sleep(self.interval)

    async def tick(self) -> int:
        return await queue_due_syncs(self.ctx)


async def queue_due_syncs(ctx: AppContext) -> int:
    """Queues a SYNC job for each active connection whose refresh interval has passed."""
    async with transaction(ctx.sessionmaker) as session:
        await locks.hold(session, "sync-scheduler")
        due = await connections.due_for_sync(session, utcnow())
        for connection in due:
            await service.schedule_sync(ctx.settings, session, connection)
            connection.next_sync_at = None  # set again when the sync finishes
    if due:
        embedded.wake(ctx)
    return len(due)
