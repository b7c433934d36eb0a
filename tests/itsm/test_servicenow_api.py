"""ServiceNow through the whole API: a SERVICENOW connection against the ServiceNow emulator
over real HTTP (connect, first sync, synced reads, create, update through states, bulk,
incremental sync with a deleted record, passthrough, capabilities)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.factories import Tenant, create_account, new_servicenow_tenant
from ticketbridge.config import Settings
from ticketbridge.emulators.servicenow.server import ServiceNowServer

INCIDENTS = 30


@pytest.fixture(scope="module")
def sn() -> Iterator[ServiceNowServer]:
    with ServiceNowServer(records=INCIDENTS, users=6, groups=3) as server:
        yield server


def _credentials(sn: ServiceNowServer) -> dict[str, Any]:
    return {"base_url": sn.base_url, "username": sn.config.username, "password": sn.config.password}


def _connect(http: httpx.Client, settings: Settings, sn: ServiceNowServer, **body: Any) -> Tenant:
    return new_servicenow_tenant(http, settings, sn, **body)


@pytest.fixture(scope="module")
def tenant(http: httpx.Client, settings: Settings, sn: ServiceNowServer) -> Tenant:
    return _connect(http, settings, sn)


def _vendor(sn: ServiceNowServer) -> httpx.Client:
    """The instance's own Table API, as another of its users would change it."""
    return httpx.Client(
        base_url=f"{sn.base_url}/api/now/table",
        auth=(sn.config.username, sn.config.password),
        headers={"Accept": "application/json"},
        timeout=30,
    )


def _all(tenant: Tenant, path: str) -> list[dict[str, Any]]:
    r = tenant.get(path, params={"limit": 1000})
    assert r.status_code == 200, r.text
    return r.json()["items"]  # type: ignore[no-any-return]


def test_wrong_credentials_are_refused_at_creation(
    http: httpx.Client, settings: Settings, sn: ServiceNowServer
) -> None:
    tenant = Tenant(http=http, api_key=create_account(settings))
    tenant.org_id = tenant.post("/v1/provisioning/organizations", json={"name": "C"}).json()["id"]
    path = f"/v1/provisioning/organizations/{tenant.org_id}/connections"
    wrong = {**_credentials(sn), "password": "nope"}
    r = tenant.post(path, json={"vendor": "SERVICENOW", "credentials": wrong})
    assert r.status_code == 422, r.text
    assert "credentials" in r.text and sn.config.password not in r.text
    r = tenant.post(path, json={"vendor": "SERVICENOW", "credentials": wrong, "validate": False})
    assert r.status_code == 200, r.text
    r = tenant.post(path, json={"vendor": "SERVICENOW", "credentials": {"base_url": sn.base_url}})
    assert r.status_code == 422 and "credentials" in r.text, r.text


def test_first_sync_brings_tickets_groups_and_users(tenant: Tenant, sn: ServiceNowServer) -> None:
    job = tenant.extra["first_sync"]
    assert job["status"] == "SUCCESS", job
    connection = tenant.get(tenant.connection_path).json()
    assert connection["vendor"] == "SERVICENOW"
    assert connection["health"]["status"] == "HEALTHY"
    tickets = _all(tenant, "/v1/itsm/tickets")
    assert len(tickets) == INCIDENTS  # options.tables defaults to incident only
    ticket = tickets[0]
    attrs = ticket["vendor_attributes"]
    assert attrs["vendor"] == "SERVICENOW" and attrs["id"].startswith("INC")
    assert attrs["data"]["vendor"] == "SERVICENOW" and attrs["data"]["sys_id"]
    assert ticket["type_vendor_id"] == "incident" and ticket["type"] == "Incident"
    assert ticket["url"] and attrs["data"]["sys_id"] in ticket["url"]
    assert {t["status"] for t in tickets} <= {"OPEN", "IN_PROGRESS", "RESOLVED", "CLOSED"}
    projects = _all(tenant, "/v1/itsm/projects")
    assert len(projects) == 3  # the assignment groups
    users = _all(tenant, "/v1/itsm/users")
    assert len(users) >= 6
    with_group = [t for t in tickets if t["project_id"]]
    assert with_group and {t["project_id"] for t in with_group} <= {p["id"] for p in projects}
    one = tenant.get(f"/v1/itsm/tickets/{ticket['id']}")
    assert one.status_code == 200 and one.json()["id"] == ticket["id"]


def test_create_with_and_without_a_group(tenant: Tenant) -> None:
    group = _all(tenant, "/v1/itsm/projects")[0]
    r = tenant.post(
        "/v1/itsm/tickets",
        json={
            "name": "Printer on fire",
            "description": "**Smoke** on floor 3",
            "type_vendor_id": "incident",
            "project_id": group["id"],
            "priority": "HIGH",
            "identifier": "sn-create-1",
        },
    )
    assert r.status_code == 200, r.text
    ticket = r.json()
    assert ticket["project_id"] == group["id"] and ticket["priority"] == "HIGH"
    assert ticket["description"] == "**Smoke** on floor 3"  # plain text, as written
    assert ticket["vendor_attributes"]["id"].startswith("INC") and ticket["status"] == "OPEN"
    r = tenant.post("/v1/itsm/tickets", json={"name": "No group", "type_vendor_id": "incident"})
    assert r.status_code == 200, r.text
    assert r.json()["project_id"] is None and r.json()["project_vendor_id"] in (None, "")
    listed = tenant.get("/v1/itsm/tickets/by-identifier/sn-create-1")
    assert listed.status_code == 200 and listed.json()["id"] == ticket["id"]


def test_tags_are_refused_before_the_vendor(tenant: Tenant) -> None:
    r = tenant.post(
        "/v1/itsm/tickets",
        json={"name": "x", "type_vendor_id": "incident", "tags": ["a"]},
    )
    assert r.status_code == 422 and "tags" in r.text, r.text
    ticket = _all(tenant, "/v1/itsm/tickets")[0]
    r = tenant.patch(f"/v1/itsm/tickets/{ticket['id']}", json={"tags": ["a"]})
    assert r.status_code == 422 and "tags" in r.text, r.text


def test_update_through_states_and_resolve_needs_close_fields(
    http: httpx.Client, settings: Settings, sn: ServiceNowServer
) -> None:
    tenant = _connect(http, settings, sn)
    r = tenant.post("/v1/itsm/tickets", json={"name": "VPN down", "type_vendor_id": "incident"})
    assert r.status_code == 200, r.text
    path = f"/v1/itsm/tickets/{r.json()['id']}"
    r = tenant.patch(path, json={"name": "VPN down (EU)", "priority": "CRITICAL"})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "VPN down (EU)" and r.json()["priority"] == "CRITICAL"
    r = tenant.patch(path, json={"status": "IN_PROGRESS"})
    assert r.status_code == 200 and r.json()["status"] == "IN_PROGRESS", r.text
    # The incident data policy: resolving needs close_code and close_notes.
    r = tenant.patch(path, json={"status": "RESOLVED"})
    assert r.status_code == 422, r.text
    assert tenant.get(path).json()["status"] == "IN_PROGRESS"
    defaults = {"close_code": "Solved (Permanently)", "close_notes": "Fixed by the API"}
    r = tenant.patch(tenant.connection_path, json={"options": {"resolve_defaults": defaults}})
    assert r.status_code == 200, r.text
    r = tenant.patch(path, json={"status": "RESOLVED"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "RESOLVED"


def _entries(n: int, prefix: str) -> list[dict[str, Any]]:
    return [
        {"name": f"{prefix} {i}", "type_vendor_id": "incident", "identifier": f"{prefix}-{i}"}
        for i in range(n)
    ]


def test_bulk_sync_results_in_request_order(tenant: Tenant) -> None:
    entries = _entries(5, "bulk-sync")
    entries[2] = {**entries[2], "type_vendor_id": "cmdb_ci"}  # not a task table of ours
    r = tenant.post("/v1/itsm/tickets/bulk/sync", json={"tickets": entries})
    assert r.status_code == 200, r.text
    body = r.json()
    assert [x["request_index"] for x in body["results"]] == list(range(5))
    assert body["total"] == 5 and body["succeeded"] == 4 and body["failed"] == 1, body
    assert body["results"][2]["success"] is False and body["results"][2]["error"]
    for i in (0, 1, 3, 4):
        result = body["results"][i]
        assert result["success"] and result["identifier"] == f"bulk-sync-{i}"
        assert result["vendor_ticket_id"]


def test_bulk_entry_the_instance_refuses_carries_its_message(tenant: Tenant) -> None:
    entries = _entries(3, "bulk-policy")
    entries[1] = {**entries[1], "status": "RESOLVED"}  # no close code or notes: data policy
    r = tenant.post("/v1/itsm/tickets/bulk/sync", json={"tickets": entries})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["succeeded"] == 2 and body["failed"] == 1, body
    refused = body["results"][1]
    assert refused["success"] is False and refused["code"] == "VENDOR_REJECTED"
    # Created first, then refused the move: the entry says both, in the instance's words.
    assert refused["error"].startswith("created as INC"), refused
    assert "moving it to RESOLVED failed" in refused["error"]
    assert "Data Policy Exception" in refused["error"]


def test_async_bulk_creates_every_entry_once(tenant: Tenant, sn: ServiceNowServer) -> None:
    entries = _entries(12, "bulk-job")
    r = tenant.post("/v1/itsm/tickets/bulk", json={"tickets": entries})
    assert r.status_code == 202, r.text
    job = tenant.wait_job(r.json()["job_id"])
    assert job["status"] == "SUCCESS", job
    results = job["result"]["results"]
    assert [x["request_index"] for x in results] == list(range(12))
    assert [x["identifier"] for x in results] == [e["identifier"] for e in entries]
    with _vendor(sn) as vendor:
        found = vendor.get(
            "/incident", params={"sysparm_query": "short_descriptionSTARTSWITHbulk-job"}
        ).json()["result"]
    assert sorted(x["short_description"] for x in found) == sorted(e["name"] for e in entries)


def test_incremental_sync_sees_changes_and_deletions(
    http: httpx.Client, settings: Settings, sn: ServiceNowServer
) -> None:
    tenant = _connect(http, settings, sn)
    tickets = _all(tenant, "/v1/itsm/tickets")
    changed, deleted = tickets[0], tickets[1]
    with _vendor(sn) as vendor:
        sys_id = changed["vendor_attributes"]["data"]["sys_id"]
        r = vendor.patch(f"/incident/{sys_id}", json={"short_description": "Changed at vendor"})
        assert r.status_code == 200, r.text
        gone = deleted["vendor_attributes"]["data"]["sys_id"]
        assert vendor.delete(f"/incident/{gone}").status_code == 204
    job = tenant.sync()
    assert job["status"] == "SUCCESS", job
    assert tenant.get(f"/v1/itsm/tickets/{changed['id']}").json()["name"] == "Changed at vendor"
    assert tenant.get(f"/v1/itsm/tickets/{deleted['id']}").json()["active"] is False
    assert tenant.get(tenant.connection_path).json()["health"]["status"] == "HEALTHY"


def test_passthrough_users_and_groups_but_not_search(tenant: Tenant) -> None:
    r = tenant.get("/v1/itsm/passthrough/users", params={"limit": 5})
    assert r.status_code == 200, r.text
    assert r.json()["items"] and r.json()["items"][0]["vendor_id"]
    r = tenant.get("/v1/itsm/passthrough/projects")
    assert r.status_code == 200, r.text
    assert len(r.json()["items"]) == 3
    r = tenant.get("/v1/itsm/passthrough/tickets/search", params={"jql": "project = X"})
    assert r.status_code == 422 and r.json()["code"] == "NOT_SUPPORTED", r.text
    assert "not supported for this vendor" in r.text


def test_capabilities_side_by_side(tenant: Tenant) -> None:
    body = tenant.get("/v1/itsm/capabilities").json()
    assert body["vendor"] == "SERVICENOW"
    assert body["operations"]["passthrough_search"] is False
    assert body["operations"]["bulk_create"] is True
    assert set(body["vendors"]) >= {"JIRA", "SERVICENOW"}
    assert body["vendors"]["SERVICENOW"] == body["operations"]
    assert body["vendors"]["JIRA"]["passthrough_search"] is True


def test_status_mapping_by_table_and_state(
    http: httpx.Client, settings: Settings, sn: ServiceNowServer
) -> None:
    mapping = {"incident:2": "IN_REVIEW", "1": "TODO", "problem:2": "CLOSED"}
    tenant = _connect(http, settings, sn, options={"status_mapping": mapping})
    tickets = _all(tenant, "/v1/itsm/tickets")
    by_state: dict[str, set[str]] = {}
    for ticket in tickets:
        state = ticket["vendor_attributes"]["data"]["state"]
        by_state.setdefault(state, set()).add(ticket["status"])
    assert by_state.get("2") == {"IN_REVIEW"} and by_state.get("1") == {"TODO"}, by_state
    assert by_state.get("6", {"RESOLVED"}) == {"RESOLVED"}  # unmapped: the table's default


def test_resolving_on_create_takes_close_fields_from_custom_fields(tenant: Tenant) -> None:
    r = tenant.post(
        "/v1/itsm/tickets",
        json={
            "name": "Resolved at once",
            "type_vendor_id": "incident",
            "status": "RESOLVED",
            "custom_fields": {"close_code": "Solved (Permanently)", "close_notes": "Quick fix"},
        },
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "RESOLVED"


def test_health_names_servicenow_when_it_refuses_the_credentials(
    http: httpx.Client, settings: Settings, sn: ServiceNowServer
) -> None:
    wrong = {**_credentials(sn), "password": "nope"}
    tenant = _connect(http, settings, sn, credentials=wrong, validate=False)
    assert tenant.extra["first_sync"]["status"] == "FAILED"
    health = tenant.get(tenant.connection_path).json()["health"]
    assert health["status"] == "UNAUTHORIZED" and health["resolution_owner"] == "CUSTOMER"
    assert health["description"] == "ServiceNow rejected the stored credentials"


def test_oauth_credentials_are_checked_with_a_token_of_their_own(
    http: httpx.Client, settings: Settings, sn: ServiceNowServer
) -> None:
    """The check of new OAuth credentials fetches its token for them alone: a new
    connection has no row to keep it in, and a changed one must not be checked with the
    token its old credentials got."""
    oauth = {
        "base_url": sn.base_url,
        "client_id": sn.config.client_id,
        "client_secret": sn.config.client_secret,
    }
    tenant = _connect(http, settings, sn, credentials=oauth)
    assert tenant.extra["first_sync"]["status"] == "SUCCESS", tenant.extra["first_sync"]
    wrong = {**oauth, "client_secret": "nope"}
    path = f"/v1/provisioning/organizations/{tenant.org_id}/connections"
    r = tenant.post(path, json={"vendor": "SERVICENOW", "credentials": wrong})
    assert r.status_code == 422 and r.json()["code"] == "VENDOR_UNAUTHORIZED", r.text
    r = tenant.patch(tenant.connection_path, json={"credentials": wrong})
    assert r.status_code == 422 and r.json()["code"] == "VENDOR_UNAUTHORIZED", r.text
    job = tenant.sync()  # the stored credentials and their token are untouched
    assert job["status"] == "SUCCESS", job
    grant = {**oauth, "username": sn.config.username, "password": sn.config.password}
    r = tenant.patch(tenant.connection_path, json={"credentials": grant})
    assert r.status_code == 200, r.text
    assert tenant.sync()["status"] == "SUCCESS"
