"""`ticketbridge demo` (what `make run` starts): a working sandbox from one command."""

from __future__ import annotations

import json
import shlex
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
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


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    workdir = tmp_path_factory.mktemp("demo")
    log = (workdir / "demo.log").open("w")
    command = [sys.executable, "-m", "ticketbridge.cli", "demo", "--json", "--issues", "50"]
    command += ["--port", str(_free_port()), "--jira-port", str(_free_port())]
    proc = subprocess.Popen(command, cwd=workdir, stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # the demo prints exactly one line once it serves
        assert line, f"demo exited ({proc.poll()}): {_tail(workdir / 'demo.log')}"
        yield json.loads(line)
    finally:
        proc.terminate()
        proc.wait()
        log.close()
    assert (workdir / ".ticketbridge-demo" / "ticketbridge.db").exists()


def _tail(path: Path) -> str:
    return path.read_text()[-2000:]


def test_demo_prints_credentials_that_work(sandbox: dict[str, Any]) -> None:
    assert set(sandbox) >= {"api_key", "connection_id", "api_url", "jira_url"}
    headers = {"X-API-KEY": sandbox["api_key"], "X-CONNECTION-ID": sandbox["connection_id"]}
    with httpx.Client(base_url=sandbox["api_url"], headers=headers, timeout=60) as client:
        projects = client.get("/v1/itsm/projects")
        assert projects.status_code == 200 and projects.json()["items"]
        tickets = client.get("/v1/itsm/tickets", params={"limit": 1000})
        assert tickets.status_code == 200
        assert len(tickets.json()["items"]) == 50  # the first sync ran before serving
        connection = client.get("/v1/provisioning/organizations").json()
        assert len(connection) == 1


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
    emulator = SimpleNamespace(
        config=SimpleNamespace(email=DEFAULT_EMAIL, api_token=DEFAULT_API_TOKEN)
    )
    text = banner(sandbox, sandbox["api_url"], sandbox["jira_url"], emulator)
    lines = text.replace("\\\n", " ").splitlines()
    commands = [line.strip() for line in lines if line.strip().startswith("curl ")]
    assert len(commands) >= 4
    with httpx.Client(timeout=60) as client:
        for command in commands:
            response = client.request(**_curl_to_request(command))
            assert response.status_code == 200, (command, response.text)
            assert response.json()
