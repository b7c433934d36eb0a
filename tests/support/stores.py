"""One fresh database per test run, built by the Alembic migrations, on either store."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from ticketbridge.db.migrate import upgrade

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
