"""A connection's vendor budget across every process that talks to its vendor.

``vendor_calls_per_connection`` (``TICKETBRIDGE_VENDOR_CONCURRENCY_PER_CONNECTION``) bounds
the vendor calls in flight for one connection. On SQLite there is one process and an
asyncio semaphore does it. On PostgreSQL, API processes and workers share the budget
through advisory locks: each connection has N slots, a call holds one slot (a
session-level ``pg_try_advisory_lock(connection, slot)``) for as long as its request is in
flight. A process that dies loses its database sessions and so its slots; nothing leaks.

The limiter is used as ``async with limiter:`` by the retry layer (``connectors/http.py``),
once per HTTP request, from many tasks at once; the slot each task holds is kept per task.
A slot is given back in the background once the request has its answer (the unlock's
round trip is not the caller's to wait for); the process's own count of slots in use
drops only when the unlock is done, so it never holds more sessions than slots.

Each limiter also carries the connection's ``Pacer`` (``connectors/http.py``): the slots
bound how many calls are in flight, the pacer how fast they start once the vendor has
answered 429.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
import weakref
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from ticketbridge.connectors.http import Pacer, limiter_for, pacer_for

if TYPE_CHECKING:
    from ticketbridge.context import AppContext

_TRY = text("SELECT pg_try_advisory_lock(:space, :slot)")
_UNLOCK = text("SELECT pg_advisory_unlock(:space, :slot)")
_MAX_POLL = 0.25

log = logging.getLogger("ticketbridge.vendor")


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
        self._releasing: set[asyncio.Task[None]] = set()

    def __call__(self, key: str) -> _Slot:
        return _Slot(self, key)

    async def dispose(self) -> None:
        await asyncio.gather(*self._releasing, return_exceptions=True)
        await self.engine.dispose()


class _Slot:
    def __init__(self, slots: SharedSlots, key: str) -> None:
        self.slots = slots
        self.key = key
        self.space = _space(key)
        self.local = slots._local(key)  # never more local waiters than slots hold sessions
        self._held: dict[asyncio.Task[Any] | None, tuple[AsyncConnection, int]] = {}

    @property
    def pacer(self) -> Pacer:
        return pacer_for(self.key)

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
        task = asyncio.create_task(self._release(conn, slot))
        self.slots._releasing.add(task)
        task.add_done_callback(self.slots._releasing.discard)

    async def _release(self, conn: AsyncConnection, slot: int) -> None:
        try:
            await conn.execute(_UNLOCK, {"space": self.space, "slot": slot})
        except BaseException as exc:
            await conn.invalidate()  # closing the session releases the lock
            if not isinstance(exc, Exception):
                raise
            log.warning("unlocking a vendor slot failed (%s); its session was dropped", exc)
        finally:
            await conn.close()
            self.local.release()


class _LocalSlot:
    """One process's budget (SQLite): an asyncio semaphore, plus the pacer."""

    def __init__(self, key: str, per_key: int) -> None:
        self.key = key
        self.semaphore = limiter_for(per_key)(key)

    @property
    def pacer(self) -> Pacer:
        return pacer_for(self.key)

    async def __aenter__(self) -> None:
        await self.semaphore.acquire()

    async def __aexit__(self, *_exc: object) -> None:
        self.semaphore.release()


# One pool of slot sessions per app context (keyed by its engine: same lifetime, same loop).
_shared: weakref.WeakKeyDictionary[AsyncEngine, SharedSlots] = weakref.WeakKeyDictionary()


def vendor_limit(ctx: AppContext, key: str) -> Any:
    """The limiter for one connection's vendor calls (see the module docstring)."""
    settings = ctx.settings
    per_key = settings.vendor_concurrency_per_connection
    if settings.is_sqlite:
        return _LocalSlot(key, per_key)
    shared = _shared.get(ctx.engine)
    if shared is None:
        shared = _shared[ctx.engine] = SharedSlots(settings.database_url, per_key)
    return shared(key)
