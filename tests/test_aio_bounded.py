from __future__ import annotations

import asyncio

import pytest

from ticketbridge.aio import BoundedTasks

pytestmark = pytest.mark.store_independent


async def test_writers_run_at_most_limit_at_once_and_wait_for_all() -> None:
    running = peak = done = 0

    async def write() -> None:
        nonlocal running, peak, done
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.002)
        running -= 1
        done += 1

    async with BoundedTasks(2) as writers:
        for _ in range(7):
            await writers.submit(write())
    assert (peak, done) == (2, 7)


async def test_a_failed_write_is_raised_and_the_others_are_cancelled() -> None:
    cancelled = asyncio.Event()

    async def slow() -> None:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    async def failing() -> None:
        raise RuntimeError("page 3 failed")

    with pytest.raises(RuntimeError, match="page 3 failed"):
        async with BoundedTasks(2) as writers:
            await writers.submit(slow())
            await writers.submit(failing())
            await writers.submit(slow())  # waits for a free writer: sees the failure
    assert cancelled.is_set()
