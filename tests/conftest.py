"""Shared fixtures: a fresh database on the selected store, the Jira emulator, our API."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.support.factories import Tenant, new_tenant
from tests.support.servers import ApiServer
from tests.support.stores import fresh_database, store_name
from ticketbridge.config import Settings
from ticketbridge.emulators.jira.server import EmulatorServer


def pytest_report_header() -> str:
    return f"TicketBridge store: {store_name()}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database(tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="session")
def jira() -> Iterator[EmulatorServer]:
    with EmulatorServer(issues=300, users=30, projects=3) as server:
        yield server


@pytest.fixture(scope="session")
def settings(database_url: str, jira: EmulatorServer) -> Settings:
    return Settings(
        env="test",
        database_url=database_url,
        allow_private_vendor_urls=True,
        allow_private_webhook_urls=True,  # tests deliver to receivers on loopback
        cors_origins=["*"],
        public_url="http://127.0.0.1:9",
        jira_oauth_client_id=jira.config.oauth_client_id,
        jira_oauth_client_secret=jira.config.oauth_client_secret,
        jira_oauth_auth_url=jira.base_url,
        jira_oauth_api_url=jira.base_url,
        scheduler_interval_seconds=3600,
        vendor_max_backoff_seconds=2,
        vendor_read_timeout=10,
    )


@pytest.fixture(scope="session")
def api(settings: Settings) -> Iterator[ApiServer]:
    with ApiServer(settings) as server:
        yield server


@pytest.fixture(scope="session")
def http(api: ApiServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api.base_url, timeout=120) as client:
        yield client


@pytest.fixture
def make_tenant(
    http: httpx.Client, settings: Settings, jira: EmulatorServer
) -> Callable[..., Tenant]:
    def make(*, connected: bool = True, options: dict[str, Any] | None = None) -> Tenant:
        return new_tenant(http, settings, jira if connected else None, options=options)

    return make


@pytest.fixture(scope="session")
def shared_tenant(http: httpx.Client, settings: Settings, jira: EmulatorServer) -> Tenant:
    """A synced connection for read-only tests (cheaper than one per test)."""
    return new_tenant(http, settings, jira)
