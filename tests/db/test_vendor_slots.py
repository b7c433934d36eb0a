"""A connection's vendor budget shared through PostgreSQL advisory locks (db/vendor_slots.py)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import text

from tests.support.stores import store_name
from ticketbridge.db import vendor_slots as budget
from ticketbridge.db.vendor_slots import SharedSlots

pytestmark = pytest.mark.skipif(
    store_name() != "postgres", reason="the shared budget lives in PostgreSQL"
)


async def _held_locks(slots: SharedSlots, key: str) -> int:
    async with slots.engine.connect() as conn:
        count = await conn.scalar(
            text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = :s"),
            {"s": budget._space(key) & 0xFFFFFFFF},
        )
        return int(count or 0)


async def test_calls_in_flight_never_exceed_the_slots_across_processes(database_url) -> None:
    key = f"conn-{uuid.uuid4()}"
    # Two pools of sessions stand for two processes: advisory locks belong to sessions.
    first, second = SharedSlots(database_url, 3), SharedSlots(database_url, 3)
    in_flight = peak = done = 0

    async def call(slots: SharedSlots) -> None:
        nonlocal in_flight, peak, done
        async with slots(key):
            in_flight += 1
            peak = max(peak, in_flight)
            await asyncio.sleep(0.02)
            in_flight -= 1
            done += 1

    try:
        await asyncio.gather(*(call(s) for s in [first, second] * 8))
        assert (peak, done) == (3, 16)
        await asyncio.sleep(budget.LINGER + 0.3)  # idle slots go back by themselves
        assert await _held_locks(first, key) == 0
    finally:
        await first.close()
        await second.close()


async def test_a_burst_of_calls_reuses_its_slot(database_url, monkeypatch) -> None:
    key = f"conn-{uuid.uuid4()}"
    slots = SharedSlots(database_url, 2)
    locks = 0
    original = budget._Slot._connect_and_lock

    async def counted(self: budget._Slot) -> budget._Held:
        nonlocal locks
        locks += 1
        return await original(self)

    monkeypatch.setattr(budget._Slot, "_connect_and_lock", counted)
    try:
        for _ in range(10):
            async with slots(key):
                await asyncio.sleep(0)
        assert locks == 1
        assert await _held_locks(slots, key) == 1  # kept for the next call, for a moment
        await slots.close()  # gives idle slots back
        other = SharedSlots(database_url, 2)
        try:
            assert await _held_locks(other, key) == 0
        finally:
            await other.close()
    finally:
        await slots.close()
