"""The API-key lookup of read-only routes, cached in the process for at most
TICKETBRIDGE_API_KEY_CACHE_SECONDS (`provisioning/auth_cache.py`, `GET /v1/itsm/tickets`):
a key revoked or a connection deleted through this process is refused at once, one
revoked elsewhere once the entry has expired, and no answer ever carries another
account's connection."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import update

from tests.support.factories import Tenant
from tests.support.stores import in_store
from ticketbridge.config import Settings
from ticketbridge.db.base import utcnow
from ticketbridge.provisioning import auth_cache
from ticketbridge.provisioning.models import ApiKey

LIST = "/v1/itsm/tickets"
INVALID = {"detail": "Invalid API key", "code": "UNAUTHORIZED"}


def _spare(tenant: Tenant) -> tuple[dict[str, str], str]:
    spare = tenant.post("/v1/provisioning/api-keys", json={}).json()
    return {"X-API-KEY": spare["key"], "X-CONNECTION-ID": tenant.connection_id}, spare["id"]


def _warm(tenant: Tenant, headers: dict[str, str]) -> None:
    """Two lists: the second is answered from the cache (the setting is on in the tests)."""
    for _ in range(2):
        response = tenant.http.get(LIST, headers=headers)
        assert response.status_code == 200, response.text


def test_the_cache_is_on_and_at_most_two_seconds(settings: Settings) -> None:
    assert 0 < settings.api_key_cache_seconds <= 2


def test_a_key_revoked_through_this_process_is_refused_at_once(
    small_tenant: Callable[..., Tenant],
) -> None:
    tenant = small_tenant()
    headers, key_id = _spare(tenant)
    _warm(tenant, headers)

    assert tenant.delete(f"/v1/provisioning/api-keys/{key_id}").status_code == 200
    response = tenant.http.get(LIST, headers=headers)
    assert response.status_code == 401
    assert {k: response.json().get(k) for k in INVALID} == INVALID
    # The account's other key is not affected.
    assert tenant.http.get(LIST, headers=tenant.headers).status_code == 200


def test_a_connection_deleted_through_this_process_is_refused_at_once(
    small_tenant: Callable[..., Tenant],
) -> None:
    tenant = small_tenant()
    _warm(tenant, tenant.headers)

    path = f"/v1/provisioning/organizations/{tenant.org_id}/connections/{tenant.connection_id}"
    deleted = tenant.delete(path)
    assert deleted.status_code == 204, deleted.text
    response = tenant.http.get(LIST, headers=tenant.headers)
    assert response.status_code == 404
    assert response.json()["detail"] == "Connection not found"


def test_a_key_revoked_elsewhere_is_refused_once_its_entry_expired(
    small_tenant: Callable[..., Tenant], settings: Settings
) -> None:
    """Revoked in the database by someone else (another process: no invalidation here)."""
    tenant = small_tenant()
    headers, key_id = _spare(tenant)
    _warm(tenant, headers)

    async def revoke(session: Any) -> None:
        await session.execute(
            update(ApiKey).where(ApiKey.id == uuid.UUID(key_id)).values(revoked_at=utcnow())
        )

    in_store(settings, revoke)
    time.sleep(settings.api_key_cache_seconds + 0.2)
    assert tenant.http.get(LIST, headers=headers).status_code == 401


def test_never_another_accounts_connection(small_tenant: Callable[..., Tenant]) -> None:
    """One account's key with another account's connection id is 404 however warm the
    cache is for both, and each account's pages hold only its own tickets."""
    ours, theirs = small_tenant(), small_tenant()
    _warm(ours, ours.headers)
    _warm(theirs, theirs.headers)

    crossed = {"X-API-KEY": ours.api_key, "X-CONNECTION-ID": theirs.connection_id}
    for _ in range(3):
        response = ours.http.get(LIST, headers=crossed)
        assert response.status_code == 404
        assert response.json()["detail"] == "Connection not found"

    mine = {t["id"] for t in ours.http.get(LIST, headers=ours.headers).json()["items"]}
    their = {t["id"] for t in theirs.http.get(LIST, headers=theirs.headers).json()["items"]}
    assert not mine & their


def test_only_full_answers_are_kept_and_each_under_its_own_key() -> None:
    """Unit view of the entries: a digest of the key, never the key; one entry per (key,
    connection) pair, holding that pair's answer."""
    for (_db, digest, connection_id), (_expires, found) in list(auth_cache._entries.items()):
        assert digest.isalnum() and not digest.startswith("tb_")
        assert found.connection is not None
        assert found.connection.id == connection_id
        assert found.connection.account_id == found.account.id
