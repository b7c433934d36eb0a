"""What a job type is, for the workers: the function that runs it and what its end records
besides the job row.

Task modules (``itsm/tickets/tasks.py``, ``sync/tasks.py``) write these functions and know
nothing of the workers; the composition root (``bootstrap.py``) maps each job type to them
(``Handlers``) and hands the mapping to the workers it starts (``jobs/runtime.py``), which
run a job through ``jobs/runner.py``.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ticketbridge.context import AppContext
    from ticketbridge.jobs.models import Job
    from ticketbridge.webhooks.events import Event


@dataclass(frozen=True)
class Finished:
    """How a run ended: the job's ``result``, and its ``failure_reason`` when it failed."""

    result: dict[str, Any] | None = None
    failure: dict[str, Any] | None = None


# Runs the job (resuming from its items when it ran before) and says how it ended; an
# exception fails the job (``errors.describe``).
Run = Callable[["AppContext", uuid.UUID], Awaitable[Finished]]
# Records the end of a job beyond its row (a connection's health, its next sync), in the
# transaction that finishes the job, the row already saying how it ended; ``exc`` is what
# stopped the run (None when it returned). Returns the webhook events to publish with it.
OnFinish = Callable[
    ["AppContext", "AsyncSession", "Job", BaseException | None], Awaitable[list["Event"]]
]


@dataclass(frozen=True)
class JobType:
    run: Run
    on_finish: OnFinish | None = None


Handlers = Mapping[str, JobType]
