"""Running jobs: a worker that claims job rows with a lease, and the sync scheduler.

The same worker runs embedded in the API process (the SQLite default) or as separate
``ticketbridge worker`` processes on PostgreSQL, where ``FOR UPDATE SKIP LOCKED`` lets
many workers share one queue. A worker that dies stops renewing its lease; another
worker then resumes the job, and bulk jobs skip items already done.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ticketbridge.db import locks
from ticketbridge.db.base import utcnow
from ticketbridge.db.session import transaction
from ticketbridge.jobs import repository, service
from ticketbridge.provisioning import repository as connections

if TYPE_CHECKING:
    from ticketbridge.context import AppContext

log = logging.getLogger("ticketbridge.jobs")

Handler = Callable[["AppContext", uuid.UUID], Awaitable[None]]
HANDLERS: dict[str, Handler] = {}


def handler(job_type: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[job_type] = fn
        return fn

    return register


def _load_handlers() -> None:
    import ticketbridge.itsm.tickets.tasks  # noqa: F401
    import ticketbridge.sync.tasks  # noqa: F401


class Worker:
    def __init__(
        self, ctx: AppContext, *, concurrency: int = 4, poll_seconds: float = 0.25
    ) -> None:
        self.ctx = ctx
        self.id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.concurrency = concurrency
        self.poll_seconds = poll_seconds
        self.wake = asyncio.Event()
        self._slots = asyncio.Semaphore(concurrency)
        self._task: asyncio.Task[None] | None = None
        self._running: set[asyncio.Task[None]] = set()

    async def start(self) -> Worker:
        _load_handlers()
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
            await run_job(self.ctx, job_id)
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


async def run_job(ctx: AppContext, job_id: uuid.UUID) -> None:
    async with transaction(ctx.sessionmaker) as session:
        job = await repository.get(session, job_id)
        if job is None:
            return
        job_type = job.type
    fn = HANDLERS.get(job_type)
    if fn is None:
        await finish(ctx, job_id, failure={"error": f"no handler for job type {job_type}"})
        return
    try:
        await fn(ctx, job_id)
    except Exception as exc:  # recorded on the job: a failed job must never vanish
        log.exception("job %s failed", job_id)
        await finish(ctx, job_id, failure={"error": f"{type(exc).__name__}: {exc}"}, exc=exc)


async def finish(
    ctx: AppContext,
    job_id: uuid.UUID,
    *,
    result: dict[str, Any] | None = None,
    failure: dict[str, Any] | None = None,
    exc: BaseException | None = None,
) -> None:
    from ticketbridge.provisioning.service import health_for

    async with transaction(ctx.sessionmaker) as session:
        job = await repository.get(session, job_id)
        if job is None:
            return
        job.status = "FAILED" if failure is not None else "SUCCESS"
        job.result = result
        job.failure_reason = failure
        job.finished_at = utcnow()
        job.locked_by = None
        job.lease_expires_at = None
        connection = await connections.get_connection_unscoped(session, job.connection_id)
        if connection is not None:
            connection.health = health_for(exc)
            if job.type == "SYNC" and connection.state == "ACTIVE":
                connection.next_sync_at = utcnow() + timedelta(
                    seconds=connection.refresh_interval_secs
                )
    from ticketbridge.jobs.webhooks import deliver_later

    deliver_later(ctx, job_id)


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
        async with transaction(self.ctx.sessionmaker) as session:
            await locks.hold(session, "sync-scheduler")
            due = await connections.due_for_sync(session, utcnow())
            for connection in due:
                await service.schedule_sync(session, connection)
                connection.next_sync_at = None  # set again when the sync finishes
        if due:
            wake(self.ctx)
        return len(due)


def wake(ctx: AppContext) -> None:
    for item in ctx.background:
        if isinstance(item, Worker):
            item.wake.set()


async def start_background(ctx: AppContext) -> list[Any]:
    settings = ctx.settings
    items: list[Any] = []
    if settings.run_embedded_worker:
        items.append(await Worker(ctx).start())
        items.append(await Scheduler(ctx, settings.scheduler_interval_seconds).start())
    return items
