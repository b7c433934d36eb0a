"""Prometheus metrics for requests (route templates, not raw paths, to bound cardinality)."""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

REQUESTS = Counter(
    "ticketbridge_http_requests_total", "HTTP requests", ["method", "route", "status"]
)
LATENCY = Histogram(
    "ticketbridge_http_request_seconds", "HTTP request latency", ["method", "route"]
)
VENDOR_CALLS = Counter(
    "ticketbridge_vendor_requests_total", "Vendor HTTP requests", ["vendor", "status"]
)

WEBHOOK_DELIVERIES = Counter(
    "ticketbridge_webhook_deliveries_total",
    "Webhook delivery attempts by outcome (delivered, failed: retried, refused: not sent)",
    ["event", "outcome"],
)


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
            route = getattr(scope.get("route"), "path", "unmatched")
            method = scope.get("method", "")
            REQUESTS.labels(method, route, str(status["code"])).inc()
            LATENCY.labels(method, route).observe(time.perf_counter() - start)


def render_metrics() -> tuple[bytes, str]:
    return generate_latest(), CONTENT_TYPE_LATEST
