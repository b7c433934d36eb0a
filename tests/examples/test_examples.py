"""The scripts of examples/, run as a user would (a subprocess, the TICKETBRIDGE_* environment)
against the running API and the Jira emulator; their effects checked in the vendor."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.factories import Tenant, new_tenant
from tests.support.servers import ApiServer
from ticketbridge.emulators.jira.server import EmulatorServer

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def tenant(http, settings, jira: EmulatorServer) -> Tenant:
    return new_tenant(http, settings, jira)


@pytest.fixture
def run(api: ApiServer, tenant: Tenant) -> Any:
    env = {
        **os.environ,
        "TICKETBRIDGE_API_URL": api.base_url,
        "TICKETBRIDGE_API_KEY": tenant.api_key,
        "TICKETBRIDGE_CONNECTION_ID": tenant.connection_id,
        "TICKETBRIDGE_ORGANIZATION_ID": tenant.org_id,
    }

    def invoke(script: str, *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, str(EXAMPLES / script), *args],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != code:
            pytest.fail(f"{script} {args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}")
        return done

    return invoke


def _issues_with(jira: EmulatorServer, text: str) -> list[Any]:
    return [i for i in list(jira.state.issues.values()) if text in i.summary]


def _rows(stdout: str) -> list[list[str]]:
    return [line.split() for line in stdout.splitlines() if line.strip()]


def test_ci_failures_become_one_bug_each_however_often_they_fail(
    run: Any, jira: EmulatorServer, tmp_path: Path
) -> None:
    pipeline = f"p{uuid.uuid4().hex[:8]}"
    failures = [
        {"pipeline": pipeline, "job": "unit-tests", "run_id": 1, "error": "2 failed"},
        {"pipeline": pipeline, "job": "unit-tests", "run_id": 2, "error": "again"},
        {"pipeline": pipeline, "job": "Lint Job", "run_id": 2},
    ]
    path = tmp_path / "failures.json"
    path.write_text(json.dumps(failures))

    first = _rows(run("ci_failures_to_bugs.py", str(path)).stdout)
    assert [r[:2] for r in first] == [
        ["created", f"ci-{pipeline}-unit-tests"],
        ["exists", f"ci-{pipeline}-unit-tests"],
        ["created", f"ci-{pipeline}-lint-job"],
    ]
    assert first[1][2] == first[0][2]  # the second failure found the first one's ticket
    bugs = _issues_with(jira, f"CI failure: {pipeline} /")
    assert len(bugs) == 2 and {b.issuetype_name for b in bugs} == {"Bug"}

    second = _rows(run("ci_failures_to_bugs.py", str(path)).stdout)
    assert [r[0] for r in second] == ["exists"] * 3
    assert [r[2] for r in second] == [first[0][2], first[0][2], first[2][2]]
    assert len(_issues_with(jira, f"CI failure: {pipeline} /")) == 2


def test_ci_failures_with_an_unknown_project_fail_with_exit_code_1(
    run: Any, jira: EmulatorServer
) -> None:
    done = run("ci_failures_to_bugs.py", "--project", "NOPE", code=1)
    assert [r[0] for r in _rows(done.stdout)] == ["failed"] * 3


def test_scanner_findings_become_tasks_in_bulk_once(
    run: Any, jira: EmulatorServer, tmp_path: Path
) -> None:
    tag = uuid.uuid4().hex[:8]
    findings = [
        {
            "ruleId": "py/sql-injection",
            "level": "error",
            "message": "SQL built from user input",
            "file": f"{tag}/m{i}.py",
            "line": i + 1,
        }
        for i in range(55)
    ]
    path = tmp_path / "findings.json"
    path.write_text(json.dumps(findings))

    first = run("scanner_findings_to_tasks.py", str(path))
    rows = _rows(first.stdout)
    assert [r[0] for r in rows] == ["created"] * 55
    assert "55/55 done (0 failed)" in first.stderr  # the progress line, two jobs of 50 + 5
    tasks = _issues_with(jira, f"] {tag}/")
    assert len(tasks) == 55
    assert {t.issuetype_name for t in tasks} == {"Task"}
    assert {r[3] for r in rows} == {t.key for t in tasks}  # the vendor keys printed

    # The next scan finds the same 55 and one more: one new task, no duplicates.
    findings.append({**findings[0], "file": f"{tag}/new.py", "level": "note"})
    path.write_text(json.dumps(findings))
    again = _rows(run("scanner_findings_to_tasks.py", str(path)).stdout)
    assert [r[0] for r in again] == ["exists"] * 55 + ["created"]
    assert [r[2] for r in again[:55]] == [r[2] for r in rows]  # the existing tickets' ids
    assert len(_issues_with(jira, f"] {tag}/")) == 56


def _close_in_jira(jira: EmulatorServer, key: str) -> None:
    auth = (jira.config.email, jira.config.api_token)
    with httpx.Client(base_url=jira.gateway_url, auth=auth) as client:
        url = f"/rest/api/3/issue/{key}/transitions"
        for _ in range(5):  # forward through the workflow until a "done" status
            found = client.get(url).json()["transitions"]
            ranked = sorted(
                found,
                key=lambda t: (
                    ["done", "indeterminate"].index(t["to"]["statusCategory"]["key"])
                    if t["to"]["statusCategory"]["key"] in ("done", "indeterminate")
                    else 9
                ),
            )
            step = ranked[0]
            assert client.post(url, json={"transition": {"id": step["id"]}}).is_success
            if step["to"]["statusCategory"]["key"] == "done":
                return
        raise AssertionError(f"{key}: no way to a done status")


def test_alert_status_follows_its_ticket_both_ways(
    run: Any, jira: EmulatorServer, tmp_path: Path
) -> None:
    tag = uuid.uuid4().hex[:8]
    path = tmp_path / "alerts.json"
    alerts = [
        {"id": f"{tag}-{n}", "title": f"{tag} alert {n}", "status": "open", "ticket_id": None}
        for n in (1, 2, 3)
    ]
    path.write_text(json.dumps({"last_checked": None, "alerts": alerts}))

    run("sync_alert_status.py", str(path))
    state = json.loads(path.read_text())
    assert state["last_checked"] and all(a["ticket_id"] for a in state["alerts"])
    assert [a["status"] for a in state["alerts"]] == ["open"] * 3
    issues = {i.summary: i for i in _issues_with(jira, f"Alert: {tag} alert")}
    assert len(issues) == 3

    # Alert 1 is resolved here; alert 2's ticket is closed by someone in Jira.
    state["alerts"][0]["status"] = "resolved"
    path.write_text(json.dumps(state))
    _close_in_jira(jira, issues[f"Alert: {tag} alert 2"].key)

    out = run("sync_alert_status.py", str(path)).stdout
    assert "pushed" in out and "pulled" in out
    state = json.loads(path.read_text())
    assert [a["status"] for a in state["alerts"]] == ["closed", "closed", "open"]
    first = jira.state.issue_by_key(issues[f"Alert: {tag} alert 1"].key)
    assert first is not None and first.status_category_key == "done"
    third = jira.state.issue_by_key(issues[f"Alert: {tag} alert 3"].key)
    assert third is not None and third.status_category_key != "done"

    # Nothing changed since: a third run opens, pushes and pulls nothing.
    out = run("sync_alert_status.py", str(path)).stdout
    assert not {"opened", "pushed", "pulled"} & {r[0] for r in _rows(out)}
    assert len(_issues_with(jira, f"Alert: {tag} alert")) == 3
