"""PostgreSQL job queue: procrastinate runs our jobs in ``ticketbridge worker`` processes.

Our ``jobs`` rows stay the source of truth (status, progress, per-item outcomes); a
procrastinate job only says "run TicketBridge job X". It is deferred in the transaction
that inserts the job row (``jobs/defer.py``): both commit or neither does. This module is
the procrastinate app that runs those jobs: its tasks, given the job types by whoever
starts the worker (``bootstrap.py``).

- Stalled jobs: workers heartbeat every ``worker_heartbeat_seconds``; a periodic sweep
  re-queues the jobs of workers silent for ``worker_stalled_seconds`` (procrastinate's
  documented ``get_stalled_jobs`` + ``retry_job`` recipe). The resumed run skips the
  items already done and reconciles the ones sent but unconfirmed.
- Fencing: a run holds a PostgreSQL advisory lock on its job for as long as it runs, so a
  worker wrongly thought dead and the one resuming its job never work on it together.
- Scheduled syncs are a periodic task; the database defers each period once however many
  workers run.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import procrastinate
from sqlalchemy import text
from sqlalchemy.engine import make_url

from ticketbridge.db.locks import _key64
from ticketbridge.jobs import runner, scheduler, webhooks
from ticketbridge.jobs.defer import DELIVER_EVENT, DELIVER_WEBHOOK, QUEUE, RUN_JOB
from ticketbridge.jobs.handlers import Handlers
from ticketbridge.logs import bound
from ticketbridge.webhooks import dispatch
from ticketbridge.webhooks.delivery import Outcome
from ticketbridge.webhooks.events import Event

if TYPE_CHECKING:
    from ticketbridge.config import Settings
    from ticketbridge.context import AppContext

log = logging.getLogger("ticketbridge.jobs")


class JobBusy(Exception):
    """Another live run holds the job; procrastinate tries again later."""


def psycopg_conninfo(database_url: str) -> str:
    """Our SQLAlchemy URL as a libpq URL for procrastinate's psycopg pool."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def every(seconds: float) -> str:
    """A cron expression (with procrastinate's optional seconds column) for an interval."""
    s = max(1, round(seconds))
    if s < 60:
        return f"* * * * * */{s}"
    minutes = max(1, s // 60)
    if minutes < 60:
        return f"*/{minutes} * * * *"
    return f"0 */{max(1, minutes // 60)} * * *"


def build_app(settings: Settings, handlers: Handlers) -> procrastinate.App:
    """The procrastinate app with TicketBridge's tasks (running ``handlers``), for one
    database."""
    connector = procrastinate.PsycopgConnector(
        conninfo=psycopg_conninfo(settings.database_url),
        min_size=1,
        max_size=max(4, settings.worker_concurrency + 2),
    )
    app = procrastinate.App(connector=connector)

    @app.task(
        name=RUN_JOB,
        queue=QUEUE,
        pass_context=True,
        retry=procrastinate.RetryStrategy(max_attempts=50, wait=2, linear_wait=1),
    )
    async def run_job(
        context: procrastinate.JobContext, job_id: str, request_id: str | None = None
    ) -> None:
        ctx: AppContext = context.additional_context["ctx"]
        with bound(job_id=job_id, request_id=request_id):  # run_job binds the rest
            await run_fenced(ctx, handlers, uuid.UUID(job_id))

    @app.task(
        name=DELIVER_WEBHOOK,
        queue=QUEUE,
        pass_context=True,
        retry=procrastinate.RetryStrategy(max_attempts=8, exponential_wait=2),
    )
    async def deliver_webhook(context: procrastinate.JobContext, job_id: str) -> None:
        ctx: AppContext = context.additional_context["ctx"]
        with bound(job_id=job_id):
            outcome = await webhooks.deliver_once(ctx, uuid.UUID(job_id))
        if outcome is Outcome.FAILED:
            raise webhooks.WebhookFailed(f"webhook for job {job_id} not accepted")

    @app.task(
        name=DELIVER_EVENT,
        queue=QUEUE,
        pass_context=True,
        retry=procrastinate.RetryStrategy(max_attempts=8, exponential_wait=2),
    )
    async def deliver_event(
        context: procrastinate.JobContext, account_id: str, event: dict[str, Any]
    ) -> None:
        ctx: AppContext = context.additional_context["ctx"]
        message = Event.from_args(event)
        if await dispatch.deliver_once(ctx, uuid.UUID(account_id), message) is Outcome.FAILED:
            raise webhooks.WebhookFailed(f"webhook {message.id} not accepted")

    @app.periodic(cron=every(settings.scheduler_interval_seconds), periodic_id="syncs")
    @app.task(name="ticketbridge.schedule_syncs", queue=QUEUE, pass_context=True)
    async def schedule_syncs(context: procrastinate.JobContext, timestamp: int) -> None:
        await scheduler.queue_due_syncs(context.additional_context["ctx"])

    @app.periodic(cron=every(settings.stalled_sweep_seconds), periodic_id="stalled")
    @app.task(
        name="ticketbridge.retry_stalled_jobs",
        queue=QUEUE,
        pass_context=True,
        queueing_lock="ticketbridge.retry_stalled_jobs",
    )
    async def retry_stalled_jobs(context: procrastinate.JobContext, timestamp: int) -> None:
        manager = context.app.job_manager
        stalled = await manager.get_stalled_jobs(
            seconds_since_heartbeat=settings.worker_stalled_seconds
        )
        for job in stalled:
            log.warning("re-queueing job %s of a stalled worker", job.id)
            await manager.retry_job(job)

    return app


@asynccontextmanager
async def _job_fence(ctx: AppContext, job_id: uuid.UUID) -> AsyncIterator[bool]:
    """Holds a session-level advisory lock on the job while the body runs."""
    async with ctx.engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        key = _key64(f"job-run:{job_id}")
        got = bool(await conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}))
        try:
            yield got
        finally:
            if got:
                try:
                    await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                except BaseException:
                    await conn.invalidate()  # closing the session releases the lock
                    raise


async def run_fenced(ctx: AppContext, handlers: Handlers, job_id: uuid.UUID) -> None:
    async with _job_fence(ctx, job_id) as got:
        if not got:
            raise JobBusy(f"job {job_id} is being run by a live worker")
        await runner.run_claimed(ctx, handlers, job_id, runner=f"procrastinate:{job_id}")


async def run_worker(
    ctx: AppContext, handlers: Handlers, *, install_signal_handlers: bool = True
) -> None:
    """Runs a procrastinate worker until cancelled (or signalled, when standalone)."""
    settings = ctx.settings
    app = build_app(settings, handlers)
    async with app.open_async():
        await app.run_worker_async(
            queues=[QUEUE],
            concurrency=settings.worker_concurrency,
            additional_context={"ctx": ctx},
            update_heartbeat_interval=settings.worker_heartbeat_seconds,
            stalled_worker_timeout=settings.worker_stalled_seconds,
            install_signal_handlers=install_signal_handlers,
            fetch_job_polling_interval=2.0,
            delete_jobs="successful",
        )
