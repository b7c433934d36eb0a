"""Projects, issue types, createmeta and users endpoints of the Jira emulator."""

from __future__ import annotations

import httpx
import pytest

from ticketbridge.emulators.jira.server import EmulatorServer

pytestmark = pytest.mark.store_independent

V3 = "/rest/api/3"


def test_server_info_is_cloud_with_own_base_url(
    client: httpx.Client, emulator: EmulatorServer
) -> None:
    body = client.get(f"{V3}/serverInfo").json()
    assert body["deploymentType"] == "Cloud" and body["baseUrl"] == emulator.base_url


def test_project_search_pages_with_absolute_next_page(emulator: EmulatorServer) -> None:
    with EmulatorServer(projects=7, issues=0) as server:
        auth = (server.config.email, server.config.api_token)
        with httpx.Client(auth=auth) as http:
            url: str | None = f"{server.base_url}{V3}/project/search?maxResults=3&expand=issueTypes"
            keys: list[str] = []
            while url:
                body = http.get(url).json()
                assert body["total"] == 7 and body["maxResults"] == 3
                keys.extend(p["key"] for p in body["values"])
                assert all("issueTypes" in p for p in body["values"])
                url = body.get("nextPage")
                assert body["isLast"] is (url is None)
                if url:
                    assert url.startswith(server.base_url)
            assert keys == sorted(keys) and len(keys) == 7
            clamp = http.get(
                f"{server.base_url}{V3}/project/search", params={"maxResults": 500}
            ).json()
            assert clamp["maxResults"] == 100


def test_project_search_filters(client: httpx.Client) -> None:
    def keys(**params: str) -> list[str]:
        return [
            p["key"] for p in client.get(f"{V3}/project/search", params=params).json()["values"]
        ]

    assert keys(typeKey="service_desk") == ["SUP"]
    assert keys(query="oper") == ["OPS"]
    assert keys(keys="ENG") == ["ENG"]


def test_project_get_and_bare_list(client: httpx.Client) -> None:
    eng = client.get(f"{V3}/project/ENG").json()
    assert [t["name"] for t in eng["issueTypes"]] == ["Epic", "Story", "Task", "Bug", "Sub-task"]
    assert client.get(f"{V3}/project/{eng['id']}").json()["key"] == "ENG"
    assert client.get(f"{V3}/project/NOPE").status_code == 404
    assert [p["key"] for p in client.get(f"{V3}/project").json()] == ["ENG", "OPS", "SUP"]


def test_catalogue_endpoints(client: httpx.Client) -> None:
    priorities = client.get(f"{V3}/priority").json()
    assert [(p["id"], p["name"]) for p in priorities] == [
        ("1", "Highest"),
        ("2", "High"),
        ("3", "Medium"),
        ("4", "Low"),
        ("5", "Lowest"),
    ]
    types = {t["name"]: t for t in client.get(f"{V3}/issuetype").json()}
    assert types["Sub-task"]["subtask"] is True and types["Sub-task"]["hierarchyLevel"] == -1
    assert types["Epic"]["hierarchyLevel"] == 1 and types["Epic"]["id"] == "10000"
    assert {c["key"] for c in client.get(f"{V3}/statuscategory").json()} >= {
        "new",
        "indeterminate",
        "done",
    }
    ops = client.get(f"{V3}/issuetype/project", params={"projectId": "10001"}).json()
    assert [t["name"] for t in ops] == ["Epic", "Task", "Sub-task"]


def test_createmeta_paging_and_limit(client: httpx.Client) -> None:
    page = client.get(f"{V3}/issue/createmeta/ENG/issuetypes", params={"maxResults": 2}).json()
    assert page["total"] == 5 and len(page["issueTypes"]) == 2
    too_big = client.get(f"{V3}/issue/createmeta/ENG/issuetypes", params={"maxResults": 201})
    assert too_big.status_code == 400
    assert too_big.json() == {
        "errorMessages": ["Parameter 'maxResults' must not exceed the limit '200'"],
        "errors": {},
        "httpStatusCode": {"empty": False, "present": True},
    }
    fields = client.get(f"{V3}/issue/createmeta/ENG/issuetypes/10004").json()["fields"]
    required = {f["fieldId"] for f in fields if f["required"]}
    assert required == {"summary", "issuetype", "project", "parent"}


def test_assignable_users_short_page_quirk(client: httpx.Client, emulator: EmulatorServer) -> None:
    users = list(emulator.state.users.values())
    url = f"{V3}/user/assignable/search"
    page = client.get(url, params={"project": "ENG", "startAt": 0, "maxResults": 10}).json()
    assert len(page) == sum(1 for u in users[:10] if u.assignable) < 10
    collected: list[str] = []
    start = 0
    while True:
        batch = client.get(url, params={"project": "ENG", "startAt": start, "maxResults": 5}).json()
        if start >= len(users):
            assert batch == []
            break
        collected.extend(u["accountId"] for u in batch)
        start += 5
    assert collected == [u.account_id for u in users if u.assignable]
    assert client.get(url).status_code == 400
    hidden = [u for u in users if not u.email_visible]
    assert hidden
    everyone = client.get(f"{V3}/user/search", params={"maxResults": 1000}).json()
    by_id = {u["accountId"]: u for u in everyone}
    assert len(everyone) == len(users)
    assert all("emailAddress" not in by_id[u.account_id] for u in hidden)
    assert any(u["accountType"] == "app" for u in everyone)
    assert any(not u["active"] for u in everyone)


def test_assignable_query_prefix_and_account_id(
    client: httpx.Client, emulator: EmulatorServer
) -> None:
    target = next(
        u
        for u in emulator.state.users.values()
        if u.assignable and u.display_name != "Sandbox Admin"
    )
    prefix = target.display_name.split()[1][:3]
    found = client.get(
        f"{V3}/user/assignable/search",
        params={"issueKey": "ENG-1", "query": prefix, "maxResults": 100},
    ).json()
    assert target.account_id in [u["accountId"] for u in found]
    exact = client.get(
        f"{V3}/user/assignable/search", params={"project": "ENG", "accountId": target.account_id}
    ).json()
    assert [u["accountId"] for u in exact] == [target.account_id]
    one = client.get(f"{V3}/user", params={"accountId": target.account_id}).json()
    assert one["displayName"] == target.display_name


def test_seed_is_deterministic_and_reset_restores_it(
    client: httpx.Client, emulator: EmulatorServer
) -> None:
    before = {i.key: (i.summary, i.status_id) for i in emulator.state.issues.values()}
    client.put(f"{V3}/issue/ENG-1", json={"fields": {"summary": "changed"}})
    client.post(
        f"{V3}/issue",
        json={"fields": {"project": {"key": "OPS"}, "issuetype": {"name": "Task"}, "summary": "x"}},
    )
    assert client.post("/_emulator/reset").status_code == 200
    after = {i.key: (i.summary, i.status_id) for i in emulator.state.issues.values()}
    assert after == before
    with EmulatorServer(issues=50, seed=42) as a, EmulatorServer(issues=50, seed=42) as b:
        assert [i.summary for i in a.state.issues.values()] == [
            i.summary for i in b.state.issues.values()
        ]
        assert a.config.cloud_id == b.config.cloud_id
