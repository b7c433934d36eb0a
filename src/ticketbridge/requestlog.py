"""Request ids and the request's log context.

``asgi-correlation-id`` takes the caller's ``X-Request-ID`` (any value of 1 to 128 letters,
digits and ``._:-``; another value is replaced by a fresh id) or makes one, and returns
it on the response. :class:`RequestLogContext` binds it (and, once authentication knows
them, the account and connection ids: ``auth/dependencies.py``) to every log line of the
request, and logs one line per request with its route template, status and duration.
"""

from __future__ import annotations

import re
import time
from typing import Any

from asgi_correlation_id import CorrelationIdMiddleware
from asgi_correlation_id.context import correlation_id
from structlog.contextvars import bind_contextvars, get_contextvars, reset_contextvars

from ticketbridge import tracing
from ticketbridge.logs import get_logger
from ticketbridge.metrics import route_of

HEADER = "X-Request-ID"
_VALID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
# Probes and scrapes: logged at DEBUG, not once per poll at INFO.
_QUIET = frozenset({"/healthz", "/readyz", "/metrics"})

log = get_logger("ticketbridge.http")


def valid_request_id(value: str) -> bool:
    return _VALID.fullmatch(value) is not None


def current_request_id() -> str | None:
    return correlation_id.get()


class RequestLogContext:
    """Binds the request id for the request's lines and logs the request's outcome."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        tokens = bind_contextvars(
            request_id=correlation_id.get(), account_id=None, connection_id=None
        )
        start = time.perf_counter()
        status = 500
        logged = False

        def log_request() -> None:
            nonlocal logged
            logged = True
            route = route_of(scope)
            tracing.name_request(scope.get("method", ""), route)
            emit = log.debug if scope.get("path") in _QUIET else log.info
            # A connection named by the path (provisioning routes) rather than the header.
            named = (scope.get("path_params") or {}).get("connection_id")
            known = get_contextvars().get("connection_id")
            emit(
                "request",
                method=scope.get("method"),
                route=route,
                status=status,
                duration_ms=round((time.perf_counter() - start) * 1000, 1),
                **({"connection_id": named} if named and not known else {}),
            )

        async def tracked_send(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                log_request()  # before the caller has the answer: its line comes first
            await send(message)

        try:
            await self.app(scope, receive, tracked_send)
        finally:
            if not logged:
                log_request()
            reset_contextvars(**tokens)


class _ScopedCorrelationId:
    """Restores the request-id context variable after the request (asgi-correlation-id
    leaves it set, which leaks into the caller when the app is called in-process)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        token = correlation_id.set(None)
        try:
            await self.app(scope, receive, send)
        finally:
            correlation_id.reset(token)


def install(app: Any) -> None:
    """Adds the middlewares (call after the inner ones: the last added runs first)."""
    app.add_middleware(RequestLogContext)
    app.add_middleware(CorrelationIdMiddleware, header_name=HEADER, validator=valid_request_id)
    app.add_middleware(_ScopedCorrelationId)
