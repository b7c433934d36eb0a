"""Structured logs: a request's id is on every line of the request and of the job it queued."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import sys
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.factories import Tenant, new_tenant
from tests.support.servers import ApiServer
from ticketbridge.connectors.vendor_metrics import route_template
from ticketbridge.emulators.jira.server import EmulatorServer
from ticketbridge.logs import formatter


class Capture(logging.Handler):
    """Every line the API server's thread logs, rendered as in production (JSON)."""

    def __init__(self, thread: threading.Thread | None) -> None:
        super().__init__(logging.DEBUG)
        self.thread = thread
        self.buffer = io.StringIO()
        self.tasks: list[asyncio.Task[Any] | None] = []
        self.setFormatter(formatter("json"))

    def emit(self, record: logging.LogRecord) -> None:
        if self.thread is None or record.thread == self.thread.ident:
            self.buffer.write(self.format(record) + "\n")
            self.tasks.append(_current_task())

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.buffer.getvalue().splitlines()]

    def of_task_of(self, request_id: str) -> list[dict[str, Any]]:
        """Every line logged by the asyncio task that served the request ``request_id``."""
        lines = self.lines()
        task = next(
            self.tasks[i]
            for i, line in enumerate(lines)
            if line["event"] == "request" and line.get("request_id") == request_id
        )
        return [line for i, line in enumerate(lines) if self.tasks[i] is task]


def _current_task() -> asyncio.Task[Any] | None:
    """The task itself, not its id: a finished task's id can be reused by a later one."""
    try:
        return asyncio.current_task()
    except RuntimeError:  # no running loop
        return None


@pytest.fixture
def capture(api: ApiServer) -> Iterator[Capture]:
    handler = Capture(api._thread)
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_a_request_id_is_on_every_line_of_the_request_and_of_its_job(
    http: Any, settings: Any, jira: EmulatorServer, capture: Capture
) -> None:
    tenant = new_tenant(http, settings, jira)
    request_id = f"trace-{uuid.uuid4().hex[:12]}"

    response = tenant.post(f"{tenant.connection_path}/sync", headers={"X-Request-ID": request_id})
    assert response.status_code == 202, response.text
    assert response.headers["X-Request-ID"] == request_id
    job_id = response.json()["job_id"]
    assert tenant.wait_job(job_id)["status"] == "SUCCESS"
    lines = capture.lines()

    served = capture.of_task_of(request_id)
    for line in served:
        assert line.get("request_id") == request_id, line
    request_line = next(line for line in served if line["event"] == "request")
    assert request_line["account_id"] and request_line["connection_id"] == tenant.connection_id
    assert request_line["status"] == 202
    assert request_line["route"] == (
        "/v1/provisioning/organizations/{org_id}/connections/{connection_id}/sync"
    )

    job_lines = [line for line in lines if line.get("job_id") == job_id]
    events = [line["event"] for line in job_lines]
    assert "job started" in events and "job finished: SUCCESS" in events, events
    vendor_calls = [line for line in job_lines if line["event"] == "vendor call"]
    assert vendor_calls, events
    for line in job_lines:
        assert line["request_id"] == request_id, line
        if line["logger"].startswith("ticketbridge"):  # procrastinate's name the job only
            assert line["connection_id"] == tenant.connection_id, line
    for call in vendor_calls:
        assert call["level"] == "debug" and call["status"] == 200
        assert call["method"] in ("GET", "POST") and call["route"].startswith("/rest/api/3/")
        assert isinstance(call["duration_ms"], float)
    # Nothing of the credentials, anywhere.
    text = capture.buffer.getvalue()
    assert jira.config.api_token not in text and "Basic " not in text


def test_a_request_without_an_id_gets_one_and_a_bad_one_is_replaced(
    tenant: Tenant, capture: Capture
) -> None:
    fresh = tenant.get("/v1/itsm/projects")
    assert len(fresh.headers["X-Request-ID"]) == 32
    bad = tenant.get("/v1/itsm/projects", headers={"X-Request-ID": "a b;" + "x" * 200})
    assert bad.status_code == 200
    assert bad.headers["X-Request-ID"] != fresh.headers["X-Request-ID"]
    assert " " not in bad.headers["X-Request-ID"] and len(bad.headers["X-Request-ID"]) == 32
    ids = {line.get("request_id") for line in capture.lines() if line["event"] == "request"}
    assert {fresh.headers["X-Request-ID"], bad.headers["X-Request-ID"]} <= ids


def test_a_request_that_calls_the_vendor_logs_the_call_with_its_ids(
    tenant: Tenant, capture: Capture
) -> None:
    project = tenant.get("/v1/itsm/projects").json()["items"][0]
    request_id = f"create-{uuid.uuid4().hex[:12]}"
    created = tenant.post(
        "/v1/itsm/tickets",
        json={"name": "logged", "project_id": project["id"], "type": "Task"},
        headers={"X-Request-ID": request_id},
    )
    assert created.status_code in (200, 201), created.text
    served = capture.of_task_of(request_id)
    calls = [line for line in served if line["event"] == "vendor call"]
    assert calls, served
    for line in served:
        assert line["request_id"] == request_id, line
        assert line["account_id"] and line["connection_id"] == tenant.connection_id, line
    assert {c["method"] for c in calls} >= {"POST"}
    assert all("{" in c["route"] or c["route"].endswith("/issue") for c in calls), calls


@pytest.fixture(scope="module")
def tenant(http: Any, settings: Any, jira: EmulatorServer) -> Tenant:
    return new_tenant(http, settings, jira)


@pytest.mark.store_independent
def test_console_and_json_lines_render_foreign_records_too() -> None:
    record = logging.LogRecord("uvicorn.error", logging.INFO, __file__, 1, "hello %s", ("x",), None)
    line = json.loads(formatter("json").format(record))
    assert line["event"] == "hello x" and line["level"] == "info"
    assert line["logger"] == "uvicorn.error" and "timestamp" in line
    console = formatter("console").format(record)
    assert "hello x" in console and "uvicorn.error" in console


@pytest.mark.store_independent
def test_secret_keys_are_redacted_whoever_logs_them() -> None:
    from ticketbridge.logs import get_logger

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter("json"))
    logger = logging.getLogger("ticketbridge.test.redact")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        get_logger("ticketbridge.test.redact").info("oops", api_token="s3cret", Authorization="x")
    finally:
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue())
    assert line["api_token"] == "[redacted]" and line["Authorization"] == "[redacted]"
    assert "s3cret" not in stream.getvalue()


@pytest.mark.store_independent
@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("/rest/api/3/issue/ENG-12/transitions", "/rest/api/3/issue/{}/transitions"),
        ("/rest/api/3/search/jql", "/rest/api/3/search/jql"),
        (
            "/rest/api/3/issue/createmeta/ENG/issuetypes",
            "/rest/api/3/issue/createmeta/{}/issuetypes",
        ),
        ("/rest/api/3/user/10001", "/rest/api/3/user/{}"),
        ("/ex/jira/7c9a3e/rest/api/3/myself", "/ex/jira/{}/rest/api/3/myself"),
    ],
)
def test_vendor_routes_are_logged_without_ids(path: str, template: str) -> None:
    assert route_template(path) == template


@pytest.mark.store_independent
def test_the_cli_logs_an_exception_as_one_line() -> None:
    try:
        raise ValueError("bad thing")
    except ValueError:
        record = logging.LogRecord(
            "ticketbridge.jobs", logging.ERROR, __file__, 1, "job failed", (), sys.exc_info()
        )
    one_line = formatter("console", tracebacks=False).format(record)
    assert "Traceback" not in one_line and len(one_line.splitlines()) == 1
    assert "ValueError: bad thing" in one_line
    as_json = json.loads(formatter("json", tracebacks=False).format(record))
    assert as_json["error"] == "ValueError: bad thing" and "exception" not in as_json
    assert "Traceback" in formatter("console").format(record)  # the API and worker keep it
