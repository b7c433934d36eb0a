"""OpenTelemetry traces: optional (``pip install 'ticketbridge[otel]'``), off unless configured.

Without the extra, or without it being switched on, every function here does nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager


def carrier() -> dict[str, str]:
    """The current trace context as W3C headers (``traceparent``), or nothing."""
    return {}


@contextmanager
def job_span(kind: str, context: Mapping[str, str]) -> Iterator[None]:
    """A span around one job run, linked to the request that enqueued it."""
    yield
