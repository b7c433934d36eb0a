"""Jobs: rows are the source of truth; workers claim them with a lease."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ticketbridge.config import Settings
from ticketbridge.db.base import utcnow
from ticketbridge.errors import NotFound
from ticketbridge.jobs import defer, repository
from ticketbridge.jobs.models import Job, JobItem
from ticketbridge.jobs.schemas import JobOut, Progress
from ticketbridge.logs import job_origin
from ticketbridge.metrics import JOBS_QUEUED
from ticketbridge.provisioning.models import Connection

LEASE = timedelta(seconds=60)


def job_out(job: Job) -> JobOut:
    return JobOut(
        id=job.id,
        type=job.type,  # type: ignore[arg-type]
        status=job.status,  # type: ignore[arg-type]
        connection_id=job.connection_id,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        progress=Progress(total=job.progress_total, processed=job.progress_processed),
        failure_reason=job.failure_reason,
        result=job.result,
    )


async def enqueue(
    settings: Settings,
    session: AsyncSession,
    connection: Connection,
    job_type: str,
    payload: dict[str, Any],
    items: Sequence[dict[str, Any]] = (),
) -> Job:
    """Adds the job (and its items) to the caller's transaction: it exists once that commits.

    On procrastinate (the settings' ``effective_job_backend``) the procrastinate job that
    runs it is queued in that transaction too. A job enqueued by a request keeps the
    request's id (and trace context) in its payload's ``origin``: the job's log lines and
    trace carry them (``jobs/runner.run_job``)."""
    origin = job_origin()
    job = Job(
        account_id=connection.account_id,
        connection_id=connection.id,
        type=job_type,
        payload={**payload, "origin": origin} if origin else payload,
        progress_total=len(items),
    )
    session.add(job)
    await session.flush()
    for index, request in enumerate(items):
        session.add(JobItem(job_id=job.id, index=index, request=request))
    await session.flush()
    if settings.effective_job_backend == "procrastinate":
        # The request id also names the request on procrastinate's own lines (logs.py).
        request_id = {"request_id": origin["request_id"]} if "request_id" in origin else {}
        await defer.defer(session, defer.RUN_JOB, {"job_id": str(job.id), **request_id})
    JOBS_QUEUED.labels(job_type).inc()
    return job


def _holder_is_dead(locked_by: str | None) -> bool:
    """A lease taken on this machine by a process that no longer exists ("host:pid:...")."""
    host, _, rest = (locked_by or "").partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another machine's worker: its lease expiring tells
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # exists, owned by someone else
        return False
    return False


async def release_orphans(session: AsyncSession) -> int:
    """At start: jobs left RUNNING by a dead process of this machine become claimable at
    once (others wait for their lease to expire; a live worker's jobs are left alone)."""
    orphans = [j for j in await repository.running(session) if _holder_is_dead(j.locked_by)]
    for job in orphans:
        job.lease_expires_at = utcnow() - timedelta(seconds=1)
    await session.flush()
    return len(orphans)


async def get_job(session: AsyncSession, account_id: uuid.UUID, job_id: uuid.UUID) -> Job:
    job = await repository.get_for_account(session, account_id, job_id)
    if job is None:
        raise NotFound("Job not found")
    return job


async def claim(session: AsyncSession, worker_id: str, limit: int = 1) -> list[Job]:
    now = utcnow()
    claimed = []
    for job in await repository.claimable(session, now, limit):
        if await repository.try_claim(session, job.id, worker_id, now, now + LEASE):
            await session.refresh(job)
            claimed.append(job)
    return claimed


async def schedule_sync(
    settings: Settings, session: AsyncSession, connection: Connection, *, full: bool = False
) -> Job:
    """One open sync per connection: asking again returns the queued or running one.

    ``full``: a full resync (every ticket, not only those updated since the last sync). A
    queued sync becomes full; a running incremental one started before the request, so a
    full one is queued after it.
    """
    existing = await repository.open_sync_job(session, connection.id, queued_first=full)
    if existing is not None:
        if not full or (existing.payload or {}).get("full"):
            return existing
        if existing.status == "QUEUED":
            existing.payload = {**(existing.payload or {}), "full": True}
            await session.flush()
            return existing
    return await enqueue(settings, session, connection, "SYNC", {"full": True} if full else {})
