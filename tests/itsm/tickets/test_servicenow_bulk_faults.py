"""A ServiceNow async bulk create of 50 with one bad entry through the API, under the fault
mix of the Jira bulk tests (30% 429, 5% 503, 10% dropped after commit): 49 created, each
exactly once, one failed with the reason, results in request order. A dedicated emulator, so
faults and counts concern this test only."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.itsm.test_servicenow_api import _connect, _vendor
from ticketbridge.config import Settings
from ticketbridge.emulators.servicenow.server import ServiceNowServer

ENTRIES, BAD = 50, 17


@pytest.fixture(scope="module")
def faulty_sn() -> Iterator[ServiceNowServer]:
    with ServiceNowServer(records=10, users=4, groups=2, seed=7) as server:
        yield server


def test_bulk_of_50_with_one_bad_entry_survives_the_fault_mix(
    http: httpx.Client, settings: Settings, faulty_sn: ServiceNowServer
) -> None:
    tenant = _connect(http, settings, faulty_sn)
    run = uuid.uuid4().hex[:8]
    entries = [
        {"name": f"fault-{run}-{i}", "type_vendor_id": "incident", "identifier": f"{run}-{i}"}
        for i in range(ENTRIES)
    ]
    entries[BAD]["type_vendor_id"] = "cmdb_ci"  # not a task table of the connection
    faulty_sn.set_faults(
        error_429_ratio=0.3,
        error_503_ratio=0.05,
        drop_after_commit_ratio=0.1,
        retry_after_seconds=0,
    )
    kinds = ("responses_429", "responses_503", "drops")
    extra: list[dict[str, Any]] = []
    try:
        r = tenant.post("/v1/itsm/tickets/bulk", json={"tickets": entries})
        assert r.status_code == 202, r.text
        job = tenant.wait_job(r.json()["job_id"], timeout=600)
        # Faults are random and a job makes few calls: more small jobs until each kind has
        # happened, every one of them checked the same way.
        while not all(faulty_sn.stats[k] for k in kinds):
            assert len(extra) < 60, faulty_sn.stats
            more = [
                {"name": f"fault-{run}-x{len(extra)}-{i}", "type_vendor_id": "incident"}
                for i in range(5)
            ]
            r = tenant.post("/v1/itsm/tickets/bulk", json={"tickets": more})
            assert r.status_code == 202, r.text
            extra.append(tenant.wait_job(r.json()["job_id"], timeout=600))
    finally:
        faulty_sn.set_faults(error_429_ratio=0, error_503_ratio=0, drop_after_commit_ratio=0)
    assert all(j["status"] == "SUCCESS" and j["result"]["succeeded"] == 5 for j in extra), extra
    assert job["status"] == "FAILED", job  # one entry failed
    outcome = job["failure_reason"]
    assert outcome["total"] == ENTRIES and outcome["succeeded"] == ENTRIES - 1, outcome
    results = outcome["results"]
    assert [x["request_index"] for x in results] == list(range(ENTRIES))
    assert results[BAD]["success"] is False and results[BAD]["error"]
    assert all(x["success"] for i, x in enumerate(results) if i != BAD)
    with _vendor(faulty_sn) as vendor:
        found = vendor.get(
            "/incident",
            params={
                "sysparm_query": f"short_descriptionSTARTSWITHfault-{run}-",
                "sysparm_limit": 10000,
            },
        ).json()["result"]
    names = Counter(x["short_description"] for x in found)
    total = ENTRIES - 1 + 5 * len(extra)
    assert len(names) == total and set(names.values()) == {1}, names  # each exactly once
    assert f"fault-{run}-{BAD}" not in names
