"""`ticketbridge demo` (what `make run` starts): a working sandbox from one command."""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ticketbridge.demo import banner
from ticketbridge.emulators.jira.config import DEFAULT_API_TOKEN, DEFAULT_EMAIL

pytestmark = pytest.mark.store_independent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TICKETBRIDGE_")}
    return {**env, "TICKETBRIDGE_LOG_LEVEL": "INFO", **extra}


def _start(
    workdir: Path, *args: str, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    """`ticketbridge demo --json ...` in ``workdir``; returns the process and its JSON line."""
    command = [sys.executable, "-m", "ticketbridge.cli", "demo", "--json", "--issues", "50"]
    command += ["--port", str(_free_port()), *args]
    if "--keep" not in args and "--jira-port" not in args:
        command += ["--jira-port", str(_free_port())]
    with (workdir / "demo.log").open("a") as log:
        proc = subprocess.Popen(
            command,
            cwd=workdir,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            env=env or _environment(),
        )
    assert proc.stdout is not None
    line = proc.stdout.readline()  # the demo prints exactly one line once it serves
    assert line, f"demo exited ({proc.wait()}): {_tail(workdir / 'demo.log')}"
    return proc, json.loads(line)


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    proc.wait()


def _stop_leftover_jira(workdir: Path) -> None:
    """The emulators outlive a killed sandbox by design; the test stops the ones it made."""
    for name in ("jira", "servicenow"):
        record = workdir / ".ticketbridge-demo" / f"{name}.json"
        if record.exists():
            with contextlib.suppress(ProcessLookupError):
                os.kill(json.loads(record.read_text())["pid"], signal.SIGTERM)


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    workdir = tmp_path_factory.mktemp("demo")
    proc, info = _start(workdir)
    try:
        yield {**info, "workdir": workdir}
    finally:
        _stop(proc)
        _stop_leftover_jira(workdir)
    assert (workdir / ".ticketbridge-demo" / "ticketbridge.db").exists()


def _tail(path: Path) -> str:
    return path.read_text()[-2000:]


def test_demo_prints_credentials_that_work(sandbox: dict[str, Any]) -> None:
    assert set(sandbox) >= {"api_key", "connection_id", "api_url", "jira_url", "database_url"}
    headers = {"X-API-KEY": sandbox["api_key"], "X-CONNECTION-ID": sandbox["connection_id"]}
    with httpx.Client(base_url=sandbox["api_url"], headers=headers, timeout=60) as client:
        projects = client.get("/v1/itsm/projects")
        assert projects.status_code == 200 and projects.json()["items"]
        tickets = client.get("/v1/itsm/tickets", params={"limit": 1000})
        assert tickets.status_code == 200
        assert len(tickets.json()["items"]) == 50  # the first sync ran before serving
        connection = client.get("/v1/provisioning/organizations").json()
        assert len(connection) == 1


def test_the_sandbox_has_a_servicenow_connection_next_to_jira(sandbox: dict[str, Any]) -> None:
    assert sandbox["servicenow_connection_id"] != sandbox["connection_id"]
    assert httpx.get(f"{sandbox['servicenow_url']}/_emulator/info", timeout=10).status_code == 200
    headers = {
        "X-API-KEY": sandbox["api_key"],
        "X-CONNECTION-ID": sandbox["servicenow_connection_id"],
    }
    with httpx.Client(base_url=sandbox["api_url"], headers=headers, timeout=60) as client:
        body = client.get("/v1/itsm/capabilities").json()
        assert body["vendor"] == "SERVICENOW" and set(body["vendors"]) >= {"JIRA", "SERVICENOW"}
        tickets = client.get("/v1/itsm/tickets", params={"limit": 1000}).json()["items"]
        assert len(tickets) == 50  # the first sync ran before serving (50 seeded incidents)
        assert tickets[0]["vendor_attributes"]["vendor"] == "SERVICENOW"
        created = client.post(
            "/v1/itsm/tickets", json={"name": "From the sandbox", "type_vendor_id": "incident"}
        )
        assert created.status_code == 200, created.text


def _curl_to_request(command: str) -> dict[str, Any]:
    """Reads a banner curl line as the shell would, into httpx arguments."""
    args = shlex.split(command)
    assert args[0] == "curl"
    request: dict[str, Any] = {"method": "GET", "headers": {}}
    words = iter(args[1:])
    for word in words:
        if word == "-s":
            continue
        if word == "-H":
            name, _, value = next(words).partition(":")
            request["headers"][name.strip()] = value.strip()
        elif word == "-X":
            request["method"] = next(words)
        elif word == "-d":
            request["content"] = next(words)
        else:
            assert word.startswith("http"), f"unexpected curl argument {word!r}"
            request["url"] = word
    return request


def test_banner_curl_lines_work_as_printed(sandbox: dict[str, Any]) -> None:
    text = banner(sandbox, sandbox["api_url"], sandbox["jira_url"], sandbox["database_url"])
    lines = text.replace("\\\n", " ").splitlines()
    commands = [line.strip() for line in lines if line.strip().startswith("curl ")]
    assert len(commands) >= 4
    with httpx.Client(timeout=60) as client:
        for command in commands:
            response = client.request(**_curl_to_request(command))
            assert response.status_code == 200, (command, response.text)
            assert response.json()


def _cli(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = _environment(TICKETBRIDGE_DATABASE_URL=database_url, COLUMNS="200")
    command = [sys.executable, "-m", "ticketbridge.cli", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=False)


def test_the_printed_export_line_points_the_cli_at_the_running_sandbox(
    sandbox: dict[str, Any],
) -> None:
    text = banner(sandbox, sandbox["api_url"], sandbox["jira_url"], sandbox["database_url"])
    exports = [line.strip() for line in text.splitlines() if "export TICKETBRIDGE_" in line]
    assert len(exports) == 1
    name, _, value = shlex.split(exports[0])[1].partition("=")
    assert name == "TICKETBRIDGE_DATABASE_URL" and value == sandbox["database_url"]
    listed = _cli("connections", "list", "--api-key", sandbox["api_key"], database_url=value)
    assert listed.returncode == 0, listed.stderr
    assert sandbox["connection_id"] in listed.stdout.split()


def test_vendor_calls_are_not_logged_at_info(sandbox: dict[str, Any]) -> None:
    headers = {"X-API-KEY": sandbox["api_key"], "X-CONNECTION-ID": sandbox["connection_id"]}
    with httpx.Client(base_url=sandbox["api_url"], headers=headers, timeout=60) as client:
        assert client.get("/v1/itsm/passthrough/projects").status_code == 200  # calls Jira
        assert client.get("/v1/itsm/projects").status_code == 200
    log = (sandbox["workdir"] / "demo.log").read_text()
    assert "HTTP Request" not in log and "httpx" not in log, log[-2000:]


def test_a_second_sandbox_in_the_same_folder_is_refused_and_the_first_keeps_working(
    sandbox: dict[str, Any],
) -> None:
    command = [sys.executable, "-m", "ticketbridge.cli", "demo", "--json", "--issues", "5"]
    command += ["--port", str(_free_port()), "--jira-port", str(_free_port())]
    second = subprocess.run(
        command, cwd=sandbox["workdir"], capture_output=True, text=True, env=_environment()
    )
    assert second.returncode == 2 and second.stdout == ""
    assert "a sandbox is already running" in second.stderr
    assert sandbox["api_url"] in second.stderr and "kill " in second.stderr
    headers = {"X-API-KEY": sandbox["api_key"], "X-CONNECTION-ID": sandbox["connection_id"]}
    response = httpx.get(f"{sandbox['api_url']}/v1/itsm/projects", headers=headers, timeout=60)
    assert response.status_code == 200  # its store is still there


def _headers(info: dict[str, Any]) -> dict[str, str]:
    return {"X-API-KEY": info["api_key"], "X-CONNECTION-ID": info["connection_id"]}


def _jira_summaries(jira_url: str) -> set[str]:
    response = httpx.get(
        f"{jira_url}/rest/api/3/search/jql",
        params={"jql": "project = ENG", "fields": "summary", "maxResults": 5000},
        auth=(DEFAULT_EMAIL, DEFAULT_API_TOKEN),
        timeout=60,
    )
    assert response.status_code == 200, response.text
    return {issue["fields"]["summary"] for issue in response.json()["issues"]}


def test_keep_restarts_on_the_same_store_and_jira_after_a_crash_and_a_stop(
    tmp_path: Path,
) -> None:
    body = {"name": "survives restarts", "project_vendor_id": "ENG", "type": "Task"}
    first, info = _start(tmp_path)
    try:
        created = httpx.post(
            f"{info['api_url']}/v1/itsm/tickets", json=body, headers=_headers(info), timeout=60
        )
        assert created.status_code in (200, 201), created.text
        first.kill()  # the API crashes...
        first.wait()
        assert "survives restarts" in _jira_summaries(info["jira_url"])  # ...Jira does not

        second, kept = _start(tmp_path, "--keep")
        assert {k: kept[k] for k in info if k != "api_url"} == {
            k: info[k] for k in info if k != "api_url"
        }
        with httpx.Client(base_url=kept["api_url"], headers=_headers(info), timeout=60) as api:
            ticket = api.get(f"/v1/itsm/tickets/{created.json()['id']}")
            assert ticket.status_code == 200 and ticket.json()["name"] == body["name"]
            org, cid = info["organization_id"], info["connection_id"]
            jobs = api.get(f"/v1/provisioning/organizations/{org}/connections/{cid}/jobs")
            assert jobs.status_code == 200, jobs.text
            page = jobs.json()
            items = page["items"] if isinstance(page, dict) else page
            assert any(j["type"] == "SYNC" and j["status"] == "SUCCESS" for j in items), page
        _stop(second)  # a clean stop stops Jira too, which saves its data
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{info['jira_url']}/_emulator/info", timeout=5)

        third, again = _start(tmp_path, "--keep")
        try:
            assert again["api_key"] == info["api_key"]
            assert "survives restarts" in _jira_summaries(again["jira_url"])  # loaded from file
            tickets = httpx.get(
                f"{again['api_url']}/v1/itsm/tickets",
                params={"limit": 1000},
                headers=_headers(info),
                timeout=60,
            )
            assert body["name"] in {t["name"] for t in tickets.json()["items"]}
        finally:
            third.kill()  # killed again: its Jira is left running...
            third.wait()
        assert httpx.get(f"{again['jira_url']}/_emulator/info", timeout=5).status_code == 200
        fresh, new = _start(tmp_path)  # ...until a fresh start (without --keep) stops it
        _stop(fresh)
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{again['jira_url']}/_emulator/info", timeout=5)
        assert new["api_key"] != info["api_key"]
        saved = json.loads((tmp_path / ".ticketbridge-demo" / "jira-state.json").read_text())
        assert "survives restarts" not in {issue["summary"] for issue in saved["issues"]}
    finally:
        _stop_leftover_jira(tmp_path)


def test_keep_without_a_previous_sandbox_says_so(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "ticketbridge.cli", "demo", "--keep", "--json"]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, env=_environment())
    assert done.returncode == 2 and done.stdout == ""
    assert "start it once without --keep" in done.stderr
    record = tmp_path / ".ticketbridge-demo" / "sandbox.json"
    for damaged in ("{", '{"api_key": 1}', "[]"):
        record.write_text(damaged)
        done = subprocess.run(
            command, cwd=tmp_path, capture_output=True, text=True, env=_environment()
        )
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
        assert "without --keep" in done.stderr


def test_the_demo_uses_ticketbridge_database_url_when_it_is_set(tmp_path: Path) -> None:
    store = tmp_path / "elsewhere" / "mine.db"
    store.parent.mkdir()
    url = f"sqlite+aiosqlite:///{store}"
    proc, info = _start(tmp_path, env=_environment(TICKETBRIDGE_DATABASE_URL=url))
    try:
        assert info["database_url"] == url and store.exists()
        assert not (tmp_path / ".ticketbridge-demo" / "ticketbridge.db").exists()
        listed = _cli("connections", "list", "--api-key", info["api_key"], database_url=url)
        assert info["connection_id"] in listed.stdout.split(), listed.stderr
    finally:
        _stop(proc)
        _stop_leftover_jira(tmp_path)


def test_busy_ports_are_one_line_and_leave_nothing_running(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        for flag, message in (("--port", "cannot serve the API"), ("--jira-port", "Jira")):
            other = "--jira-port" if flag == "--port" else "--port"
            command = [sys.executable, "-m", "ticketbridge.cli", "demo", "--issues", "5"]
            command += [flag, port, other, str(_free_port())]
            done = subprocess.run(
                command, cwd=tmp_path, capture_output=True, text=True, env=_environment()
            )
            assert done.returncode == 2 and done.stdout == "", done.stderr
            assert done.stderr.startswith("error: ") and message in done.stderr
            assert f"{flag} picks another" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / ".ticketbridge-demo" / "jira.json").exists()
