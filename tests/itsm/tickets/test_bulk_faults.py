"""Bulk jobs against a faulty Jira: rate limits, outages and writes whose answer is lost.

A dedicated emulator, so faults and counts concern this test only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from tests.support.factories import Tenant, new_tenant
from ticketbridge.emulators.jira.server import EmulatorServer

pytestmark = pytest.mark.slow

JOBS, PER_JOB = 4, 50


@pytest.fixture(scope="module")
def faulty_jira() -> Iterator[EmulatorServer]:
    with EmulatorServer(issues=20, users=10, projects=2, seed=7) as server:
        yield server


def test_faults_create_every_ticket_exactly_once(http, settings, faulty_jira) -> None:
    tenant: Tenant = new_tenant(http, settings, faulty_jira)
    project = next(
        p for p in tenant.get("/v1/itsm/projects").json()["items"] if p["vendor_id"] == "ENG"
    )
    issues_before = len(faulty_jira.state.issues)
    faulty_jira.set_faults(
        error_429_ratio=0.3,
        retry_after_seconds=1,
        error_503_ratio=0.05,
        drop_after_commit_ratio=0.1,
    )
    stats_before = faulty_jira.stats["issues_created"]

    def submit(j: int) -> str:
        tickets = []
        for i in range(PER_JOB):
            name = f"fault {j}-{i}"
            if i % 10 == 0:  # ours: read back, moved by a transition (a write) and stored
                entry = {
                    "name": name,
                    "project_id": project["id"],
                    "type": "Task",
                    "status": "IN_PROGRESS",
                }
            else:
                entry = {"name": name, "project_vendor_id": "ENG", "type": "Task"}
            tickets.append(entry)
        r = tenant.post("/v1/itsm/tickets/bulk", json={"tickets": tickets})
        assert r.status_code == 202, r.text
        return str(r.json()["job_id"])

    try:
        # Submitted together: the jobs run side by side, sharing the connection's budget.
        submitted = [submit(j) for j in range(JOBS)]
        jobs = [tenant.wait_job(job_id, timeout=600) for job_id in submitted]
        # Faults are random: go on until each kind has happened (rarely needed).
        while not all(faulty_jira.stats[k] for k in ("responses_429", "responses_503", "drops")):
            assert len(jobs) < 3 * JOBS, faulty_jira.stats
            jobs.append(tenant.wait_job(submit(len(jobs)), timeout=600))
    finally:
        faulty_jira.set_faults(error_429_ratio=0, error_503_ratio=0, drop_after_commit_ratio=0)
    stats = faulty_jira.stats

    for job in jobs:
        assert job["status"] == "SUCCESS", job
        assert job["progress"] == {"total": PER_JOB, "processed": PER_JOB}
        assert job["result"]["succeeded"] == PER_JOB
    total = len(jobs) * PER_JOB
    tagged = [
        i
        for i in list(faulty_jira.state.issues.values())
        if isinstance(i.properties.get("ticketbridge"), dict)
    ]
    tokens = Counter(i.properties["ticketbridge"]["token"] for i in tagged)
    names = Counter(i.summary for i in tagged)
    assert len(tagged) == total
    assert len(tokens) == total and max(tokens.values()) == 1
    assert len(names) == total and max(names.values()) == 1  # zero duplicates
    assert len(faulty_jira.state.issues) - issues_before == total
    assert stats["issues_created"] - stats_before == total
    for job in jobs:
        for res in job["result"]["results"]:
            issue = faulty_jira.state.issue_by_key(res["vendor_ticket_id"])
            assert issue is not None and issue.properties["ticketbridge"]["token"] in tokens
            if res["request_index"] % 10 == 0:
                stored = tenant.get(f"/v1/itsm/tickets/{res['ticket_id']}").json()
                assert stored["vendor_attributes"]["id"] == res["vendor_ticket_id"]
                assert stored["status"] == "IN_PROGRESS"
                assert issue.status_name == "In Progress"  # moved once, not past it
