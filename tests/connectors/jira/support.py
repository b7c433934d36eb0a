"""A Jira connector to an emulator, as the connector tests use it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from ticketbridge.config import Settings
from ticketbridge.connectors.jira.connector import JiraConnector
from ticketbridge.context import AppContext
from ticketbridge.emulators.jira.server import EmulatorServer


@asynccontextmanager
async def connector_to(server: EmulatorServer) -> AsyncIterator[JiraConnector]:
    """A basic-auth connector to `server` on a throwaway context (closed afterwards)."""
    ctx = AppContext.create(Settings(env="test", database_url="sqlite+aiosqlite://"))
    try:
        yield JiraConnector(
            ctx,
            str(uuid.uuid4()),
            {
                "base_url": server.base_url,
                "email": server.config.email,
                "api_token": server.config.api_token,
            },
        )
    finally:
        await ctx.stop()
