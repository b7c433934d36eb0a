"""Small asyncio building blocks shared by the sync and the connectors."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Coroutine, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


async def merged(sources: Sequence[AsyncIterator[T]], depth: int) -> AsyncGenerator[T, None]:
    """Iterates every source in its own task, up to `depth` items ahead of the consumer.

    Items come in the order they are ready (one source keeps its own order). With one
    source this is read-ahead: its next items are on their way while the consumer works.
    The first error of any source is raised here and stops the others; so does stopping
    early (closing this generator).
    """
    queue: asyncio.Queue[tuple[bool, T | BaseException | None]] = asyncio.Queue(depth)

    async def pump(source: AsyncIterator[T]) -> None:
        try:
            async for item in source:
                await queue.put((True, item))
        except Exception as exc:  # handed to the consumer, which raises it
            await queue.put((False, exc))
        else:
            await queue.put((False, None))
        finally:  # a cancelled `async for` leaves its generator open: its cleanup runs now
            close = getattr(source, "aclose", None)
            if close is not None:
                await close()

    tasks = [asyncio.create_task(pump(source)) for source in sources]
    running = len(tasks)
    try:
        while running:
            more, item = await queue.get()
            if more:
                yield item  # type: ignore[misc]
            elif isinstance(item, BaseException):
                raise item
            else:
                running -= 1
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task


class BoundedTasks:
    """Runs up to `limit` coroutines at once; the first failure is raised (by `submit` or
    on leaving the block), and leaving the block waits for the rest or cancels them."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.running: set[asyncio.Task[None]] = set()

    async def submit(self, work: Coroutine[Any, Any, None]) -> None:
        try:
            while len(self.running) >= self.limit:
                await self._settle(asyncio.FIRST_COMPLETED)
        except BaseException:
            work.close()  # never started
            raise
        self.running.add(asyncio.create_task(work))

    async def _settle(self, when: str) -> None:
        done, self.running = await asyncio.wait(self.running, return_when=when)
        for task in done:
            task.result()  # raises the write's error

    async def __aenter__(self) -> BoundedTasks:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, *_: object) -> None:
        try:
            while kind is None and self.running:
                await self._settle(asyncio.FIRST_EXCEPTION)
        finally:
            for task in self.running:
                task.cancel()
            await asyncio.gather(*self.running, return_exceptions=True)
            self.running = set()
