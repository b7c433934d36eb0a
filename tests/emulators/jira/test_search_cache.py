"""Search paging of the Jira emulator stays exact while it reuses sorted orderings: writes
between pages (create, edit, transition, assign, property, delete) never give stale pages."""

from __future__ import annotations

import random
from typing import Any

import httpx
import pytest

from ticketbridge.emulators.jira.jql import JqlContext, compile_jql
from ticketbridge.emulators.jira.models import Issue
from ticketbridge.emulators.jira.server import EmulatorServer
from ticketbridge.emulators.jira.service import now

pytestmark = pytest.mark.store_independent

SEARCH = "/rest/api/3/search/jql"


class Reference:
    """The paging rule without any reuse: filter and sort the whole site on every page and
    continue right after the last issue; if it is gone, no longer matches or has other ORDER
    BY values, continue at the slot it held."""

    def __init__(self, emulator: EmulatorServer, jql: str) -> None:
        self.state = emulator.state
        self.compiled = compile_jql(jql)
        self.last_id: int | None = None
        self.last_values: tuple[Any, ...] = ()
        self.offset = 0

    def page(self, size: int) -> list[str]:
        ctx = JqlContext(now=now(), current_account_id=self.state.caller_account_id)
        matches = self.compiled.predicate(ctx)
        issues: list[Issue] = list(self.state.issues.values())
        if not self.compiled.has_order_by:
            hits = [i for i in reversed(issues) if matches(i)]
            if self.last_id is not None:
                hits = [i for i in hits if i.id < self.last_id]
            page = hits[:size]
        else:
            ordered: Any = self.compiled.sort([i for i in issues if matches(i)], ctx)
            start = max(self.offset - 1, 0)
            for index, issue in enumerate(ordered):
                values = self.compiled.sort_values(issue)
                if issue.id == self.last_id and values == self.last_values:
                    start = index + 1
            page = ordered[start : start + size]
            self.offset = start + len(page)
        if page:
            self.last_id = page[-1].id
            self.last_values = self.compiled.sort_values(page[-1])
        return [i.key for i in page]


def search(client: httpx.Client, jql: str, size: int, token: str | None = None) -> Any:
    params: dict[str, Any] = {"jql": jql, "maxResults": size, "fields": "summary"}
    if token:
        params["nextPageToken"] = token
    response = client.get(SEARCH, params=params)
    assert response.status_code == 200, response.text
    return response.json()


class Writer:
    """Random writes through the REST API, one kind after the other."""

    def __init__(self, client: httpx.Client, emulator: EmulatorServer, seed: int) -> None:
        self.client, self.state, self.rng = client, emulator.state, random.Random(seed)
        self.kinds = [self.create, self.edit, self.transition, self.assign, self.prop, self.delete]
        self.count = 0

    def pick(self) -> Issue:
        return self.rng.choice([i for i in self.state.issues.values() if i.project_key == "ENG"])

    def __call__(self, last_key: str | None) -> None:
        kind = self.kinds[self.count % len(self.kinds)]
        self.count += 1
        if kind is self.delete and last_key is not None:
            self.delete(last_key)  # the token's issue is gone: the next page uses the offset
        else:
            kind()

    def create(self) -> None:
        fields = {"project": {"key": "ENG"}, "issuetype": {"name": "Task"}, "summary": "Aaa new"}
        assert self.client.post("/rest/api/3/issue", json={"fields": fields}).status_code == 201

    def edit(self) -> None:
        body = {"fields": {"summary": f"zz edited {self.count}"}}
        assert self.client.put(f"/rest/api/3/issue/{self.pick().key}", json=body).status_code == 204

    def transition(self) -> None:
        key = self.pick().key
        found = self.client.get(f"/rest/api/3/issue/{key}/transitions").json()["transitions"]
        body = {"transition": {"id": self.rng.choice(found)["id"]}}
        assert self.client.post(f"/rest/api/3/issue/{key}/transitions", json=body).is_success

    def assign(self) -> None:
        r = self.client.put(
            f"/rest/api/3/issue/{self.pick().key}/assignee", json={"accountId": None}
        )
        assert r.status_code == 204

    def prop(self) -> None:
        url = f"/rest/api/3/issue/{self.pick().key}/properties/cache"
        assert self.client.put(url, json={"n": self.count}).is_success

    def delete(self, key: str | None = None) -> None:
        key = key or self.pick().key
        url = f"/rest/api/3/issue/{key}?deleteSubtasks=true"
        assert self.client.delete(url).status_code == 204


@pytest.mark.parametrize(
    "jql",
    [
        'updated >= "1970-01-01 00:00" AND project = ENG ORDER BY updated ASC, id ASC',
        "project = ENG ORDER BY summary DESC",
        "project = ENG AND status != Done ORDER BY priority DESC, key ASC",
        "project = ENG AND (issue.property[cache].n >= 0 OR status = Done) ORDER BY created ASC",
        "project = ENG AND created >= -3650d ORDER BY updated DESC",  # clock-dependent
        "project = ENG AND assignee is EMPTY",  # no ORDER BY: id descending
    ],
)
def test_pages_match_a_full_resort_while_writes_happen_between_pages(
    client: httpx.Client, emulator: EmulatorServer, jql: str
) -> None:
    reference, write = Reference(emulator, jql), Writer(client, emulator, seed=len(jql))
    token, pages = None, 0
    while True:
        expected = reference.page(10)
        body = search(client, jql, 10, token)
        got = [i["key"] for i in body["issues"]]
        assert got == expected, f"page {pages + 1} differs"
        pages += 1
        if body["isLast"]:
            break
        token = body["nextPageToken"]
        write(got[-1] if pages % 4 == 0 else None)
    assert pages >= 4


def oldest(client: httpx.Client, jql: str) -> str:
    return str(search(client, jql, 1)["issues"][0]["key"])


def test_a_reused_ordering_is_dropped_by_each_kind_of_write(client: httpx.Client) -> None:
    by_updated = "project = ENG ORDER BY updated ASC, id ASC"
    first = oldest(client, by_updated)
    assert oldest(client, by_updated) == first  # served from the reused ordering
    r = client.put(f"/rest/api/3/issue/{first}", json={"fields": {"summary": "moved"}})
    assert r.status_code == 204
    second = oldest(client, by_updated)
    assert second != first, "an edit moves the issue to the end"
    assert client.put(f"/rest/api/3/issue/{second}/assignee", json={"accountId": None}).is_success
    third = oldest(client, by_updated)
    assert third != second, "an assignment moves the issue to the end"
    assert client.delete(f"/rest/api/3/issue/{third}?deleteSubtasks=true").status_code == 204
    assert oldest(client, by_updated) != third, "a deleted issue is gone"
    assert client.get(f"/rest/api/3/issue/{third}").status_code == 404

    by_prop = "project = ENG AND issue.property[flag].on = 1 ORDER BY key ASC"
    assert search(client, by_prop, 10)["issues"] == []
    url = f"/rest/api/3/issue/{first}/properties/flag"
    assert client.put(url, json={"on": 1}).status_code == 201
    assert [i["key"] for i in search(client, by_prop, 10)["issues"]] == [first]
    assert client.delete(url).status_code == 204
    assert search(client, by_prop, 10)["issues"] == []


def test_created_issue_shows_up_in_an_ordering_computed_before_it(
    client: httpx.Client, emulator: EmulatorServer
) -> None:
    jql = "project = ENG ORDER BY created DESC, id DESC"
    before = oldest(client, jql)
    fields = {"project": {"key": "ENG"}, "issuetype": {"name": "Task"}, "summary": "fresh"}
    created = client.post("/rest/api/3/issue", json={"fields": fields}).json()["key"]
    assert oldest(client, jql) == created != before


def test_deleting_a_property_whose_value_is_null_answers_204(client: httpx.Client) -> None:
    url = "/rest/api/3/issue/ENG-1/properties/nothing"
    headers = {"Content-Type": "application/json"}
    assert client.put(url, content=b"null", headers=headers).status_code == 201
    assert client.delete(url).status_code == 204
    assert client.delete(url).status_code == 404


def keys_of(body: Any) -> list[str]:
    return [i["key"] for i in body["issues"]]


def all_keys(client: httpx.Client, jql: str, token: str | None = None) -> list[str]:
    keys: list[str] = []
    while True:
        body = search(client, jql, 100, token)
        keys += keys_of(body)
        token = body.get("nextPageToken")
        if not token:
            return keys


def test_removing_issues_before_and_at_the_cursor_skips_nothing(
    client: httpx.Client, emulator: EmulatorServer
) -> None:
    jql = "project = ENG ORDER BY key ASC"
    every = all_keys(client, jql)

    def alive_after(key: str) -> list[str]:  # deleting a parent deletes its sub-tasks too
        rest = every[every.index(key) + 1 :]
        return [k for k in rest if state.issue_by_key(k) is not None][:10]

    state = emulator.state
    # One removal per gap between pages: the offset cannot tell how many issues went when
    # the cursor issue itself is removed together with others before it.
    childless = {i.key for i in state.issues.values() if not state.children.get(i.id)}
    before = next(k for k in every[:9] if k in childless)
    first = search(client, jql, 10)
    assert client.delete(f"/rest/api/3/issue/{before}").status_code == 204
    second = search(client, jql, 10, first["nextPageToken"])
    assert keys_of(second) == alive_after(every[9])
    cursor = keys_of(second)[-1]
    assert client.delete(f"/rest/api/3/issue/{cursor}?deleteSubtasks=true").is_success
    third = search(client, jql, 10, second["nextPageToken"])
    assert keys_of(third) == alive_after(cursor)


def test_editing_the_last_issue_of_a_page_neither_skips_nor_ends_a_sync(
    client: httpx.Client,
) -> None:
    jql = 'updated >= "1970-01-01 00:00" AND project = ENG ORDER BY updated ASC, id ASC'
    every = all_keys(client, jql)
    first = search(client, jql, 10)
    cursor = keys_of(first)[-1]
    assert client.put(f"/rest/api/3/issue/{cursor}", json={"fields": {"summary": "x"}}).is_success
    seen = keys_of(first) + all_keys(client, jql, first["nextPageToken"])
    assert seen[:10] == every[:10] and seen[10:-1] == every[10:] and seen[-1] == cursor
