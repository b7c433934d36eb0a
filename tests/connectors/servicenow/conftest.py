"""One ServiceNow emulator (plain HTTP) per module of connector tests, reset before each
test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ticketbridge.emulators.servicenow.server import ServiceNowServer

SEEDED = 120  # incidents; problems, changes and catalog tasks get a quarter each


@pytest.fixture(scope="module")
def sn() -> Iterator[ServiceNowServer]:
    with ServiceNowServer(records=SEEDED, users=12, groups=3) as server:
        yield server


@pytest.fixture(autouse=True)
def _fresh(sn: ServiceNowServer) -> None:
    sn.reset()
