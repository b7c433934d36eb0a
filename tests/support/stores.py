"""One fresh database per test run, built by the Alembic migrations, on either store."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

from ticketbridge.config import Settings
from ticketbridge.context import AppContext
from ticketbridge.db.migrate import upgrade
from ticketbridge.db.session import transaction

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"


def store_name() -> str:
    return os.environ.get("TICKETBRIDGE_TEST_STORE", "sqlite")


@contextmanager
def fresh_database(tmp: Path) -> Iterator[str]:
    if store_name() == "postgres":
        name = f"tb_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
        try:
            upgrade(url)
            yield url
        finally:
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        url = f"sqlite+aiosqlite:///{tmp / 'ticketbridge-test.db'}"
        upgrade(url)
        yield url


def with_context(settings: Settings, work: Callable[[AppContext], Awaitable[Any]]) -> Any:
    """Runs ``await work(ctx)`` with a fresh AppContext, closed afterwards (not via our API)."""

    async def run() -> Any:
        ctx = AppContext.create(settings)
        try:
            return await work(ctx)
        finally:
            await ctx.http.aclose()
            await ctx.engine.dispose()

    return asyncio.run(run())


def in_store(settings: Settings, work: Callable[[Any], Awaitable[Any]]) -> Any:
    """Runs ``await work(session)`` in one transaction of the test store (not via our API)."""

    async def in_transaction(ctx: AppContext) -> Any:
        async with transaction(ctx.sessionmaker) as session:
            return await work(session)

    return with_context(settings, in_transaction)
