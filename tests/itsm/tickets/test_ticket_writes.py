"""Ticket create and update through the API, against the emulator over HTTP."""

from __future__ import annotations

import uuid

from tests.support.factories import Tenant


def _project(tenant: Tenant, key: str = "ENG") -> dict:
    projects = tenant.get("/v1/itsm/projects").json()["items"]
    return next(p for p in projects if p["vendor_id"] == key)


def _active_user(tenant: Tenant, jira, project_key: str = "ENG") -> dict:
    project = _project(tenant, project_key)
    users = tenant.get("/v1/itsm/users", params={"projectId": project["id"], "status": "ACTIVE"})
    items = users.json()["items"]
    assert items, "expected assignable users in the project"
    return items[0]


def test_create_with_our_ids_then_walk_the_workflow(shared_tenant: Tenant, jira) -> None:
    project = _project(shared_tenant)
    user = _active_user(shared_tenant, jira)
    ident = f"ci-{uuid.uuid4()}"
    created = shared_tenant.post(
        "/v1/itsm/tickets",
        json={
            "name": "CI failure on main",
            "project_id": project["id"],
            "type": "Bug",
            "assigned_user_id": user["id"],
            "description": "Build **failed**:\n\n```python\nassert x\n```",
            "priority": "HIGH",
            "tags": ["ci", "main"],
            "due_date": "2027-01-15",
            "identifier": ident,
        },
    )
    assert created.status_code == 200, created.text
    ticket = created.json()
    assert ticket["project_id"] == project["id"]
    assert ticket["assigned_user_id"] == user["id"]
    assert ticket["assigned_user_vendor_id"] == user["vendor_id"]
    assert ticket["type"] == "Bug" and ticket["type_id"] is not None
    assert ticket["priority"] == "HIGH"
    assert ticket["status"] == "TODO"
    assert ticket["tags"] == ["ci", "main"]
    assert ticket["due_date"] == "2027-01-15"
    assert ticket["url"].endswith("/browse/" + ticket["vendor_attributes"]["id"])
    assert "**failed**" in ticket["description"]
    key = ticket["vendor_attributes"]["id"]
    issue = jira.state.issue_by_key(key)
    assert issue is not None and issue.summary == "CI failure on main"
    assert issue.priority_name == "High" and issue.labels == ["ci", "main"]

    # read-your-writes, by id and by identifier
    assert shared_tenant.get(f"/v1/itsm/tickets/{ticket['id']}").json()["id"] == ticket["id"]
    by_ident = shared_tenant.get(f"/v1/itsm/tickets/by-identifier/{ident}")
    assert by_ident.status_code == 200 and by_ident.json()["id"] == ticket["id"]

    moved = shared_tenant.patch(f"/v1/itsm/tickets/{ticket['id']}", json={"status": "IN_PROGRESS"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["status"] == "IN_PROGRESS"
    assert jira.state.issue_by_key(key).status_name == "In Progress"

    closed = shared_tenant.patch(f"/v1/itsm/tickets/{ticket['id']}", json={"status": "CLOSED"})
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "CLOSED"
    assert closed.json()["closed_at"] is not None
    assert jira.state.issue_by_key(key).status_category_key == "done"


def test_create_with_vendor_ids(shared_tenant: Tenant, jira) -> None:
    project = jira.state.project("ENG")
    bug = next(t for t in jira.state.project_issue_types(project) if t.name == "Bug")
    assignee = next(
        u for u in jira.state.users.values() if u.active and u.account_type == "atlassian"
    )
    created = shared_tenant.post(
        "/v1/itsm/tickets",
        json={
            "name": "Security alert: CVE-2026-0001",
            "project_vendor_id": "ENG",
            "type_vendor_id": bug.id,
            "assigned_user_vendor_id": assignee.account_id,
        },
    )
    assert created.status_code == 200, created.text
    ticket = created.json()
    assert ticket["project_vendor_id"] == "ENG"
    assert ticket["project_id"] == _project(shared_tenant)["id"]  # resolved locally: synced
    assert ticket["type_vendor_id"] == bug.id
    moved = shared_tenant.patch(f"/v1/itsm/tickets/{ticket['id']}", json={"status": "CLOSED"})
    assert moved.status_code == 200, moved.text
    assert jira.state.issue_by_key(ticket["vendor_attributes"]["id"]).status_category_key == "done"


def test_both_forms_of_a_reference_is_422_naming_both(shared_tenant: Tenant) -> None:
    project = _project(shared_tenant)
    r = shared_tenant.post(
        "/v1/itsm/tickets",
        json={"name": "x", "project_id": project["id"], "project_vendor_id": "ENG", "type": "Bug"},
    )
    assert r.status_code == 422
    assert "project_id" in r.text and "project_vendor_id" in r.text


def test_missing_required_reference_is_422(shared_tenant: Tenant) -> None:
    r = shared_tenant.post("/v1/itsm/tickets", json={"name": "x", "type": "Bug"})
    assert r.status_code == 422 and "project_id" in r.text
    r = shared_tenant.post("/v1/itsm/tickets", json={"name": "x", "project_vendor_id": "ENG"})
    assert r.status_code == 422 and "type" in r.text


def test_unknown_uuid_is_404_naming_the_field(shared_tenant: Tenant, jira) -> None:
    before = len(jira.state.issues)
    r = shared_tenant.post(
        "/v1/itsm/tickets",
        json={"name": "x", "project_id": str(uuid.uuid4()), "type": "Bug"},
    )
    assert r.status_code == 404 and r.json()["field"] == "project_id"
    r = shared_tenant.post(
        "/v1/itsm/tickets",
        json={
            "name": "x",
            "project_vendor_id": "ENG",
            "type": "Bug",
            "assigned_user_id": str(uuid.uuid4()),
        },
    )
    assert r.status_code == 404 and r.json()["field"] == "assigned_user_id"
    assert len(jira.state.issues) == before  # nothing reached Jira


def test_duplicate_identifier_is_409_with_existing_id(shared_tenant: Tenant, jira) -> None:
    body = {"name": "dup", "project_vendor_id": "ENG", "type": "Task", "identifier": "dup-1"}
    first = shared_tenant.post("/v1/itsm/tickets", json=body)
    assert first.status_code == 200, first.text
    before = len(jira.state.issues)
    second = shared_tenant.post("/v1/itsm/tickets", json=body)
    assert second.status_code == 409
    assert second.json()["ticket_id"] == first.json()["id"]
    assert len(jira.state.issues) == before


def test_vendor_field_error_is_422_with_vendor_errors(shared_tenant: Tenant, jira) -> None:
    before = len(jira.state.issues)
    r = shared_tenant.post(
        "/v1/itsm/tickets",
        json={"name": "x", "project_vendor_id": "NOPE", "type_vendor_id": "10003"},
    )
    assert r.status_code == 422, r.text
    assert r.json()["vendor_errors"]["errors"]
    assert len(jira.state.issues) == before
    listed = shared_tenant.get("/v1/itsm/tickets", params={"identifier": "x"}).json()["items"]
    assert listed == []


def test_unreachable_status_on_update_lists_reachable(shared_tenant: Tenant) -> None:
    created = shared_tenant.post(
        "/v1/itsm/tickets", json={"name": "review me", "project_vendor_id": "ENG", "type": "Task"}
    ).json()
    r = shared_tenant.patch(f"/v1/itsm/tickets/{created['id']}", json={"status": "IN_REVIEW"})
    assert r.status_code == 422, r.text
    assert "TODO" in r.json()["reachable_statuses"]


def test_create_with_status_applies_it_after_create(shared_tenant: Tenant, jira) -> None:
    r = shared_tenant.post(
        "/v1/itsm/tickets",
        json={
            "name": "start now",
            "project_vendor_id": "ENG",
            "type": "Task",
            "status": "IN_PROGRESS",
        },
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "IN_PROGRESS"
    assert jira.state.issue_by_key(r.json()["vendor_attributes"]["id"]).status_name == "In Progress"


def test_update_fields_edits_jira(shared_tenant: Tenant, jira) -> None:
    t = shared_tenant.post(
        "/v1/itsm/tickets", json={"name": "old", "project_vendor_id": "ENG", "type": "Task"}
    ).json()
    r = shared_tenant.patch(
        f"/v1/itsm/tickets/{t['id']}",
        json={
            "name": "new name",
            "priority": "LOW",
            "tags": ["a"],
            "description": "# Title\n\ntext",
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["name"] == "new name" and body["priority"] == "LOW" and body["tags"] == ["a"]
    issue = jira.state.issue_by_key(t["vendor_attributes"]["id"])
    assert issue.summary == "new name" and issue.priority_name == "Low"
    assert shared_tenant.patch(f"/v1/itsm/tickets/{t['id']}", json={}).status_code == 422
    assert (
        shared_tenant.patch(f"/v1/itsm/tickets/{uuid.uuid4()}", json={"name": "n"}).status_code
        == 404
    )


def test_unreachable_status_is_refused_before_moving(shared_tenant: Tenant, jira) -> None:
    created = shared_tenant.post(
        "/v1/itsm/tickets", json={"name": "stay put", "project_vendor_id": "ENG", "type": "Task"}
    ).json()
    key = created["vendor_attributes"]["id"]
    r = shared_tenant.patch(f"/v1/itsm/tickets/{created['id']}", json={"status": "RESOLVED"})
    assert r.status_code == 422
    assert r.json()["reachable_statuses"] == ["CLOSED", "IN_PROGRESS", "TODO"]
    assert jira.state.issue_by_key(key).status_name == "To Do"  # nothing moved


def test_writes_on_a_connection_waiting_for_oauth_are_422(shared_tenant: Tenant) -> None:
    pending = shared_tenant.post(
        f"/v1/provisioning/organizations/{shared_tenant.org_id}/connections",
        json={"vendor": "JIRA", "credentials": {"oauth": True}},
    )
    assert pending.status_code == 200 and pending.json()["state"] == "PENDING"
    headers = {"X-CONNECTION-ID": pending.json()["id"]}
    r = shared_tenant.post(
        "/v1/itsm/tickets",
        json={"name": "x", "project_vendor_id": "ENG", "type": "Task"},
        headers=headers,
    )
    assert r.status_code == 422 and "OAuth" in r.json()["detail"]
    r = shared_tenant.post(
        "/v1/itsm/tickets/bulk/sync",
        json={"tickets": [{"name": "x", "project_vendor_id": "ENG", "type": "Task"}]},
        headers=headers,
    )
    assert r.status_code == 422
    assert shared_tenant.get(f"{shared_tenant.connection_path}").json()["state"] == "ACTIVE"
