"""The composition root of jobs: which functions run each job type, and the workers that
run them, started and stopped by whatever runs the process (the app's lifespan for
``serve`` and the sandbox, ``ticketbridge worker``) or run in place (``connections sync``,
the sandbox's first sync).

Nothing below imports this module: the task modules know nothing of the workers, and the
workers (``jobs/runtime.py``, ``jobs/runner.py``) get the job types from here.
"""

from __future__ import annotations

import uuid
from types import MappingProxyType
from typing import TYPE_CHECKING

from ticketbridge.itsm.tickets import tasks as ticket_tasks
from ticketbridge.jobs import runner, runtime
from ticketbridge.jobs.handlers import Handlers, JobType
from ticketbridge.sync import tasks as sync_tasks

if TYPE_CHECKING:
    from ticketbridge.context import AppContext

HANDLERS: Handlers = MappingProxyType(
    {
        "SYNC": JobType(sync_tasks.run_sync, sync_tasks.record_outcome),
        "BULK_CREATE_TICKETS": JobType(ticket_tasks.run_bulk_create, ticket_tasks.record_outcome),
        "BULK_UPDATE_TICKETS": JobType(ticket_tasks.run_bulk_update, ticket_tasks.record_outcome),
    }
)


async def start_workers(ctx: AppContext) -> None:
    """Starts the workers an API process runs (``ctx.background``; none unless
    ``run_embedded_worker``)."""
    ctx.background = await runtime.start_background(ctx, HANDLERS)


async def stop_workers(ctx: AppContext) -> None:
    """Stops what ``start_workers`` started, last started first."""
    started, ctx.background = ctx.background, []
    for item in reversed(started):
        await item.stop()


async def run_worker(ctx: AppContext, concurrency: int) -> None:
    """``ticketbridge worker``: runs jobs and scheduled syncs until interrupted."""
    await runtime.run_standalone(ctx, HANDLERS, concurrency)


async def run_job(ctx: AppContext, job_id: uuid.UUID) -> None:
    """Runs one job here and now (its row already claimed by the caller)."""
    await runner.run_job(ctx, HANDLERS, job_id)
