"""Webhooks: signed per Standard Webhooks (verified by its reference library), retried when
the receiver fails, and the events ``job.completed``, ``sync.completed`` and
``connection.health_changed``."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from standardwebhooks import Webhook

from tests.support.factories import Tenant, new_tenant
from tests.support.receiver import Receiver
from tests.support.stores import in_store, store_name
from ticketbridge.emulators.jira.server import EmulatorServer
from ticketbridge.webhooks.delivery import signed_headers
from ticketbridge.webhooks.events import Event


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver(fail_first=2).start()
    yield r
    r.stop()


def _hook(tenant: Tenant, receiver: Receiver) -> str:
    r = tenant.patch("/v1/provisioning/account", json={"webhook_url": receiver.url})
    assert r.status_code == 200, r.text
    secret: str = r.json()["webhook_secret"]
    receiver.secret = secret
    return secret


def test_completion_webhook_is_signed_per_standard_webhooks_and_retried(
    make_tenant, receiver: Receiver
) -> None:
    tenant: Tenant = make_tenant()
    secret = _hook(tenant, receiver)
    assert secret.startswith("whsec_")

    r = tenant.post(
        "/v1/itsm/tickets/bulk",
        json={"tickets": [{"name": "hooked", "project_vendor_id": "ENG", "type": "Task"}]},
    )
    job_id = r.json()["job_id"]
    assert tenant.wait_job(job_id)["status"] == "SUCCESS"

    delivered = receiver.wait_for(lambda c: c.status == 204, "accepted")
    assert [c.status for c in receiver.calls] == [500, 500, 204]  # retried, then stopped
    payload = Webhook(secret).verify(delivered.body, delivered.headers)
    assert payload["type"] == "job.completed"
    assert payload["data"] == tenant.get(f"/v1/jobs/{job_id}").json()
    # Every attempt carried the same body and message id; the deprecated header still holds.
    assert {c.body for c in receiver.calls} == {delivered.body}
    assert len({c.headers["webhook-id"] for c in receiver.calls}) == 1
    legacy = "sha256=" + hmac.new(secret.encode(), delivered.body, hashlib.sha256).hexdigest()
    assert delivered.headers["X-TicketBridge-Signature"] == legacy
    time.sleep(0.5)
    assert len(receiver.calls) == 3


def test_a_replayed_or_refreshed_delivery_is_rejected_by_the_receiver(
    make_tenant, receiver: Receiver
) -> None:
    receiver.fail_first = 0
    secret = _hook(make_tenant(connected=False), receiver)
    event = Event(id="msg_replay", type="job.completed", timestamp=datetime.now(UTC), data={})
    body = event.body()

    def post(headers: dict[str, str]) -> int:
        return httpx.post(receiver.url, content=body, headers=headers).status_code

    assert post(signed_headers(secret, event, body)) == 204  # fresh: accepted
    stale = signed_headers(secret, event, body, now=datetime.now(UTC) - timedelta(minutes=6))
    assert post(stale) == 400  # older than the 5-minute tolerance: a replay
    refreshed = {**stale, "webhook-timestamp": str(int(time.time()))}
    assert post(refreshed) == 400  # the timestamp is signed: it cannot be freshened
    assert "too old" in str(receiver.calls[1].verified)


@pytest.fixture(scope="module")
def own_jira() -> Iterator[EmulatorServer]:
    with EmulatorServer(issues=8, users=3, projects=1) as server:
        yield server


def test_sync_completed_and_health_changed_events(
    http: httpx.Client, settings, own_jira: EmulatorServer
) -> None:
    receiver = Receiver().start()
    try:
        tenant = new_tenant(http, settings, own_jira)  # first sync: HEALTHY, before the hook
        _hook(tenant, receiver)

        own_jira.set_faults(error_503_ratio=1.0)
        failed = tenant.sync()
        assert failed["status"] == "FAILED"
        receiver.wait_for(lambda c: c.type == "connection.health_changed", "of health")
        own_jira.set_faults(error_503_ratio=0)
        healed = tenant.sync()
        assert healed["status"] == "SUCCESS"
        receiver.wait_for(lambda c: len(receiver.calls) >= 6, "for both syncs")
    finally:
        own_jira.set_faults(error_503_ratio=0)
        receiver.stop()

    assert all(c.status == 204 for c in receiver.calls), receiver.summary()
    syncs = {e["data"]["job_id"]: e["data"] for e in receiver.of_type("sync.completed")}
    assert syncs[failed["id"]]["status"] == "FAILED"
    assert syncs[failed["id"]]["failure_reason"] == failed["failure_reason"]
    assert syncs[healed["id"]]["status"] == "SUCCESS"
    assert syncs[healed["id"]]["result"] == healed["result"]
    assert syncs[healed["id"]]["connection_id"] == tenant.connection_id
    assert syncs[healed["id"]]["organization_id"] == tenant.org_id

    changes = [e["data"] for e in receiver.of_type("connection.health_changed")]
    statuses = [(c["previous"]["status"], c["health"]["status"]) for c in changes]
    assert statuses == [("HEALTHY", "VENDOR_SERVER_ERROR"), ("VENDOR_SERVER_ERROR", "HEALTHY")]
    assert [c["job_id"] for c in changes] == [failed["id"], healed["id"]]
    assert all(c["connection_id"] == tenant.connection_id for c in changes)
    # One job.completed per sync as well; nothing else.
    assert len(receiver.of_type("job.completed")) == 2
    assert len(receiver.calls) == 6


def test_a_connection_test_that_changes_health_sends_health_changed(
    http: httpx.Client, settings, own_jira: EmulatorServer
) -> None:
    receiver = Receiver().start()
    try:
        tenant = new_tenant(http, settings, own_jira)
        _hook(tenant, receiver)
        own_jira.set_faults(error_503_ratio=1.0)
        assert tenant.post(f"{tenant.connection_path}/test").json()["ok"] is False
        receiver.wait_for(lambda c: len(receiver.calls) >= 1, "of the failure")
        own_jira.set_faults(error_503_ratio=0)
        assert tenant.post(f"{tenant.connection_path}/test").json()["ok"] is True
        receiver.wait_for(lambda c: len(receiver.calls) >= 2, "of the recovery")
        assert tenant.post(f"{tenant.connection_path}/test").json()["ok"] is True
        time.sleep(0.5)  # an unchanged status sends nothing
    finally:
        own_jira.set_faults(error_503_ratio=0)
        receiver.stop()
    changes = [e["data"] for e in receiver.of_type("connection.health_changed")]
    assert [(c["previous"]["status"], c["health"]["status"]) for c in changes] == [
        ("HEALTHY", "VENDOR_SERVER_ERROR"),
        ("VENDOR_SERVER_ERROR", "HEALTHY"),
    ]
    assert [c["job_id"] for c in changes] == [None, None]
    assert len(receiver.calls) == 2


def test_the_webhook_secret_never_appears_in_logs_jobs_or_queued_deliveries(
    http: httpx.Client, settings, own_jira: EmulatorServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    receiver = Receiver(fail_first=1).start()  # one failed attempt: the retry path logs too
    try:
        tenant = new_tenant(http, settings, own_jira)
        secret = _hook(tenant, receiver)
        job = tenant.sync()
        receiver.wait_for(lambda c: len([d for d in receiver.calls if d.status == 204]) >= 2, "")
    finally:
        receiver.stop()
    forms = [secret, secret.removeprefix("whsec_")]

    async def stored(session: Any) -> str:
        texts = [str((await session.execute(text("SELECT * FROM jobs"))).all())]
        texts.append(str((await session.execute(text("SELECT * FROM accounts"))).all()))
        if store_name() == "postgres":  # deliveries queued with their event in the arguments
            rows = await session.execute(text("SELECT args::text FROM procrastinate_jobs"))
            texts.append(str(rows.all()))
        return "\n".join(texts)

    haystacks = {
        "logs": caplog.text,
        "job": json.dumps(tenant.get(f"/v1/jobs/{job['id']}").json()),
        "account": tenant.get("/v1/provisioning/account").text,
        "store": in_store(settings, stored),
        "deliveries": "\n".join(c.body.decode() for c in receiver.calls),
    }
    assert {name: [f for f in forms if f in hay] for name, hay in haystacks.items()} == {
        name: [] for name in haystacks
    }
