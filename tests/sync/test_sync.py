"""Sync correctness: counts, field mapping, incremental pickup, deletions, options."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.factories import Tenant, new_tenant
from tests.support.stores import in_store
from ticketbridge.emulators.jira.server import EmulatorServer


@pytest.fixture(scope="module")
def own_jira() -> Iterator[EmulatorServer]:
    """An emulator this module may edit freely."""
    with EmulatorServer(issues=250, users=20, projects=3, seed=11) as server:
        yield server


@pytest.fixture
def tenant(http, settings, own_jira) -> Tenant:
    return new_tenant(http, settings, own_jira)


def jira_api(jira: EmulatorServer) -> httpx.Client:
    return httpx.Client(
        base_url=jira.base_url + "/rest/api/3",
        auth=(jira.config.email, jira.config.api_token),
        timeout=30,
    )


def create_task(
    jira: httpx.Client, project_key: str, summary: str, properties: list[Any] | None = None
) -> httpx.Response:
    """A Task created through Jira's API (not ours), with entity properties if given."""
    body: dict[str, Any] = {
        "fields": {
            "project": {"key": project_key},
            "summary": summary,
            "issuetype": {"name": "Task"},
        }
    }
    if properties:
        body["properties"] = properties
    created = jira.post("/issue", json=body)
    assert created.status_code == 201, created.text
    return created


def all_tickets(tenant: Tenant, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {"limit": 1000, **params}
        if cursor:
            query["cursor"] = cursor
        page = tenant.get("/v1/itsm/tickets", params=query).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


def test_counts_match_the_vendor(tenant: Tenant, own_jira: EmulatorServer) -> None:
    state = own_jira.state
    result = tenant.extra["first_sync"]["result"]
    assert result["full"] is True
    assert result["tickets"] == len(state.issues)
    tickets = all_tickets(tenant)
    assert len(tickets) == len(state.issues)
    assert len({t["vendor_attributes"]["data"]["id"] for t in tickets}) == len(state.issues)
    users = tenant.get("/v1/itsm/users", params={"limit": 1000}).json()["items"]
    assert len(users) == len(state.users)
    types = tenant.get("/v1/itsm/issue-types", params={"limit": 1000}).json()["items"]
    assert len(types) == sum(len(state.project_issue_types(p)) for p in state.projects.values())


def test_field_mapping(tenant: Tenant, own_jira: EmulatorServer) -> None:
    state = own_jira.state
    users = {
        u["vendor_id"]: u
        for u in tenant.get("/v1/itsm/users", params={"limit": 1000}).json()["items"]
    }
    projects = {p["vendor_id"]: p for p in tenant.get("/v1/itsm/projects").json()["items"]}
    by_key = {t["vendor_attributes"]["id"]: t for t in all_tickets(tenant)}
    category_status = {"new": "TODO", "indeterminate": "IN_PROGRESS", "done": "CLOSED"}
    priorities = {
        "Highest": "CRITICAL",
        "High": "HIGH",
        "Medium": "MEDIUM",
        "Low": "LOW",
        "Lowest": "INFORMATIONAL",
    }
    checked_parent = checked_assignee = 0
    for issue in state.issues.values():
        t = by_key[issue.key]
        assert t["name"] == issue.summary
        assert t["status"] == category_status[issue.status_category_key]
        assert t["priority"] == priorities[issue.priority_name]
        assert t["type"] == issue.issuetype_name and t["type_vendor_id"] == issue.issuetype_id
        assert t["project_id"] == projects[issue.project_key]["id"]
        assert t["tags"] == list(issue.labels)
        assert t["vendor_attributes"]["status"] == issue.status_name
        assert t["vendor_attributes"]["data"]["statusCategory"] == issue.status_category_key
        assert t["url"] == f"{own_jira.base_url}/browse/{issue.key}"
        assert t["active"] is True
        if issue.assignee_account_id:
            assert t["assigned_user_id"] == users[issue.assignee_account_id]["id"]
            checked_assignee += 1
        else:
            assert t["assigned_user_id"] is None
        if issue.parent_key:
            assert t["parent_ticket_id"] == by_key[issue.parent_key]["id"]
            checked_parent += 1
        assert (t["due_date"] or None) == (issue.duedate.isoformat() if issue.duedate else None)
    assert checked_parent > 0 and checked_assignee > 0
    inactive = [u for u in state.users.values() if not u.active]
    assert inactive and all(users[u.account_id]["status"] == "INACTIVE" for u in inactive)
    hidden = [u for u in state.users.values() if not u.email_visible]
    assert all(users[u.account_id]["email"] is None for u in hidden)


def test_incremental_sync_picks_up_edits_and_new_issues(tenant: Tenant, own_jira) -> None:
    issue = next(i for i in own_jira.state.issues.values() if i.status_category_key == "new")
    with jira_api(own_jira) as jira:
        assert (
            jira.put(
                f"/issue/{issue.key}", json={"fields": {"summary": "edited in Jira"}}
            ).status_code
            == 204
        )
        created = create_task(jira, issue.project_key, "made in Jira")
        transitions = jira.get(f"/issue/{issue.key}/transitions").json()["transitions"]
        assert (
            jira.post(
                f"/issue/{issue.key}/transitions", json={"transition": {"id": transitions[0]["id"]}}
            ).status_code
            == 204
        )
    job = tenant.sync()
    assert job["status"] == "SUCCESS", job
    assert job["result"]["full"] is False
    assert job["result"]["tickets"] < len(own_jira.state.issues)  # incremental, not everything
    edited = tenant.get("/v1/itsm/tickets", params={"identifier": issue.key}).json()["items"][0]
    assert edited["name"] == "edited in Jira"
    assert (
        edited["vendor_attributes"]["status"] == own_jira.state.issue_by_key(issue.key).status_name
    )
    new_key = created.json()["key"]
    assert tenant.get(f"/v1/itsm/tickets/by-identifier/{new_key}").json()["name"] == "made in Jira"


def test_sync_is_idempotent(tenant: Tenant, own_jira) -> None:
    before = all_tickets(tenant)
    assert tenant.sync()["status"] == "SUCCESS"
    after = all_tickets(tenant)
    assert [t["id"] for t in before] == [t["id"] for t in after]


def test_project_filter_and_status_mapping(http, settings, own_jira) -> None:
    tenant = new_tenant(
        http,
        settings,
        own_jira,
        options={"project_keys_filter": ["ENG"], "status_mapping": {"In Review": "IN_REVIEW"}},
    )
    projects = tenant.get("/v1/itsm/projects").json()["items"]
    assert [p["vendor_id"] for p in projects] == ["ENG"]
    tickets = all_tickets(tenant)
    assert tickets and all(t["project_vendor_id"] == "ENG" for t in tickets)
    in_review = [t for t in tickets if t["vendor_attributes"]["status"] == "In Review"]
    assert in_review and all(t["status"] == "IN_REVIEW" for t in in_review)
    assert tenant.get("/v1/itsm/tickets", params={"status": "IN_REVIEW"}).json()["items"]


def test_sync_with_bad_credentials_sets_health(tenant: Tenant, own_jira) -> None:
    tenant.patch(
        tenant.connection_path,
        json={
            "credentials": {
                "base_url": own_jira.base_url,
                "email": "x@example.com",
                "api_token": "nope",
            },
            "validate": False,
        },
    )
    job = tenant.sync()
    assert job["status"] == "FAILED"
    connection = tenant.get(tenant.connection_path).json()
    assert connection["health"]["status"] == "UNAUTHORIZED"
    assert connection["health"]["resolution_owner"] == "CUSTOMER"


def test_tickets_deleted_in_jira_end_inactive(tenant: Tenant, own_jira) -> None:
    victim = next(
        i
        for i in own_jira.state.issues.values()
        if not own_jira.state.children.get(i.id) and i.status_category_key != "done"
    )
    with jira_api(own_jira) as jira:
        assert jira.delete(f"/issue/{victim.key}").status_code == 204
    job = tenant.sync()
    assert job["status"] == "SUCCESS" and job["result"]["deactivated"] >= 1
    gone = tenant.get(f"/v1/itsm/tickets/by-identifier/{victim.key}").json()
    assert gone["active"] is False
    others = tenant.get("/v1/itsm/tickets", params={"limit": 1000}).json()["items"]
    assert sum(1 for t in others if not t["active"]) == job["result"]["deactivated"]


def test_identifier_of_a_vendor_id_bulk_entry_survives_the_sync(tenant: Tenant, own_jira) -> None:
    ident = "alert-" + own_jira.base_url[-5:] + "-1"
    r = tenant.post(
        "/v1/itsm/tickets/bulk/sync",
        json={
            "tickets": [
                {
                    "name": "kept id",
                    "project_vendor_id": "ENG",
                    "type_vendor_id": "10002",
                    "identifier": ident,
                },
                {"name": "no id", "project_vendor_id": "ENG", "type_vendor_id": "10002"},
            ]
        },
    )
    assert r.status_code == 200 and r.json()["succeeded"] == 2, r.text
    first, second = r.json()["results"]
    assert first["ticket_id"] is None and first["identifier"] == ident
    assert tenant.get(f"/v1/itsm/tickets/by-identifier/{ident}").status_code == 404  # not yet
    assert tenant.sync()["status"] == "SUCCESS"
    found = tenant.get(f"/v1/itsm/tickets/by-identifier/{ident}")
    assert (
        found.status_code == 200
        and found.json()["vendor_attributes"]["id"] == first["vendor_ticket_id"]
    )
    plain = tenant.get(f"/v1/itsm/tickets/by-identifier/{second['vendor_ticket_id']}")
    assert plain.status_code == 200  # without an identifier, the Jira key is the identifier


def test_a_full_sync_deactivates_what_it_did_not_see(settings, tenant: Tenant, own_jira) -> None:
    """A full sync has no second pass over the vendor's ids: what it did not see is gone."""
    import uuid

    from sqlalchemy import update

    from ticketbridge.provisioning.models import Connection

    victim = next(
        i for i in own_jira.state.issues.values() if not own_jira.state.children.get(i.id)
    )
    with jira_api(own_jira) as jira:
        assert jira.delete(f"/issue/{victim.key}").status_code == 204

    async def forget_the_mark(session) -> None:  # type: ignore[no-untyped-def]
        await session.execute(
            update(Connection)
            .where(Connection.id == uuid.UUID(tenant.connection_id))
            .values(sync_cursor=None)
        )

    in_store(settings, forget_the_mark)
    job = tenant.sync()
    assert job["status"] == "SUCCESS" and job["result"]["full"] is True, job
    assert job["result"]["deactivated"] == 1
    assert job["progress"]["processed"] == job["result"]["tickets"] == len(own_jira.state.issues)
    gone = tenant.get(f"/v1/itsm/tickets/by-identifier/{victim.key}").json()
    assert gone["active"] is False
    active = [t for t in all_tickets(tenant) if t["active"]]
    assert len(active) == len(own_jira.state.issues)


def test_deactivation_spares_tickets_written_since_the_sync_started(
    settings, tenant: Tenant
) -> None:
    """A ticket created while a sync runs may be missing from the vendor's listing."""
    import uuid
    from datetime import timedelta

    from sqlalchemy import select, update

    from ticketbridge.db.base import utcnow
    from ticketbridge.itsm.tickets.models import Ticket
    from ticketbridge.sync import repository

    connection_id = uuid.UUID(tenant.connection_id)
    old, recent = sorted(t["id"] for t in all_tickets(tenant) if t["active"])[:2]

    async def run(session) -> tuple[int, dict[str, bool]]:  # type: ignore[no-untyped-def]
        started = utcnow()
        await session.execute(
            update(Ticket)
            .where(Ticket.id == uuid.UUID(old))
            .values(updated_at=started - timedelta(seconds=5))
        )
        await session.execute(
            update(Ticket)
            .where(Ticket.id == uuid.UUID(recent))
            .values(updated_at=started + timedelta(seconds=1))
        )
        # Neither was seen by this (imaginary) sync; every other ticket was.
        seen = uuid.uuid4()
        await session.execute(
            update(Ticket)
            .where(
                Ticket.connection_id == connection_id,
                Ticket.id.not_in([uuid.UUID(old), uuid.UUID(recent)]),
            )
            .values(last_seen_sync_id=seen)
        )
        count = await repository.deactivate_unseen(session, connection_id, seen, started)
        rows = await session.execute(
            select(Ticket.id, Ticket.active).where(
                Ticket.id.in_([uuid.UUID(old), uuid.UUID(recent)])
            )
        )
        return count, {str(i): a for i, a in rows.all()}

    count, active = in_store(settings, run)
    assert count == 1
    assert active == {old: False, recent: True}


def test_two_new_issues_claiming_one_identifier_do_not_fail_the_sync(
    tenant: Tenant, own_jira
) -> None:
    """Pages are written two at a time; an identifier both claim goes to one of them."""
    ident = f"dup-{uuid.uuid4().hex[:8]}"
    projects = list(own_jira.state.projects.values())[:2]  # one per search stream
    keys = []
    with jira_api(own_jira) as jira:
        for project in projects:
            value = {
                "token": uuid.uuid4().hex,
                "identifier": ident,
                "connection": tenant.connection_id,
            }
            properties = [{"key": "ticketbridge", "value": value}]
            created = create_task(jira, project.key, "cloned with our property", properties)
            keys.append(created.json()["key"])
    job = tenant.sync()
    assert job["status"] == "SUCCESS", job
    owners = [
        tenant.get(f"/v1/itsm/tickets/by-identifier/{key}").status_code == 404 for key in keys
    ]
    assert sum(owners) == 1  # one holds the identifier, the other its Jira key
    holder = tenant.get(f"/v1/itsm/tickets/by-identifier/{ident}").json()
    assert holder["vendor_attributes"]["id"] in keys
