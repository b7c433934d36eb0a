"""PostgreSQL job queue: procrastinate runs our jobs in ``ticketbridge worker`` processes.

Our ``jobs`` rows stay the source of truth (status, progress, per-item outcomes); a
procrastinate job only says "run TicketBridge job X". It is deferred by calling
procrastinate's SQL function ``procrastinate_defer_jobs_v1`` through *our* SQLAlchemy
session, inside the transaction that inserts the job row: both commit or neither does
(procrastinate's insert trigger NOTIFYs the workers at commit).

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

import json
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

import procrastinate
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from ticketbridge.db.locks import _key64
from ticketbridge.logs import bound

if TYPE_CHECKING:
    from ticketbridge.config import Settings
    from ticketbridge.context import AppContext

log = logging.getLogger("ticketbridge.jobs")

QUEUE = "ticketbridge"
RUN_JOB = "ticketbridge.run_job"
DELIVER_WEBHOOK = "ticketbridge.deliver_webhook"  # job.completed, by job id
DELIVER_EVENT = "ticketbridge.deliver_event"  # any other event, carried in the arguments

_DEFER = text(
    "SELECT unnest(procrastinate_defer_jobs_v1(ARRAY[ROW("
    "CAST(:queue AS varchar), CAST(:task AS varchar), CAST(:priority AS integer), "
    "CAST(:lock AS text), CAST(:queueing_lock AS text), CAST(:args AS jsonb), "
    "CAST(:scheduled_at AS timestamptz))::procrastinate_job_to_defer_v1])) AS id"
)


class JobBusy(Exception):
    """Another live run holds the job; procrastinate tries again later."""


async def defer(
    session: AsyncSession,
    task: str,
    args: dict[str, Any],
    *,
    priority: int = 0,
    lock: str | None = None,
    scheduled_at: datetime | None = None,
) -> int:
    """Queues a procrastinate job in the caller's transaction."""
    job_id = await session.scalar(
        _DEFER,
        {
            "queue": QUEUE,
            "task": task,
            "priority": priority,
            "lock": lock,
            "queueing_lock": None,
            "args": json.dumps(args),
            "scheduled_at": scheduled_at,
        },
    )
    return int(job_id)


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


def build_app(settings: Settings) -> procrastinate.App:
    """The procrastinate app with TicketBridge's tasks, for one database."""
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
            await run_fenced(ctx, uuid.UUID(job_id))

    @app.task(
        name=DELIVER_WEBHOOK,
        queue=QUEUE,
        pass_context=True,
        retry=procrastinate.RetryStrategy(max_attempts=8, exponential_wait=2),
    )
    async def deliver_webhook(context: procrastinate.JobContext, job_id: str) -> None:
        from ticketbridge.jobs.webhooks import WebhookFailed, deliver_once
        from ticketbridge.webhooks.delivery import Outcome

        ctx: AppContext = context.additional_context["ctx"]
        with bound(job_id=job_id):
            outcome = await deliver_once(ctx, uuid.UUID(job_id))
        if outcome is Outcome.FAILED:
            raise WebhookFailed(f"webhook for job {job_id} not accepted")

    @app.task(
        name=DELIVER_EVENT,
        queue=QUEUE,
        pass_context=True,
        retry=procrastinate.RetryStrategy(max_attempts=8, exponential_wait=2),
    )
    async def deliver_event(
        context: procrastinate.JobContext, account_id: str, event: dict[str, Any]
    ) -> None:
        from ticketbridge.jobs.webhooks import WebhookFailed
        from ticketbridge.webhooks.delivery import Outcome
        from ticketbridge.webhooks.dispatch import deliver_once
        from ticketbridge.webhooks.events import Event

        ctx: AppContext = context.additional_context["ctx"]
        message = Event.from_args(event)
        if await deliver_once(ctx, uuid.UUID(account_id), message) is Outcome.FAILED:
            raise WebhookFailed(f"webhook {message.id} not accepted")

    @app.periodic(cron=every(settings.scheduler_interval_seconds), periodic_id="syncs")
    @app.task(name="ticketbridge.schedule_syncs", queue=QUEUE, pass_context=True)
    async def schedule_syncs(context: procrastinate.JobContext, timestamp: int) -> None:
        from ticketbridge.jobs.runtime import queue_due_syncs

        await queue_due_syncs(context.additional_context["ctx"])

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


async def run_fenced(ctx: AppContext, job_id: uuid.UUID) -> None:
    from ticketbridge.jobs.runtime import run_claimed

    async with _job_fence(ctx, job_id) as got:
        if not got:
            raise JobBusy(f"job {job_id} is being run by a live worker")
        await run_claimed(ctx, job_id, runner=f"procrastinate:{job_id}")


async def run_worker(ctx: AppContext, *, install_signal_handlers: bool = True) -> None:
    """Runs a procrastinate worker until cancelled (or signalled, when standalone)."""
    settings = ctx.settings
    app = build_app(settings)
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
