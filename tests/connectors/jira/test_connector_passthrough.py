"""Jira connector passthrough paging against a large emulated site, over real HTTP.

The site has more projects than Jira's `project/search` page (100) and more users than one
assignable-search window (1000), so every paging path underneath is exercised.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.connectors.jira.support import connector_to
from ticketbridge.connectors.jira.connector import JiraConnector
from ticketbridge.connectors.jira.passthrough import USER_WINDOW
from ticketbridge.emulators.jira.models import User
from ticketbridge.emulators.jira.server import EmulatorServer
from ticketbridge.errors import VendorBadQuery, VendorNotFound

pytestmark = pytest.mark.store_independent


@pytest.fixture(scope="module")
def big_jira() -> Iterator[EmulatorServer]:
    with EmulatorServer(projects=260, users=USER_WINDOW + 150, issues=40, seed=11) as server:
        yield server


@pytest.fixture(scope="module")
async def connector(big_jira: EmulatorServer) -> AsyncIterator[JiraConnector]:
    async with connector_to(big_jira) as connector:
        yield connector


def _calls(jira: EmulatorServer, fragment: str) -> int:
    return sum(n for route, n in jira.stats["requests_by_route"].items() if fragment in route)


def _item(u: User) -> dict[str, object]:
    return {
        "vendor_id": u.account_id,
        "name": u.display_name,
        "email": u.email if u.email_visible and u.email else None,
        "active": u.active,
        "account_type": u.account_type,
    }


async def test_projects_page_past_jiras_clamp_of_100(
    connector: JiraConnector, big_jira: EmulatorServer
) -> None:
    keys = sorted(p.key for p in big_jira.state.projects.values())
    before = _calls(big_jira, "/project/search")
    first = await connector.passthrough_projects(0, 250, expand=False)
    assert [p["vendor_id"] for p in first.items] == keys[:250]
    assert first.total == 260
    assert _calls(big_jira, "/project/search") - before == 3  # 100 + 100 + 50
    rest = await connector.passthrough_projects(250, 250, expand=False)
    assert [p["vendor_id"] for p in rest.items] == keys[250:]
    assert (await connector.passthrough_projects(400, 10, expand=False)).items == []


async def test_projects_embed_their_issue_types(
    connector: JiraConnector, big_jira: EmulatorServer
) -> None:
    page = await connector.passthrough_projects(95, 10, expand=True)  # across a Jira page
    assert len(page.items) == 10
    for item in page.items:
        project = big_jira.state.project(item["vendor_id"])
        assert project is not None
        assert item["name"] == project.name and item["project_type"] == project.type_key
        assert item["issue_types"] == [
            {"vendor_id": t.id, "name": t.name, "subtask": t.subtask}
            for t in big_jira.state.project_issue_types(project)
        ]


async def test_issue_types_page_under_jiras_cap_of_200(
    connector: JiraConnector, big_jira: EmulatorServer
) -> None:
    project = big_jira.state.project("ENG")
    assert project is not None
    types = big_jira.state.project_issue_types(project)
    everything = await connector.passthrough_issue_types("ENG", 0, 1000)  # > 200: no 400
    assert [t["vendor_id"] for t in everything.items] == [t.id for t in types]
    assert everything.total == len(types)
    window = await connector.passthrough_issue_types("ENG", 1, 2)
    assert [t["vendor_id"] for t in window.items] == [t.id for t in types[1:3]]
    assert window.items[0] == {
        "vendor_id": types[1].id,
        "name": types[1].name,
        "description": types[1].description,
        "subtask": types[1].subtask,
    }


# Unquoted, the last one would walk up to `project/search` and answer projects.
@pytest.mark.parametrize("key", ["NOPE", "..", "ENG?x=1", "../../project/search?x="])
async def test_unknown_project_is_not_found_and_cannot_escape_the_path(
    connector: JiraConnector, key: str
) -> None:
    with pytest.raises(VendorNotFound) as raised:
        await connector.passthrough_issue_types(key, 0, 50)
    assert raised.value.detail == f"Project '{key}' not found in Jira"


async def test_assignable_users_walk_every_window_in_order(
    connector: JiraConnector, big_jira: EmulatorServer
) -> None:
    expected = [_item(u) for u in big_jira.state.users.values() if u.assignable]
    assert len(expected) < USER_WINDOW  # the first window alone comes back short
    page = await connector.passthrough_users(None, "ENG", 0, 1000)
    assert page.items == expected and page.total is None
    assert any(i["email"] is None for i in page.items)  # hidden emails stay hidden
    tail = await connector.passthrough_users(None, "ENG", len(expected) - 5, 50)
    assert tail.items == expected[-5:]


async def test_assignable_match_beyond_an_empty_first_window_is_found(
    connector: JiraConnector, big_jira: EmulatorServer
) -> None:
    users = list(big_jira.state.users.values())
    target = next(u for u in users[USER_WINDOW:] if u.assignable and u.email_visible)
    before = _calls(big_jira, "/user/assignable/search")
    # The full email is unique: the first window (1000 users) holds no match at all.
    page = await connector.passthrough_users(target.email, "ENG", 0, 50)
    assert page.items == [_item(target)]
    assert _calls(big_jira, "/user/assignable/search") - before == 2
    nothing = await connector.passthrough_users("zzzz-nobody", "ENG", 0, 50)
    assert nothing.items == []


async def test_users_without_project_search_the_whole_directory(
    connector: JiraConnector, big_jira: EmulatorServer
) -> None:
    users = list(big_jira.state.users.values())
    page = await connector.passthrough_users(None, None, 1020, 60)  # across 1000 and the end
    assert page.items == [_item(u) for u in users[1020:1080]]
    inactive = next(u for u in users[USER_WINDOW:] if not u.active and u.email_visible)
    found = await connector.passthrough_users(inactive.email, None, 0, 10)
    assert found.items == [_item(inactive)]  # the directory includes inactive accounts


async def test_search_reports_bad_jql_as_a_bad_query(connector: JiraConnector) -> None:
    with pytest.raises(VendorBadQuery) as raised:
        await connector.passthrough_search("project = ", None, 10)
    messages = raised.value.vendor_errors["errorMessages"]
    assert messages and raised.value.detail == "Jira rejected the query: " + "; ".join(messages)
