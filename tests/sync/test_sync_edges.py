"""One item never fails a sync: identifiers shared with callers, items the store refuses."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.factories import Tenant, new_tenant
from tests.support.stores import store_name
from tests.sync.test_sync import all_tickets, create_task, jira_api
from ticketbridge.emulators.jira.server import EmulatorServer


@pytest.fixture(scope="module")
def own_jira() -> Iterator[EmulatorServer]:
    """An emulator this module may edit freely."""
    with EmulatorServer(issues=60, users=8, projects=2, seed=23) as server:
        yield server


@pytest.fixture
def tenant(http, settings, own_jira) -> Tenant:
    return new_tenant(http, settings, own_jira)


def next_number(jira: EmulatorServer, project: str = "ENG") -> int:
    """The number Jira gives the next issue of `project` (ENG-<n>)."""
    with jira_api(jira) as api:
        key = create_task(api, project, "probe").json()["key"]
    return int(key.rsplit("-", 1)[1]) + 1


def create_in_jira_until(jira: EmulatorServer, key: str) -> dict[str, Any]:
    """Issues created directly in Jira (not through us) until `key` exists; its issue."""
    project, number = key.rsplit("-", 1)
    with jira_api(jira) as api:
        while True:
            created = create_task(api, project, "made in Jira").json()
            at = int(created["key"].rsplit("-", 1)[1])
            assert at <= int(number), created
            if created["key"] == key:
                return created


def create_ticket(tenant: Tenant, **body: Any) -> dict[str, Any]:
    r = tenant.post(
        "/v1/itsm/tickets",
        json={"name": "x", "project_vendor_id": "ENG", "type": "Task", **body},
    )
    assert r.status_code == 200, r.text
    return r.json()


def by_identifier(tenant: Tenant, identifier: str) -> dict[str, Any]:
    r = tenant.get(f"/v1/itsm/tickets/by-identifier/{identifier}")
    assert r.status_code == 200, (identifier, r.text)
    return r.json()


def test_a_caller_identifier_equal_to_a_later_jira_key_keeps_the_sync_going(
    tenant: Tenant, own_jira: EmulatorServer
) -> None:
    n = next_number(own_jira)
    later = f"ENG-{n + 2}"
    mine = create_ticket(tenant, identifier=later)
    assert mine["vendor_attributes"]["id"] == f"ENG-{n}" and mine["identifier"] == later
    jiras = create_in_jira_until(own_jira, later)
    for _ in range(2):  # the second sync sees the same identifiers
        job = tenant.sync()
        assert job["status"] == "SUCCESS", job
        assert job["result"]["skipped"] == [], job["result"]
        assert by_identifier(tenant, later)["id"] == mine["id"]  # the caller's is kept
        other = by_identifier(tenant, f"{later}~{jiras['id']}")  # Jira's gets a derived one
        assert other["vendor_attributes"]["id"] == later and other["name"] == "made in Jira"
    health = tenant.get(tenant.connection_path).json()["health"]
    assert health["status"] == "HEALTHY" and not health.get("skipped_items"), health
    with jira_api(own_jira) as api:
        newer = create_task(api, "ENG", "after the clash").json()["key"]
    assert tenant.sync()["status"] == "SUCCESS"
    assert by_identifier(tenant, newer)["name"] == "after the clash"


def test_a_created_ticket_whose_key_a_caller_holds_gets_the_derived_identifier(
    tenant: Tenant, own_jira: EmulatorServer
) -> None:
    n = next_number(own_jira)
    create_ticket(tenant, identifier=f"ENG-{n + 1}")  # becomes ENG-<n>
    second = create_ticket(tenant)  # becomes ENG-<n+1>, whose key is taken
    internal = second["vendor_attributes"]["data"]["id"]
    assert second["identifier"] == f"ENG-{n + 1}~{internal}", second
    assert tenant.sync()["status"] == "SUCCESS"
    assert by_identifier(tenant, second["identifier"])["id"] == second["id"]


def test_an_item_the_store_cannot_take_is_skipped_and_the_sync_succeeds(
    tenant: Tenant, own_jira: EmulatorServer
) -> None:
    """Every identifier the rule offers Jira's issue is held by a caller: it is skipped."""
    n = next_number(own_jira)
    target = f"ENG-{n}"
    blocked = create_in_jira_until(own_jira, target)
    create_ticket(tenant, identifier=target)
    create_ticket(tenant, identifier=f"{target}~{blocked['id']}")
    with jira_api(own_jira) as api:
        fine = create_task(api, "ENG", "stored despite the other").json()["key"]
    job = tenant.sync()
    assert job["status"] == "SUCCESS", job
    result = job["result"]
    assert result["skipped_count"] == 1
    [skipped] = result["skipped"]
    assert skipped["item"] == target
    assert "held by other tickets" in skipped["reason"]
    for raw in ("Error", "INSERT", "UNIQUE", "tickets."):
        assert raw not in skipped["reason"]
    assert by_identifier(tenant, fine)["name"] == "stored despite the other"
    health = tenant.get(tenant.connection_path).json()["health"]
    assert health["status"] == "HEALTHY" and health["skipped_items"] == 1, health
    assert "1 item(s) skipped" in health["description"]


def test_a_value_the_database_refuses_skips_only_that_item(
    tenant: Tenant, own_jira: EmulatorServer
) -> None:
    """A NUL character (which Jira's API lets through in a summary): PostgreSQL cannot keep
    it, so the item is skipped with a reason; SQLite keeps it. The rest is stored alike."""
    with jira_api(own_jira) as api:
        bad = create_task(api, "ENG", "nul \x00 inside").json()["key"]
        good = create_task(api, "ENG", "plain").json()["key"]
    job = tenant.sync()
    assert job["status"] == "SUCCESS", job
    assert by_identifier(tenant, good)["name"] == "plain"
    skipped = job["result"]["skipped"]
    if store_name() == "postgres":
        assert [s["item"] for s in skipped] == [bad]
        assert "cannot keep" in skipped[0]["reason"]
        assert tenant.get(f"/v1/itsm/tickets/by-identifier/{bad}").status_code == 404
    else:
        assert skipped == []
        assert by_identifier(tenant, bad)["name"] == "nul \x00 inside"
    assert len(all_tickets(tenant)) >= len(own_jira.state.issues) - len(skipped)


def test_a_create_whose_identifier_a_sync_stored_meanwhile_keeps_it(
    settings: Any, tenant: Tenant, own_jira: EmulatorServer
) -> None:
    """The race: a create claimed "ENG-<n>" while it was free; before it stored its ticket,
    a sync stored Jira's ENG-<n> under its key. The caller's identifier is kept; Jira's
    ticket moves to its derived identifier. (Replayed step by step: the create's last step
    is `store_vendor_ticket`, called here as the create calls it.)"""
    import asyncio
    import uuid

    from ticketbridge.context import AppContext
    from ticketbridge.db.session import transaction
    from ticketbridge.itsm.tickets.service import Mappings, store_vendor_ticket
    from ticketbridge.provisioning.connectors import open_connector
    from ticketbridge.provisioning.models import Connection

    with jira_api(own_jira) as api:
        synced = create_task(api, "ENG", "synced meanwhile").json()
        mine = create_task(api, "ENG", "created by the caller").json()
    assert tenant.sync()["status"] == "SUCCESS"
    assert by_identifier(tenant, synced["key"])["name"] == "synced meanwhile"

    async def store() -> tuple[str, str]:
        ctx = AppContext.create(settings)
        try:
            async with transaction(ctx.sessionmaker) as session:
                connection = await session.get(Connection, uuid.UUID(tenant.connection_id))
                vt = await open_connector(ctx, connection).get_ticket(mine["key"])
                ticket = await store_vendor_ticket(
                    session, connection, vt, Mappings.of(connection), synced["key"]
                )
                return ticket.identifier, str(ticket.id)
        finally:
            await ctx.stop()  # the vendor budget's connection too

    identifier, ticket_id = asyncio.run(store())
    assert identifier == synced["key"]
    assert by_identifier(tenant, synced["key"])["id"] == ticket_id
    moved = by_identifier(tenant, f"{synced['key']}~{synced['id']}")
    assert moved["name"] == "synced meanwhile"
    assert tenant.sync()["status"] == "SUCCESS"  # and the next sync agrees
    assert by_identifier(tenant, synced["key"])["id"] == ticket_id
