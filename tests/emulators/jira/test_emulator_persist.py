"""The emulator's data saved to a file and loaded by another emulator: the same Jira site."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ticketbridge.emulators.jira import persist
from ticketbridge.emulators.jira.config import DEFAULT_API_TOKEN, DEFAULT_EMAIL
from ticketbridge.emulators.jira.server import EmulatorServer

pytestmark = pytest.mark.store_independent
V3 = "/rest/api/3"
AUTH = (DEFAULT_EMAIL, DEFAULT_API_TOKEN)


def _client(server: EmulatorServer) -> httpx.Client:
    return httpx.Client(base_url=server.base_url, auth=AUTH, timeout=30)


def _write(client: httpx.Client) -> dict[str, str]:
    """Every kind of write: create (+sub-task), edit, transition, comment, property, delete."""
    fields = {"project": {"key": "ENG"}, "issuetype": {"name": "Task"}, "summary": "Kept"}
    parent = client.post(f"{V3}/issue", json={"fields": fields}).json()["key"]
    sub = {**fields, "issuetype": {"name": "Sub-task"}, "parent": {"key": parent}}
    child = client.post(f"{V3}/issue", json={"fields": {**sub, "summary": "Child"}}).json()["key"]
    labels = {"fields": {"labels": ["kept"], "duedate": "2030-01-02"}}
    assert client.put(f"{V3}/issue/{parent}", json=labels).status_code == 204
    assert (
        client.post(f"{V3}/issue/{parent}/transitions", json={"transition": {"id": "11"}})
    ).status_code == 204
    comment = {"body": {"type": "doc", "version": 1, "content": []}}
    assert client.post(f"{V3}/issue/{parent}/comment", json=comment).status_code == 201
    prop = client.put(f"{V3}/issue/{parent}/properties/tb", json={"token": "t-1"})
    assert prop.status_code in (200, 201)
    assert client.delete(f"{V3}/issue/ENG-1?deleteSubtasks=true").status_code == 204
    return {"parent": parent, "child": child}


def _view(client: httpx.Client, key: str) -> Any:
    issue = client.get(f"{V3}/issue/{key}", params={"properties": "tb"}).json()
    issue.pop("self", None)
    return json.loads(json.dumps(issue).replace(str(client.base_url).rstrip("/"), "BASE"))


def test_saved_state_loads_into_another_emulator_as_the_same_site(tmp_path: Path) -> None:
    path = tmp_path / "jira.json"
    with EmulatorServer(issues=30, users=5) as first, _client(first) as client:
        keys = _write(client)
        before = {key: _view(client, key) for key in keys.values()}
        persist.save(first.state, path)
        saved = persist.dump(first.state)
    with EmulatorServer(issues=30, users=5) as second, _client(second) as client:
        assert persist.load(second.state, path)
        assert persist.dump(second.state) == saved
        assert {key: _view(client, key) for key in keys.values()} == before
        assert client.get(f"{V3}/issue/ENG-1").status_code == 404  # stays deleted
        subtasks = before[keys["parent"]]["fields"]["subtasks"]
        assert [s["key"] for s in subtasks] == [keys["child"]]
        found = client.get(f"{V3}/search/jql", params={"jql": "labels = kept"}).json()
        assert [i["key"] for i in found["issues"]] == [keys["parent"]]
        fields = {"project": {"key": "ENG"}, "issuetype": {"name": "Task"}, "summary": "Next"}
        created = client.post(f"{V3}/issue", json={"fields": fields}).json()
        assert int(created["id"]) == saved["next_issue_id"]  # counters continue, no reuse
        assert created["key"] == f"ENG-{saved['project_next_numbers']['ENG']}"
    assert DEFAULT_API_TOKEN not in path.read_text()


def test_a_state_from_other_seed_settings_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "jira.json"
    with EmulatorServer(issues=5, users=5) as first:
        persist.save(first.state, path)
    with EmulatorServer(issues=6, users=5) as other:
        with pytest.raises(ValueError, match="other seed settings"):
            persist.load(other.state, path)
        assert len(other.state.issues) == 6  # untouched


def test_the_emulator_process_saves_on_sigterm_and_loads_on_start(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, "-m", "ticketbridge.emulators.jira.cli", "jira"]
    command += ["--port", str(port), "--issues", "5", "--state-file", str(path)]
    for round_ in range(2):
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}"
            while True:
                try:
                    info = httpx.get(f"{url}/_emulator/info", timeout=5).json()
                    break
                except httpx.TransportError:
                    assert proc.poll() is None, "the emulator exited"
                    time.sleep(0.05)
            assert info["pid"] == proc.pid and info["issues"] == 5 + round_
            with httpx.Client(base_url=url, auth=AUTH, timeout=30) as client:
                fields = {"project": {"key": "ENG"}, "issuetype": {"name": "Task"}}
                body = {"fields": {**fields, "summary": f"round {round_}"}}
                assert client.post(f"{V3}/issue", json=body).status_code == 201
        finally:
            proc.terminate()
            assert proc.wait() == 0
        summaries = {i["summary"] for i in json.loads(path.read_text())["issues"]}
        assert {f"round {n}" for n in range(round_ + 1)} <= summaries


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)


@pytest.fixture(scope="module")
def small_site() -> Any:
    with EmulatorServer(issues=3, users=3) as server:
        yield server


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_restore_gives_a_state_or_a_value_error_never_another_exception(
    small_site: EmulatorServer, data: st.DataObject
) -> None:
    """A damaged state file: one value anywhere (top level, an issue, a comment) replaced."""
    state = small_site.state
    saved = persist.dump(state)
    damaged = json.loads(json.dumps(saved))
    issue = damaged["issues"][data.draw(st.integers(0, len(damaged["issues"]) - 1))]
    when = "2026-01-01T00:00:00+00:00"
    comment = {"id": "1", "author_account_id": "a", "body": {}, "body_text": ""}
    issue["comments"].append({**comment, "created": when, "updated": when})
    where = data.draw(st.sampled_from([damaged, issue, issue["comments"][-1]]))
    key = data.draw(st.sampled_from(sorted(where)) | st.text(max_size=5))
    where[key] = data.draw(JSON)
    try:
        persist.restore(state, damaged)
    except ValueError:
        assert persist.dump(state) == saved  # all or nothing
    else:
        event("restored")
    persist.restore(state, saved)


def test_the_emulator_refuses_a_damaged_state_file_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    for content in ("{not json", json.dumps({"format": 1, "params": {}}), "\udcff"):
        path.write_text(content, errors="surrogateescape")
        command = [sys.executable, "-m", "ticketbridge.emulators.jira.cli", "jira"]
        command += ["--port", "1", "--state-file", str(path)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1, done.stderr
        assert "delete it to start from the seed data" in done.stderr
