"""What every `ticketbridge` command shares: settings, checks and errors as one line.

A command that needs the database checks, before it opens anything, that the settings are
valid, that the database exists and that it is migrated to the revision this version
needs. Whatever is wrong becomes one line on stderr naming the fix, and exit code 2: no
traceback, and no empty SQLite file left behind by a connection attempt.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from ticketbridge.config import Settings, get_settings
from ticketbridge.context import AppContext

T = TypeVar("T")
err_console = Console(stderr=True, soft_wrap=True)
DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")
MIGRATE = "run `ticketbridge migrate`"


def fail(message: str) -> NoReturn:
    err_console.print(f"[red]error:[/red] {message}", markup=True, highlight=False)
    raise typer.Exit(2)


def load_settings() -> Settings:
    """The settings from the environment, or one line naming the variable that is wrong."""
    try:
        return get_settings()
    except ValidationError as exc:
        error = exc.errors()[0]
        name = "TICKETBRIDGE_" + "_".join(str(part) for part in error["loc"][:1]).upper()
        fail(f"{name} is invalid: {error['msg']}")


def database_url(settings: Settings) -> URL:
    """The parsed URL, refusing drivers we do not run on."""
    shown = settings.database_url or "(empty)"
    try:
        url = make_url(settings.database_url)
    except ArgumentError:
        fail(
            f"TICKETBRIDGE_DATABASE_URL is not a database URL: {shown!r}; set it to "
            "sqlite+aiosqlite:///path.db or postgresql+asyncpg://user@host/db"
        )
    if url.drivername not in DRIVERS:
        fail(
            f"TICKETBRIDGE_DATABASE_URL uses {url.drivername!r}; TicketBridge needs "
            "sqlite+aiosqlite:///path.db or postgresql+asyncpg://user@host/db"
        )
    return url


def check_config(settings: Settings) -> None:
    """Database URL scheme and encryption keys: what `AppContext.create` would trip on."""
    database_url(settings)
    try:
        keys = settings.fernet_keys()
    except RuntimeError as exc:  # production without keys; the message names the fix
        fail(str(exc))
    from ticketbridge.crypto import Vault

    try:
        Vault(keys)
    except ValueError:
        fail(
            "TICKETBRIDGE_ENCRYPTION_KEYS holds a value that is not a Fernet key; "
            "generate one with `ticketbridge keys generate`"
        )


def _sqlite_revision(path: Path) -> str | None:
    """The revision of an SQLite file, read-only (opening it must not create it)."""
    with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as conn:
        try:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.OperationalError:  # no such table: never migrated
            return None
    return str(row[0]) if row else None


def _postgres_revision(settings: Settings, url: URL) -> str | None:
    from sqlalchemy.ext.asyncio import create_async_engine

    from ticketbridge.db.migrate import current_revision_of

    async def read() -> str | None:
        engine = create_async_engine(settings.database_url)
        try:
            return await current_revision_of(engine)
        finally:
            await engine.dispose()

    where = f"{url.host or 'localhost'}:{url.port or 5432}/{url.database}"
    try:
        return asyncio.run(read())
    except OSError as exc:
        fail(f"cannot connect to PostgreSQL at {where}: {exc.strerror or exc}; is it running?")
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        if "does not exist" in reason and url.database and url.database in reason:
            fail(
                f"the database {url.database!r} does not exist on {where.rsplit('/', 1)[0]}: "
                f"create it (createdb {url.database}), then {MIGRATE}"
            )
        fail(f"cannot use the database at {where}: {reason}")


def check_reachable(settings: Settings) -> None:
    """For `migrate`: the settings are valid and the database (or its folder) is there."""
    check_config(settings)
    url = database_url(settings)
    if url.drivername.startswith("postgresql"):
        _postgres_revision(settings, url)
    elif url.database not in (None, "", ":memory:"):
        folder = Path(url.database or "").parent
        if not folder.is_dir():
            fail(f"cannot create the database: the folder {folder} does not exist")


def check_database(settings: Settings) -> None:
    """Settings valid, the database there and migrated to this version's revision."""
    from ticketbridge.db.migrate import head_revision, known_revisions

    check_config(settings)
    url = database_url(settings)
    if url.drivername.startswith("sqlite") and url.database not in (None, "", ":memory:"):
        path = Path(url.database or "")
        if not path.is_file():
            fail(
                f"no database at {path} (TICKETBRIDGE_DATABASE_URL={settings.database_url}): "
                f"{MIGRATE} to create it, or point TICKETBRIDGE_DATABASE_URL at yours"
            )
        try:
            current = _sqlite_revision(path)
        except sqlite3.Error as exc:
            fail(f"cannot read the database at {path}: {exc}")
    elif url.drivername.startswith("postgresql"):
        current = _postgres_revision(settings, url)
    else:
        return
    head = head_revision()
    if current is None:
        fail(f"the database is not migrated: {MIGRATE}")
    if current != head:
        if current in known_revisions():
            fail(f"the database is at revision {current}, this version needs {head}: {MIGRATE}")
        fail(
            f"the database is at revision {current}, which this version of TicketBridge does "
            "not know (it was migrated by a newer one): upgrade TicketBridge"
        )


def with_ctx(fn: Callable[[AppContext], Awaitable[T]], settings: Settings | None = None) -> T:
    """Runs ``fn`` with a fresh context on a checked database; our errors and database
    errors become one line and exit code 2."""
    from ticketbridge.errors import TicketBridgeError

    settings = settings or load_settings()
    check_database(settings)

    async def main() -> T:
        ctx = AppContext.create(settings)
        try:
            return await fn(ctx)
        finally:
            await ctx.stop()

    try:
        return asyncio.run(main())
    except TicketBridgeError as exc:
        fail(exc.detail + _extra(exc.extra))
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        fail(f"database error: {reason}")


def _extra(extra: dict[str, Any]) -> str:
    """An error's details for one line: `` (field: credentials)``, values not text as JSON."""
    if not extra:
        return ""
    parts = (
        f"{k}: {v if isinstance(v, str) else json.dumps(v, default=str)}" for k, v in extra.items()
    )
    return " (" + "; ".join(parts) + ")"


async def account_for_key(ctx: AppContext, session: Any, api_key: str) -> Any:
    from ticketbridge.provisioning import repository

    account = await repository.account_by_api_key(session, api_key)
    if account is None:
        fail("Invalid API key")
    return account


def print_rows(console: Console, columns: list[str], rows: list[list[str]]) -> None:
    """A table when it fits the terminal; otherwise one block per row (the first column, an
    id, on a line of its own). Either way no value is cut: ids are copied from here."""
    from rich.measure import Measurement
    from rich.table import Table

    table = Table(*columns)
    for column in table.columns:
        column.no_wrap = True
    for row in rows:
        table.add_row(*row)
    unbounded = console.options.update_width(1_000_000)
    if Measurement.get(console, unbounded, table).maximum <= console.width:
        console.print(table)
        return
    label = max(len(c) for c in columns[1:]) if len(columns) > 1 else 0
    for row in rows:
        console.print(row[0], highlight=False, soft_wrap=True)
        for name, value in zip(columns[1:], row[1:], strict=True):
            console.print(f"  {name.ljust(label)}  {value}", highlight=False, soft_wrap=True)
