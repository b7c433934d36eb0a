"""Completion webhooks: the finished job, POSTed and signed, retried with backoff.

On PostgreSQL (procrastinate) delivery is a procrastinate task deferred in the same
transaction that finishes the job, so it survives a worker's death and is retried by
procrastinate. The embedded worker retries in-process.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import uuid
from typing import TYPE_CHECKING

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from ticketbridge.crypto import sign_webhook
from ticketbridge.db.base import utcnow
from ticketbridge.db.session import transaction
from ticketbridge.jobs import repository, service
from ticketbridge.jobs.models import Job
from ticketbridge.provisioning.models import Account

if TYPE_CHECKING:
    from ticketbridge.context import AppContext

log = logging.getLogger("ticketbridge.webhooks")
MAX_ATTEMPTS = 6
_pending: set[asyncio.Task[bool]] = set()


class WebhookFailed(Exception):
    """The receiver did not accept the delivery (a retry follows)."""


async def wanted(session: AsyncSession, job: Job) -> bool:
    account = await session.get(Account, job.account_id)
    return bool(account and account.webhook_url and account.webhook_secret_encrypted)


def deliver_later(ctx: AppContext, job_id: uuid.UUID) -> None:
    task = asyncio.create_task(deliver(ctx, job_id))
    _pending.add(task)
    task.add_done_callback(_pending.discard)


async def deliver(ctx: AppContext, job_id: uuid.UUID) -> bool:
    """Delivers with in-process retries and capped, jittered backoff."""
    for attempt in range(MAX_ATTEMPTS):
        outcome = await deliver_once(ctx, job_id)
        if outcome is not False:
            return outcome is True
        await asyncio.sleep(min(60.0, 0.5 * 2**attempt) * random.uniform(0.5, 1.0))
    log.warning("webhook for job %s not delivered after %d attempts", job_id, MAX_ATTEMPTS)
    return False


async def deliver_once(ctx: AppContext, job_id: uuid.UUID) -> bool | None:
    """One attempt: True delivered, False refused or unreachable, None nothing to deliver."""
    async with transaction(ctx.sessionmaker) as session:
        job = await repository.get(session, job_id)
        if job is None or job.webhook_delivered_at is not None:
            return None
        account = await session.get(Account, job.account_id)
        if account is None or not account.webhook_url or not account.webhook_secret_encrypted:
            return None
        url = account.webhook_url
        secret = ctx.vault.decrypt_text(account.webhook_secret_encrypted)
        body = json.dumps(service.job_out(job).model_dump(mode="json")).encode()
    headers = {
        "Content-Type": "application/json",
        "X-TicketBridge-Signature": sign_webhook(secret, body),
        "X-TicketBridge-Job-Id": str(job_id),
    }
    settings = ctx.settings
    timeout = httpx.Timeout(settings.webhook_read_timeout, connect=settings.webhook_connect_timeout)
    try:
        async with asyncio.timeout(settings.webhook_total_timeout):  # a trickling receiver
            response = await ctx.http.post(url, content=body, headers=headers, timeout=timeout)
    except (httpx.HTTPError, TimeoutError) as exc:
        log.info("webhook to account endpoint failed: %s", type(exc).__name__)
        return False
    if response.status_code >= 300:
        log.info("webhook receiver answered %d", response.status_code)
        return False
    async with transaction(ctx.sessionmaker) as session:
        job = await repository.get(session, job_id)
        if job is not None:
            job.webhook_delivered_at = utcnow()
    return True
