"""Which workers a process runs, two ways over the same job rows.

- ``embedded`` (the SQLite default): a worker in the API process claims job rows with a
  lease it renews while it runs (``jobs/embedded.py``); at start it takes over the jobs the
  previous process left running (there is one API process on SQLite). A scheduler queues
  due syncs (``jobs/scheduler.py``).
- ``procrastinate`` (the PostgreSQL default): job rows are enqueued to procrastinate in
  the same transaction, and ``ticketbridge worker`` processes run them (see
  ``jobs/queue.py``). API processes then only enqueue, unless ``run_embedded_worker`` asks
  them to run a procrastinate worker in-process too (handy for development and tests).

The backend is the settings' ``effective_job_backend``. Either way a resumed bulk job skips
the items already done. The job types come from the caller (``bootstrap.py``), which
starts and stops these workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

from ticketbridge.jobs import queue
from ticketbridge.jobs.embedded import Worker
from ticketbridge.jobs.handlers import Handlers
from ticketbridge.jobs.scheduler import Scheduler

if TYPE_CHECKING:
    from ticketbridge.context import AppContext

log = logging.getLogger("ticketbridge.jobs")


class _ProcrastinateWorker:
    """A procrastinate worker inside this process (``run_embedded_worker`` on PostgreSQL)."""

    def __init__(self, ctx: AppContext, handlers: Handlers) -> None:
        self.ctx = ctx
        self.handlers = handlers
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> _ProcrastinateWorker:
        self._task = asyncio.create_task(
            queue.run_worker(self.ctx, self.handlers, install_signal_handlers=False),
            name="procrastinate",
        )
        return self

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


async def start_background(ctx: AppContext, handlers: Handlers) -> list[Any]:
    """Starts the workers an API process runs (none unless ``run_embedded_worker``); each
    has an async ``stop()``."""
    settings = ctx.settings
    items: list[Any] = []
    if not settings.run_embedded_worker:
        return items  # enqueue only: `ticketbridge worker` processes run the jobs
    if settings.effective_job_backend == "procrastinate":
        items.append(await _ProcrastinateWorker(ctx, handlers).start())
    else:
        items.append(await Worker(ctx, handlers).start())
        items.append(await Scheduler(ctx, settings.scheduler_interval_seconds).start())
    return items


async def run_standalone(ctx: AppContext, handlers: Handlers, concurrency: int) -> None:
    """``ticketbridge worker``: runs jobs and scheduled syncs until interrupted."""
    if ctx.settings.effective_job_backend == "procrastinate":
        ctx.settings.worker_concurrency = concurrency
        log.info("procrastinate worker starting (concurrency %d)", concurrency)
        await queue.run_worker(ctx, handlers)
        return
    worker = await Worker(ctx, handlers, concurrency=concurrency).start()
    scheduler = await Scheduler(ctx, ctx.settings.scheduler_interval_seconds).start()
    ctx.background = [worker, scheduler]
    log.info("worker %s running", worker.id)
    try:
        await asyncio.Event().wait()
    finally:
        ctx.background = []
        await scheduler.stop()
        await worker.stop()
