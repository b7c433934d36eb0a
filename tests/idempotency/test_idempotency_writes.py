"""Idempotency-Key on every write besides create (docs/api.md, "Idempotency"): PATCH, bulk,
bulk/sync and bulk/update replay their first response, refuse a changed body (422) and a
request whose first is in flight (409), and never write to Jira twice."""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

import pytest

from tests.support.factories import Tenant, new_tenant
from tests.support.stores import with_context
from ticketbridge.emulators.jira.server import EmulatorServer
from ticketbridge.idempotency import service as idempotency

TICKETS = "/v1/itsm/tickets"


@pytest.fixture(scope="module")
def tenant(http, settings, jira: EmulatorServer) -> Tenant:
    return new_tenant(http, settings, jira)


def _named(jira: EmulatorServer, prefix: str) -> int:
    return sum(1 for i in list(jira.state.issues.values()) if i.summary.startswith(prefix))


def _vendor_writes(jira: EmulatorServer) -> int:
    """Calls that change something in Jira (creates, edits, transitions, properties)."""
    routes: dict[str, int] = jira.stats["requests_by_route"]
    reads = ("bulkfetch", "/search")
    return sum(
        n
        for label, n in routes.items()
        if label.split(" ")[0] in ("POST", "PUT", "DELETE") and not any(r in label for r in reads)
    )


def _entries(prefix: str, count: int = 2) -> list[dict[str, Any]]:
    return [
        {"name": f"{prefix} {i}", "project_vendor_id": "ENG", "type": "Task"} for i in range(count)
    ]


def _ticket(tenant: Tenant, name: str) -> dict[str, Any]:
    r = tenant.post(TICKETS, json={"name": name, "project_vendor_id": "ENG", "type": "Task"})
    assert r.status_code == 200, r.text
    return r.json()


def _send(tenant: Tenant, method: str, path: str, body: dict[str, Any], key: str) -> Any:
    return tenant.http.request(
        method,
        path,
        content=json.dumps(body).encode(),
        headers={**tenant.headers, "Idempotency-Key": key, "Content-Type": "application/json"},
    )


def _bulk_update_body(tenant: Tenant, prefix: str) -> dict[str, Any]:
    ids = [_ticket(tenant, f"{prefix} {i}")["id"] for i in range(2)]
    return {"ticket_ids": ids, "updates": {"priority": "HIGH"}}


# --- replay: the same answer, nothing written twice ------------------------------------


def test_bulk_sync_replay_creates_nothing_new(tenant: Tenant, jira) -> None:
    prefix, key = f"idem-bs-{uuid.uuid4().hex[:8]}", str(uuid.uuid4())
    body = {"tickets": _entries(prefix)}
    first = _send(tenant, "POST", f"{TICKETS}/bulk/sync", body, key)
    assert first.status_code == 200 and first.json()["succeeded"] == 2, first.text
    writes = _vendor_writes(jira)
    second = _send(tenant, "POST", f"{TICKETS}/bulk/sync", body, key)
    assert second.status_code == 200
    assert second.content == first.content
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert _named(jira, prefix) == 2
    assert _vendor_writes(jira) == writes


def test_bulk_job_replay_returns_the_same_job(tenant: Tenant, jira) -> None:
    prefix, key = f"idem-bj-{uuid.uuid4().hex[:8]}", str(uuid.uuid4())
    body = {"tickets": _entries(prefix)}
    first = _send(tenant, "POST", f"{TICKETS}/bulk", body, key)
    assert first.status_code == 202, first.text
    assert tenant.wait_job(first.json()["job_id"])["status"] == "SUCCESS"
    writes = _vendor_writes(jira)
    second = _send(tenant, "POST", f"{TICKETS}/bulk", body, key)
    assert second.status_code == 202 and second.content == first.content
    assert second.headers.get("Idempotent-Replayed") == "true"
    jobs = tenant.get(f"{tenant.connection_path}/jobs").json()
    assert sum(1 for j in jobs if j["id"] == first.json()["job_id"]) == 1
    assert _named(jira, prefix) == 2
    assert _vendor_writes(jira) == writes


def test_bulk_update_replay_returns_the_same_job(tenant: Tenant, jira) -> None:
    body = _bulk_update_body(tenant, f"idem-bu-{uuid.uuid4().hex[:8]}")
    key = str(uuid.uuid4())
    first = _send(tenant, "POST", f"{TICKETS}/bulk/update", body, key)
    assert first.status_code == 202, first.text
    assert tenant.wait_job(first.json()["job_id"])["status"] == "SUCCESS"
    jobs_before = len(tenant.get(f"{tenant.connection_path}/jobs").json())
    writes = _vendor_writes(jira)
    second = _send(tenant, "POST", f"{TICKETS}/bulk/update", body, key)
    assert second.status_code == 202 and second.content == first.content
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert len(tenant.get(f"{tenant.connection_path}/jobs").json()) == jobs_before
    assert _vendor_writes(jira) == writes


def test_patch_replay_does_not_write_again(tenant: Tenant, jira) -> None:
    ticket = _ticket(tenant, f"idem-p-{uuid.uuid4().hex[:8]}")
    key = str(uuid.uuid4())
    body = {"name": f"renamed {key}", "status": "IN_PROGRESS"}
    first = _send(tenant, "PATCH", f"{TICKETS}/{ticket['id']}", body, key)
    assert first.status_code == 200 and first.json()["status"] == "IN_PROGRESS", first.text
    writes = _vendor_writes(jira)
    second = _send(tenant, "PATCH", f"{TICKETS}/{ticket['id']}", body, key)
    assert second.status_code == 200 and second.content == first.content
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert _vendor_writes(jira) == writes


def test_patch_error_is_replayed_too(tenant: Tenant, jira) -> None:
    """A refusal is an answer as well: the retry gets it again, without a vendor call."""
    ticket = _ticket(tenant, f"idem-pe-{uuid.uuid4().hex[:8]}")
    key = str(uuid.uuid4())
    body = {"assigned_user_id": str(uuid.uuid4())}
    first = _send(tenant, "PATCH", f"{TICKETS}/{ticket['id']}", body, key)
    assert first.status_code == 404, first.text
    second = _send(tenant, "PATCH", f"{TICKETS}/{ticket['id']}", body, key)
    assert second.status_code == 404 and second.content == first.content
    assert second.headers.get("Idempotent-Replayed") == "true"


# --- the same key with another request: 422, nothing done --------------------------------


def test_same_key_different_body_is_422_on_every_write(tenant: Tenant, jira) -> None:
    ticket = _ticket(tenant, f"idem-d-{uuid.uuid4().hex[:8]}")
    update = _bulk_update_body(tenant, f"idem-du-{uuid.uuid4().hex[:8]}")
    writes_cases = [
        ("POST", f"{TICKETS}/bulk/sync", "tickets"),
        ("POST", f"{TICKETS}/bulk", "tickets"),
        ("POST", f"{TICKETS}/bulk/update", "update"),
        ("PATCH", f"{TICKETS}/{ticket['id']}", "patch"),
    ]
    for method, path, kind in writes_cases:
        key = str(uuid.uuid4())
        prefix_a, prefix_b = f"idem-a-{key[:8]}", f"idem-b-{key[:8]}"
        if kind == "tickets":
            a: dict[str, Any] = {"tickets": _entries(prefix_a, 1)}
            b: dict[str, Any] = {"tickets": _entries(prefix_b, 1)}
        elif kind == "update":
            a = update
            b = {**update, "updates": {"priority": "LOW"}}
        else:
            a, b = {"name": prefix_a}, {"name": prefix_b}
        first = _send(tenant, method, path, a, key)
        assert first.status_code < 300, (path, first.text)
        if "job_id" in first.json():  # its own vendor calls are done before we count
            tenant.wait_job(first.json()["job_id"])
        writes = _vendor_writes(jira)
        second = _send(tenant, method, path, b, key)
        assert second.status_code == 422, (path, second.text)
        assert second.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
        assert "Idempotency-Key" in second.json()["detail"]
        assert _vendor_writes(jira) == writes, path
        assert _named(jira, prefix_b) == 0


# --- the same key while the first request is in flight: 409 ------------------------------


def test_in_flight_key_is_409_on_every_write(tenant: Tenant, settings, jira) -> None:
    """The first request's claim is made exactly as the service makes it; the second
    request, with the same key and body, meets it in flight."""
    ticket = _ticket(tenant, f"idem-ft-{uuid.uuid4().hex[:8]}")  # never "idem-f-b..."
    update = _bulk_update_body(tenant, f"idem-fu-{uuid.uuid4().hex[:8]}")
    account_id = _account_id(tenant, settings)
    cases = [
        ("POST", f"{TICKETS}/bulk/sync", {"tickets": _entries("idem-f-bs", 1)}),
        ("POST", f"{TICKETS}/bulk", {"tickets": _entries("idem-f-bj", 1)}),
        ("POST", f"{TICKETS}/bulk/update", update),
        ("PATCH", f"{TICKETS}/{ticket['id']}", {"name": "idem-f-p"}),
    ]
    for method, path, body in cases:
        key = str(uuid.uuid4())
        fingerprint = idempotency.request_hash(
            method, path, tenant.connection_id, json.dumps(body).encode()
        )

        async def claim(ctx: Any, key: str = key, fingerprint: str = fingerprint) -> Any:
            return await idempotency.begin(ctx, account_id, key, fingerprint)

        assert isinstance(with_context(settings, claim), idempotency.Claim)
        writes = _vendor_writes(jira)
        r = _send(tenant, method, path, body, key)
        assert r.status_code == 409, (path, r.text)
        assert r.json()["code"] == "IDEMPOTENCY_KEY_IN_FLIGHT"
        assert _vendor_writes(jira) == writes, path
    assert _named(jira, "idem-f-b") == 0


def test_concurrent_bulk_sync_creates_each_ticket_once(tenant: Tenant, jira) -> None:
    prefix, key = f"idem-race-{uuid.uuid4().hex[:8]}", str(uuid.uuid4())
    body = {"tickets": _entries(prefix, 3)}
    statuses: list[int] = []

    def call() -> None:
        statuses.append(_send(tenant, "POST", f"{TICKETS}/bulk/sync", body, key).status_code)

    jira.set_faults(latency_ms=300)
    try:
        threads = [threading.Thread(target=call) for _ in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        jira.set_faults(latency_ms=0)
    assert _named(jira, prefix) == 3
    assert statuses.count(200) >= 1 and 409 in statuses
    assert set(statuses) <= {200, 409}
    again = _send(tenant, "POST", f"{TICKETS}/bulk/sync", body, key)
    assert again.status_code == 200 and again.headers.get("Idempotent-Replayed") == "true"
    assert _named(jira, prefix) == 3


def test_keys_are_scoped_to_the_account(tenant: Tenant, make_tenant, jira) -> None:
    other = make_tenant()
    prefix, key = f"idem-s-{uuid.uuid4().hex[:8]}", str(uuid.uuid4())
    body = {"tickets": _entries(prefix, 1)}
    a = _send(tenant, "POST", f"{TICKETS}/bulk/sync", body, key)
    b = _send(other, "POST", f"{TICKETS}/bulk/sync", body, key)
    assert a.status_code == b.status_code == 200
    assert "Idempotent-Replayed" not in b.headers
    assert _named(jira, prefix) == 2


def _account_id(tenant: Tenant, settings: Any) -> uuid.UUID:
    from ticketbridge.provisioning import repository

    async def find(ctx: Any) -> uuid.UUID:
        async with ctx.sessionmaker() as session:
            account = await repository.account_by_api_key(session, tenant.api_key)
            assert account is not None
            return account.id

    return with_context(settings, find)  # type: ignore[no-any-return]


def test_bulk_sync_retry_after_a_failed_attempt_adopts_what_it_created(
    tenant: Tenant, settings, jira
) -> None:
    """The first attempt created the tickets in Jira and then failed on our side (a 5xx
    releases the key for a retry): the retry finds them by creation token instead of
    creating them again."""
    from sqlalchemy import update

    from ticketbridge.idempotency.models import IdempotencyRecord

    prefix, key = f"idem-resume-{uuid.uuid4().hex[:8]}", str(uuid.uuid4())
    body = {"tickets": _entries(prefix, 3)}
    first = _send(tenant, "POST", f"{TICKETS}/bulk/sync", body, key)
    assert first.status_code == 200 and first.json()["succeeded"] == 3, first.text

    async def fail_it(ctx: Any) -> None:  # what idempotency.finish does after a 5xx
        async with ctx.sessionmaker() as session:
            await session.execute(
                update(IdempotencyRecord)
                .where(IdempotencyRecord.key == key)
                .values(state="RETRYABLE", response_body=None, response_status=None)
            )
            await session.commit()

    with_context(settings, fail_it)
    retry = _send(tenant, "POST", f"{TICKETS}/bulk/sync", body, key)
    assert retry.status_code == 200, retry.text
    assert "Idempotent-Replayed" not in retry.headers  # it ran again...
    assert [r["vendor_ticket_id"] for r in retry.json()["results"]] == [
        r["vendor_ticket_id"] for r in first.json()["results"]
    ]
    assert _named(jira, prefix) == 3  # ...and created nothing new
