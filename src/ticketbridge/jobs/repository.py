from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import case, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ticketbridge.jobs.models import Job, JobItem


async def get_for_account(
    session: AsyncSession, account_id: uuid.UUID, job_id: uuid.UUID
) -> Job | None:
    return await session.scalar(select(Job).where(Job.account_id == account_id, Job.id == job_id))


async def get(session: AsyncSession, job_id: uuid.UUID, *, for_update: bool = False) -> Job | None:
    stmt = select(Job).where(Job.id == job_id)
    if for_update:
        stmt = stmt.with_for_update()
    return await session.scalar(stmt)


async def for_connection(
    session: AsyncSession, connection_id: uuid.UUID, limit: int
) -> Sequence[Job]:
    return (
        await session.scalars(
            select(Job)
            .where(Job.connection_id == connection_id)
            .order_by(Job.created_at.desc(), Job.id.desc())
            .limit(limit)
        )
    ).all()


async def claimable(session: AsyncSession, now: datetime, limit: int) -> Sequence[Job]:
    """Queued jobs, and running ones whose worker's lease ran out (the worker died)."""
    stmt = (
        select(Job)
        .where(
            or_(
                Job.status == "QUEUED",
                (Job.status == "RUNNING") & (Job.lease_expires_at < now),
            )
        )
        .order_by(Job.created_at)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return (await session.scalars(stmt)).all()


async def try_claim(
    session: AsyncSession, job_id: uuid.UUID, worker_id: str, now: datetime, lease_until: datetime
) -> bool:
    """Takes the job only if it is still claimable: one conditional UPDATE, so two workers
    can never both win (SQLite has no row locks for SKIP LOCKED to rely on)."""
    result = await session.execute(
        update(Job)
        .where(
            Job.id == job_id,
            or_(
                Job.status == "QUEUED",
                (Job.status == "RUNNING") & (Job.lease_expires_at < now),
            ),
        )
        .values(
            status="RUNNING",
            locked_by=worker_id,
            lease_expires_at=lease_until,
            attempts=Job.attempts + 1,
            started_at=func.coalesce(Job.started_at, now),
        )
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def running(session: AsyncSession) -> Sequence[Job]:
    return (await session.scalars(select(Job).where(Job.status == "RUNNING"))).all()


async def open_sync_job(
    session: AsyncSession, connection_id: uuid.UUID, *, queued_first: bool = False
) -> Job | None:
    """The connection's queued or running sync (the newest one; with `queued_first`, a
    queued one before a running one)."""
    stmt = select(Job).where(
        Job.connection_id == connection_id,
        Job.type == "SYNC",
        Job.status.in_(("QUEUED", "RUNNING")),
    )
    if queued_first:
        stmt = stmt.order_by(case((Job.status == "QUEUED", 0), else_=1))
    return await session.scalar(stmt.order_by(Job.created_at.desc()).limit(1))


async def items(
    session: AsyncSession, job_id: uuid.UUID, *, status: str | None = None, limit: int | None = None
) -> Sequence[JobItem]:
    stmt = select(JobItem).where(JobItem.job_id == job_id)
    if status is not None:
        stmt = stmt.where(JobItem.status == status)
    stmt = stmt.order_by(JobItem.index)
    if limit is not None:
        stmt = stmt.limit(limit)
    return (await session.scalars(stmt)).all()


async def count_items(session: AsyncSession, job_id: uuid.UUID, status: str) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(JobItem)
            .where(JobItem.job_id == job_id, JobItem.status == status)
        )
        or 0
    )


async def set_progress(
    session: AsyncSession, job_id: uuid.UUID, processed: int, total: int | None = None
) -> None:
    """One UPDATE: processed items and the total (`total` if given, else the one stored),
    raised to `processed` if lower (a vendor's count may be approximate)."""
    current = Job.progress_total if total is None else literal(total)
    await session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(
            progress_processed=processed,
            progress_total=case((current < processed, processed), else_=current),
        )
        .execution_options(synchronize_session=False)
    )
