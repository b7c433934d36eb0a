"""Vendor faults on ticket writes: injected by the emulator, seen over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.factories import Tenant, new_tenant
from tests.support.servers import ApiServer
from ticketbridge.config import Settings
from ticketbridge.emulators.jira.server import EmulatorServer

BODY = {"name": "flaky vendor", "project_vendor_id": "ENG", "type": "Task"}


@pytest.fixture(scope="module")
def faulty_jira() -> Iterator[EmulatorServer]:
    with EmulatorServer(issues=20, users=8, seed=7) as server:
        yield server


@pytest.fixture(scope="module")
def patient_api(settings: Settings) -> Iterator[httpx.Client]:
    """Retries generously so random 429s cannot exhaust them (0.3 ** 11 per call)."""
    patient = settings.model_copy(update={"vendor_max_retries": 10})
    with ApiServer(patient) as api, httpx.Client(base_url=api.base_url, timeout=120) as client:
        yield client


@pytest.fixture
def tenant(patient_api: httpx.Client, settings: Settings, faulty_jira) -> Iterator[Tenant]:
    faulty_jira.set_faults(
        error_429_ratio=0, error_503_ratio=0, drop_after_commit_ratio=0, latency_ms=0
    )
    yield new_tenant(patient_api, settings, faulty_jira)
    faulty_jira.set_faults(
        error_429_ratio=0, error_503_ratio=0, drop_after_commit_ratio=0, latency_ms=0
    )


def _tokens(jira: EmulatorServer) -> list[str]:
    return [
        i.properties["ticketbridge"]["token"]
        for i in jira.state.issues.values()
        if "ticketbridge" in i.properties
    ]


def test_429_then_success_creates_once(tenant: Tenant, faulty_jira: EmulatorServer) -> None:
    before = faulty_jira.stats.get("responses_429", 0)
    faulty_jira.set_faults(error_429_ratio=0.3, retry_after_seconds=0)
    created = [tenant.post("/v1/itsm/tickets", json=BODY) for _ in range(6)]
    faulty_jira.set_faults(error_429_ratio=0)
    assert all(r.status_code == 200 for r in created), [r.text for r in created]
    assert faulty_jira.stats["responses_429"] > before  # the faults did happen
    tokens = _tokens(faulty_jira)
    assert len(tokens) == len(set(tokens))


def test_429_after_retries_is_503_with_retry_after(tenant: Tenant, faulty_jira) -> None:
    before = len(faulty_jira.state.issues)
    faulty_jira.set_faults(error_429_ratio=1.0, retry_after_seconds=0)
    r = tenant.post("/v1/itsm/tickets", json={**BODY, "name": "never made 429"})
    faulty_jira.set_faults(error_429_ratio=0)
    assert r.status_code == 503, r.text
    assert int(r.headers["Retry-After"]) >= 1
    assert len(faulty_jira.state.issues) == before
    names = [
        t["name"] for t in tenant.get("/v1/itsm/tickets", params={"limit": 1000}).json()["items"]
    ]
    assert "never made 429" not in names


def test_503_after_retries_is_502_and_stores_nothing(tenant: Tenant, faulty_jira) -> None:
    before = len(faulty_jira.state.issues)
    faulty_jira.set_faults(error_503_ratio=1.0)
    r = tenant.post("/v1/itsm/tickets", json={**BODY, "identifier": "never-made"})
    faulty_jira.set_faults(error_503_ratio=0)
    assert r.status_code in (502, 503), r.text
    assert len(faulty_jira.state.issues) == before
    assert tenant.get("/v1/itsm/tickets/by-identifier/never-made").status_code == 404


def test_drop_after_commit_creates_exactly_once(tenant: Tenant, faulty_jira) -> None:
    drops = faulty_jira.stats.get("drops", 0)
    faulty_jira.set_faults(drop_after_commit_ratio=1.0)
    r = tenant.post("/v1/itsm/tickets", json={**BODY, "identifier": "dropped-once"})
    faulty_jira.set_faults(drop_after_commit_ratio=0)
    assert faulty_jira.stats["drops"] > drops
    assert r.status_code == 200, r.text
    key = r.json()["vendor_attributes"]["id"]
    same = [i for i in faulty_jira.state.issues.values() if i.summary == "flaky vendor"]
    token = faulty_jira.state.issue_by_key(key).properties["ticketbridge"]["token"]
    assert len(faulty_jira.state.find_issues_by_property("ticketbridge", "token", token)) == 1
    assert sum(1 for i in same if i.key == key) == 1
    assert tenant.get("/v1/itsm/tickets/by-identifier/dropped-once").json()["id"] == r.json()["id"]


def test_vendor_timeout_is_504(http, settings: Settings, faulty_jira) -> None:
    quick = settings.model_copy(update={"vendor_read_timeout": 0.3, "vendor_max_retries": 1})
    with ApiServer(quick) as api, httpx.Client(base_url=api.base_url, timeout=60) as c:
        tenant = new_tenant(c, quick, faulty_jira)
        faulty_jira.set_faults(latency_ms=1500)
        try:
            r = tenant.get("/v1/itsm/passthrough/projects")
            assert r.status_code == 504, r.text
            created = tenant.post("/v1/itsm/tickets", json={**BODY, "identifier": "slow-1"})
        finally:
            faulty_jira.set_faults(latency_ms=0)
        # a write whose answer never came is resolved by its creation token, never retried blind
        assert created.status_code in (200, 504), created.text
        tokens = _tokens(faulty_jira)
        assert len(tokens) == len(set(tokens))


def test_bad_credentials_mark_connection_unauthorized(tenant: Tenant, faulty_jira) -> None:
    patched = tenant.patch(
        tenant.connection_path,
        json={
            "credentials": {
                "base_url": faulty_jira.base_url,
                "email": faulty_jira.config.email,
                "api_token": "wrong",
            },
            "validate": False,
        },
    )
    assert patched.status_code == 200, patched.text
    r = tenant.post("/v1/itsm/tickets", json=BODY)
    assert r.status_code == 502, r.text
    assert "wrong" not in r.text
    health = tenant.get(tenant.connection_path).json()["health"]
    assert health["status"] == "UNAUTHORIZED"
