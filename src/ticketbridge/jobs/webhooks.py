"""``job.completed`` webhooks: the finished job, POSTed and signed, retried with backoff.

On PostgreSQL (procrastinate) delivery is a procrastinate task deferred in the same
transaction that finishes the job, so it survives a worker's death and is retried by
procrastinate. The embedded worker retries in-process. Each attempt goes through
``webhooks.delivery.send`` (URL checked and pinned again, Standard Webhooks signature).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from ticketbridge.db.base import utcnow
from ticketbridge.db.session import transaction
from ticketbridge.jobs import repository, service
from ticketbridge.jobs.models import Job
from ticketbridge.provisioning.models import Account
from ticketbridge.webhooks import dispatch, events
from ticketbridge.webhooks.delivery import Outcome, send

if TYPE_CHECKING:
    from ticketbridge.context import AppContext


class WebhookFailed(Exception):
    """The receiver did not accept the delivery (a retry follows)."""


async def wanted(session: AsyncSession, job: Job) -> bool:
    return dispatch.has_webhook(await session.get(Account, job.account_id))


def deliver_later(ctx: AppContext, job_id: uuid.UUID) -> None:
    dispatch.spawn(deliver(ctx, job_id))


async def deliver(ctx: AppContext, job_id: uuid.UUID) -> Outcome | None:
    """Delivers with in-process retries and capped, jittered backoff."""
    return await dispatch.with_retries(lambda: deliver_once(ctx, job_id), f"for job {job_id}")


async def deliver_once(ctx: AppContext, job_id: uuid.UUID) -> Outcome | None:
    """One attempt; None when there is nothing to deliver (no webhook, already delivered)."""
    async with transaction(ctx.sessionmaker) as session:
        job = await repository.get(session, job_id)
        if job is None or job.webhook_delivered_at is not None:
            return None
        account = await session.get(Account, job.account_id)
        if account is None or not dispatch.has_webhook(account):
            return None
        url = str(account.webhook_url)
        secret = ctx.vault.decrypt_text(account.webhook_secret_encrypted)  # type: ignore[arg-type]
        data = service.job_out(job).model_dump(mode="json")
        event = events.job_completed(job.id, job.finished_at, data)
    outcome = await send(ctx, url, secret, event)
    if outcome is Outcome.DELIVERED:
        async with transaction(ctx.sessionmaker) as session:
            job = await repository.get(session, job_id)
            if job is not None:
                job.webhook_delivered_at = utcnow()
    return outcome
