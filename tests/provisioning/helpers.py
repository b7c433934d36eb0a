"""Helpers for provisioning tests: request bodies and direct reads of stored rows."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from tests.support.stores import in_store
from ticketbridge.config import Settings
from ticketbridge.emulators.jira.server import EmulatorServer
from ticketbridge.provisioning.models import ApiKey, Connection


def basic_credentials(jira: EmulatorServer, **overrides: Any) -> dict[str, Any]:
    return {
        "base_url": jira.base_url,
        "email": jira.config.email,
        "api_token": jira.config.api_token,
        **overrides,
    }


def _query(settings: Settings, fn: Callable[[Any], Any]) -> Any:
    return in_store(settings, fn)


def connection_row(settings: Settings, connection_id: str) -> Connection:
    """The stored row, read straight from the database (not through our API)."""

    async def fetch(session: Any) -> Connection:
        row = await session.get(Connection, uuid.UUID(connection_id))
        assert row is not None
        return row  # type: ignore[no-any-return]

    return _query(settings, fetch)  # type: ignore[no-any-return]


def api_key_rows(settings: Settings, key_ids: list[str]) -> list[ApiKey]:
    async def fetch(session: Any) -> list[ApiKey]:
        ids = [uuid.UUID(k) for k in key_ids]
        return list((await session.scalars(select(ApiKey).where(ApiKey.id.in_(ids)))).all())

    return _query(settings, fetch)  # type: ignore[no-any-return]
