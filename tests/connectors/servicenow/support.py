"""A ServiceNow connector to an emulator, as the connector tests use it: built from its parts
alone (an HTTP client, credentials in memory, a local budget, settings), no app context."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from ticketbridge.config import Settings
from ticketbridge.connectors.base import Refresh
from ticketbridge.connectors.limits import LocalBudget
from ticketbridge.connectors.servicenow.connector import ServiceNowConnector
from ticketbridge.context import create_vendor_http_client
from ticketbridge.emulators.servicenow.server import ServiceNowServer


class MemoryCredentials:
    """A `CredentialStore` that keeps rotated credentials in memory."""

    def __init__(self, current: dict[str, Any]) -> None:
        self.current = current
        self.rotations = 0

    async def rotate(self, refresh: Refresh) -> dict[str, Any]:
        self.current = await refresh(self.current)
        self.rotations += 1
        return self.current


def basic(server: ServiceNowServer) -> dict[str, Any]:
    return {
        "base_url": server.base_url,
        "username": server.config.username,
        "password": server.config.password,
    }


@asynccontextmanager
async def connector_to(
    server: ServiceNowServer,
    credentials: dict[str, Any] | None = None,
    options: dict[str, Any] | None = None,
    **settings: Any,
) -> AsyncIterator[ServiceNowConnector]:
    """A connector to `server` (basic auth unless `credentials`), its HTTP client closed
    afterwards."""
    config = Settings(env="test", database_url="sqlite+aiosqlite://", **settings)
    connection_id = str(uuid.uuid4())
    budget = LocalBudget(config.vendor_concurrency_per_connection)
    http = create_vendor_http_client(config)
    try:
        yield ServiceNowConnector(
            connection_id=connection_id,
            http=http,
            credentials=MemoryCredentials(credentials or basic(server)),
            limiter=budget(connection_id),
            settings=config,
            options=options,
        )
    finally:
        await budget.close()
        await http.aclose()
