"""Pooled PostgreSQL connections: idle ones are checked before use, busy ones are not."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.support.stores import store_name
from ticketbridge.config import Settings
from ticketbridge.db import session as db_session

pytestmark = pytest.mark.skipif(store_name() != "postgres", reason="PostgreSQL pool only")


async def test_a_connection_cut_while_idle_is_replaced(database_url, monkeypatch) -> None:
    engine = db_session.create_engine(Settings(env="test", database_url=database_url))
    try:
        async with engine.connect() as conn:
            pid = await conn.scalar(text("SELECT pg_backend_pid()"))
        other = create_async_engine(database_url)
        try:
            async with other.connect() as killer:
                await killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        finally:
            await other.dispose()
        monkeypatch.setattr(db_session, "PING_AFTER_IDLE_SECONDS", 0.0)
        async with engine.connect() as conn:  # the cut one is pinged, found dead, replaced
            assert await conn.scalar(text("SELECT 1")) == 1
            assert await conn.scalar(text("SELECT pg_backend_pid()")) != pid
    finally:
        await engine.dispose()


async def test_a_connection_back_moments_ago_is_not_pinged(database_url, monkeypatch) -> None:
    engine = db_session.create_engine(Settings(env="test", database_url=database_url))
    pings = 0
    original = engine.sync_engine.dialect.do_ping

    def counted(dbapi_connection: object) -> bool:
        nonlocal pings
        pings += 1
        return original(dbapi_connection)

    monkeypatch.setattr(engine.sync_engine.dialect, "do_ping", counted)
    try:
        for _ in range(5):
            async with engine.connect() as conn:
                await conn.scalar(text("SELECT 1"))
        assert pings == 0
    finally:
        await engine.dispose()
