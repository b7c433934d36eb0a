"""`reconcileIssues` on `search/jql` and the search-visibility delay fault."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ticketbridge.emulators.jira.errors import JiraError
from ticketbridge.emulators.jira.routes_search import reconcile_ids
from ticketbridge.emulators.jira.server import EmulatorServer

pytestmark = pytest.mark.store_independent

NEW = {"fields": {"project": {"key": "ENG"}, "issuetype": {"name": "Task"}, "summary": "late"}}
FIELDS = ["summary", "status"]


def _search(client: httpx.Client, jql: str, **extra: Any) -> httpx.Response:
    return client.post("/rest/api/3/search/jql", json={"jql": jql, "fields": FIELDS, **extra})


def _ids(response: httpx.Response) -> list[int]:
    assert response.status_code == 200, response.text
    return [int(i["id"]) for i in response.json()["issues"]]


def test_new_issues_are_invisible_to_search_until_reconciled(
    client: httpx.Client, emulator: EmulatorServer
) -> None:
    emulator.set_faults(search_visibility_delay_ms=600_000)  # hidden for the whole test
    one = client.post("/rest/api/3/issue", json=NEW).json()
    bulk = client.post("/rest/api/3/issue/bulk", json={"issueUpdates": [NEW, NEW]}).json()
    created = [int(one["id"])] + [int(i["id"]) for i in bulk["issues"]]
    jql = "id in (" + ", ".join(map(str, created)) + ")"

    assert _ids(_search(client, jql)) == []  # eventually consistent: not there yet
    assert _ids(_search(client, 'project = ENG AND summary ~ "late"')) == []
    # Reconciled ids are seen at once; the others stay hidden.
    assert sorted(_ids(_search(client, jql, reconcileIssues=created[:2]))) == created[:2]
    got = client.get(
        "/rest/api/3/search/jql",
        params={"jql": jql, "fields": "summary", "reconcileIssues": ",".join(map(str, created))},
    )
    assert sorted(_ids(got)) == created
    # Reads by id or key are consistent.
    assert client.get(f"/rest/api/3/issue/{one['key']}").status_code == 200
    emulator.reset()  # forgets the hidden issues with the rest
    assert emulator.emulator.faults.hidden_until == {}


def test_visibility_ends_after_the_delay(client: httpx.Client, emulator: EmulatorServer) -> None:
    emulator.set_faults(search_visibility_delay_ms=1)
    issue_id = int(client.post("/rest/api/3/issue", json=NEW).json()["id"])
    emulator.emulator.faults.hidden_until[issue_id] = 0.0  # the delay has passed
    assert _ids(_search(client, f"id = {issue_id}")) == [issue_id]
    assert issue_id not in emulator.emulator.faults.hidden_until


def test_reconcile_issues_is_validated_as_jira_does(client: httpx.Client) -> None:
    ok = _search(client, "project = ENG", reconcileIssues=list(range(10000, 10050)))
    assert ok.status_code == 200
    too_many = _search(client, "project = ENG", reconcileIssues=list(range(10000, 10051)))
    assert too_many.status_code == 400
    assert "at most 50" in too_many.json()["errorMessages"][0]
    for bad in ("10000", ["ENG-1"], [1.5], [True], [{"id": 1}], [2**63]):
        response = _search(client, "project = ENG", reconcileIssues=bad)
        assert response.status_code == 400, bad
        assert response.json()["errorMessages"] == [
            "The reconcileIssues list must hold issue ids (integers)."
        ]
    over = client.get(
        "/rest/api/3/search/jql",
        params={"jql": "project = ENG", "reconcileIssues": ",".join(map(str, range(51)))},
    )
    assert over.status_code == 400


def test_stats_count_searches_per_route(client: httpx.Client) -> None:
    _search(client, "project = ENG", reconcileIssues=[10000])
    _search(client, "project = ENG")
    routes = client.get("/_emulator/stats").json()["requests_by_route"]
    assert routes["POST /rest/api/{version}/search/jql"] == 2


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=60) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=80,
)


@given(JSON)
def test_reconcile_decoder_gives_ids_or_a_clean_400(raw: Any) -> None:
    try:
        ids = reconcile_ids(raw)
    except JiraError as exc:
        assert exc.status == 400
        return
    assert isinstance(ids, frozenset) and len(ids) <= 50
    assert all(isinstance(i, int) for i in ids)
