"""Issue behaviour of the Jira emulator: create/validate, bulk, edit, workflows, properties."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ticketbridge.emulators.jira.server import EmulatorServer

pytestmark = pytest.mark.store_independent

V3 = "/rest/api/3"
V2 = "/rest/api/2"


def doc(text: str) -> dict[str, Any]:
    return {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}],
    }


def task(summary: str = "Printer on fire", **extra: Any) -> dict[str, Any]:
    return {
        "fields": {
            "project": {"key": "ENG"},
            "issuetype": {"name": "Task"},
            "summary": summary,
            **extra,
        }
    }


def create(client: httpx.Client, body: dict[str, Any], version: str = V3) -> dict[str, Any]:
    response = client.post(f"{version}/issue", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_create_returns_id_key_and_absolute_self_then_get_shows_defaults(
    client: httpx.Client, emulator: EmulatorServer
) -> None:
    created = create(client, task(description=doc("Smoke is visible")))
    assert created["key"].startswith("ENG-")
    assert created["self"] == f"{emulator.base_url}/rest/api/3/issue/{created['id']}"
    issue = client.get(f"{V3}/issue/{created['key']}").json()
    fields = issue["fields"]
    assert fields["priority"]["name"] == "Medium"
    assert fields["status"]["name"] == "To Do"
    assert fields["status"]["statusCategory"] == {
        "self": f"{emulator.base_url}/rest/api/3/statuscategory/2",
        "id": 2,
        "key": "new",
        "colorName": "blue-gray",
        "name": "To Do",
    }
    assert fields["reporter"]["emailAddress"] == emulator.config.email
    assert fields["assignee"] is None and fields["resolution"] is None
    assert fields["description"] == doc("Smoke is visible")
    assert fields["created"].endswith("+0000") and len(fields["created"]) == 28


def test_v2_takes_and_returns_plain_string_descriptions(client: httpx.Client) -> None:
    created = create(client, task(description="Plain words here"), V2)
    assert client.get(f"{V2}/issue/{created['id']}").json()["fields"]["description"] == (
        "Plain words here"
    )
    v3 = client.get(f"{V3}/issue/{created['id']}").json()["fields"]["description"]
    assert v3["type"] == "doc"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"summary": ""}, "summary", "You must specify a summary of the issue."),
        ({"summary": "x" * 256}, "summary", "Summary must be less than 255 characters."),
        (
            {"summary": "a\nb"},
            "summary",
            "The summary is invalid because it contains newline characters.",
        ),
        (
            {"description": "plain"},
            "description",
            "Operation value must be an Atlassian Document (see the Atlassian Document Format)",
        ),
        ({"project": {"key": "NOPE"}}, "project", "valid project is required"),
        ({"issuetype": {"id": "99999"}}, "issuetype", "The issue type selected is invalid."),
        ({"priority": {"name": "Blocker"}}, "priority", "The priority selected is invalid."),
        (
            {"assignee": {"accountId": "nobody"}},
            "assignee",
            "User 'nobody' cannot be assigned issues.",
        ),
        (
            {"issuetype": {"name": "Sub-task"}},
            "issuetype",
            "Issue type is a sub-task but parent issue key or id not specified.",
        ),
        (
            {"labels": ["two words"]},
            "labels",
            "The label 'two words' contains spaces which is invalid.",
        ),
        ({"duedate": "17/01/2026"}, "duedate", "Error parsing date string: 17/01/2026"),
        (
            {"timetracking": {}},
            "timetracking",
            "Field 'timetracking' cannot be set. It is not on the appropriate screen, or unknown.",
        ),
    ],
)
def test_invalid_create_is_400_with_field_error(
    client: httpx.Client, fields: dict[str, Any], field: str, message: str
) -> None:
    body = task()
    body["fields"].update(fields)
    response = client.post(f"{V3}/issue", json=body)
    assert response.status_code == 400
    assert response.json() == {"errorMessages": [], "errors": {field: message}}


def test_inactive_and_app_users_are_not_assignable(
    client: httpx.Client, emulator: EmulatorServer
) -> None:
    for user in emulator.state.users.values():
        if not user.assignable:
            body = task(assignee={"accountId": user.account_id})
            assert client.post(f"{V3}/issue", json=body).status_code == 400
    active = next(u for u in emulator.state.users.values() if u.assignable)
    created = create(client, task(assignee={"id": active.account_id}))
    assert emulator.state.issue_by_key(created["key"]).assignee_account_id == active.account_id


def test_subtask_with_parent_appears_in_parent_subtasks(client: httpx.Client) -> None:
    parent = create(client, task("Parent"))
    child = create(
        client,
        {
            "fields": {
                "project": {"key": "ENG"},
                "issuetype": {"id": "10004"},
                "summary": "Child",
                "parent": {"key": parent["key"]},
            }
        },
    )
    got = client.get(f"{V3}/issue/{parent['key']}", params={"fields": "subtasks"}).json()
    assert [s["key"] for s in got["fields"]["subtasks"]] == [child["key"]]
    kid = client.get(f"{V3}/issue/{child['id']}", params={"fields": "parent"}).json()
    assert kid["fields"]["parent"]["key"] == parent["key"]


def test_required_custom_field_when_enabled() -> None:
    with EmulatorServer(issues=0, require_bug_customer_impact=True) as server:
        auth = (server.config.email, server.config.api_token)
        with httpx.Client(base_url=server.base_url, auth=auth) as http:
            bug = {
                "fields": {"project": {"key": "ENG"}, "issuetype": {"name": "Bug"}, "summary": "b"}
            }
            response = http.post(f"{V3}/issue", json=bug)
            assert response.status_code == 400
            assert response.json()["errors"] == {
                "customfield_10030": "Customer Impact is required."
            }
            bug["fields"]["customfield_10030"] = "High"
            assert http.post(f"{V3}/issue", json=bug).status_code == 201
            meta = http.get(f"{V3}/issue/createmeta/ENG/issuetypes/10003").json()["fields"]
            assert {f["fieldId"]: f["required"] for f in meta}["customfield_10030"] is True


def test_custom_fields_and_properties_on_create_are_stored(
    client: httpx.Client, emulator: EmulatorServer
) -> None:
    created = create(
        client,
        {
            **task(customfield_10016=5, customfield_19999="anything"),
            "properties": [{"key": "tb", "value": {"ticket": "T-1"}}],
        },
    )
    got = client.get(f"{V3}/issue/{created['key']}", params={"properties": "tb"}).json()
    assert got["fields"]["customfield_10016"] == 5
    assert got["fields"]["customfield_19999"] == "anything"
    assert got["properties"] == {"tb": {"ticket": "T-1"}}
    assert [i.key for i in emulator.state.find_issues_by_property("tb", "ticket", "T-1")] == [
        created["key"]
    ]


def test_bulk_create_partial_success_reports_zero_based_failures(client: httpx.Client) -> None:
    updates = [task("one"), task(""), task("three")]
    response = client.post(f"{V3}/issue/bulk", json={"issueUpdates": updates})
    assert response.status_code == 201
    body = response.json()
    assert len(body["issues"]) == 2
    assert body["errors"] == [
        {
            "status": 400,
            "failedElementNumber": 1,
            "elementErrors": {
                "errorMessages": [],
                "errors": {"summary": "You must specify a summary of the issue."},
            },
        }
    ]
    all_bad = client.post(f"{V3}/issue/bulk", json={"issueUpdates": [task(""), task("")]})
    assert all_bad.status_code == 400
    assert all_bad.json()["issues"] == [] and len(all_bad.json()["errors"]) == 2
    too_many = client.post(f"{V3}/issue/bulk", json={"issueUpdates": [task()] * 51})
    assert too_many.status_code == 400


def test_edit_fields_and_update_operations(client: httpx.Client, emulator: EmulatorServer) -> None:
    created = create(client, task(labels=["a", "b"]))
    before = emulator.state.issue_by_key(created["key"]).updated
    response = client.put(
        f"{V3}/issue/{created['key']}",
        json={
            "fields": {"summary": "Renamed", "priority": {"id": "1"}},
            "update": {"labels": [{"add": "c"}, {"remove": "a"}]},
        },
    )
    assert response.status_code == 204 and response.content == b""
    issue = emulator.state.issue_by_key(created["key"])
    assert (issue.summary, issue.priority_name, issue.labels) == ("Renamed", "Highest", ["b", "c"])
    assert issue.updated >= before
    returned = client.put(
        f"{V3}/issue/{created['key']}",
        params={"returnIssue": "true"},
        json={"fields": {"summary": "Again"}},
    )
    assert returned.status_code == 200 and returned.json()["fields"]["summary"] == "Again"


def test_edit_cannot_change_status(client: httpx.Client, emulator: EmulatorServer) -> None:
    created = create(client, task())
    response = client.put(
        f"{V3}/issue/{created['key']}", json={"fields": {"status": {"name": "Done"}}}
    )
    assert response.status_code == 400
    assert "status" in response.json()["errors"]
    assert emulator.state.issue_by_key(created["key"]).status_name == "To Do"


def _transition(client: httpx.Client, key: str, name: str) -> None:
    available = client.get(f"{V3}/issue/{key}/transitions").json()["transitions"]
    tid = next(t["id"] for t in available if t["name"] == name)
    response = client.post(f"{V3}/issue/{key}/transitions", json={"transition": {"id": tid}})
    assert response.status_code == 204, response.text


def test_software_workflow_forward_and_back(client: httpx.Client) -> None:
    key = create(client, task())["key"]
    names = [t["name"] for t in client.get(f"{V3}/issue/{key}/transitions").json()["transitions"]]
    assert names == ["Start Progress"]
    for name, status in [
        ("Start Progress", "In Progress"),
        ("Submit for Review", "In Review"),
        ("Request Changes", "In Progress"),
        ("Submit for Review", "In Review"),
        ("Done", "Done"),
    ]:
        _transition(client, key, name)
        assert client.get(f"{V3}/issue/{key}").json()["fields"]["status"]["name"] == status
    fields = client.get(f"{V3}/issue/{key}").json()["fields"]
    assert fields["status"]["statusCategory"]["key"] == "done"
    assert fields["resolution"]["name"] == "Done" and fields["resolutiondate"] is not None
    _transition(client, key, "Reopen")
    fields = client.get(f"{V3}/issue/{key}").json()["fields"]
    assert fields["status"]["name"] == "To Do"
    assert fields["resolution"] is None and fields["resolutiondate"] is None


def test_unavailable_transition_is_400(client: httpx.Client) -> None:
    key = create(client, task())["key"]
    response = client.post(f"{V3}/issue/{key}/transitions", json={"transition": {"id": "31"}})
    assert response.status_code == 400


def test_service_desk_workflow(client: httpx.Client) -> None:
    body = {"fields": {"project": {"key": "SUP"}, "issuetype": {"name": "Task"}, "summary": "Help"}}
    key = create(client, body)["key"]
    assert client.get(f"{V3}/issue/{key}").json()["fields"]["status"]["name"] == "Open"
    _transition(client, key, "Respond to customer")
    _transition(client, key, "Respond to support")
    _transition(client, key, "Resolve this issue")
    _transition(client, key, "Close")
    assert client.get(f"{V3}/issue/{key}").json()["fields"]["status"]["name"] == "Closed"


def test_create_with_transition_moves_off_initial_status(client: httpx.Client) -> None:
    response = client.post(f"{V3}/issue", json={**task(), "transition": {"id": "11"}})
    assert response.status_code == 201
    assert response.json()["transition"]["status"] == 200
    fields = client.get(f"{V3}/issue/{response.json()['key']}").json()["fields"]
    assert fields["status"]["name"] == "In Progress"


def test_issue_properties_crud(client: httpx.Client) -> None:
    key = create(client, task())["key"]
    url = f"{V3}/issue/{key}/properties/sync"
    assert client.get(url).status_code == 404
    assert client.put(url, json={"v": 1}).status_code == 201
    assert client.put(url, json={"v": 2}).status_code == 200
    assert client.get(url).json() == {"key": "sync", "value": {"v": 2}}
    assert [k["key"] for k in client.get(f"{V3}/issue/{key}/properties").json()["keys"]] == ["sync"]
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404


def test_assignee_endpoint_and_comments(client: httpx.Client, emulator: EmulatorServer) -> None:
    key = create(client, task())["key"]
    user = next(u for u in emulator.state.users.values() if u.assignable)
    assert (
        client.put(f"{V3}/issue/{key}/assignee", json={"accountId": user.account_id}).status_code
        == 204
    )
    assert emulator.state.issue_by_key(key).assignee_account_id == user.account_id
    assert client.put(f"{V3}/issue/{key}/assignee", json={"accountId": None}).status_code == 204
    assert emulator.state.issue_by_key(key).assignee_account_id is None
    comment = client.post(f"{V3}/issue/{key}/comment", json={"body": doc("first!")})
    assert comment.status_code == 201
    comments = client.get(f"{V3}/issue/{key}", params={"fields": "comment"}).json()["fields"][
        "comment"
    ]
    assert comments["total"] == 1 and comments["comments"][0]["body"] == doc("first!")


def test_missing_issue_is_404_with_jira_message(client: httpx.Client) -> None:
    response = client.get(f"{V3}/issue/ENG-999999")
    assert response.status_code == 404
    assert response.json() == {
        "errorMessages": ["Issue does not exist or you do not have permission to see it."],
        "errors": {},
    }


def test_field_selection_and_expand(client: httpx.Client) -> None:
    key = create(client, task(labels=["x"]))["key"]
    only = client.get(f"{V3}/issue/{key}", params={"fields": "summary,labels"}).json()
    assert set(only["fields"]) == {"summary", "labels"}
    excluded = client.get(f"{V3}/issue/{key}", params={"fields": "*all,-description"}).json()
    assert "description" not in excluded["fields"] and "summary" in excluded["fields"]
    navigable = client.get(f"{V3}/issue/{key}", params={"fields": "*navigable"}).json()
    assert "comment" not in navigable["fields"]
    expanded = client.get(f"{V3}/issue/{key}", params={"expand": "names,transitions"}).json()
    assert expanded["names"]["summary"] == "Summary"
    assert [t["name"] for t in expanded["transitions"]] == ["Start Progress"]


def test_bulkfetch_returns_issues_in_id_order_and_errors(client: httpx.Client) -> None:
    a = create(client, task("a"))
    b = create(client, task("b"))
    body = {"issueIdsOrKeys": [b["key"], "NOPE-1", a["id"]], "fields": ["summary"]}
    response = client.post(f"{V3}/issue/bulkfetch", json=body).json()
    assert [i["key"] for i in response["issues"]] == [a["key"], b["key"]]
    assert response["issueErrors"][0]["id"] == "NOPE-1"
