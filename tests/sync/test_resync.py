"""Changes of a connection's options reach old data; `full` syncs; a real progress total."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.factories import Tenant, new_tenant
from tests.sync.test_sync import all_tickets
from ticketbridge.emulators.jira.server import EmulatorServer


@pytest.fixture(scope="module")
def own_jira() -> Iterator[EmulatorServer]:
    """An emulator this module may edit freely (three projects)."""
    with EmulatorServer(issues=240, users=10, projects=3, seed=31) as server:
        yield server


def keys_of(jira: EmulatorServer) -> list[str]:
    return sorted(p.key for p in jira.state.projects.values())


def newest_job(tenant: Tenant) -> dict[str, Any]:
    jobs = tenant.get(f"{tenant.connection_path}/jobs").json()
    return tenant.wait_job(jobs[0]["id"])


def test_widening_the_filter_brings_every_ticket_of_the_new_project(
    http: httpx.Client, settings: Any, own_jira: EmulatorServer
) -> None:
    first, second = keys_of(own_jira)[:2]
    tenant = new_tenant(http, settings, own_jira, options={"project_keys_filter": [first]})
    assert {t["project_vendor_id"] for t in all_tickets(tenant)} == {first}
    assert tenant.sync()["result"]["full"] is False  # the mark is set: incremental from now
    r = tenant.patch(
        tenant.connection_path, json={"options": {"project_keys_filter": [first, second]}}
    )
    assert r.status_code == 200, r.text
    job = newest_job(tenant)
    assert job["status"] == "SUCCESS" and job["result"]["full"] is True, job
    wanted = {i.key for i in own_jira.state.issues.values() if i.project_key == second}
    got = {
        t["vendor_attributes"]["id"]
        for t in all_tickets(tenant)
        if t["project_vendor_id"] == second
    }
    assert got == wanted


def test_a_new_status_mapping_remaps_old_tickets(
    http: httpx.Client, settings: Any, own_jira: EmulatorServer
) -> None:
    tenant = new_tenant(
        http, settings, own_jira, options={"project_keys_filter": keys_of(own_jira)}
    )
    in_review = {i.key for i in own_jira.state.issues.values() if i.status_name == "In Review"}
    assert in_review
    before = {t["vendor_attributes"]["id"]: t for t in all_tickets(tenant)}
    assert {before[k]["status"] for k in in_review} == {"IN_PROGRESS"}
    r = tenant.patch(
        tenant.connection_path, json={"options": {"status_mapping": {"In Review": "IN_REVIEW"}}}
    )
    assert r.status_code == 200, r.text
    options = r.json()["options"]
    assert options["project_keys_filter"] == keys_of(own_jira)  # merged, not replaced
    job = newest_job(tenant)
    assert job["status"] == "SUCCESS" and job["result"]["full"] is True, job
    after = {t["vendor_attributes"]["id"]: t for t in all_tickets(tenant)}
    assert {after[k]["status"] for k in in_review} == {"IN_REVIEW"}
    assert [after[k]["id"] for k in sorted(in_review)] == [
        before[k]["id"] for k in sorted(in_review)
    ]


def test_a_patch_that_changes_nothing_the_sync_reads_queues_no_resync(
    http: httpx.Client, settings: Any, own_jira: EmulatorServer
) -> None:
    tenant = new_tenant(http, settings, own_jira, options={"project_keys_filter": ["ENG"]})
    jobs = len(tenant.get(f"{tenant.connection_path}/jobs").json())
    r = tenant.patch(tenant.connection_path, json={"options": {"project_keys_filter": ["ENG"]}})
    assert r.status_code == 200, r.text
    assert len(tenant.get(f"{tenant.connection_path}/jobs").json()) == jobs


def test_sync_takes_an_optional_full_flag(
    http: httpx.Client, settings: Any, own_jira: EmulatorServer
) -> None:
    tenant = new_tenant(http, settings, own_jira, options={"project_keys_filter": ["ENG"]})
    assert tenant.sync()["result"]["full"] is False  # no body: incremental
    r = tenant.post(f"{tenant.connection_path}/sync", json={"full": True})
    assert r.status_code == 202, r.text
    job = tenant.wait_job(r.json()["job_id"])
    assert job["status"] == "SUCCESS" and job["result"]["full"] is True
    total = sum(1 for i in own_jira.state.issues.values() if i.project_key == "ENG")
    assert job["result"]["tickets"] == total
    r = tenant.post(f"{tenant.connection_path}/sync", json={"full": "yes please"})
    assert r.status_code == 422, r.text
    r = tenant.post(f"{tenant.connection_path}/sync", json={"fast": True})
    assert r.status_code == 422, r.text


def test_progress_total_comes_from_the_vendor_count_before_the_pages(
    http: httpx.Client, settings: Any, own_jira: EmulatorServer
) -> None:
    tenant = new_tenant(http, settings, own_jira)
    control = own_jira.base_url + "/_emulator"
    counted = _count_calls(control)
    with httpx.Client() as emulator:
        emulator.post(control + "/faults", json={"latency_ms": 150})
        try:
            r = tenant.post(f"{tenant.connection_path}/sync", json={"full": True})
            assert r.status_code == 202, r.text
            seen = []
            while True:
                job = tenant.get(f"/v1/jobs/{r.json()['job_id']}").json()
                seen.append((job["status"], job["progress"]["total"], job["progress"]["processed"]))
                if job["status"] in ("SUCCESS", "FAILED"):
                    break
        finally:
            emulator.post(control + "/faults", json={"latency_ms": 0})
    assert job["status"] == "SUCCESS", job
    issues = len(own_jira.state.issues)
    assert _count_calls(control) == counted + 1
    assert all(total >= processed for _, total, processed in seen), seen
    # Once set (before the first page is written), the total is the vendor's count.
    assert all(total == issues for _, total, processed in seen if total), seen
    assert job["progress"] == {"total": issues, "processed": issues}


def _count_calls(control: str) -> int:
    stats = httpx.get(control + "/stats").json()["requests_by_route"]
    return sum(v for k, v in stats.items() if "approximate-count" in k)


class _Rollback(Exception):
    pass


def test_a_full_request_upgrades_a_queued_sync_and_follows_a_running_one(
    http: httpx.Client, settings: Any, own_jira: EmulatorServer
) -> None:
    """`schedule_sync(full=True)`, inside one transaction rolled back at the end (the
    worker never sees these jobs)."""
    import uuid

    from tests.support.stores import in_store
    from ticketbridge.jobs import service as jobs
    from ticketbridge.provisioning.models import Connection

    tenant = new_tenant(http, settings, own_jira, options={"project_keys_filter": ["ENG"]})
    seen: dict[str, Any] = {}

    async def run(session) -> None:  # type: ignore[no-untyped-def]
        connection = await session.get(Connection, uuid.UUID(tenant.connection_id))
        queued = await jobs.schedule_sync(settings, session, connection)
        seen["same"] = (await jobs.schedule_sync(settings, session, connection)).id == queued.id
        upgraded = await jobs.schedule_sync(settings, session, connection, full=True)
        seen["upgraded"] = (upgraded.id == queued.id, dict(upgraded.payload))
        queued.status = "RUNNING"
        queued.payload = {}  # a running incremental sync
        await session.flush()
        after = await jobs.schedule_sync(settings, session, connection, full=True)
        seen["after"] = (after.id != queued.id, after.status, dict(after.payload))
        seen["again"] = (
            await jobs.schedule_sync(settings, session, connection, full=True)
        ).id == after.id
        seen["plain"] = (await jobs.schedule_sync(settings, session, connection)).id == after.id
        raise _Rollback

    with pytest.raises(_Rollback):
        in_store(settings, run)
    assert seen == {
        "same": True,
        "upgraded": (True, {"full": True}),
        "after": (True, "QUEUED", {"full": True}),
        "again": True,
        "plain": True,
    }
