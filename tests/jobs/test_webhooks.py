"""Completion webhooks: the finished job, signed, retried when the receiver fails."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.support.factories import Tenant


class Receiver:
    """A small HTTP endpoint that answers 500 to the first `fail_first` deliveries."""

    def __init__(self, fail_first: int) -> None:
        self.fail_first = fail_first
        self.calls: list[tuple[int, dict[str, str], bytes]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    status = 500 if len(receiver.calls) < receiver.fail_first else 204
                    receiver.calls.append((status, dict(self.headers.items()), body))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/jobs"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def wait_for(self, status: int) -> tuple[dict[str, str], bytes]:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with self.lock:
                for got, headers, body in self.calls:
                    if got == status:
                        return headers, body
            time.sleep(0.05)
        raise AssertionError(f"no delivery answered {status}; calls: {self.calls}")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver(fail_first=2)
    r.thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


def test_completion_webhook_is_signed_and_retried(make_tenant, receiver: Receiver) -> None:
    tenant: Tenant = make_tenant()
    r = tenant.patch("/v1/provisioning/account", json={"webhook_url": receiver.url})
    assert r.status_code == 200, r.text
    secret = r.json()["webhook_secret"]
    assert secret

    r = tenant.post(
        "/v1/itsm/tickets/bulk",
        json={"tickets": [{"name": "hooked", "project_vendor_id": "ENG", "type": "Task"}]},
    )
    job_id = r.json()["job_id"]
    job = tenant.wait_job(job_id)
    assert job["status"] == "SUCCESS"

    headers, body = receiver.wait_for(204)
    statuses = [status for status, _, _ in receiver.calls]
    assert statuses == [500, 500, 204]  # retried after failures, then stopped
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-TicketBridge-Signature"] == expected
    delivered = json.loads(body)
    assert delivered["id"] == job_id and delivered["status"] == "SUCCESS"
    assert delivered == tenant.get(f"/v1/jobs/{job_id}").json()
    # Every attempt carried the same signed body.
    assert all(b == body for _, _, b in receiver.calls)
    time.sleep(0.5)
    assert len(receiver.calls) == 3
