"""The async SDK against the running API and the Jira emulator (no mocks)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.support.factories import Tenant, new_tenant
from tests.support.servers import ApiServer
from ticketbridge.emulators.jira.server import EmulatorServer
from ticketbridge_client import AsyncTicketBridge, BulkProgress, ConflictError, NotFoundError


@pytest.fixture(scope="module")
def tenant(http, settings, jira: EmulatorServer) -> Tenant:
    return new_tenant(http, settings, jira)


def _client(api: ApiServer, tenant: Tenant) -> AsyncTicketBridge:
    return AsyncTicketBridge(api.base_url, tenant.api_key, tenant.connection_id)


async def test_async_list_follows_every_page(api: ApiServer, tenant: Tenant) -> None:
    expected = tenant.get("/v1/itsm/tickets", params={"limit": 1000}).json()
    assert expected["next_cursor"] is None
    async with _client(api, tenant) as tb:
        ids = [str(t.id) async for t in tb.tickets.list(page_size=41)]
        projects = [p async for p in tb.projects.list(page_size=2)]
        users = [u async for u in tb.users.list(page_size=9)]
    assert ids == [t["id"] for t in expected["items"]] and len(ids) > 41 * 3
    assert len(projects) == 3
    assert len(users) == len(tenant.get("/v1/itsm/users", params={"limit": 1000}).json()["items"])


async def test_async_writes_errors_and_bulk(
    api: ApiServer, tenant: Tenant, jira: EmulatorServer
) -> None:
    run = uuid.uuid4().hex[:8]
    async with _client(api, tenant) as tb:
        created = await tb.tickets.create(
            {"name": f"async {run}", "project_vendor_id": "ENG", "type": "Task", "identifier": run}
        )
        assert (await tb.tickets.get(str(created.id))).name == f"async {run}"
        updated = await tb.tickets.update(str(created.id), {"priority": "HIGH"})
        assert updated.priority.value == "HIGH"
        with pytest.raises(ConflictError) as dup:
            await tb.tickets.create(
                {"name": "dup", "project_vendor_id": "ENG", "type": "Task", "identifier": run}
            )
        assert dup.value.ticket_id == str(created.id)
        with pytest.raises(NotFoundError):
            await tb.jobs.get(str(uuid.uuid4()))

        tickets: list[dict[str, Any]] = [
            {"name": f"abulk {run} {i}", "project_vendor_id": "ENG", "type": "Task"}
            for i in range(55)
        ]
        tickets[52] = {"name": "bad", "project_vendor_id": "NOPE", "type": "Task"}
        seen: list[BulkProgress] = []
        results = await tb.tickets.bulk_create(tickets, on_progress=seen.append)
    assert [r.request_index for r in results] == list(range(55))
    assert [i for i, r in enumerate(results) if not r.success] == [52]
    assert seen[-1] == BulkProgress(total=55, done=55, failed=1)
    summaries = {i.summary for i in list(jira.state.issues.values())}
    assert all(f"abulk {run} {i}" in summaries for i in range(55) if i != 52)
