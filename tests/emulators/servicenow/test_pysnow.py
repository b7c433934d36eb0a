"""pysnow (rbw/pysnow) against the emulator, unchanged: resource get with its QueryBuilder,
create, update (lookup + PUT), delete, paging by offset, OAuth password grant."""

from __future__ import annotations

from collections.abc import Iterator

import pysnow
import pytest
from pysnow.exceptions import NoResults
from requests.exceptions import HTTPError

from ticketbridge.emulators.servicenow.server import ServiceNowServer

pytestmark = pytest.mark.store_independent


@pytest.fixture(autouse=True)
def _trust(cert: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """pysnow builds its own sessions: trust the emulator's certificate the usual way."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", cert)


def _host(sn: ServiceNowServer) -> str:
    return sn.base_url.removeprefix("https://")


@pytest.fixture
def snow(sn: ServiceNowServer) -> Iterator[pysnow.Client]:
    yield pysnow.Client(host=_host(sn), user=sn.config.username, password=sn.config.password)


def test_get_with_query_builder(snow: pysnow.Client, sn: ServiceNowServer) -> None:
    incidents = snow.resource(api_path="/table/incident")
    query = (
        pysnow.QueryBuilder()
        .field("priority")
        .less_than_or_equal(2)
        .AND()
        .field("short_description")
        .contains("VPN")
        .OR()
        .field("state")
        .equals("8")
        .AND()
        .field("number")
        .order_descending()
    )
    got = [r["number"] for r in incidents.get(query=query, fields=["number"]).all()]
    rows = sn.state.tables["incident"].values()
    want = sorted(
        (
            r["number"]
            for r in rows
            if int(r["priority"]) <= 2 and ("VPN" in r["short_description"] or r["state"] == "8")
        ),
        reverse=True,
    )
    assert got == want and want


def test_dates_and_between(snow: pysnow.Client, sn: ServiceNowServer) -> None:
    import datetime as dt

    incidents = snow.resource(api_path="/table/incident")
    start = dt.datetime(2025, 1, 8, tzinfo=dt.UTC)
    end = dt.datetime(2025, 1, 10, tzinfo=dt.UTC)
    after = pysnow.QueryBuilder().field("sys_created_on").greater_than(end)
    got = {r["number"] for r in incidents.get(query=after, fields=["number"]).all()}
    rows = sn.state.tables["incident"].values()
    assert got == {r["number"] for r in rows if r["sys_created_on"] > "2025-01-10 00:00:00"}
    between = pysnow.QueryBuilder().field("sys_created_on").between(start, end)
    inside = {r["number"] for r in incidents.get(query=between, fields=["number"]).all()}
    want = {
        r["number"]
        for r in rows
        if "2025-01-08 00:00:00" <= r["sys_created_on"] <= "2025-01-10 00:00:00"
    }
    assert inside == want and want


def test_dict_query_and_one(snow: pysnow.Client, sn: ServiceNowServer) -> None:
    record = next(iter(sn.state.tables["incident"].values()))
    incidents = snow.resource(api_path="/table/incident")
    found = incidents.get(query={"number": record["number"]}).one()
    assert found["sys_id"] == record["sys_id"]
    assert found["caller_id"]["value"] == record["caller_id"]
    with pytest.raises(NoResults):
        incidents.get(query={"number": "INC9999999"}).one()


def test_paging_by_offset(snow: pysnow.Client, sn: ServiceNowServer) -> None:
    incidents = snow.resource(api_path="/table/incident")
    seen: list[str] = []
    offset = 0
    while True:
        page = list(
            incidents.get(query="ORDERBYnumber", limit=40, offset=offset, fields=["number"]).all()
        )
        if not page:
            break
        seen += [r["number"] for r in page]
        offset += 40
    assert seen == sorted(r["number"] for r in sn.state.tables["incident"].values())


def test_create_update_delete(snow: pysnow.Client, sn: ServiceNowServer) -> None:
    incidents = snow.resource(api_path="/table/incident")
    created = incidents.create(
        payload={"short_description": "From pysnow", "urgency": "1", "correlation_id": "snow-1"}
    ).one()
    assert created["number"].startswith("INC") and created["priority"] == "3"
    updated = incidents.update(
        query={"correlation_id": "snow-1"}, payload={"impact": "1", "state": "2"}
    ).one()
    assert (updated["priority"], updated["state"], updated["sys_mod_count"]) == ("1", "2", "1")
    refused = incidents.update(query={"correlation_id": "snow-1"}, payload={"state": "6"})
    with pytest.raises(HTTPError) as caught:
        refused.one()
    assert caught.value.response.status_code == 403
    deleted = incidents.delete(query={"correlation_id": "snow-1"})
    assert deleted == {"status": "record deleted"}
    assert created["sys_id"] not in sn.state.tables["incident"]


def test_oauth_client(sn: ServiceNowServer) -> None:
    config = sn.config
    oauth = pysnow.OAuthClient(
        client_id=config.client_id, client_secret=config.client_secret, host=_host(sn)
    )
    oauth.set_token(oauth.generate_token(config.username, config.password))
    groups = oauth.resource(api_path="/table/sys_user_group")
    names = [g["name"] for g in groups.get(fields=["name"]).all()]
    assert len(names) == len(sn.state.tables["sys_user_group"])
