"""The one retry layer for vendor calls.

Operational failures (429, 503, connection errors) are retried with capped, jittered
backoff that honours ``Retry-After``. Writes are never blindly retried after the request
may have reached the vendor: a timeout or dropped connection on a write raises
``VendorOutcomeUnknown`` so the caller can reconcile (by creation token) instead.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from ticketbridge.errors import (
    VendorOutcomeUnknown,
    VendorRateLimited,
    VendorTimeout,
    VendorUnavailable,
)
from ticketbridge.metrics import VENDOR_CALLS

log = logging.getLogger("ticketbridge.vendor")

RETRYABLE_STATUS = {429, 503}


@dataclass
class RetryPolicy:
    max_retries: int = 4
    base_delay: float = 0.5
    max_delay: float = 30.0
    # A Retry-After longer than this is not waited out inside one request.
    max_retry_after: float = 60.0


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value)
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


def backoff_delay(attempt: int, retry_after: float | None, policy: RetryPolicy) -> float:
    """Retry-After when given (never less), else exponential; both capped, with jitter."""
    if retry_after is not None:
        return min(retry_after, policy.max_retry_after) * random.uniform(1.0, 1.2)
    base = min(policy.max_delay, policy.base_delay * (2**attempt))
    return base * random.uniform(0.5, 1.0)


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


async def send_with_retries(
    client: httpx.AsyncClient,
    build: Callable[[], Awaitable[httpx.Request]],
    *,
    vendor: str,
    idempotent: bool,
    policy: RetryPolicy,
    semaphore: asyncio.Semaphore | None = None,
) -> httpx.Response:
    attempt = 0
    while True:
        request = await build()
        try:
            if semaphore is not None:
                async with semaphore:
                    response = await client.send(request)
            else:
                response = await client.send(request)
        except httpx.TimeoutException as exc:
            VENDOR_CALLS.labels(vendor, "timeout").inc()
            if not idempotent:
                raise VendorOutcomeUnknown(
                    f"{vendor} did not answer in time; the write may or may not have happened"
                ) from exc
            if attempt >= policy.max_retries:
                raise VendorTimeout(f"{vendor} timed out") from exc
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            VENDOR_CALLS.labels(vendor, "dropped").inc()
            if not idempotent:
                raise VendorOutcomeUnknown(
                    f"{vendor} closed the connection without an answer"
                ) from exc
            if attempt >= policy.max_retries:
                raise VendorUnavailable(f"{vendor} is unreachable") from exc
        except httpx.TransportError as exc:  # connect errors: the request never left
            VENDOR_CALLS.labels(vendor, "unreachable").inc()
            if attempt >= policy.max_retries:
                raise VendorUnavailable(f"{vendor} is unreachable: {type(exc).__name__}") from exc
        else:
            VENDOR_CALLS.labels(vendor, str(response.status_code)).inc()
            if response.status_code not in RETRYABLE_STATUS:
                return response
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if attempt >= policy.max_retries or (
                retry_after is not None and retry_after > policy.max_retry_after
            ):
                await response.aread()
                if response.status_code == 429:
                    raise VendorRateLimited(
                        f"{vendor} rate limit exceeded", retry_after=retry_after or 1.0
                    )
                raise VendorUnavailable(
                    f"{vendor} is temporarily unavailable (HTTP {response.status_code})",
                    headers={"Retry-After": str(int(retry_after))} if retry_after else None,
                )
            await response.aclose()
            delay = backoff_delay(attempt, retry_after, policy)
            log.info(
                "vendor %s answered %s; retrying in %.2fs", vendor, response.status_code, delay
            )
            await asyncio.sleep(delay)
            attempt += 1
            continue
        delay = backoff_delay(attempt, None, policy)
        await asyncio.sleep(delay)
        attempt += 1


def json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
