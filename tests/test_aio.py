from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from ticketbridge.aio import merged

pytestmark = pytest.mark.store_independent


async def _count(name: str, n: int, delay: float = 0.0) -> AsyncIterator[str]:
    for i in range(n):
        await asyncio.sleep(delay)
        yield f"{name}{i}"


async def test_merged_yields_everything_each_source_in_order() -> None:
    got = [x async for x in merged([_count("a", 5, 0.001), _count("b", 3)], depth=2)]
    assert sorted(got) == sorted([f"a{i}" for i in range(5)] + [f"b{i}" for i in range(3)])
    assert [x for x in got if x[0] == "a"] == [f"a{i}" for i in range(5)]


async def test_merged_raises_a_sources_error_and_stops_the_others() -> None:
    stopped = asyncio.Event()

    async def failing() -> AsyncIterator[str]:
        yield "x"
        raise ValueError("vendor said no")

    async def endless() -> AsyncIterator[str]:
        try:
            while True:
                await asyncio.sleep(0.001)
                yield "e"
        finally:
            stopped.set()

    with pytest.raises(ValueError, match="vendor said no"):
        async for _ in merged([failing(), endless()], depth=1):
            pass
    assert stopped.is_set()


async def test_closing_merged_early_cancels_its_sources() -> None:
    stopped = asyncio.Event()

    async def endless() -> AsyncIterator[int]:
        try:
            n = 0
            while True:
                n += 1
                yield n
        finally:
            stopped.set()

    stream = merged([endless()], depth=2)
    async with contextlib.aclosing(stream):
        assert await anext(stream) == 1
    assert stopped.is_set()
