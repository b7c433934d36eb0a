"""Logging set-up shared by every process we start (API, worker, CLI, demo).

Everything is rendered by one ``structlog`` formatter on the standard library's root
handler, so our own lines (``structlog.get_logger`` or ``logging.getLogger``) and those of
uvicorn, procrastinate, httpx and SQLAlchemy come out the same way: one JSON object per
line with ``TICKETBRIDGE_LOG_FORMAT=json`` (production), readable key=value lines
otherwise. Context bound with :func:`bind` (request id, account, connection, job) is on
every line logged in that context (``structlog.contextvars``; see ``docs/operations.md``).

httpx logs every request it sends at INFO (``HTTP Request: POST ... "HTTP/1.1 201"``) and
httpcore traces connections at DEBUG: at our default level that is one line per vendor
call. Both are kept at WARNING unless the level asked for is DEBUG.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any, Literal, TextIO

import structlog
from structlog.contextvars import bind_contextvars, bound_contextvars, merge_contextvars

VENDOR_HTTP_LOGGERS = ("httpx", "httpcore")
LogFormat = Literal["console", "json"]

# Keys whose values never reach a log line, whoever binds them.
_SECRET_KEYS = frozenset(
    {"authorization", "api_key", "x-api-key", "password", "secret", "token", "access_token",
     "refresh_token", "api_token", "client_secret", "credentials"}
)  # fmt: skip
# Context keys that are bound to None to say "not known here": left off the line.
CONTEXT_KEYS = ("request_id", "account_id", "connection_id", "job_id", "job_type")

__all__ = ["bind", "bound", "configure_logging", "get_logger", "quiet_vendor_http"]

bind = bind_contextvars
bound = bound_contextvars


def _drop_unknown_context(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> Any:
    for key in CONTEXT_KEYS:
        if key in event and event[key] is None:
            del event[key]
    return event


def _redact(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> Any:
    for key in event:
        if key.lower() in _SECRET_KEYS:
            event[key] = "[redacted]"
    return event


def _procrastinate_job(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> Any:
    """procrastinate's own lines about a job (``Starting job ...``) name our job and the
    request that enqueued it: both are in the task's arguments (``jobs/service.enqueue``)."""
    job = getattr(event.get("_record"), "job", None)
    if isinstance(job, Mapping) and isinstance(kwargs := job.get("task_kwargs"), Mapping):
        for key in ("job_id", "request_id"):
            if isinstance(kwargs.get(key), str):
                event.setdefault(key, kwargs[key])
    return event


_SHARED: list[Any] = [
    merge_contextvars,
    _procrastinate_job,
    _drop_unknown_context,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.PositionalArgumentsFormatter(),
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    _redact,
]

structlog.configure(
    processors=[
        structlog.stdlib.filter_by_level,
        *_SHARED,
        structlog.processors.StackInfoRenderer(),
        structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
    ],
    logger_factory=structlog.stdlib.LoggerFactory(),
    wrapper_class=structlog.stdlib.BoundLogger,
    cache_logger_on_first_use=True,
)


def get_logger(name: str) -> Any:
    """A structlog logger over the standard library logger ``name``."""
    return structlog.get_logger(name)


def _json_default(value: Any) -> str:
    return str(value)


def _one_line_error(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> Any:
    """An exception as ``error="Type: message"`` instead of a traceback (the CLI)."""
    exc_info = event.pop("exc_info", None)
    if exc_info is True:
        exc_info = sys.exc_info()
    if isinstance(exc_info, BaseException):
        exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
    if isinstance(exc_info, tuple) and exc_info[1] is not None:
        event["error"] = f"{exc_info[0].__name__}: {exc_info[1]}"
    return event


def formatter(fmt: LogFormat, tracebacks: bool = True) -> logging.Formatter:
    """The formatter every line goes through (ours and other libraries')."""
    renderer: Any
    if fmt == "json":
        renderer = structlog.processors.JSONRenderer(
            serializer=lambda obj, **kw: json.dumps(obj, default=_json_default)
        )
        tail: list[Any] = [structlog.processors.dict_tracebacks]
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=False)
        tail = []
    if not tracebacks:
        tail = [_one_line_error]
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_SHARED,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *tail, renderer],
    )


class _Handler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to the ``sys.stderr`` of the moment (test runners swap it) unless given one."""

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(stream)
        self._fixed = stream

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return self._fixed or sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass


def quiet_vendor_http(level: str) -> None:
    """httpx/httpcore at WARNING, or inheriting the root level when ``level`` is DEBUG."""
    debug = level.strip().upper() == "DEBUG"
    for name in VENDOR_HTTP_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET if debug else logging.WARNING)


def configure_logging(
    level: str, fmt: str = "console", stream: TextIO | None = None, *, tracebacks: bool = True
) -> None:
    """Installs (or replaces) our handler on the root logger; safe to call again.

    ``tracebacks=False`` (the CLI's commands): an exception is one ``error`` field."""
    root = logging.getLogger()
    for existing in list(root.handlers):
        if isinstance(existing, _Handler):
            root.removeHandler(existing)
    handler = _Handler(stream)
    handler.setFormatter(formatter("json" if fmt == "json" else "console", tracebacks))
    root.addHandler(handler)
    root.setLevel(level.strip().upper())
    # uvicorn's and procrastinate's lines go through the root handler like ours.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "procrastinate"):
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.propagate = True
    quiet_vendor_http(level)
    # aiosqlite logs two DEBUG lines per statement, with its parameters: never wanted.
    logging.getLogger("aiosqlite").setLevel(logging.WARNING)


def job_origin() -> dict[str, str]:
    """What a job enqueued now keeps of its request: the request id, the trace context."""
    from ticketbridge import tracing

    origin: dict[str, str] = {}
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    if request_id:
        origin["request_id"] = str(request_id)
    origin.update(tracing.carrier())
    return origin


def origin_of(payload: Mapping[str, Any] | None) -> dict[str, str]:
    """The origin a job's payload carries (``job_origin``), or nothing."""
    origin = (payload or {}).get("origin")
    if not isinstance(origin, Mapping):
        return {}
    return {str(k): str(v) for k, v in origin.items() if isinstance(v, str)}
