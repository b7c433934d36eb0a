"""Process-wide resources: engine, sessions, vault, vendor HTTP client, workers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from ticketbridge.config import Settings
from ticketbridge.crypto import Vault
from ticketbridge.db.session import create_engine, create_sessionmaker
from ticketbridge.netguard import Resolver, system_resolver
from ticketbridge.process import tune_gc


def create_vendor_http_client(settings: Settings) -> httpx.AsyncClient:
    """The one shared vendor client: explicit timeouts, bounded pool, no redirects."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(
            settings.vendor_read_timeout, connect=settings.vendor_connect_timeout
        ),
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
        follow_redirects=False,
    )


@dataclass
class AppContext:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    vault: Vault
    http: httpx.AsyncClient
    # Looks host names up for caller-chosen URLs (webhooks); tests hand in their own so no
    # test depends on real DNS.
    resolver: Resolver = system_resolver
    background: list[Any] = field(default_factory=list)

    @classmethod
    def create(cls, settings: Settings, *, resolver: Resolver | None = None) -> AppContext:
        tune_gc(settings.gc_gen0_threshold)
        engine = create_engine(settings)
        return cls(
            settings=settings,
            engine=engine,
            sessionmaker=create_sessionmaker(engine),
            vault=Vault.from_settings(settings),
            http=create_vendor_http_client(settings),
            resolver=resolver or system_resolver,
        )

    async def start(self) -> None:
        from ticketbridge.jobs.runtime import start_background

        self.background = await start_background(self)

    async def stop(self) -> None:
        for item in reversed(self.background):
            await item.stop()
        self.background = []
        from ticketbridge.jobs import budget

        await budget.close(self)
        await self.http.aclose()
        await self.engine.dispose()
