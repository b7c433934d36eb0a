"""Capabilities as data, and one registry answering every unsupported call with 422."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import httpx
import pytest
from pydantic import BaseModel, ConfigDict

from tests.itsm.passthrough.test_passthrough import connect
from tests.support.factories import Tenant
from ticketbridge.config import Settings
from ticketbridge.connectors import registry
from ticketbridge.connectors.base import Capability


class DeskCredentials(BaseModel):
    model_config = ConfigDict(extra="forbid")
    instance_url: str


class DeskConnector:
    """A second vendor that only creates tickets and syncs: declared, never called here."""

    vendor: ClassVar[str] = "TESTDESK"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.CREATE_TICKET, Capability.SYNC}
    )
    credentials_model: ClassVar[type[BaseModel]] = DeskCredentials

    @staticmethod
    def check_credentials(settings: Settings, creds: DeskCredentials) -> None:
        pass

    def __init__(self, *args: Any) -> None:
        raise AssertionError("an unsupported operation reached the connector")


@pytest.fixture(scope="module")
def desk(http: httpx.Client, settings: Settings) -> Iterator[Tenant]:
    registry.register(DeskConnector)
    try:
        yield connect(http, settings, "TESTDESK", {"instance_url": "https://desk.example"})
    finally:
        registry._REGISTRY.pop(DeskConnector.vendor, None)


def test_jira_supports_every_operation(shared_tenant: Tenant) -> None:
    r = shared_tenant.get("/v1/itsm/capabilities")
    assert r.status_code == 200, r.text
    everything = [c.value for c in Capability]
    body = r.json()
    assert body.pop("vendors")["JIRA"] == dict.fromkeys(everything, True)
    assert body == {
        "vendor": "JIRA",
        "supported": everything,
        "unsupported": [],
        "operations": dict.fromkeys(everything, True),
    }
    assert {"passthrough_search", "bulk_create", "update_ticket"} <= set(everything)


def test_capabilities_of_another_vendor_are_its_declared_ones(desk: Tenant) -> None:
    body = desk.get("/v1/itsm/capabilities").json()
    assert body["vendor"] == "TESTDESK"
    assert body["supported"] == ["create_ticket", "sync"]
    assert set(body["unsupported"]) == {c.value for c in Capability} - {"create_ticket", "sync"}
    assert body["operations"]["passthrough_projects"] is False
    # Every registered vendor side by side, whichever connection asks.
    assert body["vendors"]["TESTDESK"] == body["operations"]
    assert all(body["vendors"]["JIRA"].values())


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "capability"),
    [
        ("GET", "/v1/itsm/passthrough/projects", {}, "passthrough_projects"),
        ("GET", "/v1/itsm/passthrough/projects/X/issue-types", {}, "passthrough_issue_types"),
        ("GET", "/v1/itsm/passthrough/users", {"params": {"query": "a"}}, "passthrough_users"),
        (
            "GET",
            "/v1/itsm/passthrough/tickets/search",
            {"params": {"jql": "project = X"}},
            "passthrough_search",
        ),
        (
            "POST",
            "/v1/itsm/tickets/bulk/sync",
            {"json": {"tickets": [{"name": "x", "project_vendor_id": "X", "type": "Bug"}]}},
            "bulk_create",
        ),
    ],
)
def test_unsupported_operation_is_422_not_supported_for_this_vendor(
    desk: Tenant, method: str, path: str, kwargs: dict[str, Any], capability: str
) -> None:
    r = desk.http.request(method, path, headers=desk.headers, **kwargs)
    assert r.status_code == 422, r.text
    assert r.json() == {
        "detail": f"'{capability}' is not supported for this vendor (TESTDESK)",
        "code": "NOT_SUPPORTED",
    }


def test_capabilities_need_a_connection_of_ones_own(shared_tenant: Tenant, desk: Tenant) -> None:
    foreign = desk.get(
        "/v1/itsm/capabilities", headers={"X-CONNECTION-ID": shared_tenant.connection_id}
    )
    assert foreign.status_code == 404 and foreign.json()["detail"] == "Connection not found"
    no_header = desk.http.get("/v1/itsm/capabilities", headers={"X-API-KEY": desk.api_key})
    assert no_header.status_code == 422
