"""Retry-After on 429, against an API with a small per-account rate limit."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.factories import create_account
from tests.support.servers import ApiServer
from ticketbridge.config import Settings
from ticketbridge_client import AsyncTicketBridge, RateLimitError, TicketBridge

WINDOW = 4


@pytest.fixture(scope="module")
def limited(settings: Settings) -> Iterator[ApiServer]:
    one_per_window = settings.model_copy(
        update={
            "rate_limit_per_minute": 1,
            "rate_limit_window_seconds": WINDOW,
            "run_embedded_worker": False,
        }
    )
    with ApiServer(one_per_window) as server:
        yield server


def _recording(statuses: list[int]) -> dict[str, Any]:
    def record(response: httpx.Response) -> None:
        statuses.append(response.status_code)

    return {"event_hooks": {"response": [record]}}


def _fresh_window() -> None:
    """Starts right after a window boundary, so two calls fall in the same window."""
    left = WINDOW - time.time() % WINDOW
    if left < WINDOW - 1:
        time.sleep(left + 0.05)


def test_a_429_is_retried_after_retry_after(limited: ApiServer, settings: Settings) -> None:
    key = create_account(settings)
    statuses: list[int] = []
    with TicketBridge(limited.base_url, key, httpx_args=_recording(statuses)) as tb:
        _fresh_window()
        org = tb.client.get_httpx_client().post(
            "/v1/provisioning/organizations", json={"name": "Limited"}
        )
        assert org.status_code == 200, org.text
        # Over the limit: 429 with Retry-After; the client waits it out and gets through.
        assert tb.connections.list(org.json()["id"]) == []
    assert statuses == [200, 429, 200]


def test_retries_are_bounded_and_end_in_a_typed_error(
    limited: ApiServer, settings: Settings
) -> None:
    key = create_account(settings)
    statuses: list[int] = []
    with TicketBridge(
        limited.base_url, key, max_retries=2, max_retry_wait=0.01, httpx_args=_recording(statuses)
    ) as tb:
        _fresh_window()
        assert tb.client.get_httpx_client().get("/v1/provisioning/account").status_code == 200
        with pytest.raises(RateLimitError) as limited_error:
            tb.connections.list("00000000-0000-0000-0000-000000000000")
    assert statuses == [200, 429, 429, 429]
    assert limited_error.value.code == "RATE_LIMITED"
    assert limited_error.value.retry_after is not None and limited_error.value.retry_after >= 1


@pytest.fixture
def fresh_key(settings: Settings) -> str:
    return create_account(settings)


async def test_the_async_client_waits_out_retry_after_too(
    limited: ApiServer, fresh_key: str
) -> None:
    key = fresh_key
    statuses: list[int] = []

    async def record(response: httpx.Response) -> None:
        statuses.append(response.status_code)

    hooks = {"event_hooks": {"response": [record]}}
    async with AsyncTicketBridge(limited.base_url, key, httpx_args=hooks) as tb:
        _fresh_window()
        client = tb.client.get_async_httpx_client()
        org = await client.post("/v1/provisioning/organizations", json={"name": "Limited"})
        assert org.status_code == 200, org.text
        assert await tb.connections.list(org.json()["id"]) == []
    assert statuses == [200, 429, 200]
