"""A connection's vendor budget across every process that talks to its vendor.

``vendor_calls_per_connection`` (``TICKETBRIDGE_VENDOR_CONCURRENCY_PER_CONNECTION``) bounds
the vendor calls in flight for one connection. On SQLite there is one process and an
asyncio semaphore does it. On PostgreSQL, API processes and workers share the budget
through advisory locks: each connection has N slots, a call holds one slot (a
session-level ``pg_try_advisory_lock(connection, slot)``) for as long as its request is in
flight. A process that dies loses its database sessions and so its slots; nothing leaks.

The limiter is used as ``async with limiter:`` by the retry layer (``connectors/http.py``),
once per HTTP request, from many tasks at once; the slot each task holds is kept per task.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import weakref
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from ticketbridge.connectors.http import limiter_for

if TYPE_CHECKING:
    from ticketbridge.context import AppContext

_TRY = text("SELECT pg_try_advisory_lock(:space, :slot)")
_UNLOCK = text("SELECT pg_advisory_unlock(:space, :slot)")
_MAX_POLL = 0.25


def _space(key: str) -> int:
    """A 32-bit lock space per connection (advisory locks take two int4 keys)."""
    return int.from_bytes(hashlib.sha256(f"vendor:{key}".encode()).digest()[:4], "big", signed=True)


class SharedSlots:
    """N advisory-lock slots per key, shared by every process on one PostgreSQL."""

    def __init__(self, database_url: str, per_key: int) -> None:
        self.per_key = per_key
        # Own small pool: slot sessions must not compete with the request/job sessions.
        self.engine: AsyncEngine = create_async_engine(
            database_url,
            pool_size=per_key,
            max_overflow=16 * per_key,
            pool_timeout=600,
            isolation_level="AUTOCOMMIT",
        )
        self._local = limiter_for(per_key)

    def __call__(self, key: str) -> _Slot:
        return _Slot(self, key)

    async def dispose(self) -> None:
        await self.engine.dispose()


class _Slot:
    def __init__(self, slots: SharedSlots, key: str) -> None:
        self.slots = slots
        self.key = key
        self.space = _space(key)
        self.local = slots._local(key)  # never more local waiters than slots hold sessions
        self._held: dict[asyncio.Task[Any] | None, tuple[AsyncConnection, int]] = {}

    async def __aenter__(self) -> None:
        await self.local.acquire()
        try:
            conn = await self.slots.engine.connect()
        except BaseException:
            self.local.release()
            raise
        try:
            slot = await self._acquire(conn)
        except BaseException:
            await conn.invalidate()  # drops any lock the cancelled query may have taken
            await conn.close()
            self.local.release()
            raise
        self._held[asyncio.current_task()] = (conn, slot)

    async def _acquire(self, conn: AsyncConnection) -> int:
        n = self.slots.per_key
        delay = 0.01
        while True:
            first = random.randrange(n)
            for i in range(n):
                slot = (first + i) % n
                if await conn.scalar(_TRY, {"space": self.space, "slot": slot}):
                    return slot
            await asyncio.sleep(delay * random.uniform(0.5, 1.5))
            delay = min(_MAX_POLL, delay * 2)

    async def __aexit__(self, *_exc: object) -> None:
        conn, slot = self._held.pop(asyncio.current_task())
        try:
            await conn.execute(_UNLOCK, {"space": self.space, "slot": slot})
        except BaseException:
            await conn.invalidate()  # closing the session releases the lock
            raise
        finally:
            await conn.close()
            self.local.release()


# One pool of slot sessions per app context (keyed by its engine: same lifetime, same loop).
_shared: weakref.WeakKeyDictionary[AsyncEngine, SharedSlots] = weakref.WeakKeyDictionary()


def vendor_limit(ctx: AppContext, key: str) -> Any:
    """The limiter for one connection's vendor calls (see the module docstring)."""
    settings = ctx.settings
    per_key = settings.vendor_concurrency_per_connection
    if settings.is_sqlite:
        return limiter_for(per_key)(key)
    shared = _shared.get(ctx.engine)
    if shared is None:
        shared = _shared[ctx.engine] = SharedSlots(settings.database_url, per_key)
    return shared(key)
