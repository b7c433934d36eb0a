"""A Jira connector to an emulator, as the connector tests use it: built from its parts
alone (an HTTP client, credentials in memory, a local budget, settings), no app context."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from ticketbridge.config import Settings
from ticketbridge.connectors.base import Refresh
from ticketbridge.connectors.jira.connector import JiraConnector
from ticketbridge.connectors.limits import LocalBudget
from ticketbridge.context import create_vendor_http_client
from ticketbridge.emulators.jira.server import EmulatorServer


class MemoryCredentials:
    """A `CredentialStore` that keeps rotated credentials in memory."""

    def __init__(self, current: dict[str, Any]) -> None:
        self.current = current

    async def rotate(self, refresh: Refresh) -> dict[str, Any]:
        self.current = await refresh(self.current)
        return self.current


@asynccontextmanager
async def connector_to(server: EmulatorServer) -> AsyncIterator[JiraConnector]:
    """A basic-auth connector to `server` (its HTTP client closed afterwards)."""
    settings = Settings(env="test", database_url="sqlite+aiosqlite://")
    connection_id = str(uuid.uuid4())
    budget = LocalBudget(settings.vendor_concurrency_per_connection)
    http = create_vendor_http_client(settings)
    try:
        yield JiraConnector(
            connection_id=connection_id,
            http=http,
            credentials=MemoryCredentials(
                {
                    "base_url": server.base_url,
                    "email": server.config.email,
                    "api_token": server.config.api_token,
                }
            ),
            limiter=budget(connection_id),
            settings=settings,
        )
    finally:
        await budget.close()
        await http.aclose()
