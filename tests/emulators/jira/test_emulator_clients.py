"""Real PyPI Jira clients against the emulator: pycontribs `jira` (v2 and v3) and
`atlassian-python-api`. If a client breaks here, the emulator is unfaithful."""

from __future__ import annotations

from typing import Any

import pytest
from atlassian import Jira
from jira import JIRA

from ticketbridge.emulators.jira.server import EmulatorServer

pytestmark = pytest.mark.store_independent


def adf(text: str) -> dict[str, Any]:
    return {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}],
    }


@pytest.fixture
def pyjira(emulator: EmulatorServer) -> JIRA:
    return JIRA(
        server=emulator.base_url, basic_auth=(emulator.config.email, emulator.config.api_token)
    )


@pytest.fixture
def pyjira3(emulator: EmulatorServer) -> JIRA:
    return JIRA(
        server=emulator.base_url,
        basic_auth=(emulator.config.email, emulator.config.api_token),
        options={"rest_api_version": "3"},
    )


@pytest.fixture
def atl(emulator: EmulatorServer) -> Jira:
    return Jira(
        url=emulator.base_url,
        username=emulator.config.email,
        password=emulator.config.api_token,
        cloud=True,
    )


def eng_total(emulator: EmulatorServer) -> int:
    return sum(1 for i in emulator.state.issues.values() if i.project_key == "ENG")


def test_pycontribs_v2_full_cycle(pyjira: JIRA, emulator: EmulatorServer) -> None:
    assert pyjira._is_cloud
    assert [p.key for p in pyjira.projects()] == ["ENG", "OPS", "SUP"]
    assert "Sub-task" in [t.name for t in pyjira.issue_types()]
    issue = pyjira.create_issue(
        project="ENG", summary="From pycontribs", issuetype={"name": "Bug"}, description="v2 text"
    )
    assert issue.fields.description == "v2 text" and issue.fields.status.name == "To Do"

    issue.update(fields={"summary": "Renamed by pycontribs", "labels": ["triaged"]})
    assert emulator.state.issue_by_key(issue.key).summary == "Renamed by pycontribs"

    names = [t["name"] for t in pyjira.transitions(issue)]
    assert names == ["Start Progress"]
    pyjira.transition_issue(issue, "start progress")
    assert pyjira.issue(issue.key).fields.status.name == "In Progress"

    user = next(u for u in emulator.state.users.values() if u.assignable)
    found = pyjira.search_assignable_users_for_issues(query=user.display_name[:3], project="ENG")
    assert user.account_id in [u.accountId for u in found]


def test_pycontribs_bulk_create_reports_the_bad_entry(pyjira: JIRA) -> None:
    results = pyjira.create_issues(
        [
            {"project": {"key": "ENG"}, "summary": "bulk ok 1", "issuetype": {"name": "Task"}},
            {"project": {"key": "ENG"}, "summary": "", "issuetype": {"name": "Task"}},
            {"project": {"key": "OPS"}, "summary": "bulk ok 2", "issuetype": {"name": "Task"}},
        ]
    )
    assert [r["status"] for r in results] == ["Success", "Error", "Success"]
    assert "summary" in str(results[1]["error"])
    assert results[2]["issue"].key.startswith("OPS-")


def test_pycontribs_search_pages_through_everything(pyjira: JIRA, emulator: EmulatorServer) -> None:
    issues = pyjira.search_issues("project = ENG", maxResults=False, fields="summary")
    keys = [i.key for i in issues]
    assert len(keys) == len(set(keys)) == eng_total(emulator) > 100
    enhanced = pyjira.enhanced_search_issues(
        "project = ENG ORDER BY key ASC", maxResults=0, fields=["summary"]
    )
    assert len(enhanced) == eng_total(emulator)


def test_pycontribs_v3_uses_adf(pyjira3: JIRA, emulator: EmulatorServer) -> None:
    issue = pyjira3.create_issue(
        fields={
            "project": {"key": "OPS"},
            "summary": "v3 issue",
            "issuetype": {"name": "Task"},
            "description": adf("rich text"),
        }
    )
    assert emulator.state.issue_by_key(issue.key).description_text.strip() == "rich text"
    pyjira3.transition_issue(issue, "Done")
    got = pyjira3.issue(issue.key)
    assert got.fields.status.name == "Done" and got.fields.resolution.name == "Done"
    found = pyjira3.enhanced_search_issues(f"key = {issue.key}", fields=["summary"])
    assert [i.key for i in found] == [issue.key]


def test_atlassian_client_full_cycle(atl: Jira, emulator: EmulatorServer) -> None:
    assert [p["key"] for p in atl.projects()] == ["ENG", "OPS", "SUP"]
    meta = atl.issue_createmeta_issuetypes("ENG")
    assert "Task" in [t["name"] for t in meta["issueTypes"]]

    created = atl.create_issue(
        fields={
            "project": {"key": "ENG"},
            "summary": "From atlassian",
            "issuetype": {"name": "Task"},
        }
    )
    key = created["key"]
    atl.update_issue_field(key, {"summary": "Edited by atlassian"})
    assert atl.get_issue(key, fields="summary")["fields"]["summary"] == "Edited by atlassian"

    atl.set_issue_status(key, "In Progress")
    assert atl.get_issue_status(key) == "In Progress"

    results = atl.create_issues(
        [
            {"fields": {"project": {"key": "ENG"}, "summary": "ok", "issuetype": {"name": "Task"}}},
            {
                "fields": {
                    "project": {"key": "NOPE"},
                    "summary": "bad",
                    "issuetype": {"name": "Task"},
                }
            },
        ]
    )
    assert len(results["issues"]) == 1 and results["errors"][0]["failedElementNumber"] == 1

    tickets = atl.enhanced_jql_get_list_of_tickets("project = ENG", fields="summary", limit=None)
    keys = [t["key"] for t in tickets]
    assert len(keys) == len(set(keys)) == eng_total(emulator)

    users = atl.get_all_assignable_users_for_project("ENG", start=0, limit=50)
    assert {u["accountId"] for u in users} == {
        u.account_id for u in emulator.state.users.values() if u.assignable
    }
