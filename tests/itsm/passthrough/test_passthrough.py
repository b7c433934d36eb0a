"""Passthrough endpoints (docs/api.md, "Passthrough") over real HTTP; the vendor is the emulator."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.support.factories import Tenant, create_account
from tests.support.servers import ApiServer
from ticketbridge.config import Settings
from ticketbridge.context import AppContext
from ticketbridge.db.session import transaction
from ticketbridge.emulators.jira.server import EmulatorServer
from ticketbridge.provisioning import repository, service
from ticketbridge.provisioning.schemas import ConnectionCreate

PT = "/v1/itsm/passthrough"


def connect(
    http: httpx.Client, settings: Settings, vendor: str, credentials: dict[str, Any]
) -> Tenant:
    """A tenant whose connection is stored through the service, with no sync scheduled.

    Passthrough needs no sync; and the service accepts vendors the API's schema does not.
    """
    tenant = Tenant(http=http, api_key=create_account(settings))
    org = tenant.post("/v1/provisioning/organizations", json={"name": "Customer"})
    assert org.status_code == 200, org.text
    tenant.org_id = org.json()["id"]

    async def run() -> str:
        ctx = AppContext.create(settings)
        try:
            async with transaction(ctx.sessionmaker) as session:
                account = await repository.account_by_api_key(session, tenant.api_key)
                assert account is not None
                body = ConnectionCreate.model_construct(
                    vendor=vendor,  # type: ignore[arg-type]  # any registered vendor
                    credentials=credentials,
                    options=None,
                    refresh_interval_secs=21600,
                    timeout_secs=1800,
                    identifier=None,
                    check_vendor=False,  # some tests connect with revoked credentials
                )
                connection = await service.create_connection(
                    ctx, session, account, uuid.UUID(tenant.org_id), body
                )
                connection.next_sync_at = None
                return str(connection.id)
        finally:
            await ctx.http.aclose()
            await ctx.engine.dispose()

    tenant.connection_id = asyncio.run(run())
    return tenant


def jira_credentials(jira: EmulatorServer, **changes: str) -> dict[str, Any]:
    return {
        "base_url": jira.base_url,
        "email": jira.config.email,
        "api_token": jira.config.api_token,
        **changes,
    }


# --- projects, issue types, users ----------------------------------------------------------


def test_projects_with_issue_types_and_offset_paging(shared_tenant: Tenant, jira) -> None:
    r = shared_tenant.get(f"{PT}/projects", params={"expand": "issue_types"})
    assert r.status_code == 200, r.text
    body = r.json()
    projects = sorted(jira.state.projects.values(), key=lambda p: p.key)
    assert body["total"] == len(projects) and (body["limit"], body["offset"]) == (50, 0)
    assert body["items"] == [
        {
            "vendor_id": p.key,
            "name": p.name,
            "project_type": p.type_key,
            "issue_types": [
                {"vendor_id": t.id, "name": t.name, "subtask": t.subtask}
                for t in jira.state.project_issue_types(p)
            ],
        }
        for p in projects
    ]
    window = shared_tenant.get(f"{PT}/projects", params={"limit": 1, "offset": 1}).json()
    assert [p["vendor_id"] for p in window["items"]] == [projects[1].key]
    assert window["items"][0]["issue_types"] is None
    assert shared_tenant.get(f"{PT}/projects", params={"expand": "users"}).status_code == 422
    assert shared_tenant.get(f"{PT}/projects", params={"limit": 0}).status_code == 422


def test_projects_limit_250_returns_250_though_jira_pages_by_100(
    http: httpx.Client, settings: Settings
) -> None:
    with EmulatorServer(projects=260, users=5, issues=10, seed=3) as many:
        tenant = connect(http, settings, "JIRA", jira_credentials(many))
        first = tenant.get(f"{PT}/projects", params={"limit": 250}).json()
        rest = tenant.get(f"{PT}/projects", params={"limit": 250, "offset": 250}).json()
    keys = sorted(p.key for p in many.state.projects.values())
    assert [p["vendor_id"] for p in first["items"]] == keys[:250]
    assert [p["vendor_id"] for p in rest["items"]] == keys[250:]
    assert first["total"] == rest["total"] == 260


def test_issue_types_of_a_project_and_unknown_project(shared_tenant: Tenant, jira) -> None:
    project = jira.state.project("ENG")
    types = jira.state.project_issue_types(project)
    r = shared_tenant.get(f"{PT}/projects/ENG/issue-types", params={"limit": 500})
    assert r.status_code == 200, r.text
    assert r.json() == {
        "items": [
            {"vendor_id": t.id, "name": t.name, "description": t.description, "subtask": t.subtask}
            for t in types
        ],
        "total": len(types),
        "limit": 500,
        "offset": 0,
    }
    missing = shared_tenant.get(f"{PT}/projects/NOPE/issue-types")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "Project 'NOPE' not found in Jira"
    # An encoded '..' reaches us as a key; it must not walk up Jira's URL.
    escaped = shared_tenant.get(f"{PT}/projects/%2E%2E/issue-types")
    assert escaped.status_code == 404 and "not found in Jira" in escaped.json()["detail"]


def _user(u: Any) -> dict[str, Any]:
    return {
        "vendor_id": u.account_id,
        "name": u.display_name,
        "email": u.email if u.email_visible and u.email else None,
        "active": u.active,
        "account_type": u.account_type,
    }


def test_assignable_users_with_query_and_hidden_emails(shared_tenant: Tenant, jira) -> None:
    users = list(jira.state.users.values())
    assignable = [_user(u) for u in users if u.assignable]
    r = shared_tenant.get(f"{PT}/users", params={"project_key": "ENG", "limit": 1000})
    assert r.status_code == 200, r.text
    assert r.json() == {"items": assignable, "total": None, "limit": 1000, "offset": 0}
    hidden = next(u for u in users if u.assignable and not u.email_visible)
    assert next(i for i in assignable if i["vendor_id"] == hidden.account_id)["email"] is None
    page = shared_tenant.get(f"{PT}/users", params={"project_key": "ENG", "offset": 2, "limit": 3})
    assert page.json()["items"] == assignable[2:5]
    first_name = hidden.display_name.split()[0]
    named = shared_tenant.get(f"{PT}/users", params={"project_key": "ENG", "query": first_name})
    assert named.status_code == 200
    assert hidden.account_id in {i["vendor_id"] for i in named.json()["items"]}
    assert all(
        any(w.lower().startswith(first_name.lower()) for w in i["name"].split())
        or (i["email"] or "").lower().startswith(first_name.lower())
        for i in named.json()["items"]
    )
    unknown = shared_tenant.get(f"{PT}/users", params={"project_key": "NOPE"})
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "Project 'NOPE' not found in Jira"


def test_users_without_project_key_list_the_whole_directory(shared_tenant: Tenant, jira) -> None:
    """No project: every account, inactive and apps included, flagged so pickers can filter."""
    r = shared_tenant.get(f"{PT}/users", params={"limit": 1000})
    assert r.status_code == 200, r.text
    assert r.json()["items"] == [_user(u) for u in jira.state.users.values()]
    assert {i["active"] for i in r.json()["items"]} == {True, False}
    # Empty values, as a picker sends them before anything is typed, mean "not given".
    empty = shared_tenant.get(f"{PT}/users", params={"project_key": "", "query": "", "limit": 1000})
    assert empty.status_code == 200 and empty.json() == r.json()


# --- JQL search -------------------------------------------------------------------------------


def test_search_validates_its_parameters(shared_tenant: Tenant) -> None:
    assert shared_tenant.get(f"{PT}/tickets/search").status_code == 422
    long = "project = ENG AND " + " OR ".join(["summary ~ x"] * 400)
    assert len(long) > 5000
    assert shared_tenant.get(f"{PT}/tickets/search", params={"jql": long}).status_code == 422
    for limit in (0, 101):
        r = shared_tenant.get(
            f"{PT}/tickets/search", params={"jql": "project = ENG", "limit": limit}
        )
        assert r.status_code == 422, limit


def test_search_pages_every_issue_exactly_once(shared_tenant: Tenant, jira) -> None:
    before = {str(i.id) for i in jira.state.issues.values()}
    seen: list[str] = []
    cursor = None
    while True:
        params = {"jql": 'created >= "1970-01-01"', "limit": 100}
        if cursor:
            params["cursor"] = cursor
        r = shared_tenant.get(f"{PT}/tickets/search", params=params)
        assert r.status_code == 200, r.text
        seen += [i["id"] for i in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            break
        if len(seen) == 100:  # someone files an issue while we page
            filed = httpx.post(
                f"{jira.base_url}/rest/api/3/issue",
                json={
                    "fields": {
                        "project": {"key": "ENG"},
                        "summary": "filed mid-paging",
                        "issuetype": {"name": "Task"},
                    }
                },
                auth=(jira.config.email, jira.config.api_token),
            )
            assert filed.status_code == 201, filed.text
    assert len(before) >= 300
    assert len(seen) == len(set(seen))  # nothing twice
    assert before <= set(seen) <= before | {filed.json()["id"]}  # nothing missed


def test_search_items_are_jiras_issues_as_jira_returns_them(shared_tenant: Tenant, jira) -> None:
    jql = "project = ENG ORDER BY key ASC"
    ours = shared_tenant.get(f"{PT}/tickets/search", params={"jql": jql, "limit": 5}).json()
    theirs = httpx.post(
        f"{jira.base_url}/rest/api/3/search/jql",
        json={"jql": jql, "maxResults": 5, "fields": ["*navigable"]},
        auth=(jira.config.email, jira.config.api_token),
    ).json()
    assert ours["items"] == theirs["issues"]
    assert ours["items"][0]["fields"]["project"]["key"] == "ENG"
    assert ours["next_cursor"] == theirs["nextPageToken"]


@pytest.mark.parametrize(
    "jql",
    ["project = ", "project = NOSUCH", "ORDER BY created DESC", "summary ~ "],
)
def test_bad_or_unbounded_jql_is_400_with_jiras_messages(
    shared_tenant: Tenant, jira, jql: str
) -> None:
    theirs = httpx.post(
        f"{jira.base_url}/rest/api/3/search/jql",
        json={"jql": jql},
        auth=(jira.config.email, jira.config.api_token),
    )
    assert theirs.status_code == 400
    messages = theirs.json()["errorMessages"]
    r = shared_tenant.get(f"{PT}/tickets/search", params={"jql": jql})
    assert r.status_code == 400, r.text
    assert r.json() == {
        "detail": "Jira rejected the query: " + "; ".join(messages),
        "code": "VENDOR_BAD_QUERY",
        "vendor_errors": {"errorMessages": messages, "errors": {}},
    }


def test_stale_cursor_is_400(shared_tenant: Tenant) -> None:
    r = shared_tenant.get(
        f"{PT}/tickets/search", params={"jql": "project = ENG", "cursor": "not-a-token"}
    )
    assert r.status_code == 400
    assert r.json()["vendor_errors"]["errorMessages"]


# --- vendor trouble ---------------------------------------------------------------------------


def test_connection_waiting_for_oauth_is_422_without_calling_the_vendor(
    http: httpx.Client, settings: Settings
) -> None:
    tenant = connect(http, settings, "JIRA", {"oauth": True})
    r = tenant.get(f"{PT}/projects")
    assert r.status_code == 422
    assert r.json()["detail"] == "Connection is waiting for OAuth authorization"
    assert tenant.get(tenant.connection_path).json()["health"] is None  # nothing blamed


def test_vendor_401_is_502_and_marks_the_connection_unauthorized(
    http: httpx.Client, settings: Settings, jira
) -> None:
    tenant = connect(http, settings, "JIRA", jira_credentials(jira, api_token="revoked"))
    r = tenant.get(f"{PT}/projects")
    assert r.status_code == 502, r.text
    assert r.json()["code"] == "VENDOR_UNAUTHORIZED"
    health = tenant.get(tenant.connection_path).json()["health"]
    assert health["status"] == "UNAUTHORIZED" and health["resolution_owner"] == "CUSTOMER"


@pytest.fixture(scope="module")
def impatient_api(settings: Settings) -> Iterator[ApiServer]:
    """Our API with one retry only (no worker: it shares the test database)."""
    tuned = settings.model_copy(update={"vendor_max_retries": 1, "run_embedded_worker": False})
    with ApiServer(tuned) as server:
        yield server


def test_vendor_429_after_retries_is_503_with_retry_after(
    impatient_api: ApiServer, http: httpx.Client, settings: Settings
) -> None:
    with EmulatorServer(issues=5, users=5, faults={"error_429_ratio": 1.0}) as limited:
        limited.set_faults(retry_after_seconds=2)
        tenant = connect(http, settings, "JIRA", jira_credentials(limited))
        with httpx.Client(base_url=impatient_api.base_url, timeout=60) as client:
            r = client.get(f"{PT}/projects", headers=tenant.headers)
        assert r.status_code == 503, r.text
        assert r.json()["code"] == "VENDOR_RATE_LIMITED"
        assert r.headers["Retry-After"] == "2"  # the vendor's own delay, passed on
        assert limited.stats["responses_429"] == 2  # the first try and our one retry


# --- round trip -------------------------------------------------------------------------------


def test_round_trip_pick_through_passthrough_then_create_search_and_sync(
    make_tenant: Callable[..., Tenant], jira
) -> None:
    """How an integration is built: pickers from passthrough, vendor ids into bulk/sync."""
    tenant = make_tenant()
    projects = tenant.get(f"{PT}/projects", params={"expand": "issue_types"}).json()["items"]
    project = next(p for p in projects if any(not t["subtask"] for t in p["issue_types"]))
    types = tenant.get(f"{PT}/projects/{project['vendor_id']}/issue-types").json()["items"]
    issue_type = next(t for t in types if not t["subtask"] and t["name"] != "Epic")
    users = tenant.get(f"{PT}/users", params={"project_key": project["vendor_id"]}).json()
    assignee = next(u for u in users["items"] if u["active"])
    label = f"rt-{uuid.uuid4().hex[:12]}"
    since = (datetime.now(UTC) - timedelta(seconds=2)).isoformat()

    created = tenant.post(
        "/v1/itsm/tickets/bulk/sync",
        json={
            "tickets": [
                {
                    "name": f"Round trip {n}",
                    "project_vendor_id": project["vendor_id"],
                    "type_vendor_id": issue_type["vendor_id"],
                    "assigned_user_vendor_id": assignee["vendor_id"],
                    "tags": [label],
                }
                for n in range(3)
            ]
        },
    )
    assert created.status_code == 200, created.text
    outcome = created.json()
    assert (outcome["total"], outcome["succeeded"], outcome["failed"]) == (3, 3, 0)
    assert all(r["success"] and r["ticket_id"] is None for r in outcome["results"])
    keys = [r["vendor_ticket_id"] for r in outcome["results"]]

    found = tenant.get(
        f"{PT}/tickets/search", params={"jql": f"labels = {label} ORDER BY key ASC"}
    ).json()
    assert [i["key"] for i in found["items"]] == sorted(keys, key=lambda k: int(k.split("-")[1]))
    for issue in found["items"]:
        assert issue["fields"]["project"]["key"] == project["vendor_id"]
        assert issue["fields"]["issuetype"]["id"] == issue_type["vendor_id"]
        assert issue["fields"]["assignee"]["accountId"] == assignee["vendor_id"]

    def stored() -> dict[str, dict[str, Any]]:
        items = tenant.get(
            "/v1/itsm/tickets", params={"updatedSince": since, "limit": 1000}
        ).json()["items"]
        return {t["vendor_attributes"]["id"]: t for t in items if label in t["tags"]}

    assert stored() == {}  # vendor ids: not stored until the next sync
    assert tenant.sync()["status"] == "SUCCESS"
    synced = stored()
    assert set(synced) == set(keys)
    for ticket in synced.values():
        assert ticket["project_vendor_id"] == project["vendor_id"]
        assert ticket["type_vendor_id"] == issue_type["vendor_id"]
        assert ticket["assigned_user_vendor_id"] == assignee["vendor_id"]
        assert ticket["assigned_user_id"] is not None  # resolved to the synced user
