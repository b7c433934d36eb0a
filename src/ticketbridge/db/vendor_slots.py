"""A connection's vendor budget across every process that talks to its vendor (PostgreSQL).

The PostgreSQL implementation of the connector layer's ``VendorBudget``
(``connectors/limits.py``): API processes and workers share the budget through advisory
locks. Each connection has N slots (``vendor_calls_per_connection``), a call holds one slot
(a session-level ``pg_try_advisory_lock(connection, slot)``) for as long as its request is
in flight. A process that dies loses its database sessions and so its slots; nothing leaks.
``AppContext.create`` makes one per context on PostgreSQL (``create_vendor_budget``; on
SQLite, one process, the connector layer's ``LocalBudget`` does) and ``AppContext.stop``
closes it.

The limiter is used as ``async with limiter:`` by the retry layer (``connectors/http.py``),
once per HTTP request, from many tasks at once; the slot each task holds is kept per task.
A slot whose request has its answer stays with the process for ``LINGER`` seconds, for
its next call on that connection (a burst of calls, like a bulk request's, then costs one
lock round trip instead of one per call: 1.1-1.6 ms each on the bulk benchmark); unused,
it is given back in the background (the unlock's round trip is nobody's to wait for). An
idle slot still counts against the budget, so the bound holds; other processes may wait
up to ``LINGER`` for it.

The pacer (how fast calls start once the vendor has answered 429) is the connector layer's
(``connectors/limits.pacer_for``), not the budget's.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from ticketbridge.config import Settings
from ticketbridge.connectors.limits import LocalBudget, VendorBudget, limiter_for

_TRY = text("SELECT pg_try_advisory_lock(:space, :slot)")
_UNLOCK = text("SELECT pg_advisory_unlock(:space, :slot)")
_MAX_POLL = 0.25
# Seconds a process keeps a slot it no longer uses for its own next call on that connection.
LINGER = 0.25

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
        # Slots this process holds but does not use right now, per key, newest last.
        self._idle: dict[str, list[_Held]] = {}

    def __call__(self, key: str) -> _Slot:
        return _Slot(self, key)

    def take_idle(self, key: str) -> _Held | None:
        idle = self._idle.get(key)
        if not idle:
            return None
        held = idle.pop()
        if held.expiry is not None:
            held.expiry.cancel()
        return held

    def keep_idle(self, key: str, held: _Held, release: Callable[[_Held], None]) -> None:
        """Keeps a slot for `LINGER` seconds for this process's next call on `key` (a burst
        of calls then costs one lock round trip, not one per call); then gives it back."""
        idle = self._idle.setdefault(key, [])
        idle.append(held)

        def expire() -> None:
            if held in idle:
                idle.remove(held)
                release(held)

        held.expiry = asyncio.get_running_loop().call_later(LINGER, expire)

    async def close(self) -> None:
        for key in list(self._idle):
            while (held := self.take_idle(key)) is not None:
                _Slot(self, key).release_later(held)
        await asyncio.gather(*self._releasing, return_exceptions=True)
        await self.engine.dispose()


@dataclass(eq=False)
class _Held:
    conn: AsyncConnection
    slot: int
    expiry: asyncio.TimerHandle | None = None


class _Slot:
    def __init__(self, slots: SharedSlots, key: str) -> None:
        self.slots = slots
        self.key = key
        self.space = _space(key)
        self.local = slots._local(key)  # never more local waiters than slots hold sessions
        self._held: dict[asyncio.Task[Any] | None, _Held] = {}

    async def __aenter__(self) -> None:
        await self.local.acquire()
        held = self.slots.take_idle(self.key)
        if held is None:
            try:
                held = await self._connect_and_lock()
            except BaseException:
                self.local.release()
                raise
        self._held[asyncio.current_task()] = held

    async def _connect_and_lock(self) -> _Held:
        conn = await self.slots.engine.connect()
        try:
            return _Held(conn, await self._acquire(conn))
        except BaseException:
            await conn.invalidate()  # drops any lock the cancelled query may have taken
            await conn.close()
            raise

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
        held = self._held.pop(asyncio.current_task())
        self.local.release()  # the idle slot goes to this process's next call first
        self.slots.keep_idle(self.key, held, self.release_later)

    def release_later(self, held: _Held) -> None:
        """Unlocks in the background: the unlock's round trip is nobody's to wait for."""
        task = asyncio.create_task(self._release(held))
        self.slots._releasing.add(task)
        task.add_done_callback(self.slots._releasing.discard)

    async def _release(self, held: _Held) -> None:
        try:
            await held.conn.execute(_UNLOCK, {"space": self.space, "slot": held.slot})
        except BaseException as exc:
            await held.conn.invalidate()  # closing the session releases the lock
            if not isinstance(exc, Exception):
                raise
            log.warning("unlocking a vendor slot failed (%s); its session was dropped", exc)
        finally:
            await held.conn.close()


def create_vendor_budget(settings: Settings) -> VendorBudget:
    """The process's vendor budget: shared slots on PostgreSQL, a local one on SQLite."""
    per_key = settings.vendor_concurrency_per_connection
    if settings.is_sqlite:
        return LocalBudget(per_key)
    return SharedSlots(settings.database_url, per_key)
