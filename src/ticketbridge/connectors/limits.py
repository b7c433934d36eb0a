"""Vendor-call limits of the connector layer: how many calls one connection has in flight
(its budget) and how fast they start (its pacer).

``vendor_calls_per_connection`` (``TICKETBRIDGE_VENDOR_CONCURRENCY_PER_CONNECTION``) bounds
the vendor calls in flight for one connection. A connector is handed its connection's
``CallLimiter`` and holds it (``async with``) around each HTTP request, from many tasks at
once (the retry layer, ``connectors/http.py``). Limiters come from a ``VendorBudget``, a
process-wide resource the application creates once (``AppContext.vendor_budget``):
``LocalBudget`` here (one process: an asyncio semaphore per connection), or slots shared by
every process through PostgreSQL (``db/vendor_slots.py``), which the connector layer never
sees.

The pacer is the connector layer's own (``pacer_for``): the budget bounds how many calls are
in flight, the pacer how fast they start once the vendor has answered 429.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import weakref
from collections import defaultdict, deque
from typing import Protocol

import httpx

log = logging.getLogger("ticketbridge.vendor")


class CallLimiter(Protocol):
    """One connection's share of the vendor budget: held around each vendor request."""

    @property
    def key(self) -> str:
        """The connection it limits (also the pacer's and the metrics' key)."""
        ...

    async def __aenter__(self) -> None: ...
    async def __aexit__(self, *exc: object) -> None: ...


class VendorBudget(Protocol):
    """Hands out the `CallLimiter` of a connection; closed once, at shutdown."""

    def __call__(self, key: str) -> CallLimiter: ...
    async def close(self) -> None: ...


class ConcurrencyLimiter:
    """Bounds concurrent vendor calls per connection inside this process."""

    def __init__(self, per_key: int) -> None:
        self._per_key = per_key
        self._semaphores: dict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(self._per_key)
        )

    def __call__(self, key: str) -> asyncio.Semaphore:
        return self._semaphores[key]


_limiters: dict[int, ConcurrencyLimiter] = {}


def limiter_for(per_key: int) -> ConcurrencyLimiter:
    if per_key not in _limiters:
        _limiters[per_key] = ConcurrencyLimiter(per_key)
    return _limiters[per_key]


class Pacer:
    """Spaces one connection's vendor calls in this process once the vendor has said 429.

    AIMD, as TCP does: calls go unpaced until a 429; from then on they leave one every
    ``1 / rate`` seconds (with jitter), first come first served. A 429 cuts the rate to
    ``DECREASE`` x what the vendor accepted over the last ``WINDOW`` seconds, once per
    overshoot (a call sent before the last cut, or a 429 less than ``max(Retry-After, 1 s)``
    after it, does not cut again); each accepted call raises it so that it grows by about
    ``max(1, GROWTH x rate)`` calls/s per second of traffic, unless the vendor says it is
    near its limit. Processes sharing one vendor limit each learn their share, as TCP flows
    do. After ``RESET_AFTER`` seconds without a 429 the connection is unpaced again. The
    call that was answered 429 still waits its own ``Retry-After`` (``backoff_delay``).

    Pacers are per connection, so a throttled connection never delays another one.
    """

    MIN_RATE = 1.0  # calls/s: the slowest pace, whatever the vendor says
    DECREASE = 0.8
    GROWTH = 0.05
    WINDOW = 2.0  # seconds of accepted calls the rate is estimated from
    RESET_AFTER = 30.0

    def __init__(self) -> None:
        self.rate: float | None = None  # None: unpaced
        self._next_at = 0.0
        self._cut_at = -1e9
        self._hold_until = -1e9
        self._limited_at = -1e9
        self._since = time.monotonic()
        self._accepted: deque[float] = deque()
        self._turn = asyncio.Lock()

    async def wait(self) -> float:
        """Waits for this call's turn; returns the time it went (to pass to ``on_*``)."""
        if self.rate is None:
            return time.monotonic()
        async with self._turn:  # FIFO: waiters go in arrival order
            now = time.monotonic()
            if self.rate is None or now - self._limited_at > self.RESET_AFTER:
                self.rate = None
                return now
            if self._next_at > now:
                await asyncio.sleep(self._next_at - now)
                now = time.monotonic()
            interval = random.uniform(0.9, 1.1) / self.rate
            # A late wake-up does not lose the turn (the average rate holds), an idle
            # pause does not bank turns for a burst.
            self._next_at = max(self._next_at, now - interval) + interval
            return now

    def accepted_rate(self, now: float) -> float:
        while self._accepted and self._accepted[0] < now - self.WINDOW:
            self._accepted.popleft()
        span = min(self.WINDOW, now - self._since)
        return len(self._accepted) / max(span, 0.1)

    def on_accepted(self, response: httpx.Response) -> None:
        now = time.monotonic()
        self._accepted.append(now)
        if len(self._accepted) > 64 and self._accepted[0] < now - self.WINDOW:
            self.accepted_rate(now)  # keep the window bounded
        rate = self.rate
        if rate is None or response.headers.get("X-RateLimit-NearLimit") == "true":
            return
        self.rate = rate + max(1.0, self.GROWTH * rate) / rate

    def on_limited(self, sent_at: float, retry_after: float | None) -> None:
        now = time.monotonic()
        self._limited_at = now
        if sent_at < self._cut_at or now < self._hold_until:
            return  # the same overshoot as the last cut
        base = self.accepted_rate(now)
        if self.rate is not None:
            base = min(base, self.rate)
        self.rate = max(self.MIN_RATE, self.DECREASE * base)
        self._cut_at = now
        self._hold_until = now + max(1.0, retry_after or 0.0)
        log.info("vendor calls paced at %.1f/s after a 429", self.rate)


_pacers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, Pacer]] = (
    weakref.WeakKeyDictionary()
)


def pacer_for(key: str) -> Pacer:
    """The pacer of one connection in this process (per event loop: it holds a lock)."""
    pacers = _pacers.setdefault(asyncio.get_running_loop(), {})
    pacer = pacers.get(key)
    if pacer is None:
        pacer = pacers[key] = Pacer()
    return pacer


class _LocalSlot:
    """One process's budget for one connection: an asyncio semaphore."""

    def __init__(self, key: str, semaphore: asyncio.Semaphore) -> None:
        self._key = key
        self.semaphore = semaphore

    @property
    def key(self) -> str:
        return self._key

    async def __aenter__(self) -> None:
        await self.semaphore.acquire()

    async def __aexit__(self, *_exc: object) -> None:
        self.semaphore.release()


class LocalBudget:
    """The budget of a single process (SQLite, tests): ``per_key`` calls in flight per
    connection in this process (the semaphores are the process's, ``limiter_for``)."""

    def __init__(self, per_key: int) -> None:
        self.per_key = per_key

    def __call__(self, key: str) -> CallLimiter:
        return _LocalSlot(key, limiter_for(self.per_key)(key))

    async def close(self) -> None:
        pass
