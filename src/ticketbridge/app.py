"""The FastAPI application factory."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from starlette.exceptions import HTTPException

from ticketbridge import __version__, bootstrap, openapi, requestlog, tracing
from ticketbridge.config import Settings, get_settings
from ticketbridge.context import AppContext
from ticketbridge.errors import INTERNAL_ERROR, INTERNAL_MESSAGE, TicketBridgeError
from ticketbridge.itsm.vendor_json import lone_surrogate, printable
from ticketbridge.logs import configure_logging
from ticketbridge.metrics import API_PREFIX, MetricsMiddleware, render_metrics

log = logging.getLogger("ticketbridge")


def _validation_handler(_request: Request, exc: Exception) -> Response:
    """FastAPI's 422 shape (``loc``, ``msg``, ``type``) without echoing the input, which
    may hold credentials (a connection body with a missing field would echo its token)."""
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "loc": [printable(p) if isinstance(p, str) else p for p in err.get("loc", ())],
            "msg": printable(str(err.get("msg", ""))),
            "type": err.get("type", ""),
        }
        for err in exc.errors()
    ]
    return JSONResponse({"detail": errors, "code": "VALIDATION_ERROR"}, status_code=422)


_BODY_PARSE_ERROR = "There was an error parsing the body"


async def _http_error_handler(request: Request, exc: Exception) -> Response:
    """FastAPI answers 400 when a JSON body cannot be parsed for any reason but a syntax
    error (nested past the parser's recursion limit, not UTF-8): that is bad input like any
    other, so 422 in the contract's shape. Every other HTTPException renders as FastAPI does."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 400 and exc.detail == _BODY_PARSE_ERROR and exc.__cause__ is not None:
        cause = exc.__cause__
        if isinstance(cause, RecursionError):
            reason = "it nests too deeply"
        elif isinstance(cause, UnicodeDecodeError):
            reason = "it is not valid UTF-8"
        else:
            reason = "it is not valid JSON"
        return JSONResponse(
            {"detail": f"The request body could not be read: {reason}", "code": "INVALID_JSON"},
            status_code=422,
        )
    return await http_exception_handler(request, exc)


def _error_handler(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, TicketBridgeError)
    return JSONResponse(exc.body(), status_code=exc.status_code, headers=exc.headers)


def _internal_handler(request: Request, exc: Exception) -> Response:
    """The last resort: a bug answers 500 INTERNAL_ERROR in the contract's shape; the
    detail (class name, SQL, values) goes to the log only."""
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse({"detail": INTERNAL_MESSAGE, "code": INTERNAL_ERROR}, status_code=500)


class InputGuard:
    """Refuses bodies over the limit (413) and NUL characters anywhere in the input (422).

    NUL cannot be stored by PostgreSQL text columns, and most vendors reject it too: refusing
    it at the edge keeps a write from reaching the vendor and then failing to be stored.
    """

    _JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
    # The escape of a UTF-16 surrogate: rare, so its presence alone triggers the exact check.
    _JSON_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")

    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._reject(send, 413, f"Request body exceeds {self.limit} bytes")
            return
        raw_query = scope.get("query_string", b"").lower()
        if b"%00" in raw_query or b"\x00" in raw_query or "\x00" in scope.get("path", ""):
            await self._reject(send, 422, "NUL characters are not allowed in the request")
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._reject(send, 413, f"Request body exceeds {self.limit} bytes")
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if b"\x00" in body or self._JSON_NUL.search(body):
            await self._reject(send, 422, "NUL characters are not allowed in the request")
            return
        if self._JSON_SURROGATE.search(body) and (where := lone_surrogate(body)) is not None:
            detail = f"Text must be valid Unicode: {where} holds a lone surrogate"
            await self._reject(send, 422, detail, field=where)
            return
        replayed = False

        async def replay() -> Any:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _reject(self, send: Any, status: int, detail: str, field: str | None = None) -> None:
        code = "PAYLOAD_TOO_LARGE" if status == 413 else "VALIDATION_ERROR"
        body = {"detail": detail, "code": code, **({"field": field} if field else {})}
        response = JSONResponse(body, status_code=status)
        await response({"type": "http"}, None, send)  # type: ignore[arg-type]


def create_app(settings: Settings | None = None, *, context: AppContext | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_format)
    tracing.configure(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ctx = context or AppContext.create(settings)
        app.state.ctx = ctx
        await bootstrap.start_workers(ctx)
        try:
            yield
        finally:
            await bootstrap.stop_workers(ctx)
            await ctx.stop()

    app = FastAPI(
        title="TicketBridge",
        version=__version__,
        description="Unified ITSM API: one normalized REST API over customers' ticketing systems.",
        lifespan=lifespan,
        docs_url=None,  # served below from the bundled Swagger UI, not a CDN
        redoc_url=None,
    )
    openapi.install(app, settings.max_body_bytes)
    app.add_exception_handler(TicketBridgeError, _error_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(Exception, _internal_handler)
    app.add_exception_handler(HTTPException, _http_error_handler)

    from ticketbridge.api import ROUTERS

    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)

    _swagger_ui(app)

    @app.get("/", include_in_schema=False)
    async def root() -> dict[str, str]:
        return {
            "name": "TicketBridge",
            "version": __version__,
            "docs": "/docs",
            "openapi": "/openapi.json",
        }

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
    app.add_middleware(InputGuard, limit=settings.max_body_bytes)
    requestlog.install(app)
    tracing.instrument_app(app)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["*"],
        allow_headers=["*"],
        expose_headers=["Retry-After", "Idempotent-Replayed", requestlog.HEADER],
    )
    return app


SWAGGER_STATIC = "/static/swagger-ui"


def _swagger_ui(app: FastAPI) -> None:
    """``/docs`` from the Swagger UI files of the ``swagger-ui-bundle`` package (FastAPI's
    self-hosting recipe): it works without internet access."""
    from swagger_ui_bundle import swagger_ui_path

    app.mount(SWAGGER_STATIC, StaticFiles(directory=swagger_ui_path), name="swagger-ui")
    redirect = "/docs/oauth2-redirect"

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=redirect,
            swagger_js_url=f"{SWAGGER_STATIC}/swagger-ui-bundle.js",
            swagger_css_url=f"{SWAGGER_STATIC}/swagger-ui.css",
            swagger_favicon_url=f"{SWAGGER_STATIC}/favicon-32x32.png",
        )

    @app.get(redirect, include_in_schema=False)
    async def oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()
