"""Vendor calls are not logged one line each at INFO; at DEBUG they are."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest

from ticketbridge.emulators.jira.server import EmulatorServer
from ticketbridge.logs import VENDOR_HTTP_LOGGERS, quiet_vendor_http

pytestmark = pytest.mark.store_independent


@pytest.fixture
def restore_levels() -> Iterator[None]:
    saved = {name: logging.getLogger(name).level for name in VENDOR_HTTP_LOGGERS}
    yield
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


def _request_lines(jira: EmulatorServer, caplog: pytest.LogCaptureFixture) -> list[str]:
    caplog.clear()
    with httpx.Client(base_url=jira.base_url) as client:
        client.get("/rest/api/3/serverInfo")
    return [r.getMessage() for r in caplog.records if r.name in VENDOR_HTTP_LOGGERS]


def test_httpx_request_lines_only_at_debug(
    jira: EmulatorServer, caplog: pytest.LogCaptureFixture, restore_levels: None
) -> None:
    caplog.set_level(logging.INFO)
    for name in VENDOR_HTTP_LOGGERS:  # as httpx ships: one INFO line per request
        logging.getLogger(name).setLevel(logging.NOTSET)
    assert any("HTTP Request" in line for line in _request_lines(jira, caplog))  # httpx's own

    quiet_vendor_http("INFO")
    assert _request_lines(jira, caplog) == []

    caplog.set_level(logging.DEBUG)
    quiet_vendor_http("debug")
    assert any("HTTP Request: GET" in line for line in _request_lines(jira, caplog))
