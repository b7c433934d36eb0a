"""The sync's ticket search cut into disjoint streams by project, over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.connectors.jira.support import connector_to
from ticketbridge.connectors.base import VendorTicket
from ticketbridge.connectors.jira import sync_reads
from ticketbridge.connectors.jira.connector import JiraConnector
from ticketbridge.emulators.jira.server import EmulatorServer

pytestmark = pytest.mark.store_independent


@pytest.fixture(scope="module")
def site() -> Iterator[EmulatorServer]:
    with EmulatorServer(projects=5, users=10, issues=450, seed=5) as server:
        yield server


@pytest.fixture
async def connector(site: EmulatorServer) -> AsyncIterator[JiraConnector]:
    async with connector_to(site) as connector:
        yield connector


async def _keys(pages: AsyncIterator[list[VendorTicket]]) -> list[str]:
    return [t.key for page in [p async for p in pages] for t in page]


def _searches(site: EmulatorServer) -> int:
    return sum(n for route, n in site.stats["requests_by_route"].items() if "search/jql" in route)


async def test_streams_see_every_issue_once_even_with_a_stale_project_list(
    site: EmulatorServer, connector: JiraConnector
) -> None:
    everything = {i.key for i in site.state.issues.values()}
    projects = sorted(p.key for p in site.state.projects.values())
    # Two of five projects are not "known": the last stream (project not in ...) has them.
    before = _searches(site)
    keys = await _keys(connector.iter_tickets(None, None, known_projects=projects[:3]))
    assert sorted(keys) == sorted(everything)  # each once
    assert _searches(site) - before >= 2 * 2  # two streams of several pages each


async def test_streams_keep_each_projects_order_and_honour_the_filter(
    site: EmulatorServer, connector: JiraConnector
) -> None:
    projects = sorted(p.key for p in site.state.projects.values())
    wanted = set(projects[1:4])
    tickets = [
        t
        async for page in connector.iter_tickets(None, sorted(wanted), known_projects=projects)
        for t in page
    ]
    expected = {i.key for i in site.state.issues.values() if i.project_key in wanted}
    assert sorted(t.key for t in tickets) == sorted(expected)
    for project in wanted:  # one project is in one stream: its pages keep the JQL order
        mine = [t for t in tickets if t.project_vendor_id == project]
        assert mine == sorted(mine, key=lambda t: (t.updated_at, int(t.internal_id)))


async def test_one_stream_without_projects(
    site: EmulatorServer, connector: JiraConnector, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync_reads, "SEARCH_STREAMS", 3)
    tickets = await _keys(connector.iter_tickets(None, None, known_projects=["ENG"]))
    assert len(tickets) == len(site.state.issues)
