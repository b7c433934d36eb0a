"""Bulk create (sync and as a job) and bulk update, against the emulator over HTTP."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.support.factories import Tenant, new_tenant
from ticketbridge.emulators.jira.server import EmulatorServer


@pytest.fixture(scope="module")
def tenant(http, settings, jira: EmulatorServer) -> Tenant:
    """One synced connection for this module: syncs here do not disturb other tests."""
    return new_tenant(http, settings, jira)


def _project(tenant: Tenant, key: str = "ENG") -> dict[str, Any]:
    projects = tenant.get("/v1/itsm/projects").json()["items"]
    return next(p for p in projects if p["vendor_id"] == key)


def _task_type_id(jira: EmulatorServer, key: str = "ENG") -> str:
    project = jira.state.project(key)
    assert project is not None
    return next(t.id for t in jira.state.project_issue_types(project) if t.name == "Task")


def _tokens(jira: EmulatorServer) -> list[str]:
    return [
        i.properties["ticketbridge"]["token"]
        for i in list(jira.state.issues.values())
        if isinstance(i.properties.get("ticketbridge"), dict)
    ]


def _mixed_entries(tenant: Tenant, jira: EmulatorServer, run: str) -> tuple[list[dict], dict]:
    """50 entries: ours and vendor ids alternate; some fail in our store, some in Jira."""
    project = _project(tenant)
    task = _task_type_id(jira)
    entries: list[dict[str, Any]] = []
    for i in range(50):
        if i % 2 == 0:
            entries.append(
                {
                    "name": f"{run} ours {i}",
                    "project_id": project["id"],
                    "type": "Task",
                    "identifier": f"{run}-{i}",
                }
            )
        else:
            entries.append(
                {"name": f"{run} vendor {i}", "project_vendor_id": "ENG", "type_vendor_id": task}
            )
    expected_errors = {
        3: "Project not found",
        7: "User not found",
        12: "repeats entry 10",
        21: "Parent ticket not found",
        25: "Jira rejected the ticket",
        33: "Jira rejected the ticket",
    }
    entries[3] = {"name": "x", "project_id": str(uuid.uuid4()), "type": "Task"}
    entries[7] = {**entries[7], "assigned_user_id": str(uuid.uuid4())}
    del entries[7]["type_vendor_id"]
    entries[7]["type"] = "Task"
    entries[12] = {**entries[12], "identifier": f"{run}-10"}
    entries[21] = {**entries[21], "parent_ticket_id": str(uuid.uuid4())}
    entries[25] = {"name": "x", "project_vendor_id": "NOPE", "type_vendor_id": task}
    entries[33] = {"name": "x", "project_id": project["id"], "type": "No Such Type"}
    entries[40]["status"] = "IN_PROGRESS"
    return entries, expected_errors


def test_bulk_sync_keeps_request_order_when_some_fail(tenant: Tenant, jira) -> None:
    run = f"bs-{uuid.uuid4().hex[:8]}"
    entries, expected_errors = _mixed_entries(tenant, jira, run)
    tokens_before = set(_tokens(jira))

    r = tenant.post("/v1/itsm/tickets/bulk/sync", json={"tickets": entries})

    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["total"], body["succeeded"], body["failed"]) == (50, 44, 6)
    results = body["results"]
    assert [res["request_index"] for res in results] == list(range(50))
    for i, res in enumerate(results):
        if i in expected_errors:
            assert res["success"] is False, (i, res)
            assert expected_errors[i] in res["error"], (i, res)
            assert res["ticket_id"] is None and res["vendor_ticket_id"] is None
            continue
        assert res["success"] is True and res["error"] is None, (i, res)
        issue = jira.state.issue_by_key(res["vendor_ticket_id"])
        assert issue is not None and issue.summary == entries[i]["name"]
        if "project_id" in entries[i]:
            # Our UUIDs: stored and readable at once.
            assert res["ticket_id"] is not None
            assert res["identifier"] == entries[i]["identifier"]
            stored = tenant.get(f"/v1/itsm/tickets/{res['ticket_id']}").json()
            assert stored["vendor_attributes"]["id"] == res["vendor_ticket_id"]
            assert stored["name"] == entries[i]["name"]
        else:
            assert res["ticket_id"] is None  # vendor ids: appears after the next sync
    assert (
        results[40]["success"]
        and jira.state.issue_by_key(results[40]["vendor_ticket_id"]).status_name == "In Progress"
    )
    assert tenant.get(f"/v1/itsm/tickets/{results[40]['ticket_id']}").json()["status"] == (
        "IN_PROGRESS"
    )
    # Jira's per-entry messages come through.
    assert results[25]["vendor_errors"]["errors"]
    # Exactly one issue per successful entry, each with its own creation token.
    new_tokens = [t for t in _tokens(jira) if t not in tokens_before]
    assert len(new_tokens) == len(set(new_tokens)) == 44

    vendor_key = results[1]["vendor_ticket_id"]
    assert tenant.get(f"/v1/itsm/tickets/by-identifier/{vendor_key}").status_code == 404
    assert tenant.sync()["status"] == "SUCCESS"
    synced = tenant.get(f"/v1/itsm/tickets/by-identifier/{vendor_key}")
    assert synced.status_code == 200 and synced.json()["name"] == entries[1]["name"]


def test_bulk_malformed_entry_fails_the_whole_request(tenant: Tenant, jira) -> None:
    before = len(jira.state.issues)
    good = {"name": "fine", "project_vendor_id": "ENG", "type": "Task"}
    for path in ("/v1/itsm/tickets/bulk/sync", "/v1/itsm/tickets/bulk"):
        r = tenant.post(path, json={"tickets": [good, {"project_vendor_id": "ENG"}, good]})
        assert r.status_code == 422, r.text
        assert any(d["loc"][:3] == ["body", "tickets", 1] for d in r.json()["detail"])
        both = {**good, "project_id": str(uuid.uuid4())}
        r = tenant.post(path, json={"tickets": [good, both]})
        assert r.status_code == 422 and "project_vendor_id" in r.text
        r = tenant.post(path, json={"tickets": []})
        assert r.status_code == 422
    assert len(jira.state.issues) == before


def test_bulk_over_the_cap_is_422_and_over_1_mib_is_413(tenant: Tenant, jira) -> None:
    before = len(jira.state.issues)
    entry = {"name": "n", "project_vendor_id": "ENG", "type": "Task"}
    for path in ("/v1/itsm/tickets/bulk/sync", "/v1/itsm/tickets/bulk"):
        r = tenant.post(path, json={"tickets": [entry] * 51})
        assert r.status_code == 422, r.text
        assert "50" in r.json()["detail"]
    r = tenant.post(
        "/v1/itsm/tickets/bulk/update",
        json={"ticket_ids": [str(uuid.uuid4())] * 51, "updates": {"priority": "LOW"}},
    )
    assert r.status_code == 422
    big = {**entry, "description": "x" * 60_000}
    r = tenant.post("/v1/itsm/tickets/bulk/sync", json={"tickets": [big] * 20})
    assert r.status_code == 413
    assert "bytes" in r.json()["detail"]
    assert len(jira.state.issues) == before


def test_bulk_job_reports_progress_and_result(tenant: Tenant, jira) -> None:
    project = _project(tenant)
    run = f"bj-{uuid.uuid4().hex[:8]}"
    entries = [
        {
            "name": f"{run} {i}",
            "project_id": project["id"],
            "type": "Task",
            "identifier": f"{run}-{i}",
        }
        for i in range(6)
    ]
    r = tenant.post("/v1/itsm/tickets/bulk", json={"tickets": entries})
    assert r.status_code == 202, r.text
    job = tenant.wait_job(r.json()["job_id"])
    assert job["type"] == "BULK_CREATE_TICKETS" and job["status"] == "SUCCESS", job
    assert job["progress"] == {"total": 6, "processed": 6}
    assert job["failure_reason"] is None
    assert job["started_at"] and job["finished_at"]
    result = job["result"]
    assert (result["total"], result["succeeded"], result["failed"]) == (6, 6, 0)
    for i, res in enumerate(result["results"]):
        assert res["request_index"] == i and res["identifier"] == f"{run}-{i}"
        ticket = tenant.get(f"/v1/itsm/tickets/{res['ticket_id']}").json()
        assert ticket["vendor_attributes"]["id"] == res["vendor_ticket_id"]

    # A failing entry fails the job; the others stay done and are reported.
    entries = [
        {"name": f"{run} again", "project_id": project["id"], "type": "Task"},
        {"name": "x", "project_id": str(uuid.uuid4()), "type": "Task"},
        {
            "name": f"{run} taken",
            "project_id": project["id"],
            "type": "Task",
            "identifier": f"{run}-0",
        },
    ]
    r = tenant.post("/v1/itsm/tickets/bulk", json={"tickets": entries})
    job = tenant.wait_job(r.json()["job_id"])
    assert job["status"] == "FAILED"
    assert job["progress"] == {"total": 3, "processed": 3}
    reason = job["failure_reason"]
    assert reason == job["result"]
    assert (reason["total"], reason["succeeded"], reason["failed"]) == (3, 1, 2)
    ok, unknown, taken = reason["results"]
    assert ok["success"] and ok["ticket_id"]
    assert not unknown["success"] and "Project not found" in unknown["error"]
    assert not taken["success"] and "already exists" in taken["error"]
    assert taken["code"] == "CONFLICT" and taken["ticket_id"] == result["results"][0]["ticket_id"]


def test_bulk_update_transitions_first_then_edits(tenant: Tenant, jira) -> None:
    project = _project(tenant)
    created = tenant.post(
        "/v1/itsm/tickets/bulk/sync",
        json={
            "tickets": [
                {"name": f"upd {i}", "project_id": project["id"], "type": "Task"} for i in range(3)
            ]
        },
    ).json()["results"]
    ids = [c["ticket_id"] for c in created]
    keys = [c["vendor_ticket_id"] for c in created]
    missing = str(uuid.uuid4())

    r = tenant.post(
        "/v1/itsm/tickets/bulk/update",
        json={
            "ticket_ids": [ids[0], missing, ids[1]],
            "updates": {"status": "CLOSED", "priority": "HIGH", "name": "renamed"},
        },
    )
    assert r.status_code == 202, r.text
    job = tenant.wait_job(r.json()["job_id"])
    assert job["type"] == "BULK_UPDATE_TICKETS" and job["status"] == "FAILED", job
    reason = job["failure_reason"]
    assert (reason["total"], reason["succeeded"], reason["failed"]) == (3, 2, 1)
    first, unknown, second = reason["results"]
    assert first["ticket_id"] == ids[0] and first["success"]
    assert unknown["ticket_id"] == missing and "not found" in unknown["error"].lower()
    assert second["ticket_id"] == ids[1] and second["success"]
    for key, ticket_id in ((keys[0], ids[0]), (keys[1], ids[1])):
        issue = jira.state.issue_by_key(key)
        assert issue.status_category_key == "done"
        assert issue.priority_name == "High" and issue.summary == "renamed"
        stored = tenant.get(f"/v1/itsm/tickets/{ticket_id}").json()
        assert (stored["status"], stored["priority"], stored["name"]) == (
            "CLOSED",
            "HIGH",
            "renamed",
        )

    # An unreachable status: the fields are not edited either.
    r = tenant.post(
        "/v1/itsm/tickets/bulk/update",
        json={"ticket_ids": [ids[2]], "updates": {"status": "RESOLVED", "priority": "LOW"}},
    )
    job = tenant.wait_job(r.json()["job_id"])
    assert job["status"] == "FAILED"
    (only,) = job["failure_reason"]["results"]
    assert only["ticket_id"] == ids[2] and "unreachable" in only["error"]
    assert jira.state.issue_by_key(keys[2]).priority_name != "Low"

    r = tenant.post(
        "/v1/itsm/tickets/bulk/update",
        json={"ticket_ids": [ids[2]], "updates": {"priority": "LOW"}},
    )
    job = tenant.wait_job(r.json()["job_id"])
    assert job["status"] == "SUCCESS" and job["result"]["results"][0]["ticket_id"] == ids[2]
    assert jira.state.issue_by_key(keys[2]).priority_name == "Low"


def test_bulk_update_rejects_empty_or_unknown_updates(tenant: Tenant) -> None:
    tid = str(uuid.uuid4())
    for updates in ({}, {"status": None}, {"tags": ["a"]}, {"status": "DONE"}):
        r = tenant.post(
            "/v1/itsm/tickets/bulk/update", json={"ticket_ids": [tid], "updates": updates}
        )
        assert r.status_code == 422, (updates, r.text)


def test_job_of_another_account_is_404(tenant: Tenant, make_tenant) -> None:
    r = tenant.post(
        "/v1/itsm/tickets/bulk",
        json={"tickets": [{"name": "mine", "project_vendor_id": "ENG", "type": "Task"}]},
    )
    job_id = r.json()["job_id"]
    tenant.wait_job(job_id)
    other = make_tenant(connected=False)
    r = other.get(f"/v1/jobs/{job_id}")
    assert r.status_code == 404 and r.json()["detail"] == "Job not found"
    assert other.get("/v1/jobs/not-a-uuid").status_code in (404, 422)
    assert tenant.get(f"/v1/jobs/{uuid.uuid4()}").status_code == 404


def test_bulk_where_jira_refuses_every_entry_fails_each_not_the_request(
    tenant: Tenant, jira: EmulatorServer
) -> None:
    """Jira answers 400 with a list of per-entry errors when every entry failed."""
    task = _task_type_id(jira)
    entries = [{"name": "x", "project_vendor_id": "NOPE", "type_vendor_id": task}] * 2
    r = tenant.post("/v1/itsm/tickets/bulk/sync", json={"tickets": entries})
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [res["success"] for res in results] == [False, False]
    assert all("Jira rejected the ticket" in res["error"] for res in results)
