"""Provisioning fixtures: a small Jira site of our own, so connection syncs stay cheap."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.support.factories import Tenant, new_tenant
from ticketbridge.config import Settings
from ticketbridge.emulators.jira.server import EmulatorServer


@pytest.fixture(scope="module")
def small_jira() -> Iterator[EmulatorServer]:
    with EmulatorServer(issues=20, users=5, projects=2) as server:
        yield server


@pytest.fixture
def small_tenant(
    http: httpx.Client, settings: Settings, small_jira: EmulatorServer
) -> Callable[..., Tenant]:
    def make(*, connected: bool = True) -> Tenant:
        return new_tenant(http, settings, small_jira if connected else None)

    return make
