"""Running one job: its handler under its connection's deadline, then its end recorded.

Whichever worker runs the job (the embedded one, ``jobs/embedded.py``; a procrastinate
one, ``jobs/queue.py``; ``ticketbridge connections sync``) comes here with the job types
it was given (``jobs/handlers.Handlers``, built by ``bootstrap.py``).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ticketbridge import tracing
from ticketbridge.db.base import utcnow
from ticketbridge.db.session import transaction
from ticketbridge.errors import INTERNAL_ERROR, describe
from ticketbridge.errors import failure as job_failure
from ticketbridge.jobs import defer, repository, webhooks
from ticketbridge.jobs.handlers import Finished, Handlers, JobType
from ticketbridge.logs import bound, origin_of
from ticketbridge.metrics import JOBS_FINISHED, job_metrics
from ticketbridge.provisioning import repository as connections
from ticketbridge.webhooks import dispatch

if TYPE_CHECKING:
    from ticketbridge.context import AppContext

log = logging.getLogger("ticketbridge.jobs")


async def run_claimed(ctx: AppContext, handlers: Handlers, job_id: uuid.UUID, runner: str) -> None:
    """Marks the job RUNNING for `runner` and runs it, unless it already finished."""
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
    await run_job(ctx, handlers, job_id)


class JobTimedOut(Exception):
    """A job ran past its connection's ``timeout_secs`` (the connection's health says so)."""


async def run_job(ctx: AppContext, handlers: Handlers, job_id: uuid.UUID) -> None:
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
        await _run_job(ctx, handlers.get(job_type), job_id, job_type, limit, started)


async def _run_job(
    ctx: AppContext,
    kind: JobType | None,
    job_id: uuid.UUID,
    job_type: str,
    limit: int | None,
    started: datetime,
) -> None:
    if kind is None:
        failure = job_failure(INTERNAL_ERROR, f"no handler for job type {job_type}")
        await finish(ctx, None, job_id, Finished(failure=failure))
        return
    left = None if limit is None else (started - utcnow()).total_seconds() + limit
    deadline = asyncio.timeout(max(0.0, left) if left is not None else None)
    try:
        async with deadline:
            finished = await kind.run(ctx, job_id)
            await finish(ctx, kind, job_id, finished)
    except TimeoutError as exc:
        if not deadline.expired():
            raise  # not ours: a handler's own TimeoutError is a bug to surface
        log.warning("job %s stopped after its timeout of %s s", job_id, limit)
        await _finish_timed_out(ctx, kind, job_id, limit or 0, exc)
    except Exception as exc:  # recorded on the job: a failed job must never vanish
        log.exception("job %s failed", job_id)
        await finish(ctx, kind, job_id, Finished(failure=describe(exc)), exc)


async def _finish_timed_out(
    ctx: AppContext, kind: JobType, job_id: uuid.UUID, limit: int, cause: BaseException
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
    await finish(ctx, kind, job_id, Finished(failure=failure), error)


async def finish(
    ctx: AppContext,
    kind: JobType | None,
    job_id: uuid.UUID,
    finished: Finished,
    exc: BaseException | None = None,
) -> None:
    """Saves how the job ended and, in the same transaction, what its type records beyond
    the row (``JobType.on_finish``); then the webhooks: the job type's events and
    ``job.completed`` (queued with the transaction on procrastinate, sent after the commit
    by the embedded worker)."""
    async with transaction(ctx.sessionmaker) as session:
        job = await repository.get(session, job_id)
        if job is None:
            return
        job.status = "FAILED" if finished.failure is not None else "SUCCESS"
        JOBS_FINISHED.labels(job.type, job.status).inc()
        log.info("job finished: %s", job.status)
        job.result = finished.result
        job.failure_reason = finished.failure
        job.finished_at = utcnow()
        job.locked_by = None
        job.lease_expires_at = None
        outgoing = await kind.on_finish(ctx, session, job, exc) if kind and kind.on_finish else []
        later = await dispatch.publish(ctx, session, job.account_id, outgoing)
        durable_webhook = ctx.settings.effective_job_backend == "procrastinate" and (
            await webhooks.wanted(session, job)
        )
        if durable_webhook:
            await defer.defer(session, defer.DELIVER_WEBHOOK, {"job_id": str(job_id)})
    if not durable_webhook:
        webhooks.deliver_later(ctx, job_id)
    dispatch.deliver_later(ctx, job.account_id, later)
