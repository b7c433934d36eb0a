"""What is wrong with the set-up, said in one line with the command that fixes it.

Every command that needs the database checks the settings and the database first: exit
code 2, one line on stderr, no traceback, and no empty SQLite file left behind.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from typer.testing import CliRunner

from tests.support.cli import empty_database
from tests.support.stores import store_name
from ticketbridge.cli import app
from ticketbridge.config import get_settings
from ticketbridge.db.migrate import head_revision, upgrade

ACCOUNT = str(uuid.uuid4())
# Every command that reads or writes the database, with arguments that would otherwise work.
DB_COMMANDS = [
    ["accounts", "create", "--name", "Acme"],
    ["orgs", "create", "--name", "x", "--api-key", "tb_x"],
    ["connections", "list", "--api-key", "tb_x"],
    ["connections", "test", ACCOUNT, "--api-key", "tb_x"],
    ["connections", "sync", ACCOUNT, "--api-key", "tb_x"],
    ["connections", "create", "--org", ACCOUNT, "--oauth", "--api-key", "tb_x"],
    ["api-keys", "create", "--account", ACCOUNT],
    ["api-keys", "list", "--account", ACCOUNT],
    ["keys", "rotate"],
    ["worker"],
    ["serve", "--port", "1"],
]


def _invoke(args: list[str], **env: str) -> tuple[int, str, str]:
    get_settings.cache_clear()
    base = {"TICKETBRIDGE_ENV": "test", "TICKETBRIDGE_ENCRYPTION_KEYS": "", "COLUMNS": "200"}
    result = CliRunner().invoke(app, args, env={**base, **env})
    get_settings.cache_clear()
    return result.exit_code, result.stdout, result.stderr


def _one_line_error(args: list[str], expected: str, **env: str) -> None:
    code, out, err = _invoke(args, **env)
    assert code == 2, (args, code, out, err)
    assert err.startswith("error: ") and err.count("\n") == 1, (args, err)
    assert expected in err, (args, err)
    assert "Traceback" not in out + err and out == "", (args, out)


def test_db_commands_on_a_missing_sqlite_file_say_migrate_and_create_nothing(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ticketbridge.db"
    url = f"sqlite+aiosqlite:///{path}"
    for args in DB_COMMANDS:
        _one_line_error(args, "run `ticketbridge migrate`", TICKETBRIDGE_DATABASE_URL=url)
        assert not path.exists() and list(tmp_path.iterdir()) == [], args


def test_db_commands_on_an_unmigrated_database_say_migrate(tmp_path: Path) -> None:
    with empty_database(tmp_path) as url:
        if store_name() == "sqlite":  # an empty file, as earlier versions left behind
            sqlite3.connect(tmp_path / "cli.db").close()
        for args in DB_COMMANDS:
            _one_line_error(
                args,
                "the database is not migrated: run `ticketbridge migrate`",
                TICKETBRIDGE_DATABASE_URL=url,
            )


def test_a_database_behind_this_version_names_both_revisions(tmp_path: Path) -> None:
    with empty_database(tmp_path) as url:
        upgrade(url, "0001")
        _one_line_error(
            ["accounts", "create", "--name", "A"],
            f"the database is at revision 0001, this version needs {head_revision()}: "
            "run `ticketbridge migrate`",
            TICKETBRIDGE_DATABASE_URL=url,
        )


@pytest.mark.store_independent
def test_configuration_errors_are_one_line(tmp_path: Path) -> None:
    sqlite = f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"
    cases: list[tuple[dict[str, str], str]] = [
        ({"TICKETBRIDGE_DATABASE_URL": "sqlite:///x.db"}, "uses 'sqlite'; TicketBridge needs"),
        ({"TICKETBRIDGE_DATABASE_URL": "mysql://u@h/db"}, "uses 'mysql'"),
        ({"TICKETBRIDGE_DATABASE_URL": "not a url"}, "is not a database URL"),
        ({"TICKETBRIDGE_DATABASE_URL": ""}, "is not a database URL"),
        (
            {"TICKETBRIDGE_DATABASE_URL": sqlite, "TICKETBRIDGE_ENV": "production"},
            "TICKETBRIDGE_ENCRYPTION_KEYS must be set in production",
        ),
        (
            {"TICKETBRIDGE_DATABASE_URL": sqlite, "TICKETBRIDGE_ENCRYPTION_KEYS": "nope"},
            "`ticketbridge keys generate`",
        ),
        ({"TICKETBRIDGE_ENV": "prod"}, "TICKETBRIDGE_ENV is invalid"),
        (
            {"TICKETBRIDGE_DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:1/x"},
            "cannot connect to PostgreSQL at 127.0.0.1:1/x",
        ),
    ]
    for env, expected in cases:
        for args in (
            ["accounts", "create", "--name", "A"],
            ["api-keys", "list", "--account", ACCOUNT],
        ):
            _one_line_error(args, expected, **env)
        if "production" not in env.values() and "ENCRYPTION" not in str(env):
            _one_line_error(["migrate"], expected, **env)
    assert list(tmp_path.iterdir()) == []


def test_a_postgres_database_that_does_not_exist_says_create_it() -> None:
    if store_name() != "postgres":
        pytest.skip("PostgreSQL only")
    name = f"tb_missing_{uuid.uuid4().hex[:8]}"
    _one_line_error(
        ["accounts", "create", "--name", "A"],
        f"the database '{name}' does not exist on 127.0.0.1:5432: create it (createdb {name})",
        TICKETBRIDGE_DATABASE_URL=f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}",
    )


@pytest.mark.store_independent
def test_the_installed_command_prints_one_line_on_stderr(tmp_path: Path) -> None:
    """The real process, as an operator runs it: stdout empty, one line on stderr."""
    env = {**os.environ, "TICKETBRIDGE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'a.db'}"}
    env["TICKETBRIDGE_ENCRYPTION_KEYS"] = Fernet.generate_key().decode()
    done = subprocess.run(
        [sys.executable, "-m", "ticketbridge.cli", "accounts", "create", "--name", "A"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "run `ticketbridge migrate`" in done.stderr
    assert list(tmp_path.iterdir()) == []
