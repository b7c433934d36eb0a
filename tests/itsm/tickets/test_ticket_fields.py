"""Custom fields, sub-tasks with parents, Markdown descriptions, due dates, mappings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.factories import Tenant, new_tenant
from ticketbridge.connectors.jira.adf import adf_to_markdown, markdown_to_adf
from ticketbridge.emulators.jira.server import EmulatorServer


@pytest.fixture(scope="module")
def strict_jira() -> Iterator[EmulatorServer]:
    """ENG's Bug type requires customfield_10030 (Customer Impact) here."""
    with EmulatorServer(issues=30, users=8, seed=5, require_bug_customer_impact=True) as server:
        yield server


@pytest.fixture(scope="module")
def tenant(http, settings, strict_jira) -> Tenant:
    return new_tenant(
        http,
        settings,
        strict_jira,
        options={"priority_mapping": {"Highest": "HIGH", "High": "MEDIUM"}},
    )


def test_required_custom_field_missing_is_422_then_filled_works(
    tenant: Tenant, strict_jira
) -> None:
    body = {"name": "checkout down", "project_vendor_id": "ENG", "type": "Bug"}
    missing = tenant.post("/v1/itsm/tickets", json=body)
    assert missing.status_code == 422, missing.text
    assert "customfield_10030" in missing.json()["vendor_errors"]["errors"]
    filled = tenant.post(
        "/v1/itsm/tickets",
        json={**body, "custom_fields": {"customfield_10030": "Checkout for all EU customers"}},
    )
    assert filled.status_code == 200, filled.text
    custom = filled.json()["vendor_attributes"]["data"]["customFields"]
    assert custom["customfield_10030"] == "Checkout for all EU customers"


def test_subtask_with_parent_by_our_id(tenant: Tenant, strict_jira) -> None:
    parent = tenant.post(
        "/v1/itsm/tickets", json={"name": "parent", "project_vendor_id": "ENG", "type": "Task"}
    ).json()
    child = tenant.post(
        "/v1/itsm/tickets",
        json={
            "name": "child",
            "project_vendor_id": "ENG",
            "type": "Sub-task",
            "parent_ticket_id": parent["id"],
        },
    )
    assert child.status_code == 200, child.text
    assert child.json()["parent_ticket_id"] == parent["id"]
    assert child.json()["parent_ticket_vendor_id"] == parent["vendor_attributes"]["id"]
    orphan = tenant.post(
        "/v1/itsm/tickets", json={"name": "orphan", "project_vendor_id": "ENG", "type": "Sub-task"}
    )
    assert orphan.status_code == 422 and orphan.json()["vendor_errors"]


def test_markdown_description_reaches_jira_as_adf_and_comes_back(
    tenant: Tenant, strict_jira
) -> None:
    markdown = (
        "# Build failed\n\nStep `make test` failed on *main*:\n\n"
        "```python\nassert total == 3\n```\n\n- first\n  - nested\n- second\n\n"
        "> quoted\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n\nSee [the log](https://ci.example.com/1).\n"
    )
    r = tenant.post(
        "/v1/itsm/tickets",
        json={"name": "md", "project_vendor_id": "ENG", "type": "Task", "description": markdown},
    )
    assert r.status_code == 200, r.text
    issue = strict_jira.state.issue_by_key(r.json()["vendor_attributes"]["id"])
    assert issue.description == markdown_to_adf(markdown)
    types = {n["type"] for n in issue.description["content"]}
    assert {"heading", "paragraph", "codeBlock", "bulletList", "blockquote", "table"} <= types
    assert r.json()["description"] == adf_to_markdown(markdown_to_adf(markdown))


def test_priority_mapping_and_due_date(tenant: Tenant, strict_jira) -> None:
    r = tenant.post(
        "/v1/itsm/tickets",
        json={
            "name": "mapped",
            "project_vendor_id": "ENG",
            "type": "Task",
            "priority": "HIGH",
            "due_date": "2027-03-01",
        },
    )
    assert r.status_code == 200, r.text
    issue = strict_jira.state.issue_by_key(r.json()["vendor_attributes"]["id"])
    assert issue.priority_name == "Highest"  # HIGH maps to Highest on this connection
    assert r.json()["priority"] == "HIGH"
    assert str(issue.duedate) == "2027-03-01"
    cleared = tenant.patch(f"/v1/itsm/tickets/{r.json()['id']}", json={"due_date": None})
    assert cleared.status_code == 200 and cleared.json()["due_date"] is None
    assert strict_jira.state.issue_by_key(r.json()["vendor_attributes"]["id"]).duedate is None


def test_a_create_without_type_is_refused_on_jira(tenant: Tenant) -> None:
    for body in (
        {"name": "no type", "project_vendor_id": "ENG"},
        {"name": "x", "project_vendor_id": "ENG", "type": None, "type_vendor_id": None},
    ):
        r = tenant.post("/v1/itsm/tickets", json=body)
        assert r.status_code == 422, r.text
        assert r.json()["field"] == "type" and "type_vendor_id" in r.json()["detail"]
    r = tenant.post(
        "/v1/itsm/tickets/bulk/sync",
        json={
            "tickets": [
                {"name": "a", "project_vendor_id": "ENG", "type": "Task"},
                {"name": "b", "project_vendor_id": "ENG"},
            ]
        },
    )
    assert r.status_code == 422 and r.json()["field"] == "tickets[1].type", r.text


def test_patch_merges_custom_fields_into_the_edit(tenant: Tenant) -> None:
    created = tenant.post(
        "/v1/itsm/tickets",
        json={"name": "impact later", "project_vendor_id": "ENG", "type": "Task"},
    ).json()
    path = f"/v1/itsm/tickets/{created['id']}"
    r = tenant.patch(
        path, json={"name": "impact now", "custom_fields": {"customfield_10030": "EU only"}}
    )
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "impact now"
    assert r.json()["vendor_attributes"]["data"]["customFields"]["customfield_10030"] == "EU only"
    r = tenant.patch(path, json={"custom_fields": {"summary": "sneaky"}})
    assert r.status_code == 422 and r.json()["field"] == "custom_fields.summary", r.text
    assert "name" in r.json()["detail"]
    r = tenant.patch(path, json={"custom_fields": {"customfield_10030": 2**70}})
    assert r.status_code == 422, r.text
    assert tenant.get(path).json()["name"] == "impact now"
