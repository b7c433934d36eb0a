"""Enhanced JQL search of the Jira emulator: paging, stability, limits, errors, 410."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ticketbridge.emulators.jira.server import EmulatorServer

pytestmark = pytest.mark.store_independent

SEARCH = "/rest/api/3/search/jql"
UNBOUNDED = (
    "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
)
REMOVED = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
    "A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"
)


def eng_count(emulator: EmulatorServer) -> int:
    return sum(1 for i in emulator.state.issues.values() if i.project_key == "ENG")


def page_through(client: httpx.Client, jql: str, size: int, between: Any = None) -> list[str]:
    keys: list[str] = []
    token = None
    while True:
        params: dict[str, Any] = {"jql": jql, "maxResults": size, "fields": "summary"}
        if token:
            params["nextPageToken"] = token
        body = client.get(SEARCH, params=params).json()
        assert "total" not in body
        keys.extend(i["key"] for i in body["issues"])
        if body["isLast"]:
            assert "nextPageToken" not in body
            return keys
        token = body["nextPageToken"]
        if between:
            between()


def test_default_fields_is_id_only(client: httpx.Client) -> None:
    body = client.get(SEARCH, params={"jql": "project = ENG", "maxResults": 2}).json()
    assert len(body["issues"]) == 2
    assert "fields" not in body["issues"][0] and body["issues"][0]["id"].isdigit()


def test_paging_visits_every_match_once_newest_first(
    client: httpx.Client, emulator: EmulatorServer
) -> None:
    keys = page_through(client, "project = ENG", 17)
    assert len(keys) == len(set(keys)) == eng_count(emulator)
    ids = [emulator.state.issue_by_key(k).id for k in keys]
    assert ids == sorted(ids, reverse=True)


def test_paging_is_stable_while_issues_are_created_between_pages(
    client: httpx.Client, emulator: EmulatorServer
) -> None:
    expected = {i.key for i in emulator.state.issues.values() if i.project_key == "ENG"}

    def create_one() -> None:
        body = {
            "fields": {"project": {"key": "ENG"}, "issuetype": {"name": "Task"}, "summary": "new"}
        }
        assert client.post("/rest/api/3/issue", json=body).status_code == 201

    for jql in ("project = ENG", "project = ENG ORDER BY created ASC"):
        seen = page_through(client, jql, 20, between=create_one)
        assert len(seen) == len(set(seen)), "no duplicates across pages"
        assert expected <= set(seen), "no pre-existing issue skipped"


def test_post_search_takes_json_array_fields(client: httpx.Client) -> None:
    body = {
        "jql": "project = OPS",
        "maxResults": 3,
        "fields": ["summary", "status"],
        "expand": "names",
    }
    result = client.post(SEARCH, json=body).json()
    assert set(result["issues"][0]["fields"]) == {"summary", "status"}
    assert result["names"]["status"] == "Status"


def test_max_results_caps(client: httpx.Client, emulator: EmulatorServer) -> None:
    with_fields = client.get(
        SEARCH, params={"jql": "project = ENG", "maxResults": 1000, "fields": "summary"}
    )
    assert len(with_fields.json()["issues"]) == min(100, eng_count(emulator))
    ids_only = client.get(
        SEARCH, params={"jql": "project = ENG", "maxResults": 1000, "fields": "id,key"}
    )
    assert len(ids_only.json()["issues"]) == eng_count(emulator)
    assert ids_only.json()["isLast"] is True


def test_unbounded_and_invalid_jql_are_400(client: httpx.Client) -> None:
    for jql in ("", "order by key desc"):
        response = client.get(SEARCH, params={"jql": jql})
        assert response.status_code == 400
        assert response.json()["errorMessages"] == [UNBOUNDED]
    broken = client.get(SEARCH, params={"jql": "project = = ENG"})
    assert broken.status_code == 400 and broken.json()["errorMessages"]


def test_foreign_token_is_rejected(client: httpx.Client) -> None:
    token = client.get(SEARCH, params={"jql": "project = ENG", "maxResults": 1}).json()[
        "nextPageToken"
    ]
    response = client.get(SEARCH, params={"jql": "project = OPS", "nextPageToken": token})
    assert response.status_code == 400


def test_approximate_count(client: httpx.Client, emulator: EmulatorServer) -> None:
    response = client.post("/rest/api/3/search/approximate-count", json={"jql": "project = ENG"})
    assert response.json() == {"count": eng_count(emulator)}


def test_approximate_count_takes_the_sync_queries_and_refuses_unbounded_jql(
    client: httpx.Client, emulator: EmulatorServer
) -> None:
    count = "/rest/api/3/search/approximate-count"
    everything = client.post(count, json={"jql": 'updated >= "1970-01-01 00:00"'})
    assert everything.json() == {"count": len(emulator.state.issues)}
    eng = client.post(count, json={"jql": 'project in ("ENG") AND updated >= "1970-01-01 00:00"'})
    assert eng.json() == {"count": eng_count(emulator)}
    for body in ({"jql": ""}, {}, {"jql": "project = "}):
        refused = client.post(count, json=body)
        assert refused.status_code == 400 and refused.json()["errorMessages"], body


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("version", ["2", "3"])
def test_old_search_is_gone(client: httpx.Client, method: str, version: str) -> None:
    response = client.request(
        method, f"/rest/api/{version}/search", params={"jql": "project = ENG"}
    )
    assert response.status_code == 410
    assert response.json() == {"errorMessages": [REMOVED]}
