"""ServiceNow's own Python client, PySNC, against the emulator, unchanged: GlideRecord
queries, inserts, updates, deletes, paging by its batch size, get by sys_id, Batch API."""

from __future__ import annotations

import pytest
from pysnc import ServiceNowClient
from pysnc.exceptions import AuthenticationException, NotFoundException

from ticketbridge.emulators.servicenow.server import ServiceNowServer

pytestmark = pytest.mark.store_independent


@pytest.fixture
def snc(sn: ServiceNowServer, cert: str) -> ServiceNowClient:
    return ServiceNowClient(sn.base_url, (sn.config.username, sn.config.password), verify=cert)


def _incidents(sn: ServiceNowServer, **equal: str) -> list[dict[str, str]]:
    rows = sn.state.tables["incident"].values()
    return [r for r in rows if all(r[k] == v for k, v in equal.items())]


def test_query_with_add_query_pages_through_all_records(
    snc: ServiceNowClient, sn: ServiceNowServer
) -> None:
    gr = snc.GlideRecord("incident", batch_size=50)
    gr.add_active_query()
    gr.query()
    expected = _incidents(sn, active="true")
    assert len(gr) == len(expected) > 100
    numbers = [record.get_value("number") for record in gr]
    assert sorted(numbers) == sorted(r["number"] for r in expected)
    assert len(set(numbers)) == len(numbers)
    routes = sn.stats["requests_by_route"]
    assert routes["GET /api/now/table/incident"] >= len(expected) // 50


def test_or_condition_and_encoded_query(snc: ServiceNowClient, sn: ServiceNowServer) -> None:
    gr = snc.GlideRecord("incident")
    condition = gr.add_query("priority", "1")
    condition.add_or_condition("priority", "2")
    gr.add_query("short_description", "CONTAINS", "VPN")
    gr.query()
    got = {r.get_value("number") for r in gr}
    want = {
        r["number"]
        for r in _incidents(sn)
        if r["priority"] in ("1", "2") and "VPN" in r["short_description"]
    }
    assert got == want and want

    encoded = snc.GlideRecord("incident")
    encoded.add_encoded_query("stateIN6,7^close_codeISNOTEMPTY^ORDERBYDESCnumber")
    encoded.query()
    numbers = [r.get_value("number") for r in encoded]
    assert numbers and all(n.startswith("INC") for n in numbers)
    states = {r["state"] for r in _incidents(sn) if r["number"] in numbers}
    assert states <= {"6", "7"}


def test_display_values_and_references(snc: ServiceNowClient, sn: ServiceNowServer) -> None:
    gr = snc.GlideRecord("incident")
    gr.add_not_null_query("assigned_to")
    gr.limit = 1
    gr.query()
    assert gr.next()
    assigned = gr.get_value("assigned_to")
    user = sn.state.tables["sys_user"][assigned]
    assert gr.get_display_value("assigned_to") == user["name"]
    assert gr.get_display_value("priority").startswith(gr.get_value("priority"))
    assert gr.get_element("priority").get_display_value() != ""


def test_get_by_sys_id_and_by_field(snc: ServiceNowClient, sn: ServiceNowServer) -> None:
    record = next(iter(sn.state.tables["incident"].values()))
    gr = snc.GlideRecord("incident")
    assert gr.get(record["sys_id"])
    assert gr.number == record["number"]
    by_number = snc.GlideRecord("incident")
    assert by_number.get("number", record["number"])
    assert by_number.sys_id == record["sys_id"]
    missing = snc.GlideRecord("incident")
    assert not missing.get("0" * 32)


def test_insert_update_delete(snc: ServiceNowClient, sn: ServiceNowServer) -> None:
    gr = snc.GlideRecord("incident")
    gr.initialize()
    gr.short_description = "Created by PySNC"
    gr.impact = "1"
    gr.urgency = "2"
    gr.correlation_id = "pysnc-1"
    sys_id = gr.insert()
    assert sys_id
    stored = sn.state.tables["incident"][str(sys_id)]
    assert stored["number"].startswith("INC") and stored["priority"] == "2"
    assert stored["correlation_id"] == "pysnc-1"

    found = snc.GlideRecord("incident")
    found.add_query("correlation_id", "pysnc-1")
    found.query()
    assert len(found) == 1 and found.next()
    found.state = "2"
    found.update()
    assert stored["state"] == "2" and stored["sys_mod_count"] == "1"

    again = snc.GlideRecord("incident")
    assert again.get(str(sys_id))
    again.delete()
    assert str(sys_id) not in sn.state.tables["incident"]
    audit = [a for a in sn.state.tables["sys_audit_delete"].values()]
    assert [a["documentkey"] for a in audit] == [str(sys_id)]


def test_batch_api_update_multiple_and_delete_multiple(
    snc: ServiceNowClient, sn: ServiceNowServer
) -> None:
    gr = snc.GlideRecord("problem", batch_size=10)
    gr.add_query("state", "101")
    gr.query()
    count = len(gr)
    assert count > 0
    for record in gr:
        record.description = "bulk touched"
    assert gr.update_multiple()
    touched = [r for r in sn.state.tables["problem"].values() if r["state"] == "101"]
    assert len(touched) == count
    assert all(r["description"] == "bulk touched" for r in touched)
    assert sn.stats["requests_by_route"]["POST /api/now/batch"] >= 1

    doomed = snc.GlideRecord("problem")
    doomed.add_query("description", "bulk touched")
    doomed.query()
    doomed.delete_multiple()
    assert not [r for r in sn.state.tables["problem"].values() if r["state"] == "101"]


def test_errors_map_to_pysnc_exceptions(sn: ServiceNowServer, cert: str) -> None:
    bad = ServiceNowClient(sn.base_url, (sn.config.username, "wrong"), verify=cert)
    gr = bad.GlideRecord("incident")
    with pytest.raises(AuthenticationException):
        gr.query()
    good = ServiceNowClient(sn.base_url, (sn.config.username, sn.config.password), verify=cert)
    sys_id = next(iter(sn.state.tables["incident"]))
    first, second = good.GlideRecord("incident"), good.GlideRecord("incident")
    assert first.get(sys_id) and second.get(sys_id)
    first.delete()
    with pytest.raises(NotFoundException):
        second.delete()  # already gone: 404 No Record found


@pytest.mark.parametrize("grant", ["password", "client_credentials"])
def test_oauth_flows(
    sn: ServiceNowServer, cert: str, grant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pysnc.auth import ServiceNowClientCredentialsFlow, ServiceNowPasswordGrantFlow

    # The client-credentials flow fetches its token with a bare requests.post (no `verify`).
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", cert)
    config = sn.config
    flow = (
        ServiceNowPasswordGrantFlow(
            config.username, config.password, config.client_id, config.client_secret
        )
        if grant == "password"
        else ServiceNowClientCredentialsFlow(config.client_id, config.client_secret)
    )
    snc = ServiceNowClient(sn.base_url, flow, verify=cert)
    gr = snc.GlideRecord("sys_user_group")
    gr.query()
    assert len(gr) == len(sn.state.tables["sys_user_group"])
