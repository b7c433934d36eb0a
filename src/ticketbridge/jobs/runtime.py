"""Running jobs, two ways over the same job rows.

- ``embedded`` (the SQLite default): a worker in the API process claims job rows with a
  lease it renews while it runs; at start it takes over the jobs the previous process
  left running (there is one API process on SQLite). A scheduler queues due syncs.
- ``procrastinate`` (the PostgreSQL default): job rows are enqueued to procrastinate in
  the same transaction, and ``ticketbridge worker`` processes run them (see
  ``jobs/queue.py``). API processes then only enqueue, unless ``run_embedded_worker`` asks
  them to run a procrastinate worker in-process too (handy for development and tests).

Either way a resumed bulk job skips the items already done.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ticketbridge import tracing
from ticketbridge.db import locks
from ticketbridge.db.base import utcnow
from ticketbridge.db.session import transaction
from ticketbridge.errors import INTERNAL_ERROR, describe
from ticketbridge.errors import failure as job_failure
from ticketbridge.jobs import queue, repository, service, webhooks
from ticketbridge.logs import bound, origin_of
from ticketbridge.metrics import JOBS_FINISHED, SYNC_LAST_SUCCESS, job_metrics
from ticketbridge.provisioning import repository as connections
from ticketbridge.webhooks import dispatch, events

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
    import ticketbridge.itsm.tickets.tasks
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


async def run_claimed(ctx: AppContext, job_id: uuid.UUID, runner: str) -> None:
    """Marks the job RUNNING for `runner` and runs it, unless it already finished."""
    _load_handlers()
    async with transaction(ctx.sessionmaker) as session:
        job = await repository.get(session, job_id, for_update=True)
        if job is None or job.status in ("SUCCESS", "FAILED"):
            return
        now = utcnow()
        if job.status == "RUNNING" and job.lease_expires_at and job.lease_expires_at > now:
            return  # held under a live lease (e.g. `ticketbridge connections sync`)
        job.status = "RUNNING"
        job.locked_by = runner
        job.attempts += 1
        job.started_at = job.started_at or now
    await run_job(ctx, job_id)


class JobTimedOut(Exception):
    """A job ran past its connection's ``timeout_secs`` (the connection's health says so)."""


async def run_job(ctx: AppContext, job_id: uuid.UUID) -> None:
    """Runs the job's handler, stopped once the job has run for its connection's
    ``timeout_secs`` (counted from its first start, so a resumed job keeps its deadline)."""
    async with transaction(ctx.sessionmaker) as session:
        job = await repository.get(session, job_id)
        if job is None:
            return
        job_type = job.type
        connection = await connections.get_connection_unscoped(session, job.connection_id)
        limit = connection.timeout_secs if connection is not None else None
        started = job.started_at or utcnow()
        context = {
            "job_id": str(job_id),
            "job_type": job_type,
            "account_id": str(job.account_id),
            "connection_id": str(job.connection_id),
            **origin_of(job.payload),
        }
    # Every line of the run (and of the webhook deliveries it starts) carries the job's ids
    # and the id of the request that enqueued it.
    logged = {k: v for k, v in context.items() if k != "traceparent"}
    with bound(**logged), tracing.job_span(job_type, context), job_metrics(job_type):
        log.info("job started")
        await _run_job(ctx, job_id, job_type, limit, started)


async def _run_job(
    ctx: AppContext, job_id: uuid.UUID, job_type: str, limit: int | None, started: datetime
) -> None:
    fn = HANDLERS.get(job_type)
    if fn is None:
        await finish(
            ctx, job_id, failure=job_failure(INTERNAL_ERROR, f"no handler for job type {job_type}")
        )
        return
    left = None if limit is None else (started - utcnow()).total_seconds() + limit
    deadline = asyncio.timeout(max(0.0, left) if left is not None else None)
    try:
        async with deadline:
            await fn(ctx, job_id)
    except TimeoutError as exc:
        if not deadline.expired():
            raise  # not ours: a handler's own TimeoutError is a bug to surface
        log.warning("job %s stopped after its timeout of %s s", job_id, limit)
        await _finish_timed_out(ctx, job_id, limit or 0, exc)
    except Exception as exc:  # recorded on the job: a failed job must never vanish
        log.exception("job %s failed", job_id)
        await finish(ctx, job_id, failure=describe(exc), exc=exc)


async def _finish_timed_out(
    ctx: AppContext, job_id: uuid.UUID, limit: int, cause: BaseException
) -> None:
    """FAILED with ``code: EXECUTION_TIMEOUT``, keeping the outcome of every item that got
    the vendor's answer (created but not yet read back: ``ticket_id`` null, it appears
    after the next sync). Items stopped midway keep their state: the job is not resumed
    (it has failed), so nothing is sent again; an entry sent without an answer may exist
    in the vendor and is counted as ``unconfirmed`` (the next sync brings it in)."""
    async with transaction(ctx.sessionmaker) as session:
        job = await repository.get(session, job_id)
        if job is None or job.status in ("SUCCESS", "FAILED"):
            return  # the deadline struck as the job was finishing: its outcome stands
        items = await repository.items(session, job_id)
        results = [item.outcome for item in items if item.outcome]
        unconfirmed = sum(item.status == "SENT" for item in items)
    succeeded = sum(bool(r.get("success")) for r in results)
    failure: dict[str, Any] = {
        "error": f"The job ran past its connection's timeout_secs ({limit} s) and was stopped",
        "code": "EXECUTION_TIMEOUT",
    }
    if items:
        failure.update(
            total=len(items),
            succeeded=succeeded,
            failed=len(items) - succeeded,
            unconfirmed=unconfirmed,
            results=results,
        )
    error = JobTimedOut(failure["error"])
    error.__cause__ = cause
    await finish(ctx, job_id, failure=failure, exc=error)


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
        JOBS_FINISHED.labels(job.type, job.status).inc()
        log.info("job finished: %s", job.status)
        job.result = result
        job.failure_reason = failure
        job.finished_at = utcnow()
        job.locked_by = None
        job.lease_expires_at = None
        connection = await connections.get_connection_unscoped(session, job.connection_id)
        outgoing: list[events.Event] = []
        if connection is not None:
            previous = connection.health
            connection.health = health_for(exc)
            skipped = (result or {}).get("skipped_count") if job.type == "SYNC" else None
            if failure is None and skipped:
                connection.health = {
                    **connection.health,
                    "description": f"Last sync succeeded; {skipped} item(s) skipped "
                    "(the sync job's result.skipped says which and why)",
                    "skipped_items": skipped,
                }
            changed = events.health_changed(connection, previous, job.id)
            outgoing += [changed] if changed else []
            if job.type == "SYNC" and connection.state == "ACTIVE":
                # Conditional in SQL: a pause committed since the row was read wins.
                await connections.schedule_next_sync(
                    session,
                    connection.id,
                    utcnow() + timedelta(seconds=connection.refresh_interval_secs),
                )
        if job.type == "SYNC":
            outgoing.append(events.sync_completed(job, connection))
            if failure is None:
                SYNC_LAST_SUCCESS.labels(str(job.connection_id)).set_to_current_time()
        later = await dispatch.publish(ctx, session, job.account_id, outgoing)
        durable_webhook = backend(ctx) == "procrastinate" and await webhooks.wanted(session, job)
        if durable_webhook:
            await queue.defer(session, queue.DELIVER_WEBHOOK, {"job_id": str(job_id)})
    if not durable_webhook:
        webhooks.deliver_later(ctx, job_id)
    dispatch.deliver_later(ctx, job.account_id, later)


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
            await service.schedule_sync(session, connection)
            connection.next_sync_at = None  # set again when the sync finishes
    if due:
        wake(ctx)
    return len(due)


def wake(ctx: AppContext) -> None:
    for item in ctx.background:
        if isinstance(item, Worker):
            item.wake.set()


def backend(ctx: AppContext) -> str:
    return ctx.settings.effective_job_backend


class _ProcrastinateWorker:
    """A procrastinate worker inside this process (``run_embedded_worker`` on PostgreSQL)."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> _ProcrastinateWorker:
        self._task = asyncio.create_task(
            queue.run_worker(self.ctx, install_signal_handlers=False), name="procrastinate"
        )
        return self

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


async def start_background(ctx: AppContext) -> list[Any]:
    settings = ctx.settings
    service.register_backend(settings)
    items: list[Any] = []
    if not settings.run_embedded_worker:
        return items  # enqueue only: `ticketbridge worker` processes run the jobs
    if backend(ctx) == "procrastinate":
        items.append(await _ProcrastinateWorker(ctx).start())
    else:
        items.append(await Worker(ctx).start())
        items.append(await Scheduler(ctx, settings.scheduler_interval_seconds).start())
    return items


async def run_standalone(ctx: AppContext, concurrency: int) -> None:
    """``ticketbridge worker``: runs jobs and scheduled syncs until interrupted."""
    service.register_backend(ctx.settings)
    if backend(ctx) == "procrastinate":
        ctx.settings.worker_concurrency = concurrency
        log.info("procrastinate worker starting (concurrency %d)", concurrency)
        await queue.run_worker(ctx)
        return
    worker = await Worker(ctx, concurrency=concurrency).start()
    scheduler = await Scheduler(ctx, ctx.settings.scheduler_interval_seconds).start()
    ctx.background = [worker, scheduler]
    log.info("worker %s running", worker.id)
    try:
        await asyncio.Event().wait()
    finally:
        await scheduler.stop()
        await worker.stop()
