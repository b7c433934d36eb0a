"""Queueing events for delivery, and the in-process retry loop.

On PostgreSQL (procrastinate) an event is a procrastinate task deferred in the caller's
transaction, with the event in its arguments: it is sent if and only if that transaction
commits, survives a worker's death, and procrastinate retries it. On SQLite (the embedded
worker) the caller hands the events to ``deliver_later`` after its commit; they are retried
in-process (a restart loses the remaining attempts).
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from ticketbridge.db.session import transaction
from ticketbridge.jobs import defer
from ticketbridge.provisioning.models import Account
from ticketbridge.webhooks.delivery import Outcome, send
from ticketbridge.webhooks.events import Event

if TYPE_CHECKING:
    from ticketbridge.context import AppContext

log = logging.getLogger("ticketbridge.webhooks")
MAX_ATTEMPTS = 6
_pending: set[asyncio.Task[Outcome | None]] = set()


def has_webhook(account: Account | None) -> bool:
    return bool(account and account.webhook_url and account.webhook_secret_encrypted)


async def publish(
    ctx: AppContext, session: AsyncSession, account_id: uuid.UUID, events: Iterable[Event]
) -> list[Event]:
    """Queues ``events`` in the caller's transaction (procrastinate) or returns them, for
    ``deliver_later`` after the commit (embedded worker). Nothing when there is no webhook."""
    events = list(events)
    if not events or not has_webhook(await session.get(Account, account_id)):
        return []
    if ctx.settings.effective_job_backend != "procrastinate":
        return events
    for event in events:
        args = {"account_id": str(account_id), "event": event.to_args()}
        await defer.defer(session, defer.DELIVER_EVENT, args)
    return []


def deliver_later(ctx: AppContext, account_id: uuid.UUID, events: Iterable[Event]) -> None:
    """In-process delivery with retries (embedded worker); call it after the commit."""
    for event in events:
        spawn(_deliver(ctx, account_id, event))


async def _deliver(ctx: AppContext, account_id: uuid.UUID, event: Event) -> Outcome | None:
    return await with_retries(lambda: deliver_once(ctx, account_id, event), event.id)


def spawn(work: Awaitable[Outcome | None]) -> None:
    task: asyncio.Task[Outcome | None] = asyncio.ensure_future(work)
    _pending.add(task)
    task.add_done_callback(_pending.discard)


async def with_retries(
    attempt: Callable[[], Awaitable[Outcome | None]], label: str
) -> Outcome | None:
    """Retries failed attempts with capped, jittered backoff; a refusal is not retried."""
    outcome: Outcome | None = None
    for n in range(MAX_ATTEMPTS):
        outcome = await attempt()
        if outcome is not Outcome.FAILED:
            return outcome
        await asyncio.sleep(min(60.0, 0.5 * 2**n) * random.uniform(0.5, 1.0))
    log.warning("webhook %s not delivered after %d attempts", label, MAX_ATTEMPTS)
    return outcome


async def deliver_once(ctx: AppContext, account_id: uuid.UUID, event: Event) -> Outcome | None:
    """One attempt to the account's current webhook URL; None when it has none any more."""
    async with transaction(ctx.sessionmaker) as session:
        account = await session.get(Account, account_id)
        if account is None or not has_webhook(account):
            return None
        url = str(account.webhook_url)
        secret = ctx.vault.decrypt_text(account.webhook_secret_encrypted)  # type: ignore[arg-type]
    return await send(ctx, url, secret, event)
