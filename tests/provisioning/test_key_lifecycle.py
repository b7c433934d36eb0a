"""API keys cannot lock their account out, and record when they were last used."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from tests.provisioning.helpers import api_key_rows
from tests.support.factories import Tenant
from tests.support.stores import with_context
from ticketbridge.auth import repository as auth_repository
from ticketbridge.config import Settings
from ticketbridge.context import AppContext
from ticketbridge.db.base import utcnow


def _own_key_id(tenant: Tenant) -> str:
    """The id of the tenant's first key (the one it authenticates with)."""
    keys = tenant.get("/v1/provisioning/api-keys").json()
    return str(keys[0]["id"])


def _as(tenant: Tenant, key: str) -> Tenant:
    return Tenant(http=tenant.http, api_key=key)


def test_the_last_active_key_cannot_be_revoked_but_a_key_may_revoke_itself(
    small_tenant: Callable[..., Tenant],
) -> None:
    tenant = small_tenant(connected=False)
    own = _own_key_id(tenant)

    refused = tenant.delete(f"/v1/provisioning/api-keys/{own}")
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "LAST_ACTIVE_KEY"
    assert "last active API key" in refused.json()["detail"]
    assert tenant.get("/v1/provisioning/account").status_code == 200  # still works

    spare = tenant.post("/v1/provisioning/api-keys", json={"name": "spare"}).json()
    # With another active key, the calling key may revoke itself...
    assert tenant.delete(f"/v1/provisioning/api-keys/{own}").status_code == 200
    assert tenant.get("/v1/provisioning/account").status_code == 401
    # ...and the spare, now the last one, cannot be revoked by anyone.
    other = _as(tenant, spare["key"])
    last = other.delete(f"/v1/provisioning/api-keys/{spare['id']}")
    assert last.status_code == 409
    assert other.get("/v1/provisioning/account").status_code == 200
    # Revoking an already revoked key stays harmless (200), not a 409.
    assert other.delete(f"/v1/provisioning/api-keys/{own}").status_code == 200


def test_two_concurrent_revocations_of_the_last_two_keys_leave_one_active(
    small_tenant: Callable[..., Tenant], settings: Settings
) -> None:
    for _ in range(6):
        tenant = small_tenant(connected=False)
        first = _own_key_id(tenant)
        second = tenant.post("/v1/provisioning/api-keys", json={}).json()
        by_first, by_second = tenant, _as(tenant, second["key"])

        with ThreadPoolExecutor(2) as pool:
            # Each key revokes the other: without serialisation both see one left active.
            answers = list(
                pool.map(
                    lambda call: call[0].delete(f"/v1/provisioning/api-keys/{call[1]}"),
                    [(by_first, second["id"]), (by_second, first)],
                )
            )
        # Both authenticated, then serialised: one 200, one 409. Or one revocation was
        # committed before the other request was authenticated: that one is a 401. Never
        # two 200s (both keys revoked, the account locked out).
        codes = sorted(a.status_code for a in answers)
        assert codes in ([200, 409], [200, 401]), [a.text for a in answers]
        rows = api_key_rows(settings, [first, second["id"]])
        assert sum(row.revoked_at is None for row in rows) == 1


def _listed(tenant: Tenant, key_id: str) -> dict[str, Any]:
    return next(k for k in tenant.get("/v1/provisioning/api-keys").json() if k["id"] == key_id)


def test_last_used_at_is_written_once_a_minute_at_most_and_listed(
    small_tenant: Callable[..., Tenant], settings: Settings
) -> None:
    tenant = small_tenant(connected=False)
    spare = tenant.post("/v1/provisioning/api-keys", json={}).json()
    assert spare["last_used_at"] is None
    assert _listed(tenant, spare["id"])["last_used_at"] is None

    before = utcnow()
    user = _as(tenant, spare["key"])
    assert user.get("/v1/provisioning/account").status_code == 200
    # Written in the background, after the response: poll the listing (no timing asserted).
    deadline = time.monotonic() + 30
    while (first := _listed(tenant, spare["id"])["last_used_at"]) is None:
        assert time.monotonic() < deadline, "last_used_at was never written"
        time.sleep(0.05)
    assert datetime.fromisoformat(first) >= before - timedelta(seconds=1)

    # More requests within the minute do not move it.
    for _ in range(5):
        assert user.get("/v1/provisioning/organizations").status_code == 200
    time.sleep(0.3)
    assert _listed(tenant, spare["id"])["last_used_at"] == first


def test_the_usage_update_is_conditional_so_processes_write_a_key_once_a_minute(
    small_tenant: Callable[..., Tenant], settings: Settings
) -> None:
    tenant = small_tenant(connected=False)
    key_id = uuid.UUID(_own_key_id(tenant))  # this request itself marks the key used
    now = utcnow() + timedelta(minutes=2)

    async def work(ctx: AppContext) -> list[bool]:
        every = timedelta(minutes=1)
        touch = auth_repository.touch_api_key
        return [
            await touch(ctx.engine, key_id, now, every),  # a minute after the last use: written
            await touch(ctx.engine, key_id, now + timedelta(seconds=30), every),  # too soon
            await touch(ctx.engine, key_id, now + timedelta(seconds=61), every),  # due again
        ]

    assert with_context(settings, work) == [True, False, True]
    (row,) = api_key_rows(settings, [str(key_id)])
    assert row.last_used_at == now + timedelta(seconds=61)
