"""Vendor calls spent per bulk, counted per route by the emulator; and no duplicate when
Jira's search lags its commits (search-visibility delay) while answers get lost.

A dedicated emulator, so its counts concern this module only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.factories import Tenant, new_tenant
from ticketbridge.emulators.jira.server import EmulatorServer

BULK = "POST /rest/api/{version}/issue/bulk"
CREATE = "POST /rest/api/{version}/issue"
SEARCH = "POST /rest/api/{version}/search/jql"
GET_ISSUE = "GET /rest/api/{version}/issue/{issueIdOrKey}"
EDIT = "PUT /rest/api/{version}/issue/{issueIdOrKey}"


@pytest.fixture(scope="module")
def counted_jira() -> Iterator[EmulatorServer]:
    with EmulatorServer(issues=20, users=10, projects=2, seed=11) as server:
        yield server


@pytest.fixture(scope="module")
def tenant(http, settings, counted_jira: EmulatorServer) -> Tenant:
    return new_tenant(http, settings, counted_jira)


@pytest.fixture(autouse=True)
def _no_faults(counted_jira: EmulatorServer) -> Iterator[None]:
    yield
    counted_jira.set_faults(drop_after_commit_ratio=0, search_visibility_delay_ms=0)


def _ours(tenant: Tenant, run: str, n: int = 50) -> list[dict[str, Any]]:
    projects = tenant.get("/v1/itsm/projects").json()["items"]
    project = next(p for p in projects if p["vendor_id"] == "ENG")
    return [{"name": f"{run} {i}", "project_id": project["id"], "type": "Task"} for i in range(n)]


def _calls(jira: EmulatorServer, before: dict[str, int]) -> dict[str, int]:
    now = jira.stats["requests_by_route"]
    return {k: v - before.get(k, 0) for k, v in now.items() if v - before.get(k, 0)}


def _summaries(jira: EmulatorServer, run: str) -> Counter[str]:
    return Counter(
        i.summary for i in list(jira.state.issues.values()) if i.summary.startswith(run + " ")
    )


def test_bulk_sync_of_50_with_our_ids_costs_two_vendor_calls(
    tenant: Tenant, counted_jira: EmulatorServer
) -> None:
    # The visibility delay is on: the read-back must reconcile the ids it just created,
    # or the search would miss them and each would be read alone.
    counted_jira.set_faults(search_visibility_delay_ms=600_000)
    before = dict(counted_jira.stats["requests_by_route"])
    r = tenant.post("/v1/itsm/tickets/bulk/sync", json={"tickets": _ours(tenant, "two")})
    assert r.status_code == 200, r.text
    assert r.json()["succeeded"] == 50
    assert _calls(counted_jira, before) == {BULK: 1, SEARCH: 1}
    stored = tenant.get(f"/v1/itsm/tickets/{r.json()['results'][7]['ticket_id']}").json()
    assert stored["name"] == "two 7" and stored["status"] == "TODO"


def test_bulk_job_of_50_with_our_ids_costs_two_vendor_calls(
    tenant: Tenant, counted_jira: EmulatorServer
) -> None:
    counted_jira.set_faults(search_visibility_delay_ms=600_000)
    before = dict(counted_jira.stats["requests_by_route"])
    r = tenant.post("/v1/itsm/tickets/bulk", json={"tickets": _ours(tenant, "job")})
    assert r.status_code == 202, r.text
    job = tenant.wait_job(str(r.json()["job_id"]))
    assert job["status"] == "SUCCESS" and job["result"]["succeeded"] == 50, job
    assert _calls(counted_jira, before) == {BULK: 1, SEARCH: 1}
    assert all(res["ticket_id"] for res in job["result"]["results"])


def test_entries_with_vendor_ids_are_not_read_back(
    tenant: Tenant, counted_jira: EmulatorServer
) -> None:
    counted_jira.set_faults(search_visibility_delay_ms=600_000)
    entries = _ours(tenant, "mixed", 3)
    entries.append({"name": "mixed vendor", "project_vendor_id": "ENG", "type": "Task"})
    before = dict(counted_jira.stats["requests_by_route"])
    r = tenant.post("/v1/itsm/tickets/bulk/sync", json={"tickets": entries})
    assert r.status_code == 200 and r.json()["succeeded"] == 4, r.text
    assert _calls(counted_jira, before) == {BULK: 1, SEARCH: 1}  # one search, for ours


def test_no_duplicate_when_answers_are_lost_and_search_lags(
    tenant: Tenant, counted_jira: EmulatorServer
) -> None:
    """Every create is committed and its answer lost; searches see new issues only 0.4 s
    later. The token lookup looks again within its window instead of resending at once."""
    counted_jira.set_faults(drop_after_commit_ratio=1, search_visibility_delay_ms=400)
    r = tenant.post("/v1/itsm/tickets/bulk/sync", json={"tickets": _ours(tenant, "lag")})
    assert r.status_code == 200, r.text
    assert r.json()["succeeded"] == 50, r.json()
    names = _summaries(counted_jira, "lag")
    assert len(names) == 50 and max(names.values()) == 1  # zero duplicates

    single = _ours(tenant, "lagone", 1)[0]
    r = tenant.post("/v1/itsm/tickets", json=single)
    assert r.status_code == 200, r.text
    assert _summaries(counted_jira, "lagone") == Counter({"lagone 0": 1})
    assert r.json()["name"] == "lagone 0"


def test_single_create_reads_once_by_key(tenant: Tenant, counted_jira: EmulatorServer) -> None:
    """Jira's create answer holds id, key and self only; status, dates and reporter need
    one read (by key: consistent even while search lags)."""
    counted_jira.set_faults(search_visibility_delay_ms=600_000)
    before = dict(counted_jira.stats["requests_by_route"])
    r = tenant.post("/v1/itsm/tickets", json=_ours(tenant, "one", 1)[0])
    assert r.status_code == 200, r.text
    assert _calls(counted_jira, before) == {CREATE: 1, GET_ISSUE: 1}
    assert r.json()["status"] == "TODO"


def test_bulk_update_reads_in_one_search_before_and_after_its_edits(
    tenant: Tenant, counted_jira: EmulatorServer
) -> None:
    r = tenant.post("/v1/itsm/tickets/bulk/sync", json={"tickets": _ours(tenant, "upd", 20)})
    ids = [res["ticket_id"] for res in r.json()["results"]]
    counted_jira.set_faults(search_visibility_delay_ms=600_000)  # edited: not yet re-indexed
    before = dict(counted_jira.stats["requests_by_route"])
    r = tenant.post(
        "/v1/itsm/tickets/bulk/update",
        json={"ticket_ids": ids, "updates": {"priority": "HIGH", "name": "renamed"}},
    )
    assert r.status_code == 202, r.text
    job = tenant.wait_job(str(r.json()["job_id"]))
    assert job["status"] == "SUCCESS" and job["result"]["succeeded"] == 20, job
    # Read before the edits, 20 edits, read after them: not 20 reads on either side.
    assert _calls(counted_jira, before) == {SEARCH: 2, EDIT: 20}
    stored = tenant.get(f"/v1/itsm/tickets/{ids[3]}").json()
    assert stored["name"] == "renamed" and stored["priority"] == "HIGH"
