"""The per-account request rate limit: 429 + Retry-After, per account, shared by processes."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.support.factories import create_account
from tests.support.servers import ApiServer
from tests.support.stores import in_store, store_name
from ticketbridge.auth.limits import RateLimiter
from ticketbridge.config import Settings
from ticketbridge.context import AppContext
from ticketbridge.idempotency.models import IdempotencyRecord
from ticketbridge.provisioning import repository

LIMIT = 5
WINDOW = 3600  # one window for the whole module (a test that straddles two would reset)

postgres_only = pytest.mark.skipif(store_name() != "postgres", reason="shared counter")


@pytest.fixture(scope="module")
def limited(settings: Settings) -> Settings:
    left = WINDOW - time.time() % WINDOW
    if left < 120:  # start in a fresh window rather than straddle two
        time.sleep(left + 1)
    return settings.model_copy(
        update={
            "rate_limit_per_minute": LIMIT,
            "rate_limit_window_seconds": WINDOW,
            "run_embedded_worker": False,
        }
    )


@pytest.fixture(scope="module")
def servers(limited: Settings) -> Iterator[list[httpx.Client]]:
    """Two API instances on the same database (two processes' worth of state each)."""
    with ApiServer(limited) as one, ApiServer(limited) as two:
        clients = [httpx.Client(base_url=s.base_url, timeout=60) for s in (one, two)]
        yield clients
        for client in clients:
            client.close()


def _claimed(settings: Settings, key: str) -> int:
    async def count(session: Any) -> int:
        rows = await session.scalars(select(IdempotencyRecord).where(IdempotencyRecord.key == key))
        return len(rows.all())

    return in_store(settings, count)  # type: ignore[no-any-return]


def _get(client: httpx.Client, key: str) -> httpx.Response:
    return client.get("/v1/provisioning/account", headers={"X-API-KEY": key})


def test_the_request_over_the_limit_gets_429_with_retry_after_and_others_are_unaffected(
    servers: list[httpx.Client], settings: Settings
) -> None:
    api = servers[0]
    key, other = create_account(settings), create_account(settings)
    assert [_get(api, key).status_code for _ in range(LIMIT)] == [200] * LIMIT

    refused = _get(api, key)
    assert refused.status_code == 429, refused.text
    assert set(refused.json()) == {"detail", "code"}
    assert refused.json()["code"] == "RATE_LIMITED"
    assert "Rate limit exceeded" in refused.json()["detail"]
    assert 1 <= int(refused.headers["Retry-After"]) <= WINDOW
    # Every route behind the key is limited, not only the one that used the budget.
    assert api.get("/v1/itsm/tickets", headers={"X-API-KEY": key}).status_code == 429

    # Another account has its own budget; unauthenticated requests are still 401.
    assert [_get(api, other).status_code for _ in range(LIMIT)] == [200] * LIMIT
    assert _get(api, "tb_" + "x" * 43).status_code == 401


def test_a_limited_write_claims_nothing_so_its_idempotency_key_stays_free(
    servers: list[httpx.Client], settings: Settings, make_tenant: Any
) -> None:
    tenant = make_tenant()  # connected, through the unlimited API on the same database
    api = servers[0]
    headers = {"X-API-KEY": tenant.api_key, "X-CONNECTION-ID": tenant.connection_id}
    for _ in range(LIMIT):
        assert api.get("/v1/itsm/projects", headers=headers).status_code == 200
    idempotency_key = f"rl-{uuid.uuid4()}"
    write = api.post(
        "/v1/itsm/tickets",
        json={"name": "limited", "project_vendor_id": "ENG", "type": "Task"},
        headers={**headers, "Idempotency-Key": idempotency_key},
    )
    assert write.status_code == 429, write.text
    assert _claimed(settings, idempotency_key) == 0
    # The same write through an unlimited instance goes through and claims its key.
    done = tenant.post(
        "/v1/itsm/tickets",
        json={"name": "limited", "project_vendor_id": "ENG", "type": "Task"},
        headers={"Idempotency-Key": idempotency_key},
    )
    assert done.status_code == 200, done.text
    assert _claimed(settings, idempotency_key) == 1


@postgres_only
def test_two_api_instances_share_one_budget_on_postgresql(
    servers: list[httpx.Client], settings: Settings
) -> None:
    key = create_account(settings)
    one, two = servers
    answers = [_get(api, key).status_code for api in (one, two, one, two, one)]
    assert answers == [200] * LIMIT
    assert _get(two, key).status_code == 429
    assert _get(one, key).status_code == 429


@postgres_only
def test_the_shared_counter_admits_exactly_the_limit_under_concurrency(
    limited: Settings, settings: Settings
) -> None:
    key = create_account(settings)

    async def run() -> list[int | None]:
        contexts = [AppContext.create(limited) for _ in range(2)]  # two pools: two processes
        try:
            found = await repository.authenticate(contexts[0].engine, key, None)
            assert found is not None
            limiters = [RateLimiter(ctx.engine, LIMIT, WINDOW, shared=True) for ctx in contexts]
            return await asyncio.gather(*(limiters[i % 2].hit(found.account.id) for i in range(30)))
        finally:
            for ctx in contexts:
                await ctx.http.aclose()
                await ctx.engine.dispose()

    answers = asyncio.run(run())
    assert answers.count(None) == LIMIT
    assert all(1 <= a <= WINDOW for a in answers if a is not None)
