"""Per-request bookkeeping kept off the hot path: key usage and the account rate limit."""

from __future__ import annotations

import asyncio
import logging
import math
import time
import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from ticketbridge.auth import repository
from ticketbridge.db.base import utcnow

log = logging.getLogger("ticketbridge.auth")


class KeyUsage:
    """Records when each API key was last used, at most once a minute per key.

    The request's key lookup already reads ``last_used_at``; only when it is over a minute
    old (or unset) is an UPDATE started, as a background task on its own connection, so no
    request waits for it or commits anything more. The UPDATE is conditional (``WHERE
    last_used_at IS NULL OR last_used_at < now - 1 min``), so N processes write a key at
    most about once a minute between them; this process also remembers what it wrote, so a
    burst of requests that read the old value starts one write, not one per request.
    """

    EVERY = timedelta(minutes=1)

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._written: dict[uuid.UUID, datetime] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def seen(self, key_id: uuid.UUID, last_used_at: datetime | None) -> None:
        now = utcnow()
        if last_used_at is not None and now - last_used_at < self.EVERY:
            return
        written = self._written.get(key_id)
        if written is not None and now - written < self.EVERY:
            return
        if len(self._written) > 10_000:  # bounded: forget writes older than the interval
            self._written = {k: v for k, v in self._written.items() if now - v < self.EVERY}
        self._written[key_id] = now
        task = asyncio.create_task(self._touch(key_id, now))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _touch(self, key_id: uuid.UUID, now: datetime) -> None:
        try:
            await repository.touch_api_key(self._engine, key_id, now, self.EVERY)
        except Exception as exc:  # bookkeeping: a failed write must not fail anything else
            self._written.pop(key_id, None)
            log.warning("could not record API key use: %s", type(exc).__name__)

    async def close(self) -> None:
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


class RateLimiter:
    """At most ``limit`` requests per account per fixed window of ``window`` seconds.

    On PostgreSQL the count is one upsert per request in ``rate_limit_counters``, so every
    API process draws from one budget; on SQLite (one API process) it is kept in memory.
    ``hit`` returns None when the request may go on, else the seconds until the window ends
    (the ``Retry-After``).
    """

    def __init__(self, engine: AsyncEngine, limit: int, window: int, *, shared: bool) -> None:
        self._engine = engine
        self.limit = limit
        self.window = window
        self._shared = shared
        self._local: dict[uuid.UUID, tuple[int, int]] = {}

    async def hit(self, account_id: uuid.UUID) -> int | None:
        if self._shared:
            hits, remaining = await repository.count_request(self._engine, account_id, self.window)
        else:
            hits, remaining = self._count_locally(account_id)
        if hits <= self.limit:
            return None
        return max(1, math.ceil(remaining))

    def _count_locally(self, account_id: uuid.UUID) -> tuple[int, float]:
        now = time.time()
        window = int(now // self.window)
        if len(self._local) > 100_000:
            self._local = {k: v for k, v in self._local.items() if v[0] == window}
        current, hits = self._local.get(account_id, (window, 0))
        hits = hits + 1 if current == window else 1
        self._local[account_id] = (window, hits)
        return hits, (window + 1) * self.window - now
