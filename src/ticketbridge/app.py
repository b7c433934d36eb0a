"""The FastAPI application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text

from ticketbridge import __version__
from ticketbridge.config import Settings, get_settings
from ticketbridge.context import AppContext
from ticketbridge.errors import TicketBridgeError
from ticketbridge.metrics import MetricsMiddleware, render_metrics

log = logging.getLogger("ticketbridge")


def _error_handler(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, TicketBridgeError)
    return JSONResponse(exc.body(), status_code=exc.status_code, headers=exc.headers)


class BodySizeLimit:
    """Refuses bodies over the limit with 413 before they are read into memory."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._too_large(send)
            return
        received = 0

        async def limited_receive() -> Any:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _TooLarge:
            await self._too_large(send)

    async def _too_large(self, send: Any) -> None:
        body = JSONResponse(
            {"detail": f"Request body exceeds {self.limit} bytes", "code": "payload_too_large"},
            status_code=413,
        )
        await body({"type": "http"}, None, send)  # type: ignore[arg-type]


class _TooLarge(Exception):
    pass


def create_app(settings: Settings | None = None, *, context: AppContext | None = None) -> FastAPI:
    settings = settings or get_settings()
    logging.basicConfig(level=settings.log_level.upper())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ctx = context or AppContext.create(settings)
        app.state.ctx = ctx
        await ctx.start()
        try:
            yield
        finally:
            await ctx.stop()

    app = FastAPI(
        title="TicketBridge",
        version=__version__,
        description="Unified ITSM API: one normalized REST API over customers' ticketing systems.",
        lifespan=lifespan,
    )
    app.add_exception_handler(TicketBridgeError, _error_handler)

    from ticketbridge.api import api_router

    app.include_router(api_router)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> Response:
        try:
            async with request.app.state.ctx.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as exc:  # readiness reports, it does not crash
            log.warning("readiness check failed: %s", type(exc).__name__)
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ready"})

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        body, content_type = render_metrics()
        return Response(body, media_type=content_type)

    app.add_middleware(MetricsMiddleware)
    app.add_middleware(BodySizeLimit, limit=settings.max_body_bytes)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["*"],
        allow_headers=["*"],
        expose_headers=["Retry-After"],
    )
    return app
