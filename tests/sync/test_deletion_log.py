"""Deletions found through the vendor's deletion log (ServiceNow's sys_audit_delete), through
the API and the sync job against the ServiceNow emulator over HTTP: no id scan while the log
is readable, the id scan when it is not; only the connection's own tables and tickets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.factories import Tenant, new_servicenow_tenant
from ticketbridge.config import Settings
from ticketbridge.emulators.servicenow.server import ServiceNowServer

INCIDENTS = 30
AUDIT = "GET /api/now/table/sys_audit_delete"
INCIDENT = "GET /api/now/table/incident"
PROBLEM = "GET /api/now/table/problem"


@pytest.fixture(scope="module")
def sn() -> Iterator[ServiceNowServer]:
    with ServiceNowServer(records=INCIDENTS, users=4, groups=2, seed=7) as server:
        yield server


def _vendor(sn: ServiceNowServer) -> httpx.Client:
    """The instance's Table API, as its admin would change it."""
    return httpx.Client(
        base_url=f"{sn.base_url}/api/now/table",
        auth=(sn.config.username, sn.config.password),
        timeout=30,
    )


def _connect(
    http: httpx.Client, settings: Settings, sn: ServiceNowServer, **options: Any
) -> Tenant:
    tenant = new_servicenow_tenant(http, settings, sn, options=options or None)
    first = tenant.extra["first_sync"]
    assert first["status"] == "SUCCESS" and first["result"]["full"], first
    return tenant


def _routes(sn: ServiceNowServer) -> dict[str, int]:
    stats = httpx.get(f"{sn.base_url}/_emulator/stats").json()
    return dict(stats["requests_by_route"])


def _calls(before: dict[str, int], after: dict[str, int], route: str) -> int:
    return after.get(route, 0) - before.get(route, 0)


def _tickets(tenant: Tenant) -> dict[str, dict[str, Any]]:
    """The connection's tickets by sys_id, inactive ones included (a direct read by id)."""
    listed = tenant.get("/v1/itsm/tickets", params={"limit": 1000}).json()["items"]
    return {t["vendor_attributes"]["data"]["sys_id"]: t for t in listed}


def _active(tenant: Tenant, ticket: dict[str, Any]) -> bool:
    r = tenant.get(f"/v1/itsm/tickets/{ticket['id']}")
    assert r.status_code == 200, r.text
    return bool(r.json()["active"])


def _set_roles(sn: ServiceNowServer, roles: str) -> None:
    with _vendor(sn) as vendor:
        me = vendor.get("/sys_user", params={"user_name": sn.config.username}).json()
        sys_id = me["result"][0]["sys_id"]
        assert vendor.patch(f"/sys_user/{sys_id}", json={"roles": roles}).status_code == 200


def test_deleted_records_end_inactive_from_the_audit_without_an_id_scan(
    http: httpx.Client, settings: Settings, sn: ServiceNowServer
) -> None:
    tenant = _connect(http, settings, sn)
    tickets = _tickets(tenant)
    gone, restored = sorted(tickets)[:2]
    with _vendor(sn) as vendor:
        for sys_id in (gone, restored):
            assert vendor.delete(f"/incident/{sys_id}").status_code == 204
        # Back under its sys_id before the sync (as an undelete does): not deleted.
        back = vendor.post("/incident", json={"sys_id": restored, "short_description": "back"})
        assert back.status_code == 201, back.text
    before = _routes(sn)
    job = tenant.sync()
    after = _routes(sn)
    assert job["status"] == "SUCCESS" and not job["result"]["full"], job
    assert job["result"]["deactivated"] == 1, job["result"]
    assert not _active(tenant, tickets[gone])
    assert _active(tenant, tickets[restored])
    listed = tenant.get("/v1/itsm/tickets", params={"limit": 1000}).json()["items"]
    assert gone not in {t["vendor_attributes"]["data"]["sys_id"] for t in listed if t["active"]}
    # The audit: one counted call and one page (+ the empty one after it). The incident
    # table: the count, the changed records' page and the empty one after it, one look-up
    # of the deleted sys_ids (restored?); an id scan would add its pages of sys_ids.
    assert _calls(before, after, AUDIT) == 3
    assert _calls(before, after, INCIDENT) == 4


def test_without_the_admin_role_the_id_scan_still_finds_deletions(
    http: httpx.Client, settings: Settings, sn: ServiceNowServer
) -> None:
    tenant = _connect(http, settings, sn)
    tickets = _tickets(tenant)
    gone, changed = sorted(tickets)[:2]
    with _vendor(sn) as vendor:
        assert vendor.delete(f"/incident/{gone}").status_code == 204
        assert vendor.patch(f"/incident/{changed}", json={"impact": "1"}).status_code == 200
    _set_roles(sn, "itil")
    try:
        before = _routes(sn)
        job = tenant.sync()
        after = _routes(sn)
    finally:
        _set_roles(sn, "admin")
    assert job["status"] == "SUCCESS", job
    assert job["result"]["deactivated"] == 1, job["result"]
    assert not _active(tenant, tickets[gone])
    health = tenant.get(tenant.connection_path).json()["health"]
    assert health["status"] == "HEALTHY", health  # the refused audit is no failure
    assert _calls(before, after, AUDIT) == 1  # the 403
    # The count, the changed records' page and the empty one, then the id scan: one page of
    # every sys_id and the empty one after it.
    assert _calls(before, after, INCIDENT) == 5


def test_other_tables_and_other_connections_are_not_touched(
    http: httpx.Client, settings: Settings, sn: ServiceNowServer
) -> None:
    mine = _connect(http, settings, sn)
    other = _connect(http, settings, sn)
    mine_tickets, other_tickets = _tickets(mine), _tickets(other)
    assert set(mine_tickets) == set(other_tickets)  # the same instance, the same records
    gone = sorted(mine_tickets)[0]
    with _vendor(sn) as vendor:
        assert vendor.delete(f"/incident/{gone}").status_code == 204
        problem = vendor.get("/problem", params={"sysparm_limit": "1"}).json()["result"][0]
        assert vendor.delete(f"/problem/{problem['sys_id']}").status_code == 204
    before = _routes(sn)
    job = mine.sync()
    after = _routes(sn)
    assert job["status"] == "SUCCESS", job
    assert job["result"]["deactivated"] == 1, job["result"]  # the incident, not the problem
    assert _calls(before, after, PROBLEM) == 0  # not a table of the connection's
    assert not _active(mine, mine_tickets[gone])
    assert _active(other, other_tickets[gone])  # until its own sync
    assert all(_active(other, t) for t in other_tickets.values())
    assert other.sync()["result"]["deactivated"] == 1
    assert not _active(other, other_tickets[gone])


def test_a_full_sync_reads_the_audit_once_for_deletions_during_it(
    http: httpx.Client, settings: Settings, sn: ServiceNowServer
) -> None:
    tenant = _connect(http, settings, sn)
    tickets = _tickets(tenant)
    gone = sorted(tickets)[0]
    with _vendor(sn) as vendor:
        assert vendor.delete(f"/incident/{gone}").status_code == 204
    before = _routes(sn)
    r = tenant.post(f"{tenant.connection_path}/sync", json={"full": True})
    assert r.status_code == 202, r.text
    job = tenant.wait_job(r.json()["job_id"])
    after = _routes(sn)
    assert job["status"] == "SUCCESS" and job["result"]["full"], job
    assert job["result"]["deactivated"] == 1, job["result"]  # not seen by the full sync
    assert not _active(tenant, tickets[gone])
    # Since the sync began, minus the overlap (so the delete is in it): the counted call,
    # a page and the empty one after it; the ticket had already ended as not seen.
    assert _calls(before, after, AUDIT) == 3
