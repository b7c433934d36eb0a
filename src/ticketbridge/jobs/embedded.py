"""The embedded worker (the SQLite default): claims job rows with a lease it renews while
it runs; at start it takes over the jobs the previous process left running (there is one
API process on SQLite)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from typing import TYPE_CHECKING

from ticketbridge.db.base import utcnow
from ticketbridge.db.session import transaction
from ticketbridge.jobs import repository, runner, service
from ticketbridge.jobs.handlers import Handlers

if TYPE_CHECKING:
    from ticketbridge.context import AppContext

log = logging.getLogger("ticketbridge.jobs")


class Worker:
    def __init__(
        self,
        ctx: AppContext,
        handlers: Handlers,
        *,
        concurrency: int = 4,
        poll_seconds: float = 0.25,
    ) -> None:
        self.ctx = ctx
        self.handlers = handlers
        self.id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.concurrency = concurrency
        self.poll_seconds = poll_seconds
        self.wake = asyncio.Event()
        self._slots = asyncio.Semaphore(concurrency)
        self._task: asyncio.Task[None] | None = None
        self._running: set[asyncio.Task[None]] = set()

    async def start(self) -> Worker:
        if self.ctx.settings.is_sqlite:
            async with transaction(self.ctx.sessionmaker) as session:
                resumed = await service.release_orphans(session)
            if resumed:
                log.info("resuming %d job(s) left running by a previous process", resumed)
        self._task = asyncio.create_task(self._loop(), name="ticketbridge-worker")
        return self

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for task in list(self._running):
            task.cancel()
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    async def _loop(self) -> None:
        while True:
            try:
                await self._slots.acquire()
                claimed = await self._claim_one()
                if claimed is None:
                    self._slots.release()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self.wake.wait(), self.poll_seconds)
                    self.wake.clear()
                    continue
                task = asyncio.create_task(self._run(claimed))
                self._running.add(task)
                task.add_done_callback(self._running.discard)
            except asyncio.CancelledError:
                raise
            except Exception:  # keep the worker alive; the job's lease lets another retry
                self._slots.release()
                log.exception("worker loop error")
                await asyncio.sleep(1)

    async def _claim_one(self) -> uuid.UUID | None:
        async with transaction(self.ctx.sessionmaker) as session:
            jobs = await service.claim(session, self.id, limit=1)
            return jobs[0].id if jobs else None

    async def _run(self, job_id: uuid.UUID) -> None:
        heartbeat = asyncio.create_task(self._heartbeat(job_id))
        try:
            await runner.run_job(self.ctx, self.handlers, job_id)
        finally:
            heartbeat.cancel()
            self._slots.release()

    async def _heartbeat(self, job_id: uuid.UUID) -> None:
        while True:
            await asyncio.sleep(service.LEASE.total_seconds() / 3)
            async with transaction(self.ctx.sessionmaker) as session:
                job = await repository.get(session, job_id)
                if job is None or job.status != "RUNNING" or job.locked_by != self.id:
                    return
                job.lease_expires_at = utcnow() + service.LEASE


def wake(ctx: AppContext) -> None:
    """Tells this process's embedded workers a job was queued (no-op without one)."""
    for item in ctx.background:
        if isinstance(item, Worker):
            item.wake.set()
