"""Metrics and DEBUG log lines of vendor calls (``connectors/http.send_with_retries``).

Each attempt is logged at DEBUG with its method, route template (ids, keys and the query
left out), answer and duration, and counted by vendor and connection; nothing of the
request's headers or body is ever logged.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from ticketbridge.logs import get_logger
from ticketbridge.metrics import (
    VENDOR_CALLS,
    VENDOR_IN_FLIGHT,
    VENDOR_PACER_RATE,
    VENDOR_RATE_LIMITED,
    VENDOR_RETRIES,
    VENDOR_SECONDS,
)

log = get_logger("ticketbridge.vendor")

# A path segment kept as is: a lower-case word (``issue``, ``createmeta``, ``bulk``) or an
# API version right after ``api``; any other (ids, issue and project keys) becomes ``{}``.
_WORD = re.compile(r"[a-z][A-Za-z]*")
_VERSION = re.compile(r"\d{1,2}(?:\.\d{1,2})?")


def route_template(path: str) -> str:
    """``/rest/api/3/issue/PROJ-12/transitions`` -> ``/rest/api/3/issue/{}/transitions``."""
    out: list[str] = []
    for segment in path.split("/"):
        keep = (
            not segment
            or _WORD.fullmatch(segment)
            or (out and out[-1] == "api" and _VERSION.fullmatch(segment))
        )
        out.append(segment if keep else "{}")
    return "/".join(out)


class VendorCallMetrics:
    """One call's attempts: counted, timed and logged as each gets its answer."""

    def __init__(self, vendor: str, connection: str | None, pacer: Any = None) -> None:
        self.vendor = vendor
        self.connection = connection or ""
        self.pacer = pacer
        self.attempt = 0
        self._start = time.perf_counter()

    def retried(self) -> None:
        self.attempt += 1
        VENDOR_RETRIES.labels(self.vendor, self.connection).inc()

    @contextmanager
    def in_flight(self) -> Iterator[None]:
        gauge = VENDOR_IN_FLIGHT.labels(self.vendor, self.connection)
        gauge.inc()
        self._start = time.perf_counter()
        try:
            yield
        finally:
            gauge.dec()

    def done(self, request: httpx.Request, status: int | str) -> None:
        elapsed = time.perf_counter() - self._start
        VENDOR_CALLS.labels(self.vendor, self.connection, str(status)).inc()
        VENDOR_SECONDS.labels(self.vendor).observe(elapsed)
        if status == 429:
            VENDOR_RATE_LIMITED.labels(self.vendor, self.connection).inc()
        if self.pacer is not None and self.connection:
            VENDOR_PACER_RATE.labels(self.connection).set(self.pacer.rate or 0.0)
        log.debug(
            "vendor call",
            vendor=self.vendor,
            method=request.method,
            route=route_template(request.url.path),
            status=status,
            duration_ms=round(elapsed * 1000, 1),
            attempt=self.attempt + 1,
        )
