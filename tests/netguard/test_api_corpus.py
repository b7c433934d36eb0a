"""The hostile-URL corpus over the API, in production settings: 422 for each, naming the
field, and nothing leaves loopback (no connection, no real DNS lookup)."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import httpx
import pytest

from tests.netguard.corpus import BASE_URLS, DNS, WEBHOOK_URLS
from tests.support.dns import FakeDNS
from tests.support.egress import Egress
from tests.support.factories import create_account
from tests.support.servers import ApiServer
from ticketbridge.config import Settings
from ticketbridge.crypto import generate_key


@pytest.fixture(scope="module")
def production(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "env": "production",
            "encryption_keys": [generate_key()],
            "allow_private_vendor_urls": False,
            "allow_private_webhook_urls": False,
            "run_embedded_worker": False,
        }
    )


@pytest.fixture(scope="module")
def dns() -> FakeDNS:
    return FakeDNS({**DNS, "hooks.example.com": ["93.184.216.34"]})


@pytest.fixture(scope="module")
def client(production: Settings, dns: FakeDNS) -> Iterator[httpx.Client]:
    with ApiServer(production, resolver=dns) as api:
        key = create_account(production)
        with httpx.Client(base_url=api.base_url, headers={"X-API-KEY": key}) as c:
            yield c


def test_every_hostile_webhook_url_is_a_422_and_nothing_leaves_loopback(
    client: httpx.Client, dns: FakeDNS
) -> None:
    assert len(WEBHOOK_URLS) >= 60
    answers = {}
    with Egress() as egress:
        for url in WEBHOOK_URLS:
            r = client.patch("/v1/provisioning/account", json={"webhook_url": url})
            answers[url] = (r.status_code, "webhook_url" in r.text)
    assert {u: a for u, a in answers.items() if a != (422, True)} == {}
    assert egress.events == []
    assert set(dns.lookups) <= set(DNS) | {"nxdomain.example.com"}
    assert client.get("/v1/provisioning/account").json()["webhook_url"] is None


def test_a_public_webhook_url_is_accepted_in_production(client: httpx.Client) -> None:
    r = client.patch(
        "/v1/provisioning/account", json={"webhook_url": "https://Hooks.Example.com/tb"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["webhook_url"] == "https://hooks.example.com/tb"
    assert client.patch("/v1/provisioning/account", json={"webhook_url": None}).status_code == 200


def test_every_hostile_base_url_is_a_422_and_nothing_leaves_loopback(
    client: httpx.Client,
) -> None:
    assert len(BASE_URLS) >= 60
    org = client.post("/v1/provisioning/organizations", json={"name": "Corpus"}).json()
    path = f"/v1/provisioning/organizations/{org['id']}/connections"
    answers = {}
    with Egress() as egress:
        for url in BASE_URLS:
            credentials = {"base_url": url, "email": "a@example.com", "api_token": "t0ken"}
            r = client.post(path, json={"vendor": "JIRA", "credentials": credentials})
            answers[url] = (r.status_code, "base_url" in r.text)
    assert {u: a for u, a in answers.items() if a != (422, True)} == {}
    assert egress.events == []
    assert client.get(path).json() == []


def test_the_egress_monitor_sees_what_would_leave_loopback() -> None:
    with Egress() as egress:
        sys.audit("socket.connect", object(), ("192.0.2.1", 80))
        sys.audit("socket.connect", object(), ("127.0.0.1", 80))
        sys.audit("socket.getaddrinfo", "hooks.example.com", 80, 0, 0, 0)
        sys.audit("socket.getaddrinfo", "127.0.0.1", 80, 0, 0, 0)
    assert egress.events == [
        ("connect", "('192.0.2.1', 80)"),
        ("getaddrinfo", "hooks.example.com"),
    ]
