"""Idempotency-Key on ticket creates: replay byte for byte, 422 on a changed body, 409 in flight."""

from __future__ import annotations

import threading
import uuid

from tests.support.factories import Tenant

BODY = {"name": "idempotent", "project_vendor_id": "ENG", "type": "Task"}


def _count(jira, name: str) -> int:
    return sum(1 for i in jira.state.issues.values() if i.summary == name)


def test_replay_returns_the_first_response_byte_for_byte(shared_tenant: Tenant, jira) -> None:
    key = str(uuid.uuid4())
    name = f"idem-{key}"
    first = shared_tenant.post(
        "/v1/itsm/tickets", json={**BODY, "name": name}, headers={"Idempotency-Key": key}
    )
    second = shared_tenant.post(
        "/v1/itsm/tickets", json={**BODY, "name": name}, headers={"Idempotency-Key": key}
    )
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert _count(jira, name) == 1


def test_same_key_different_body_is_422(shared_tenant: Tenant, jira) -> None:
    key = str(uuid.uuid4())
    shared_tenant.post(
        "/v1/itsm/tickets", json={**BODY, "name": "a-" + key}, headers={"Idempotency-Key": key}
    )
    r = shared_tenant.post(
        "/v1/itsm/tickets", json={**BODY, "name": "b-" + key}, headers={"Idempotency-Key": key}
    )
    assert r.status_code == 422 and "Idempotency-Key" in r.text
    assert _count(jira, "b-" + key) == 0


def test_key_is_scoped_to_the_account(make_tenant, shared_tenant: Tenant, jira) -> None:
    other = make_tenant()
    key = str(uuid.uuid4())
    a = shared_tenant.post(
        "/v1/itsm/tickets", json={**BODY, "name": "scope-" + key}, headers={"Idempotency-Key": key}
    )
    b = other.post(
        "/v1/itsm/tickets", json={**BODY, "name": "scope-" + key}, headers={"Idempotency-Key": key}
    )
    assert a.status_code == b.status_code == 200
    assert a.json()["id"] != b.json()["id"]


def test_concurrent_requests_make_one_jira_issue(shared_tenant: Tenant, jira) -> None:
    key = str(uuid.uuid4())
    name = "race-" + key
    jira.set_faults(latency_ms=300)
    results: list[int] = []

    def call() -> None:
        r = shared_tenant.post(
            "/v1/itsm/tickets", json={**BODY, "name": name}, headers={"Idempotency-Key": key}
        )
        results.append(r.status_code)

    try:
        threads = [threading.Thread(target=call) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        jira.set_faults(latency_ms=0)
    assert _count(jira, name) == 1
    assert results.count(200) >= 1
    assert set(results) <= {200, 409}
    assert 409 in results


def test_a_create_whose_status_is_unreachable_keeps_the_ticket_and_replays_the_422(
    shared_tenant: Tenant, jira
) -> None:
    """The error says the ticket was created (`committed`): the ticket is stored with the
    caller's identifier although the answer is a 422, and that answer is what is replayed."""
    key = str(uuid.uuid4())
    name, ident = f"unreachable-{key}", f"ur-{key}"
    body = {**BODY, "name": name, "identifier": ident, "status": "IN_REVIEW"}
    first = shared_tenant.post("/v1/itsm/tickets", json=body, headers={"Idempotency-Key": key})
    assert first.status_code == 422, first.text
    assert first.json()["code"] == "STATUS_UNREACHABLE"
    stored = shared_tenant.get(f"/v1/itsm/tickets/{first.json()['ticket_id']}")
    assert stored.status_code == 200 and stored.json()["identifier"] == ident
    again = shared_tenant.post("/v1/itsm/tickets", json=body, headers={"Idempotency-Key": key})
    assert again.status_code == 422 and again.content == first.content
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert _count(jira, name) == 1
    without_key = shared_tenant.post("/v1/itsm/tickets", json={**body, "identifier": ident + "-2"})
    assert without_key.status_code == 422, without_key.text
    assert shared_tenant.get(f"/v1/itsm/tickets/{without_key.json()['ticket_id']}").is_success
