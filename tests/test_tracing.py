"""OpenTelemetry (the `otel` extra): spans for requests, vendor calls, statements and jobs;
a job's span is linked to the request that enqueued it. Spans go to the SDK's in-memory
exporter."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.factories import new_tenant
from tests.support.servers import ApiServer
from tests.support.stores import fresh_database
from ticketbridge import tracing
from ticketbridge.config import Settings
from ticketbridge.emulators.jira.server import EmulatorServer

pytest.importorskip("opentelemetry.sdk")
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
    InMemorySpanExporter,
)
from opentelemetry.trace import SpanKind


@pytest.fixture
def exporter(settings: Settings) -> Iterator[InMemorySpanExporter]:
    spans = InMemorySpanExporter()
    assert tracing.configure(settings, exporter=spans)
    try:
        yield spans
    finally:
        tracing.reset()


def test_tracing_is_off_unless_configured(settings: Settings) -> None:
    assert not tracing.wanted(settings) and not tracing.enabled()
    assert tracing.carrier() == {}


def test_a_job_span_links_to_the_request_that_enqueued_it(
    exporter: InMemorySpanExporter,
    settings: Settings,
    jira: EmulatorServer,
    tmp_path: Path,
) -> None:
    with fresh_database(tmp_path) as url:
        own = settings.model_copy(update={"database_url": url})
        with ApiServer(own) as api, httpx.Client(base_url=api.base_url, timeout=120) as http:
            tenant = new_tenant(http, own, jira)  # the connection's first sync is a job
    spans = exporter.get_finished_spans()

    created = [
        s
        for s in spans
        if s.kind == SpanKind.SERVER and s.name.startswith("POST") and "connections" in s.name
    ]
    assert len(created) == 1, [s.name for s in spans if s.kind == SpanKind.SERVER]
    request = created[0]
    assert "{" in request.name  # a route template, not the raw path

    jobs = [s for s in spans if s.name == "job SYNC"]
    assert len(jobs) == 1
    job = jobs[0]
    assert job.attributes["ticketbridge.connection_id"] == tenant.connection_id
    assert [link.context.trace_id for link in job.links] == [request.context.trace_id]
    assert job.context.trace_id != request.context.trace_id  # its own trace, linked back

    in_job = [s for s in spans if s.context.trace_id == job.context.trace_id]
    vendor = [s for s in in_job if s.kind == SpanKind.CLIENT and s.name != job.name]
    assert vendor, "no vendor call spans in the job's trace"
    assert all("Authorization" not in str(dict(s.attributes or {})) for s in vendor)
    statements = [s for s in spans if (s.attributes or {}).get("db.system")]
    assert any(s.context.trace_id == request.context.trace_id for s in statements)
    assert any(s.context.trace_id == job.context.trace_id for s in statements)
