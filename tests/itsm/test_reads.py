"""Synced reads: envelopes, filters, keyset and offset paging, the 422 rules."""

from __future__ import annotations

import uuid

from tests.support.factories import Tenant


def test_envelope_and_keyset_paging_walks_everything_once(shared_tenant: Tenant) -> None:
    seen: list[str] = []
    page = shared_tenant.get("/v1/itsm/tickets", params={"limit": 37}).json()
    assert set(page) == {"items", "next_cursor", "previous_cursor"}
    assert page["previous_cursor"] is None
    while True:
        seen += [t["id"] for t in page["items"]]
        if not page["next_cursor"]:
            break
        page = shared_tenant.get(
            "/v1/itsm/tickets", params={"limit": 37, "cursor": page["next_cursor"]}
        ).json()
    assert len(seen) == len(set(seen)) >= 300
    assert seen == sorted(seen)  # UUIDv7: creation order


def test_previous_cursor_goes_back_one_page(shared_tenant: Tenant) -> None:
    first = shared_tenant.get("/v1/itsm/tickets", params={"limit": 10}).json()
    second = shared_tenant.get(
        "/v1/itsm/tickets", params={"limit": 10, "cursor": first["next_cursor"]}
    ).json()
    back = shared_tenant.get(
        "/v1/itsm/tickets", params={"limit": 10, "cursor": second["previous_cursor"]}
    ).json()
    assert [t["id"] for t in back["items"]] == [t["id"] for t in first["items"]]


def test_offset_paging_matches_keyset(shared_tenant: Tenant) -> None:
    first = shared_tenant.get("/v1/itsm/tickets", params={"limit": 20}).json()
    offset = shared_tenant.get("/v1/itsm/tickets", params={"limit": 10, "offset": 10}).json()
    assert [t["id"] for t in offset["items"]] == [t["id"] for t in first["items"][10:]]


def test_filters(shared_tenant: Tenant, jira) -> None:
    projects = shared_tenant.get("/v1/itsm/projects").json()["items"]
    eng = next(p for p in projects if p["vendor_id"] == "ENG")
    tickets = shared_tenant.get(
        "/v1/itsm/tickets", params={"projectId": eng["id"], "limit": 1000}
    ).json()["items"]
    assert tickets and all(t["project_id"] == eng["id"] for t in tickets)
    done = shared_tenant.get("/v1/itsm/tickets", params={"status": "CLOSED"}).json()["items"]
    assert done and all(t["status"] == "CLOSED" for t in done)
    high = shared_tenant.get("/v1/itsm/tickets", params={"priority": "HIGH"}).json()["items"]
    assert high and all(t["priority"] == "HIGH" for t in high)
    bugs = shared_tenant.get("/v1/itsm/tickets", params={"type": "Bug"}).json()["items"]
    assert bugs and all(t["type"] == "Bug" for t in bugs)
    child = next(t for t in tickets if t["parent_ticket_id"])
    children = shared_tenant.get(
        "/v1/itsm/tickets", params={"parentTicketId": child["parent_ticket_id"]}
    ).json()["items"]
    assert child["id"] in [t["id"] for t in children]
    assignee = next(t for t in tickets if t["assigned_user_id"])["assigned_user_id"]
    mine = shared_tenant.get("/v1/itsm/tickets", params={"assignedUserId": assignee}).json()
    assert all(t["assigned_user_id"] == assignee for t in mine["items"])
    recent = shared_tenant.get(
        "/v1/itsm/tickets", params={"updatedSince": "2000-01-01T00:00:00Z", "limit": 5}
    )
    assert recent.status_code == 200 and len(recent.json()["items"]) == 5
    future = shared_tenant.get(
        "/v1/itsm/tickets", params={"updatedSince": "2999-01-01T00:00:00+00:00"}
    ).json()
    assert future["items"] == []


def test_422_rules(shared_tenant: Tenant) -> None:
    first = shared_tenant.get("/v1/itsm/tickets", params={"limit": 2}).json()
    both = shared_tenant.get(
        "/v1/itsm/tickets",
        params={"cursor": first["next_cursor"], "updatedSince": "2020-01-01T00:00:00Z"},
    )
    assert both.status_code == 422 and "updatedSince" in both.text
    for params in ({"limit": 0}, {"limit": 1001}, {"offset": -1}, {"cursor": "garbage!"}):
        r = shared_tenant.get("/v1/itsm/tickets", params=params)
        assert r.status_code == 422, (params, r.text)
    r = shared_tenant.get("/v1/itsm/tickets", params={"status": "NOPE"})
    assert r.status_code == 422


def test_missing_and_unknown_connection(shared_tenant: Tenant, http) -> None:
    r = http.get("/v1/itsm/tickets", headers={"X-API-KEY": shared_tenant.api_key})
    assert r.status_code == 422
    r = http.get(
        "/v1/itsm/tickets",
        headers={"X-API-KEY": shared_tenant.api_key, "X-CONNECTION-ID": str(uuid.uuid4())},
    )
    assert r.status_code == 404 and r.json()["detail"] == "Connection not found"
    r = http.get("/v1/itsm/tickets", headers={"X-API-KEY": "tb_wrong"})
    assert r.status_code == 401 and r.json()["detail"] == "Invalid API key"


def test_users_projects_issue_types_reads(shared_tenant: Tenant, jira) -> None:
    projects = shared_tenant.get("/v1/itsm/projects").json()["items"]
    project = projects[0]
    assert shared_tenant.get(f"/v1/itsm/projects/{project['id']}").json() == project
    assert shared_tenant.get(f"/v1/itsm/projects/{uuid.uuid4()}").status_code == 404
    types = shared_tenant.get("/v1/itsm/issue-types", params={"projectId": project["id"]}).json()
    assert types["items"] and all(t["project_id"] == project["id"] for t in types["items"])
    users = shared_tenant.get("/v1/itsm/users", params={"limit": 1000}).json()["items"]
    some = next(u for u in users if u["email"])
    by_email = shared_tenant.get("/v1/itsm/users", params={"email": some["email"]}).json()
    assert [u["id"] for u in by_email["items"]] == [some["id"]]
    by_name = shared_tenant.get("/v1/itsm/users", params={"name": some["name"][:3]}).json()
    assert some["id"] in [u["id"] for u in by_name["items"]]
    inactive = shared_tenant.get("/v1/itsm/users", params={"status": "INACTIVE"}).json()["items"]
    assert inactive and all(u["status"] == "INACTIVE" for u in inactive)
    assert shared_tenant.get(f"/v1/itsm/users/{some['id']}").json()["id"] == some["id"]
    assignable = shared_tenant.get("/v1/itsm/users", params={"projectId": project["id"]}).json()
    assert assignable["items"] and all(u["status"] == "ACTIVE" for u in assignable["items"])
