"""Queueing a procrastinate job in the caller's transaction (PostgreSQL).

The low level of the job queue, with nothing of the procrastinate app (``jobs/queue.py``)
or of what its tasks run: procrastinate's SQL function ``procrastinate_defer_jobs_v1`` is
called through *our* SQLAlchemy session, inside the caller's transaction, so the
procrastinate job commits with the rows that asked for it or not at all (procrastinate's
insert trigger NOTIFYs the workers at commit).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

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
