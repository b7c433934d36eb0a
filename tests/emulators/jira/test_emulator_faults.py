"""Fault injection, stats and control endpoints of the Jira emulator."""

from __future__ import annotations

import re
import time

import httpx
import pytest

from ticketbridge.emulators.jira.server import EmulatorServer

pytestmark = pytest.mark.store_independent

NEW = {"fields": {"project": {"key": "ENG"}, "issuetype": {"name": "Task"}, "summary": "fault"}}


def test_429_carries_rate_limit_headers(client: httpx.Client) -> None:
    assert (
        client.post(
            "/_emulator/faults", json={"error_429_ratio": 1, "retry_after_seconds": 3}
        ).status_code
        == 200
    )
    response = client.get("/rest/api/3/myself")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "3"
    assert response.headers["RateLimit-Reason"] == "jira-burst-based"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\dZ", response.headers["X-RateLimit-Reset"])
    assert (
        response.headers["X-RateLimit-Remaining"] == "0" and "X-RateLimit-Limit" in response.headers
    )
    assert client.get("/_emulator/stats").json()["responses_429"] == 1


def test_503_with_optional_retry_after(client: httpx.Client, emulator: EmulatorServer) -> None:
    emulator.set_faults(error_503_ratio=1)
    plain = client.get("/rest/api/3/myself")
    assert plain.status_code == 503 and "Retry-After" not in plain.headers
    emulator.set_faults(retry_after_503=True)
    assert client.get("/rest/api/3/myself").headers["Retry-After"] == "1"


def test_faults_get_and_partial_update(client: httpx.Client) -> None:
    client.post("/_emulator/faults", json={"latency_ms": 5})
    client.post("/_emulator/faults", json={"error_503_ratio": 0.0})
    assert client.get("/_emulator/faults").json()["latency_ms"] == 5
    assert client.post("/_emulator/faults", json={"bogus": 1}).status_code == 400
    assert client.post("/_emulator/faults", json={"error_429_ratio": 2}).status_code == 400


def test_latency_is_added(client: httpx.Client, emulator: EmulatorServer) -> None:
    emulator.set_faults(latency_ms=120)
    started = time.perf_counter()
    client.get("/rest/api/3/myself")
    assert time.perf_counter() - started >= 0.12


def test_token_bucket_limits_bursts(client: httpx.Client, emulator: EmulatorServer) -> None:
    emulator.set_faults(rate_limit_per_second=5)
    statuses = [client.get("/rest/api/3/myself").status_code for _ in range(12)]
    assert statuses.count(200) in (5, 6) and statuses.count(429) >= 6
    time.sleep(0.45)  # ~2 tokens refill
    assert client.get("/rest/api/3/myself").status_code == 200


def test_drop_after_commit_closes_connection_but_keeps_the_write(
    client: httpx.Client, emulator: EmulatorServer
) -> None:
    before = len(emulator.state.issues)
    emulator.set_faults(drop_after_commit_ratio=1)
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        client.post("/rest/api/3/issue", json=NEW)
    assert len(emulator.state.issues) == before + 1
    # Reads are never dropped, and the server keeps serving new connections.
    assert client.get("/rest/api/3/issue/ENG-1").status_code == 200
    stats = client.get("/_emulator/stats").json()
    assert stats["drops"] == 1 and stats["issues_created"] == 1


def test_stats_count_routes_and_reset_zeroes_them(client: httpx.Client) -> None:
    client.get("/rest/api/3/issue/ENG-1")
    client.get("/rest/api/2/issue/ENG-2")
    client.post("/rest/api/3/issue", json=NEW)
    stats = client.get("/_emulator/stats").json()
    assert stats["requests_by_route"]["GET /rest/api/{version}/issue/{issueIdOrKey}"] == 2
    assert stats["requests_by_route"]["POST /rest/api/{version}/issue"] == 1
    assert stats["issues_created"] == 1 and stats["responses_by_status"]["201"] == 1
    client.post("/_emulator/faults", json={"latency_ms": 1})
    client.post("/_emulator/reset")
    stats = client.get("/_emulator/stats").json()
    assert stats["issues_created"] == 0 and stats["requests_by_route"] == {}
    assert client.get("/_emulator/faults").json()["latency_ms"] == 0
