"""Outbound calls have a whole-call deadline, and a job stops at its connection's
timeout_secs (the vendor is the emulator with its latency fault)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from tests.support.factories import Tenant, new_tenant
from tests.support.servers import ApiServer
from tests.support.stores import in_store, with_context
from ticketbridge.config import Settings
from ticketbridge.emulators.jira.server import EmulatorServer
from ticketbridge.jobs import webhooks
from ticketbridge.provisioning.models import Connection
from ticketbridge.webhooks.delivery import Outcome


@pytest.fixture(scope="module")
def slow_jira() -> Iterator[EmulatorServer]:
    with EmulatorServer(issues=10, users=3, projects=1) as server:
        yield server


@pytest.fixture
def no_latency(slow_jira: EmulatorServer) -> Iterator[EmulatorServer]:
    slow_jira.set_faults(latency_ms=0)
    yield slow_jira
    slow_jira.set_faults(latency_ms=0)


def _set_timeout_secs(settings: Settings, tenant: Tenant, seconds: int) -> None:
    async def work(session: Any) -> None:
        await session.execute(
            update(Connection)
            .where(Connection.id == uuid.UUID(tenant.connection_id))
            .values(timeout_secs=seconds)
        )

    in_store(settings, work)


def test_a_vendor_answer_slower_than_the_total_deadline_is_a_504(
    settings: Settings, no_latency: EmulatorServer
) -> None:
    # Read timeout 30 s per read, but 1 s for the whole call: the deadline is what stops it.
    strict = settings.model_copy(
        update={"vendor_total_timeout": 1.0, "vendor_read_timeout": 30.0, "vendor_max_retries": 0}
    )
    with ApiServer(strict) as api, httpx.Client(base_url=api.base_url, timeout=60) as http:
        tenant = new_tenant(http, strict, no_latency)
        assert tenant.get("/v1/itsm/passthrough/projects").status_code == 200
        no_latency.set_faults(latency_ms=2500)
        slow = tenant.get("/v1/itsm/passthrough/projects")
        assert slow.status_code == 504, slow.text
        assert slow.json()["code"] == "VENDOR_TIMEOUT"


def test_a_sync_running_past_timeout_secs_is_stopped_and_failed(
    http: httpx.Client, settings: Settings, no_latency: EmulatorServer
) -> None:
    tenant = new_tenant(http, settings, no_latency)
    _set_timeout_secs(settings, tenant, 1)
    no_latency.set_faults(latency_ms=700)  # a sync makes many calls: well over 1 s
    started = tenant.post(f"{tenant.connection_path}/sync", json={"full": True})
    assert started.status_code == 202, started.text
    job = tenant.wait_job(started.json()["job_id"])
    assert job["status"] == "FAILED", job
    reason = job["failure_reason"]
    assert reason["code"] == "EXECUTION_TIMEOUT"
    assert "timeout_secs (1 s)" in reason["error"]
    health = tenant.get(tenant.connection_path).json()["health"]
    assert health["status"] == "EXECUTION_TIMEOUT"


def test_a_bulk_job_past_timeout_secs_keeps_its_finished_items_and_sends_nothing_twice(
    http: httpx.Client, settings: Settings, no_latency: EmulatorServer
) -> None:
    jira = no_latency
    tenant = new_tenant(http, settings, jira)
    project = tenant.get("/v1/itsm/projects").json()["items"][0]
    _set_timeout_secs(settings, tenant, 1)
    jira.set_faults(latency_ms=900)  # the bulk call, then the read-backs: over 1 s
    run = f"to-{uuid.uuid4().hex[:8]}"
    entries = [
        {"name": f"{run} {i}", "project_id": project["id"], "type": "Task"} for i in range(6)
    ]
    accepted = tenant.post("/v1/itsm/tickets/bulk", json={"tickets": entries})
    assert accepted.status_code == 202, accepted.text
    job = tenant.wait_job(accepted.json()["job_id"])
    assert job["status"] == "FAILED", job
    reason = job["failure_reason"]
    assert reason["code"] == "EXECUTION_TIMEOUT"
    assert reason["total"] == 6
    assert reason["succeeded"] + reason["failed"] == 6
    # Items that got as far as the vendor's answer are listed; those stopped midway are not
    # (an entry sent without an answer is counted as unconfirmed).
    assert len(reason["results"]) == reason["succeeded"]
    assert reason["unconfirmed"] <= reason["failed"]
    for result in reason["results"]:
        assert result["success"] and result["vendor_ticket_id"], reason
        if result["ticket_id"]:  # read back and stored before the deadline
            assert tenant.get(f"/v1/itsm/tickets/{result['ticket_id']}").status_code == 200

    # The failed job is not resumed: no entry reaches Jira twice, whatever happens next.
    jira.set_faults(latency_ms=0)
    assert tenant.get(f"/v1/jobs/{job['id']}").json()["status"] == "FAILED"
    names = [i.summary for i in list(jira.state.issues.values()) if i.summary.startswith(run)]
    assert len(names) == len(set(names)) <= 6


class _SlowReceiver:
    """A webhook receiver that answers only after `delay` seconds."""

    def __init__(self, delay: float) -> None:
        slow = delay

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                time.sleep(slow)
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_webhook_receiver_slower_than_the_total_deadline_is_a_failed_attempt(
    http: httpx.Client, settings: Settings, no_latency: EmulatorServer
) -> None:
    tenant = new_tenant(http, settings, no_latency)
    job_id = uuid.UUID(tenant.extra["first_sync"]["id"])
    receiver = _SlowReceiver(delay=5)
    try:
        patched = tenant.patch("/v1/provisioning/account", json={"webhook_url": receiver.url})
        assert patched.status_code == 200, patched.text
        strict = settings.model_copy(
            update={"webhook_total_timeout": 0.5, "webhook_read_timeout": 30.0}
        )
        # Each read would wait 30 s; the whole attempt is cut at 0.5 s and counts as failed.
        outcome = with_context(strict, lambda ctx: webhooks.deliver_once(ctx, job_id))
        assert outcome is Outcome.FAILED
    finally:
        receiver.close()
