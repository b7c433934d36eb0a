"""Prometheus metrics (each is documented in docs/operations.md).

Labels stay bounded: route templates, not raw paths; job kinds; vendor names; connection
ids (one series per connection, never per ticket or request). Several API processes behind
one port (``uvicorn --workers``, gunicorn) report together when ``PROMETHEUS_MULTIPROC_DIR``
names an empty directory shared by them (prometheus-client's multiprocess mode):
``/metrics`` then aggregates every process's files.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

REQUESTS = Counter(
    "ticketbridge_http_requests_total", "HTTP requests", ["method", "route", "status"]
)
LATENCY = Histogram(
    "ticketbridge_http_request_seconds", "HTTP request latency", ["method", "route"]
)
VENDOR_CALLS = Counter(
    "ticketbridge_vendor_requests_total",
    "Vendor HTTP requests by answer (HTTP status, or timeout/dropped/unreachable)",
    ["vendor", "connection", "status"],
)
VENDOR_RATE_LIMITED = Counter(
    "ticketbridge_vendor_rate_limited_total", "Vendor answers 429", ["vendor", "connection"]
)
VENDOR_RETRIES = Counter(
    "ticketbridge_vendor_retries_total", "Vendor calls sent again", ["vendor", "connection"]
)
VENDOR_SECONDS = Histogram(
    "ticketbridge_vendor_request_seconds", "Vendor call latency (one attempt)", ["vendor"]
)
VENDOR_PACER_RATE = Gauge(
    "ticketbridge_vendor_pacer_rate",
    "Calls/s a connection's calls are paced at after a 429 (0: unpaced)",
    ["connection"],
    multiprocess_mode="livesum",
)
VENDOR_IN_FLIGHT = Gauge(
    "ticketbridge_vendor_slots_in_use",
    "Vendor calls in flight (concurrency slots held), per connection",
    ["vendor", "connection"],
    multiprocess_mode="livesum",
)

JOBS_QUEUED = Counter("ticketbridge_jobs_queued_total", "Jobs queued", ["kind"])
JOBS_RUNNING = Gauge(
    "ticketbridge_jobs_running", "Jobs running now", ["kind"], multiprocess_mode="livesum"
)
JOBS_FINISHED = Counter(
    "ticketbridge_jobs_finished_total", "Jobs finished, by status", ["kind", "status"]
)
JOB_SECONDS = Histogram(
    "ticketbridge_job_run_seconds",
    "Duration of a job run",
    ["kind"],
    buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600),
)
SYNC_LAST_SUCCESS = Gauge(
    "ticketbridge_sync_last_success_timestamp_seconds",
    "When the connection's last successful sync finished (Unix time)",
    ["connection"],
    multiprocess_mode="max",
)

WEBHOOK_DELIVERIES = Counter(
    "ticketbridge_webhook_deliveries_total",
    "Webhook delivery attempts by outcome (delivered, failed: retried, refused: not sent)",
    ["event", "outcome"],
)


API_PREFIX = "/v1"


def route_of(scope: Any) -> str:
    """The matched route's template, e.g. ``/v1/jobs/{job_id}`` (``unmatched`` if none).

    FastAPI reports an included router's routes without the prefix they were included
    under; ours are all included under ``/v1``."""
    route = getattr(scope.get("route"), "path", None)
    if route is None:
        return "unmatched"
    if str(scope.get("path", "")).startswith(API_PREFIX + "/") and not route.startswith(
        API_PREFIX + "/"
    ):
        return API_PREFIX + route
    return str(route)


class MetricsMiddleware:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = {"code": 500}

        async def wrapped_send(message: Any) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, wrapped_send)
        finally:
            route = route_of(scope)
            method = scope.get("method", "")
            REQUESTS.labels(method, route, str(status["code"])).inc()
            LATENCY.labels(method, route).observe(time.perf_counter() - start)


@contextmanager
def job_metrics(kind: str) -> Iterator[None]:
    """Counts a job run as running while it runs, and its duration."""
    JOBS_RUNNING.labels(kind).inc()
    start = time.perf_counter()
    try:
        yield
    finally:
        JOBS_RUNNING.labels(kind).dec()
        JOB_SECONDS.labels(kind).observe(time.perf_counter() - start)


def serve_metrics(port: int, host: str = "127.0.0.1") -> None:
    """Serves ``/metrics`` from a background thread (``ticketbridge worker --metrics-port``)."""
    from prometheus_client import start_http_server

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        start_http_server(port, host, registry=registry)
    else:
        start_http_server(port, host)


def render_metrics() -> tuple[bytes, str]:
    """This process's metrics, or every process's in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
