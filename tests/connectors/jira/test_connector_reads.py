"""The connector's batched reads: one search per 50, reconciled ids, single reads after."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.connectors.jira.support import connector_to
from ticketbridge.emulators.jira.server import EmulatorServer

pytestmark = pytest.mark.store_independent

NEW = {"fields": {"project": {"key": "ENG"}, "issuetype": {"name": "Task"}, "summary": "read"}}
SEARCH = "POST /rest/api/{version}/search/jql"


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(issues=120, users=5, projects=2, seed=3) as jira:
        yield jira


def _create(server: EmulatorServer, n: int) -> list[dict[str, str]]:
    auth = (server.config.email, server.config.api_token)
    with httpx.Client(base_url=server.base_url, auth=auth) as http:
        r = http.post("/rest/api/3/issue/bulk", json={"issueUpdates": [NEW] * n})
        return list(r.json()["issues"])


async def test_one_search_per_50_by_key_or_id(server: EmulatorServer) -> None:
    keys = [i.key for i in list(server.state.issues.values())[:60]]
    ids = [str(i.id) for i in list(server.state.issues.values())[60:110]]
    before = server.stats["requests_by_route"].get(SEARCH, 0)
    async with connector_to(server) as connector:
        got = await connector.get_tickets(keys + ids + ["ENG-999999"])
    assert set(got) == set(keys) | set(ids)  # an unknown key is just missing
    assert got[keys[0]].key == keys[0] and got[ids[0]].internal_id == ids[0]
    assert server.stats["requests_by_route"][SEARCH] - before == 3  # 60 + 50 + 1 refs


async def test_hidden_issues_are_found_only_when_their_ids_are_known(
    server: EmulatorServer,
) -> None:
    server.set_faults(search_visibility_delay_ms=600_000)
    try:
        created = _create(server, 3)
        keys = [c["key"] for c in created]
        async with connector_to(server) as connector:
            assert await connector.get_tickets(keys) == {}  # search lags, ids unknown
            for c in created:
                connector.reads.remember(c["key"], c["id"])
            got = await connector.get_tickets(keys)  # reconciled
            assert sorted(got) == sorted(keys)
            assert got[keys[0]].name == "read"
    finally:
        server.set_faults(search_visibility_delay_ms=0)
        server.emulator.faults.hidden_until.clear()


async def test_token_lookup_looks_again_within_its_window(server: EmulatorServer) -> None:
    server.set_faults(search_visibility_delay_ms=300)
    try:
        async with connector_to(server) as connector:
            payload = {**NEW, "properties": [{"key": "ticketbridge", "value": {"token": "t-1"}}]}
            auth = (server.config.email, server.config.api_token)
            with httpx.Client(base_url=server.base_url, auth=auth) as http:
                key = http.post("/rest/api/3/issue", json=payload).json()["key"]
            connector.reads.waits = ()
            assert await connector.find_by_creation_tokens(["t-1"]) == {}  # too early
            connector.reads.waits = (0.2, 0.4, 0.8)
            assert await connector.find_by_creation_tokens(["t-1"]) == {"t-1": key}
            found = await connector.find_by_creation_token("t-1")
            assert found is not None and found.key == key and found.creation_token == "t-1"
    finally:
        server.set_faults(search_visibility_delay_ms=0)
