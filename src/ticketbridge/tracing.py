"""OpenTelemetry traces: optional (``pip install 'ticketbridge[otel]'``), off unless configured.

On when ``TICKETBRIDGE_OTEL=true`` or an OTLP endpoint is set
(``OTEL_EXPORTER_OTLP_ENDPOINT`` / ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``; the exporter
reads the standard ``OTEL_*`` variables). Then every process exports spans for requests
(named by route template), vendor calls (the vendor HTTP client), database statements (the
engine) and job runs. A job keeps the trace context of the request that enqueued it
(``traceparent`` in its payload's ``origin``): its run is a span of its own trace, linked
to the request's span. Off, or without the extra installed, every function here does
nothing and nothing of OpenTelemetry is imported.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx
    from sqlalchemy.ext.asyncio import AsyncEngine

    from ticketbridge.config import Settings

log = logging.getLogger("ticketbridge.tracing")

_provider: Any = None  # the TracerProvider once tracing is on in this process


def wanted(settings: Settings) -> bool:
    endpoint = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get(
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
    )
    return settings.otel or bool(endpoint)


def configure(settings: Settings, exporter: Any = None) -> bool:
    """Turns tracing on in this process if configured (once); True when it is on.

    ``exporter``: spans go there (synchronously) instead of the OTLP exporter (tests)."""
    global _provider
    if _provider is not None:
        return True
    if exporter is None and not wanted(settings):
        return False
    try:
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
    except ImportError:
        log.warning("tracing is configured but OpenTelemetry is not installed: "
                    "pip install 'ticketbridge[otel]'")  # fmt: skip
        return False
    from ticketbridge import __version__

    name = os.environ.get("OTEL_SERVICE_NAME", "ticketbridge")
    provider = TracerProvider(
        resource=Resource.create({"service.name": name, "service.version": __version__})
    )
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    _provider = provider
    return True


def enabled() -> bool:
    return _provider is not None


def instrument_context(engine: AsyncEngine, http: httpx.AsyncClient) -> None:
    """Spans for the engine's statements and the vendor client's calls."""
    if _provider is None:
        return
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
    from opentelemetry.metrics import get_meter

    HTTPXClientInstrumentor.instrument_client(http, tracer_provider=_provider)
    usage = get_meter("ticketbridge").create_up_down_counter("db.client.connections.usage")
    EngineTracer(_provider.get_tracer("ticketbridge.db"), engine.sync_engine, usage)


def instrument_app(app: Any) -> None:
    """A server span per request (renamed to its route template by ``requestlog``)."""
    if _provider is None:
        return
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    app.add_middleware(OpenTelemetryMiddleware, tracer_provider=_provider)


def name_request(method: str, route: str) -> None:
    if _provider is None:
        return
    from opentelemetry import trace

    span = trace.get_current_span()
    if span.is_recording():
        span.update_name(f"{method} {route}")
        span.set_attribute("http.route", route)


def carrier() -> dict[str, str]:
    """The current trace context as W3C headers (``traceparent``), or nothing."""
    if _provider is None:
        return {}
    from opentelemetry import propagate

    headers: dict[str, str] = {}
    propagate.inject(headers)
    return {k: v for k, v in headers.items() if k == "traceparent"}


@contextmanager
def job_span(kind: str, context: Mapping[str, str]) -> Iterator[None]:
    """A span around one job run, linked to the request that enqueued it."""
    if _provider is None:
        yield
        return
    from opentelemetry import propagate, trace

    links = []
    if "traceparent" in context:
        origin = trace.get_current_span(propagate.extract({"traceparent": context["traceparent"]}))
        if origin.get_span_context().is_valid:
            links.append(trace.Link(origin.get_span_context()))
    attributes = {f"ticketbridge.{k}": v for k, v in context.items() if k != "traceparent"}
    tracer = _provider.get_tracer("ticketbridge.jobs")
    # A root span: a job outlives its request, so it is a trace of its own, linked back.
    with tracer.start_as_current_span(
        f"job {kind}", context=trace.set_span_in_context(trace.INVALID_SPAN),
        links=links, attributes=attributes,
    ):  # fmt: skip
        yield


def reset() -> None:
    """Tracing off again in this process (tests)."""
    global _provider
    if _provider is not None:
        _provider.shutdown()
    _provider = None
