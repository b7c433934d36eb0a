"""`ticketbridge tickets|jobs|passthrough`: the CLI through the SDK, against the running API."""

from __future__ import annotations

import csv
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.support.factories import Tenant, new_tenant
from tests.support.servers import ApiServer
from ticketbridge.cli import app
from ticketbridge.emulators.jira.server import EmulatorServer


@pytest.fixture(scope="module")
def tenant(http, settings, jira: EmulatorServer) -> Tenant:
    return new_tenant(http, settings, jira)


@pytest.fixture
def run(api: ApiServer, tenant: Tenant) -> Any:
    env = {
        "TICKETBRIDGE_API_URL": api.base_url,
        "TICKETBRIDGE_API_KEY": tenant.api_key,
        "TICKETBRIDGE_CONNECTION_ID": tenant.connection_id,
        "TICKETBRIDGE_ORGANIZATION_ID": tenant.org_id,
        "COLUMNS": "80",
    }
    runner = CliRunner()

    def invoke(*args: str, code: int = 0) -> Any:
        result = runner.invoke(app, list(args), env=env)
        assert result.exit_code == code, (args, result.output, result.exception)
        return result

    return invoke


def test_tickets_create_get_update_list(run: Any, jira: EmulatorServer) -> None:
    ident = f"cli-{uuid.uuid4().hex[:8]}"
    created = json.loads(
        run(
            "tickets",
            "create",
            "--name",
            "From the CLI",
            "--project-vendor-id",
            "ENG",
            "--type",
            "Task",
            "--identifier",
            ident,
            "--priority",
            "high",
            "--json",
        ).stdout
    )
    assert created["priority"] == "HIGH" and created["identifier"] == ident
    # The table shows every id whole, even in 80 columns.
    table = run("tickets", "get", created["id"]).stdout
    assert created["id"] in table and created["vendor_attributes"]["id"] in table
    updated = json.loads(
        run("tickets", "update", created["id"], "--status", "in_progress", "--json").stdout
    )
    assert updated["status"] == "IN_PROGRESS"
    issue = jira.state.issue_by_key(created["vendor_attributes"]["id"])
    assert issue is not None and issue.status_name == "In Progress"
    listed = json.loads(run("tickets", "list", "--identifier", ident, "--json").stdout)
    assert [t["id"] for t in listed] == [created["id"]]
    assert len(json.loads(run("tickets", "list", "--limit", "130", "--json").stdout)) == 130


def test_errors_are_one_line_with_the_api_code(run: Any, api: ApiServer) -> None:
    missing = run("tickets", "get", str(uuid.uuid4()), code=2)
    assert missing.stderr.strip() == "error: NOT_FOUND: Ticket not found"
    bad = run("tickets", "get", "x", "--api-key", "tb_" + "x" * 43, code=2)
    assert bad.stderr.strip() == "error: UNAUTHORIZED: Invalid API key"
    assert len(run("tickets", "update", str(uuid.uuid4()), code=2).stderr.splitlines()) == 1


def test_import_csv_in_jobs_of_50_with_a_result_per_row(
    run: Any, tmp_path: Path, jira: EmulatorServer
) -> None:
    tag = uuid.uuid4().hex[:8]
    source = tmp_path / "tickets.csv"
    bad_rows = {30: "name is required", 61: "priority", 99: "Jira rejected the ticket"}
    with source.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["summary", "project", "type", "priority", "tags"])
        for row in range(1, 121):
            name, project, priority = f"imp {tag} {row}", "ENG", "LOW"
            if row == 30:
                name = ""
            elif row == 61:
                priority = "SUPER"
            elif row == 99:
                project = "NOPE"
            writer.writerow([name, project, "Task", priority, "a, b"])

    result = run("tickets", "import", str(source), code=1)
    assert "117 of 120" in result.stderr and "3 failed" in result.stderr

    rows = [json.loads(line) for line in (tmp_path / "tickets.csv.results.jsonl").open()]
    assert [r["row"] for r in rows] == list(range(1, 121))
    assert {r["row"] for r in rows if not r["success"]} == set(bad_rows)
    for row, reason in bad_rows.items():
        assert reason in rows[row - 1]["error"], rows[row - 1]
    created = [i for i in list(jira.state.issues.values()) if i.summary.startswith(f"imp {tag} ")]
    assert len(created) == 117
    assert rows[0]["vendor_ticket_id"] == next(
        i.key for i in created if i.summary == f"imp {tag} 1"
    )


def test_import_jsonl_all_good_exits_0_and_jobs_commands(run: Any, tmp_path: Path) -> None:
    source = tmp_path / "t.jsonl"
    source.write_text(
        "\n".join(
            json.dumps({"name": f"jsonl {i}", "project_vendor_id": "ENG", "type": "Task"})
            for i in range(3)
        )
        + "\n"
    )
    out = tmp_path / "out.jsonl"
    summary = json.loads(
        run("tickets", "import", str(source), "--results", str(out), "--json").stdout
    )
    assert summary == {"total": 3, "succeeded": 3, "failed": 0, "results": str(out)}
    jobs = json.loads(run("jobs", "list", "--json").stdout)
    bulk = next(j for j in jobs if j["type"] == "BULK_CREATE_TICKETS")
    watched = json.loads(run("jobs", "watch", bulk["id"], "--json").stdout)
    assert watched["status"] == "SUCCESS" and watched["progress"]["processed"] == 3
    assert bulk["id"] in run("jobs", "list").stdout


def test_passthrough_search(run: Any) -> None:
    page = json.loads(
        run("passthrough", "search", "--jql", "project = ENG", "--limit", "3", "--json").stdout
    )
    assert len(page["items"]) == 3 and page["next_cursor"]
    table = run("passthrough", "search", "--jql", "project = ENG", "--limit", "3").stdout
    assert page["items"][0]["key"] in table and "--cursor" in table
