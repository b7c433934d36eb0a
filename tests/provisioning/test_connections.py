"""Organizations and connections (docs/api.md, "Provisioning")."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.provisioning.helpers import basic_credentials, connection_row
from tests.support.factories import Tenant, create_account
from tests.support.servers import ApiServer
from ticketbridge.config import Settings
from ticketbridge.connectors.jira.config import check_base_url
from ticketbridge.emulators.jira.server import EmulatorServer
from ticketbridge.errors import Unprocessable

CONNECTION_FIELDS = {
    "id",
    "vendor",
    "is_active",
    "state",
    "refresh_interval_secs",
    "timeout_secs",
    "organization_id",
    "organization_name",
    "identifier",
    "oauth2_authorize_url",
    "health",
    "last_synced_at",
    "created_at",
    "updated_at",
}


def _connections(tenant: Tenant) -> str:
    return f"/v1/provisioning/organizations/{tenant.org_id}/connections"


def test_organizations_are_created_listed_fetched_and_soft_deleted(
    small_tenant: Callable[..., Tenant], settings: Settings
) -> None:
    tenant = small_tenant()
    created = tenant.post(
        "/v1/provisioning/organizations", json={"name": "Globex", "identifier": "gx-1"}
    )
    assert created.status_code == 200, created.text
    org = created.json()
    assert org["name"] == "Globex" and org["identifier"] == "gx-1"
    uuid.UUID(org["id"])

    listed = tenant.get("/v1/provisioning/organizations").json()
    assert {o["id"] for o in listed} == {tenant.org_id, org["id"]}
    assert tenant.get(f"/v1/provisioning/organizations/{org['id']}").json() == org

    # Deleting the tenant's org stops its connection: 404 everywhere, nothing scheduled.
    deleted = tenant.delete(f"/v1/provisioning/organizations/{tenant.org_id}")
    assert deleted.status_code == 204
    assert tenant.get(f"/v1/provisioning/organizations/{tenant.org_id}").status_code == 404
    assert [o["id"] for o in tenant.get("/v1/provisioning/organizations").json()] == [org["id"]]
    for response in (
        tenant.get(tenant.connection_path),
        tenant.post(f"{tenant.connection_path}/sync"),
        tenant.get(_connections(tenant)),
    ):
        assert response.status_code == 404, response.text
    tickets = tenant.get("/v1/itsm/tickets")
    assert tickets.status_code == 404
    assert tickets.json()["detail"] == "Connection not found"
    row = connection_row(settings, tenant.connection_id)
    assert row.state == "DELETED" and row.next_sync_at is None and row.deleted_at is not None
    assert tenant.delete(f"/v1/provisioning/organizations/{tenant.org_id}").status_code == 404


@pytest.mark.parametrize(
    "body", [{}, {"name": ""}, {"name": "x" * 201}, {"name": "ok", "extra": 1}, []]
)
def test_bad_organization_bodies_are_422(small_tenant: Callable[..., Tenant], body: Any) -> None:
    tenant = small_tenant(connected=False)
    assert tenant.post("/v1/provisioning/organizations", json=body).status_code == 422


@pytest.mark.parametrize("org_id", [str(uuid.uuid4()), "nope"])
def test_unknown_organizations_are_404(small_tenant: Callable[..., Tenant], org_id: str) -> None:
    tenant = small_tenant(connected=False)
    for response in (
        tenant.get(f"/v1/provisioning/organizations/{org_id}"),
        tenant.delete(f"/v1/provisioning/organizations/{org_id}"),
        tenant.get(f"/v1/provisioning/organizations/{org_id}/connections"),
    ):
        assert response.status_code == 404
        assert response.json()["detail"] == "Organization not found"


def test_a_basic_auth_connection_is_created_active_and_synced_at_once(
    small_tenant: Callable[..., Tenant], small_jira: EmulatorServer
) -> None:
    tenant = small_tenant(connected=False)
    created = tenant.post(
        _connections(tenant),
        json={
            "vendor": "JIRA",
            "credentials": basic_credentials(small_jira),
            "identifier": "main-site",
            "refresh_interval_secs": 3600,
            "timeout_secs": 600,
            "options": {"status_mapping": {"Done": "RESOLVED"}},
        },
    )
    assert created.status_code == 200, created.text
    connection = created.json()
    assert set(connection) >= CONNECTION_FIELDS
    assert "credentials" not in connection
    assert connection["vendor"] == "JIRA" and connection["state"] == "ACTIVE"
    assert connection["is_active"] is True and connection["oauth2_authorize_url"] is None
    assert connection["organization_id"] == tenant.org_id
    assert connection["organization_name"] == "Customer"
    assert connection["identifier"] == "main-site"
    assert (connection["refresh_interval_secs"], connection["timeout_secs"]) == (3600, 600)

    path = f"{_connections(tenant)}/{connection['id']}"
    jobs = tenant.get(f"{path}/jobs").json()
    assert len(jobs) == 1 and jobs[0]["type"] == "SYNC"
    tenant.connection_id = connection["id"]
    assert tenant.wait_job(jobs[0]["id"])["status"] == "SUCCESS"
    synced = tenant.get(path).json()
    assert synced["last_synced_at"] is not None
    assert synced["health"]["status"] == "HEALTHY"
    assert tenant.get("/v1/itsm/tickets").json()["items"]


@pytest.mark.parametrize(
    "credentials,reason",
    [
        ({}, "base_url, email and api_token are required"),
        ({"base_url": "https://x.atlassian.net", "email": "a@b.c"}, "are required"),
        ({"oauth": True, "email": "a@b.c"}, "give either"),
        ({"base_url": 5, "email": "a@b.c", "api_token": "t"}, "base_url"),
        ({"username": "u", "password": "p"}, "Extra inputs are not permitted"),
    ],
)
def test_malformed_credentials_are_422_saying_what_is_wrong(
    small_tenant: Callable[..., Tenant], credentials: dict[str, Any], reason: str
) -> None:
    tenant = small_tenant(connected=False)
    response = tenant.post(
        _connections(tenant), json={"vendor": "JIRA", "credentials": credentials}
    )
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["detail"].startswith("Invalid credentials: ")
    assert reason in body["detail"]
    assert all(e["loc"][:2] == ["body", "credentials"] for e in body["errors"])
    assert tenant.get(_connections(tenant)).json() == []


@pytest.mark.parametrize(
    "body",
    [
        {"vendor": "SERVICENOW", "credentials": {}},
        {"credentials": {"oauth": True}},
        {"vendor": "JIRA"},
        {"vendor": "JIRA", "credentials": {"oauth": True}, "refresh_interval_secs": 1},
        {
            "vendor": "JIRA",
            "credentials": {"oauth": True},
            "options": {"status_mapping": {"Done": "FINISHED"}},
        },
    ],
)
def test_bad_connection_bodies_are_422(small_tenant: Callable[..., Tenant], body: Any) -> None:
    tenant = small_tenant(connected=False)
    response = tenant.post(_connections(tenant), json=body)
    assert response.status_code == 422, response.text


@pytest.fixture(scope="module")
def strict_api(settings: Settings) -> Iterator[ApiServer]:
    """A second API on the same store with private vendor URLs refused (as in production).

    No embedded worker, so it never takes the other server's jobs.
    """
    strict = settings.model_copy(
        update={"allow_private_vendor_urls": False, "run_embedded_worker": False}
    )
    with ApiServer(strict) as server:
        yield server


@pytest.mark.parametrize(
    "base_url",
    [
        "EMULATOR",
        "http://acme.atlassian.net",
        "https://acme.atlassian.net.evil.com",
        "https://deep.acme.atlassian.net",
        "https://api.atlassian.com/rest/api/3",
        "https://acme.atlassian.net:8443",
        "https://user:pw@acme.atlassian.net",
        "https://127.0.0.1",
        "file:///etc/passwd",
    ],
)
def test_base_urls_outside_atlassian_cloud_are_refused_unless_allowed(
    strict_api: ApiServer, settings: Settings, small_jira: EmulatorServer, base_url: str
) -> None:
    url = small_jira.base_url if base_url == "EMULATOR" else base_url
    with httpx.Client(base_url=strict_api.base_url, timeout=30) as client:
        tenant = Tenant(http=client, api_key=create_account(settings))
        tenant.org_id = tenant.post("/v1/provisioning/organizations", json={"name": "C"}).json()[
            "id"
        ]
        body = {"vendor": "JIRA", "credentials": basic_credentials(small_jira, base_url=url)}
        response = tenant.post(_connections(tenant), json=body)
        assert response.status_code == 422, response.text
        assert "base_url" in response.json()["detail"]
        assert tenant.get(_connections(tenant)).json() == []


@pytest.mark.parametrize(
    "base_url",
    [
        "https://acme.atlassian.net",
        "https://acme.atlassian.net/",
        "https://api.atlassian.com/ex/jira/1a2b",
    ],
)
def test_atlassian_cloud_base_urls_are_accepted_when_private_urls_are_refused(
    settings: Settings, base_url: str
) -> None:
    # Checked without creating a connection: an ACTIVE one would start syncing a real site.
    strict = settings.model_copy(update={"allow_private_vendor_urls": False})
    check_base_url(strict, base_url.rstrip("/"))
    with pytest.raises(Unprocessable):
        check_base_url(strict, "https://intranet.example.com")


def test_connections_are_listed_patched_paused_and_deleted(
    small_tenant: Callable[..., Tenant], settings: Settings
) -> None:
    tenant = small_tenant()
    path = tenant.connection_path
    listed = tenant.get(_connections(tenant)).json()
    assert [c["id"] for c in listed] == [tenant.connection_id]
    assert tenant.get(path).json() == listed[0]

    patched = tenant.patch(
        path,
        json={
            "identifier": "renamed",
            "refresh_interval_secs": 600,
            "options": {
                "project_keys_filter": ["ENG"],
                "priority_mapping": {"Blocker": "CRITICAL"},
            },
        },
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert (body["identifier"], body["refresh_interval_secs"]) == ("renamed", 600)
    assert body["options"]["project_keys_filter"] == ["ENG"]
    assert tenant.get(path).json()["identifier"] == "renamed"

    paused = tenant.patch(path, json={"state": "PAUSED"}).json()
    assert paused["state"] == "PAUSED" and paused["is_active"] is False
    assert connection_row(settings, tenant.connection_id).next_sync_at is None
    refused = tenant.post(f"{path}/sync")
    assert refused.status_code == 422 and "PAUSED" in refused.json()["detail"]
    resumed = tenant.patch(path, json={"state": "ACTIVE"}).json()
    assert resumed["state"] == "ACTIVE" and resumed["is_active"] is True

    for bad in ({"state": "DELETED"}, {"state": "PENDING"}, {"refresh_interval_secs": 0}, {"x": 1}):
        assert tenant.patch(path, json=bad).status_code == 422, bad

    assert tenant.delete(path).status_code == 204
    assert tenant.get(path).status_code == 404
    assert tenant.patch(path, json={"identifier": "x"}).status_code == 404
    assert tenant.delete(path).status_code == 404
    assert tenant.get(_connections(tenant)).json() == []
    row = connection_row(settings, tenant.connection_id)
    assert row.state == "DELETED" and row.next_sync_at is None
    tickets = tenant.get("/v1/itsm/tickets")
    assert tickets.status_code == 404 and tickets.json()["detail"] == "Connection not found"


def test_connection_test_reports_ok_and_unauthorized_health(
    small_tenant: Callable[..., Tenant], small_jira: EmulatorServer
) -> None:
    tenant = small_tenant()
    path = tenant.connection_path
    ok = tenant.post(f"{path}/test")
    assert ok.status_code == 200, ok.text
    assert ok.json()["ok"] is True and ok.json()["detail"].startswith("Authenticated to Jira as")

    wrong = basic_credentials(small_jira, api_token="wrong-token")
    assert tenant.patch(path, json={"credentials": wrong, "validate": False}).status_code == 200
    failed = tenant.post(f"{path}/test")
    assert failed.status_code == 200
    assert failed.json()["ok"] is False
    assert "rejected" in failed.json()["detail"]
    health = tenant.get(path).json()["health"]
    assert health["status"] == "UNAUTHORIZED" and health["resolution_owner"] == "CUSTOMER"

    assert (
        tenant.patch(path, json={"credentials": basic_credentials(small_jira)}).status_code == 200
    )
    assert tenant.post(f"{path}/test").json()["ok"] is True
    assert tenant.get(path).json()["health"]["status"] == "HEALTHY"


def test_sync_returns_a_job_and_jobs_list_newest_first(small_tenant: Callable[..., Tenant]) -> None:
    tenant = small_tenant()
    first_sync = tenant.extra["first_sync"]
    started = tenant.post(f"{tenant.connection_path}/sync")
    assert started.status_code == 202, started.text
    job_id = started.json()["job_id"]
    assert tenant.wait_job(job_id)["status"] == "SUCCESS"

    jobs = tenant.get(f"{tenant.connection_path}/jobs").json()
    assert [j["id"] for j in jobs] == [job_id, first_sync["id"]]
    assert all(j["connection_id"] == tenant.connection_id for j in jobs)
    assert [j["id"] for j in tenant.get(f"{tenant.connection_path}/jobs?limit=1").json()] == [
        job_id
    ]
    assert tenant.get(f"{tenant.connection_path}/jobs?limit=0").status_code == 422


def test_connection_header_is_required_on_itsm_and_unknown_ones_are_404(
    small_tenant: Callable[..., Tenant], http: httpx.Client
) -> None:
    tenant = small_tenant(connected=False)
    key_only = {"X-API-KEY": tenant.api_key}
    missing = http.get("/v1/itsm/tickets", headers=key_only)
    assert missing.status_code == 422
    assert any("x-connection-id" in str(e["loc"]).lower() for e in missing.json()["detail"])
    for connection_id in (str(uuid.uuid4()), "not-a-uuid", ""):
        response = http.get(
            "/v1/itsm/projects", headers={**key_only, "X-CONNECTION-ID": connection_id}
        )
        assert response.status_code in (404, 422), response.text
        if connection_id:
            assert response.status_code == 404
            assert response.json()["detail"] == "Connection not found"


def test_connection_of_another_organization_is_404_under_the_wrong_org(
    small_tenant: Callable[..., Tenant],
) -> None:
    tenant = small_tenant()
    other = tenant.post("/v1/provisioning/organizations", json={"name": "Other"}).json()["id"]
    wrong = f"/v1/provisioning/organizations/{other}/connections/{tenant.connection_id}"
    for response in (tenant.get(wrong), tenant.post(f"{wrong}/test"), tenant.get(f"{wrong}/jobs")):
        assert response.status_code == 404
        assert response.json()["detail"] == "Connection not found"
