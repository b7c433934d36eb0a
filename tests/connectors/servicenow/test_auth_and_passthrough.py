"""Credentials (basic, OAuth client credentials, password grant), the base URL rule, the
capability matrix and the passthrough reads."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tests.connectors.servicenow.support import MemoryCredentials, connector_to
from ticketbridge.config import Settings
from ticketbridge.connectors import registry
from ticketbridge.connectors.base import Capability
from ticketbridge.connectors.servicenow.config import ServiceNowCredentials
from ticketbridge.emulators.servicenow.server import ServiceNowServer
from ticketbridge.errors import NotSupported, Unprocessable, VendorUnauthorized

pytestmark = pytest.mark.store_independent


def test_credentials_shapes() -> None:
    url = "https://acme.service-now.com"
    ServiceNowCredentials(base_url=url, username="u", password="p")
    ServiceNowCredentials(base_url=url, client_id="c", client_secret="s")
    ServiceNowCredentials(
        base_url=url, username="u", password="p", client_id="c", client_secret="s"
    )
    for bad in ({}, {"username": "u"}, {"client_id": "c"}, {"email": "e", "api_token": "t"}):
        with pytest.raises(ValidationError):
            ServiceNowCredentials(base_url=url, **bad)


def test_base_url_rule() -> None:
    cls = registry.connector_class("SERVICENOW")
    strict = Settings(env="test", database_url="sqlite+aiosqlite://")
    ok = ServiceNowCredentials(base_url="https://acme.service-now.com/", username="u", password="p")
    assert ok.base_url == "https://acme.service-now.com"
    cls.check_credentials(strict, ok)
    for url in (
        "http://acme.service-now.com",
        "https://acme.example.com",
        "https://a.b.service-now.com",
        "https://127.0.0.1",
        "https://acme.service-now.com/x",
    ):
        creds = ServiceNowCredentials(base_url=url, username="u", password="p")
        with pytest.raises(Unprocessable):
            cls.check_credentials(strict, creds)
    lenient = Settings(
        env="test", database_url="sqlite+aiosqlite://", allow_private_vendor_urls=True
    )
    cls.check_credentials(
        lenient, ServiceNowCredentials(base_url="http://127.0.0.1:1", username="u", password="p")
    )


def test_capabilities_and_hooks() -> None:
    cls = registry.connector_class("SERVICENOW")
    assert "SERVICENOW" in registry.vendors()
    assert Capability.PASSTHROUGH_SEARCH not in cls.capabilities
    assert cls.capabilities == frozenset(Capability) - {Capability.PASSTHROUGH_SEARCH}
    with pytest.raises(NotSupported):
        registry.require("SERVICENOW", Capability.PASSTHROUGH_SEARCH)
    assert cls.normalize_priority("1", {}) == "CRITICAL"
    assert cls.normalize_priority("5 - Planning", {}) == "INFORMATIONAL"
    assert cls.priority_to_vendor("LOW", {}) == "4"
    assert cls.normalize_status("3", "incident", {}) == "IN_PROGRESS"
    assert cls.normalize_status("3", "sc_task", {}) == "CLOSED"
    assert cls.normalize_status("107", "problem", {}) == "CLOSED"
    assert cls.normalize_status("3", "incident", {"incident:3": "TODO"}) == "TODO"
    assert cls.normalize_status("3", "incident", {"3": "OPEN"}) == "OPEN"
    assert cls.normalize_status("incident:6", None, {}) == "RESOLVED"  # a ticket's status_name
    assert "short_description" in cls.reserved_fields and "close_code" not in cls.reserved_fields
    with pytest.raises(Unprocessable):
        registry.check_custom_fields("SERVICENOW", {"assignment_group": "x"})


async def test_basic_auth(sn: ServiceNowServer) -> None:
    async with connector_to(sn) as connector:
        assert "System Administrator" in await connector.test()
    bad = {"base_url": sn.base_url, "username": "admin", "password": "wrong"}
    async with connector_to(sn, bad) as connector:
        with pytest.raises(VendorUnauthorized):
            await connector.test()


@pytest.mark.parametrize("grant", ["client_credentials", "password"])
async def test_oauth_tokens_are_kept_and_rotated(sn: ServiceNowServer, grant: str) -> None:
    creds = {
        "base_url": sn.base_url,
        "client_id": sn.config.client_id,
        "client_secret": sn.config.client_secret,
    }
    if grant == "password":
        creds |= {"username": sn.config.username, "password": sn.config.password}
    async with connector_to(sn, creds) as connector:
        store = connector.credentials
        assert isinstance(store, MemoryCredentials)
        assert "Authenticated to ServiceNow" in await connector.test()
        assert store.rotations == 1 and store.current["access_token"]
        assert bool(store.current.get("refresh_token")) == (grant == "password")
        await connector.get_tickets([next(iter(sn.state.tables["incident"]))])
        assert store.rotations == 1  # the token is reused
        store.current = {**store.current, "access_token": "revoked"}  # 401: one fresh token
        await connector.get_tickets([next(iter(sn.state.tables["incident"]))])
        assert store.rotations == 2 and store.current["access_token"] != "revoked"
    wrong = {**creds, "client_secret": "nope"}
    async with connector_to(sn, wrong) as connector:
        with pytest.raises(VendorUnauthorized):
            await connector.test()


async def test_passthrough(sn: ServiceNowServer) -> None:
    async with connector_to(sn, options={"tables": ["incident", "sc_task"]}) as connector:
        groups = await connector.passthrough_projects(0, 2, expand=True)
        assert groups.total == len(sn.state.tables["sys_user_group"]) and len(groups.items) == 2
        assert [t["vendor_id"] for t in groups.items[0]["issue_types"]] == ["incident", "sc_task"]
        rest = await connector.passthrough_projects(2, 10, expand=False)
        assert {g["vendor_id"] for g in groups.items + rest.items} == set(
            sn.state.tables["sys_user_group"]
        )
        types = await connector.passthrough_issue_types(groups.items[0]["vendor_id"], 1, 10)
        assert [t["name"] for t in types.items] == ["Catalog Task"] and types.total == 2
        users = await connector.passthrough_users(None, None, 0, 5)
        assert len(users.items) == 5 and users.total == len(sn.state.tables["sys_user"])
        admin = await connector.passthrough_users("admin@example", None, 0, 5)
        assert [u["email"] for u in admin.items] == ["admin@example.com"]
        group = groups.items[0]["vendor_id"]
        members = await connector.passthrough_users(None, group, 0, 100)
        expected = {
            r["user"] for r in sn.state.tables["sys_user_grmember"].values() if r["group"] == group
        }
        assert {u["vendor_id"] for u in members.items} == expected
        assert members.total == len(expected) and all(u["name"] for u in members.items)
        one = sn.state.tables["sys_user"][sorted(expected)[0]]
        found = await connector.passthrough_users(one["email"], group, 0, 100)
        assert [u["vendor_id"] for u in found.items] == [one["sys_id"]]
        with pytest.raises(NotSupported):
            await connector.passthrough_search("x", None, 10)
