"""A sync page's transaction settings (PostgreSQL): no WAL wait, plans made for the values."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker

from tests.support.stores import store_name
from ticketbridge.config import Settings
from ticketbridge.db import session as db_session
from ticketbridge.sync import repository

pytestmark = pytest.mark.skipif(store_name() != "postgres", reason="PostgreSQL settings")


async def test_page_settings_hold_for_the_page_transaction_only(database_url) -> None:
    engine = db_session.create_engine(Settings(env="test", database_url=database_url))
    maker = async_sessionmaker(engine, expire_on_commit=False)
    try:
        async with maker() as session, session.begin():
            await repository.page_settings(session)
            # A generic plan made while a first sync's table was nearly empty would scan it
            # for every later page: each page's statements are planned for their values.
            assert await session.scalar(text("SHOW plan_cache_mode")) == "force_custom_plan"
            assert await session.scalar(text("SHOW synchronous_commit")) == "off"
            pid = await session.scalar(text("SELECT pg_backend_pid()"))
        async with maker() as session, session.begin():
            assert await session.scalar(text("SELECT pg_backend_pid()")) == pid  # same session
            assert await session.scalar(text("SHOW plan_cache_mode")) == "auto"
            assert await session.scalar(text("SHOW synchronous_commit")) == "on"
    finally:
        await engine.dispose()
