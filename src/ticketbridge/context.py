"""Process-wide resources: engine, sessions, vault, vendor HTTP client.

Nothing of the job runtime: workers are started and stopped by whatever runs the process
(``bootstrap.py``), which keeps them in ``background`` (``stop()`` stops any still there)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from ticketbridge import tracing
from ticketbridge.auth.limits import KeyUsage, RateLimiter
from ticketbridge.config import Settings
from ticketbridge.connectors.limits import VendorBudget
from ticketbridge.crypto import Vault
from ticketbridge.db.session import create_engine, create_sessionmaker
from ticketbridge.db.vendor_slots import create_vendor_budget
from ticketbridge.netguard import Resolver, system_resolver
from ticketbridge.process import tune_gc


def create_vendor_http_client(settings: Settings) -> httpx.AsyncClient:
    """The one shared vendor client: explicit timeouts, bounded pool, no redirects.
    (Read, write and pool waits use the read timeout; the whole-call deadline is
    ``vendor_total_timeout``, applied around each attempt by ``connectors/http.py``.)"""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(
            settings.vendor_read_timeout, connect=settings.vendor_connect_timeout
        ),
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
        follow_redirects=False,
    )


def create_rate_limiter(settings: Settings, engine: AsyncEngine) -> RateLimiter | None:
    if not settings.rate_limit_per_minute:
        return None
    return RateLimiter(
        engine,
        settings.rate_limit_per_minute,
        settings.rate_limit_window_seconds,
        shared=not settings.is_sqlite,
    )


@dataclass
class AppContext:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    vault: Vault
    http: httpx.AsyncClient
    key_usage: KeyUsage
    # Vendor calls in flight per connection (connectors/limits.py; on PostgreSQL shared by
    # every process, db/vendor_slots.py).
    vendor_budget: VendorBudget
    # Looks host names up for caller-chosen URLs (webhooks); tests hand in their own so no
    # test depends on real DNS.
    resolver: Resolver = system_resolver
    # None: no per-account request limit (TICKETBRIDGE_RATE_LIMIT_PER_MINUTE=0).
    rate_limiter: RateLimiter | None = None
    # The workers this process runs (``bootstrap.start_workers``), each with an async stop().
    background: list[Any] = field(default_factory=list)

    @classmethod
    def create(cls, settings: Settings, *, resolver: Resolver | None = None) -> AppContext:
        tune_gc(settings.gc_gen0_threshold)
        engine = create_engine(settings)
        http = create_vendor_http_client(settings)
        if tracing.configure(settings):
            tracing.instrument_context(engine, http)
        return cls(
            settings=settings,
            engine=engine,
            sessionmaker=create_sessionmaker(engine),
            vault=Vault.from_settings(settings),
            http=http,
            resolver=resolver or system_resolver,
            key_usage=KeyUsage(engine),
            vendor_budget=create_vendor_budget(settings),
            rate_limiter=create_rate_limiter(settings, engine),
        )

    async def stop(self) -> None:
        for item in reversed(self.background):
            await item.stop()
        self.background = []
        await self.vendor_budget.close()
        await self.key_usage.close()
        await self.http.aclose()
        await self.engine.dispose()
