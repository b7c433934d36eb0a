"""ServiceNow through the API, the parts of the contract shared with Jira: identifiers are
record numbers (INC0010001) as Jira's are keys, writes still address records by sys_id and
parents by their sys_id reference; a create may name no type (an incident); PATCH takes
custom_fields; tickets synced while identifiers were sys_ids keep them on a resync."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from tests.support.factories import Tenant, new_servicenow_tenant
from tests.support.stores import in_store
from ticketbridge.config import Settings
from ticketbridge.emulators.servicenow.server import ServiceNowServer
from ticketbridge.itsm.tickets.models import Ticket

INCIDENTS = 12
CLOSE = {"close_code": "Solved (Permanently)", "close_notes": "Fixed through the API"}


@pytest.fixture(scope="module")
def sn() -> Iterator[ServiceNowServer]:
    with ServiceNowServer(records=INCIDENTS, users=4, groups=2, seed=11) as server:
        yield server


def _connect(http: httpx.Client, settings: Settings, sn: ServiceNowServer, **body: Any) -> Tenant:
    tenant = new_servicenow_tenant(http, settings, sn, **body)
    assert tenant.extra["first_sync"]["status"] == "SUCCESS"
    return tenant


@pytest.fixture(scope="module")
def tenant(http: httpx.Client, settings: Settings, sn: ServiceNowServer) -> Tenant:
    return _connect(http, settings, sn)


def _vendor(sn: ServiceNowServer) -> httpx.Client:
    return httpx.Client(
        base_url=f"{sn.base_url}/api/now/table",
        auth=(sn.config.username, sn.config.password),
        headers={"Accept": "application/json"},
        timeout=30,
    )


def _all(tenant: Tenant) -> list[dict[str, Any]]:
    r = tenant.get("/v1/itsm/tickets", params={"limit": 1000})
    assert r.status_code == 200, r.text
    return r.json()["items"]  # type: ignore[no-any-return]


def _create(tenant: Tenant, **body: Any) -> dict[str, Any]:
    r = tenant.post("/v1/itsm/tickets", json={"type_vendor_id": "incident"} | body)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def test_synced_and_created_tickets_are_named_by_their_number(
    tenant: Tenant, sn: ServiceNowServer
) -> None:
    synced = _all(tenant)
    assert len(synced) == INCIDENTS
    for ticket in synced:
        number = ticket["vendor_attributes"]["id"]
        assert number.startswith("INC") and ticket["identifier"] == number
        assert len(ticket["vendor_attributes"]["data"]["sys_id"]) == 32
    found = tenant.get(f"/v1/itsm/tickets/by-identifier/{synced[0]['identifier']}")
    assert found.status_code == 200 and found.json()["id"] == synced[0]["id"]
    created = _create(tenant, name="Named by its number")
    number, sys_id = (
        created["vendor_attributes"]["id"],
        created["vendor_attributes"]["data"]["sys_id"],
    )
    assert created["identifier"] == number and number.startswith("INC")
    # Writes still address the record by its sys_id.
    r = tenant.patch(f"/v1/itsm/tickets/{created['id']}", json={"name": "Renamed"})
    assert r.status_code == 200 and r.json()["identifier"] == number, r.text
    assert sn.state.tables["incident"][sys_id]["short_description"] == "Renamed"


def test_parents_are_sys_id_references(tenant: Tenant, sn: ServiceNowServer) -> None:
    parent = _create(tenant, name="Parent")
    parent_sys_id = parent["vendor_attributes"]["data"]["sys_id"]
    child = _create(tenant, name="Child", parent_ticket_id=parent["id"])
    assert child["parent_ticket_id"] == parent["id"]
    assert child["parent_ticket_vendor_id"] == parent_sys_id
    child_sys_id = child["vendor_attributes"]["data"]["sys_id"]
    assert sn.state.tables["incident"][child_sys_id]["parent"] == parent_sys_id
    by_vendor_id = _create(tenant, name="Child 2", parent_ticket_vendor_id=parent_sys_id)
    assert by_vendor_id["parent_ticket_id"] == parent["id"]
    # A parent set at the vendor is linked by the sync.
    other = _all(tenant)[0]
    with _vendor(sn) as vendor:
        r = vendor.patch(
            f"/incident/{other['vendor_attributes']['data']['sys_id']}",
            json={"parent": parent_sys_id},
        )
        assert r.status_code == 200, r.text
    assert tenant.sync()["status"] == "SUCCESS"
    linked = tenant.get(f"/v1/itsm/tickets/{other['id']}").json()
    assert linked["parent_ticket_id"] == parent["id"]
    assert linked["parent_ticket_vendor_id"] == parent_sys_id


def test_bulk_results_name_record_numbers(tenant: Tenant) -> None:
    entries = [
        {"name": "bulk ours", "type": "Incident", "identifier": "bulk-ours"},
        {"name": "bulk theirs", "type_vendor_id": "incident"},
        {"name": "bulk no type"},
    ]
    r = tenant.post("/v1/itsm/tickets/bulk/sync", json={"tickets": entries})
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert all(x["success"] and x["vendor_ticket_id"].startswith("INC") for x in results), results
    no_type = tenant.get(f"/v1/itsm/tickets/{results[2]['ticket_id']}").json()
    assert no_type["identifier"] == results[2]["vendor_ticket_id"] == results[2]["identifier"]
    assert no_type["type_vendor_id"] == "incident"
    r = tenant.post("/v1/itsm/tickets/bulk", json={"tickets": [{"name": "queued, no type"}]})
    assert r.status_code == 202, r.text
    job = tenant.wait_job(r.json()["job_id"])
    assert job["status"] == "SUCCESS", job
    (result,) = job["result"]["results"]
    assert (
        result["vendor_ticket_id"].startswith("INC")
        and result["identifier"] == (result["vendor_ticket_id"])
    )


def test_a_create_without_type_is_a_record_of_the_first_table(
    http: httpx.Client, settings: Settings, sn: ServiceNowServer, tenant: Tenant
) -> None:
    ticket = _create(tenant, name="No type", type_vendor_id=None)
    assert ticket["type_vendor_id"] == "incident" and ticket["type"] == "Incident"
    problems = _connect(http, settings, sn, options={"tables": ["problem", "incident"]})
    ticket = _create(problems, name="No type either", type_vendor_id=None)
    assert ticket["type_vendor_id"] == "problem"
    assert ticket["identifier"].startswith("PRB")


def test_patch_custom_fields_and_close_fields(tenant: Tenant, sn: ServiceNowServer) -> None:
    ticket = _create(tenant, name="Patch with custom fields")
    path = f"/v1/itsm/tickets/{ticket['id']}"
    sys_id = ticket["vendor_attributes"]["data"]["sys_id"]
    r = tenant.patch(path, json={"custom_fields": {"category": "network"}})
    assert r.status_code == 200, r.text
    assert sn.state.tables["incident"][sys_id]["category"] == "network"
    # Resolving takes close_code/close_notes from the request's custom_fields.
    r = tenant.patch(path, json={"status": "RESOLVED", "custom_fields": CLOSE})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "RESOLVED"
    data = r.json()["vendor_attributes"]["data"]
    assert (data["close_code"], data["close_notes"]) == (CLOSE["close_code"], CLOSE["close_notes"])
    # Without them (and no resolve_defaults) the instance's data policy answers.
    other = _create(tenant, name="Resolve without close fields")
    r = tenant.patch(
        f"/v1/itsm/tickets/{other['id']}",
        json={"status": "RESOLVED", "custom_fields": {"category": "software"}},
    )
    assert r.status_code == 422 and r.json()["code"] == "VENDOR_REJECTED", r.text
    assert "Data Policy Exception" in r.json()["detail"]


@pytest.mark.parametrize(
    ("custom_fields", "field"),
    [
        ({"state": "6"}, "custom_fields.state"),
        ({"short_description": "x"}, "custom_fields.short_description"),
        ({"category": "software", "u_count": 2**70}, None),  # past 64 bits
        ({"": "no key"}, None),
    ],
)
def test_patch_custom_fields_rules(
    tenant: Tenant, sn: ServiceNowServer, custom_fields: dict[str, Any], field: str | None
) -> None:
    ticket = _all(tenant)[0]
    sys_id = ticket["vendor_attributes"]["data"]["sys_id"]
    before = dict(sn.state.tables["incident"][sys_id])
    path = f"/v1/itsm/tickets/{ticket['id']}"
    r = tenant.patch(path, json={"name": "not written", "custom_fields": custom_fields})
    assert r.status_code == 422, r.text
    if field is not None:
        assert r.json()["field"] == field and field.split(".")[1] in r.json()["detail"]
    assert sn.state.tables["incident"][sys_id] == before  # nothing written
    r = tenant.patch(path, json={"custom_fields": None})
    assert r.status_code == 422 and "custom_fields" in r.text, r.text


def test_tickets_synced_with_sys_id_identifiers_keep_them(
    http: httpx.Client, settings: Settings, sn: ServiceNowServer
) -> None:
    tenant = _connect(http, settings, sn)
    before = {t["id"]: t for t in _all(tenant)}

    async def as_before_numbers(session: Any) -> None:
        # What the sync stored when a ServiceNow ticket's key was its sys_id.
        await session.execute(
            update(Ticket)
            .where(Ticket.connection_id == uuid.UUID(tenant.connection_id))
            .values(identifier=Ticket.vendor_internal_id, vendor_id=Ticket.vendor_internal_id)
        )

    in_store(settings, as_before_numbers)
    r = tenant.post(f"{tenant.connection_path}/sync", json={"full": True})
    assert r.status_code == 202, r.text
    assert tenant.wait_job(r.json()["job_id"])["status"] == "SUCCESS"
    after = {t["id"]: t for t in _all(tenant)}
    assert after.keys() == before.keys()  # no duplicates
    for ticket in after.values():
        sys_id = ticket["vendor_attributes"]["data"]["sys_id"]
        assert ticket["identifier"] == sys_id  # kept
        found = tenant.get(f"/v1/itsm/tickets/by-identifier/{sys_id}")
        assert found.status_code == 200 and found.json()["id"] == ticket["id"]
    # They are still written by sys_id, and new tickets are named by their number.
    some = next(iter(after.values()))
    r = tenant.patch(f"/v1/itsm/tickets/{some['id']}", json={"name": "Still writable"})
    assert r.status_code == 200 and r.json()["identifier"] == some["identifier"], r.text
    new = _create(tenant, name="After the change")
    assert new["identifier"] == new["vendor_attributes"]["id"]
