"""`ticketbridge demo`: the newcomer's sandbox, one command from a fresh clone.

Starts the Jira emulator (a process of its own), migrates a fresh SQLite store (or the
database of TICKETBRIDGE_DATABASE_URL), creates an account, an organization and a
connection to the emulator, runs the first sync, then serves the API and prints working
credentials. `--keep` starts again on the store and Jira data of the last run instead.
The folder it works in (`.ticketbridge-demo`) is described in `demo_store.py`.
"""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import signal
import socket
import sys
from pathlib import Path
from typing import Any

import uvicorn

from ticketbridge.config import Settings
from ticketbridge.context import AppContext
from ticketbridge.db.migrate import upgrade
from ticketbridge.db.session import transaction
from ticketbridge.demo_store import (
    DEMO_DIR,
    DemoLock,
    JiraProcess,
    SandboxError,
    clear,
    load_record,
    running_jira,
    save_record,
    start_jira,
)
from ticketbridge.emulators.jira.config import (
    DEFAULT_API_TOKEN,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_EMAIL,
)
from ticketbridge.server import uvicorn_options

DEFAULT_JIRA_PORT = 8081


def demo_settings(
    database_url: str, host: str, port: int, jira_url: str, allow_private_webhook_urls: bool = False
) -> Settings:
    return Settings(
        env="demo",
        database_url=database_url,
        cors_origins=["*"],
        allow_private_vendor_urls=True,  # the emulator is on loopback
        allow_private_webhook_urls=allow_private_webhook_urls,  # off unless asked for
        public_url=f"http://{host}:{port}",
        jira_oauth_client_id=DEFAULT_CLIENT_ID,
        jira_oauth_client_secret=DEFAULT_CLIENT_SECRET,
        jira_oauth_auth_url=jira_url,
        jira_oauth_api_url=jira_url,
        scheduler_interval_seconds=15,
    )


async def provision(ctx: AppContext, jira_url: str, email: str, token: str) -> dict[str, str]:
    from ticketbridge.bootstrap import run_job
    from ticketbridge.jobs import service as jobs
    from ticketbridge.provisioning import connections, service
    from ticketbridge.provisioning.schemas import ConnectionCreate

    async with transaction(ctx.sessionmaker) as session:
        account, key = await service.create_account(session, "Sandbox")
        org = await service.create_organization(session, account, "Sandbox customer", "sandbox")
        connection = await service.create_connection(
            ctx,
            session,
            account,
            org.id,
            ConnectionCreate(
                vendor="JIRA",
                credentials={"base_url": jira_url, "email": email, "api_token": token},
                identifier="sandbox-jira",
            ),
        )
        job = await connections.activate(ctx, session, connection)
        await jobs.claim(session, "demo", limit=1)
    await run_job(ctx, job.id)
    return {"api_key": key, "connection_id": str(connection.id), "organization_id": str(org.id)}


def run_demo(
    *,
    host: str,
    port: int,
    jira_port: int | None,
    issues: int,
    as_json: bool,
    keep: bool,
    allow_private_webhook_urls: bool = False,
) -> None:
    """Runs the sandbox until Ctrl-C or SIGTERM, which stop its Jira emulator too."""
    directory = DEMO_DIR.resolve()
    lock = DemoLock(directory)
    jira: JiraProcess | None = None
    # uvicorn re-raises the SIGTERM it handled once it has shut down: make that an exception
    # here, so the `finally` below still stops Jira (which saves its data) and frees the lock.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        lock.acquire()
        sock = _bind(host, port)
        if keep:
            info, jira = _kept(directory, host, jira_port)
        else:
            info, jira = _fresh(directory, host, port, jira_port or DEFAULT_JIRA_PORT, issues)
        api_url = f"http://{host}:{port}"
        lock.describe(api_url=api_url, jira_url=jira.url)
        settings = demo_settings(
            info["database_url"], host, port, jira.url, allow_private_webhook_urls
        )
        asyncio.run(_serve(settings, sock, info, as_json))
    except SandboxError as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        pass
    finally:
        if jira is not None:
            jira.stop()
        lock.release()


def _interrupt(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def _fresh(
    directory: Path, host: str, port: int, jira_port: int, issues: int
) -> tuple[dict[str, Any], JiraProcess]:
    """A new sandbox: the folder emptied (a Jira left running by a killed run stopped)."""
    leftover = running_jira(directory)
    if leftover is not None:
        leftover.stop()
    clear(directory)
    database_url = os.environ.get("TICKETBRIDGE_DATABASE_URL") or (
        f"sqlite+aiosqlite:///{directory / 'ticketbridge.db'}"
    )
    jira = start_jira(directory, host, jira_port, issues)
    try:
        settings = demo_settings(database_url, host, port, jira.url)
        upgrade(database_url)
        info = asyncio.run(_provision_once(settings, jira.url))
    except BaseException:
        jira.stop()
        raise
    record = {**info, "database_url": database_url, "jira_url": jira.url, "issues": issues}
    save_record(directory, record)
    return record, jira


async def _provision_once(settings: Settings, jira_url: str) -> dict[str, str]:
    ctx = AppContext.create(settings)
    try:
        return await provision(ctx, jira_url, DEFAULT_EMAIL, DEFAULT_API_TOKEN)
    finally:
        await ctx.stop()


def _kept(directory: Path, host: str, jira_port: int | None) -> tuple[dict[str, Any], JiraProcess]:
    """The last sandbox again: its store, keys and connection, its Jira and Jira's data."""
    record = load_record(directory)
    from_env = os.environ.get("TICKETBRIDGE_DATABASE_URL")
    if from_env and from_env != record["database_url"]:
        raise SandboxError(
            f"the kept sandbox's store is {record['database_url']}, but "
            f"TICKETBRIDGE_DATABASE_URL is {from_env}: unset it, or start without --keep"
        )
    saved_port = int(record["jira_url"].rpartition(":")[2])
    if jira_port not in (None, saved_port):
        raise SandboxError(
            f"the kept connection points at the Jira emulator on port {saved_port}: "
            f"start with --jira-port {saved_port} (or none), or without --keep"
        )
    jira = running_jira(directory) or start_jira(directory, host, saved_port, record["issues"])
    upgrade(record["database_url"])  # a newer checkout may bring migrations
    return record, jira


def _bind(host: str, port: int) -> socket.socket:
    """The API's socket, taken before anything starts: a busy port fails fast and plainly."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise SandboxError(
            f"cannot serve the API on {host}:{port} ({exc.strerror}): --port picks another"
        ) from None
    return sock


async def _serve(
    settings: Settings, sock: socket.socket, info: dict[str, Any], as_json: bool
) -> None:
    from ticketbridge.app import create_app

    host, port = sock.getsockname()[:2]
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings),
            log_level="warning",
            log_config=None,  # ours (logs.py), set by create_app
            **uvicorn_options(settings),
        )
    )
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if serving.done():
            await serving
            raise SandboxError(f"could not start the API on {host}:{port}")
        await asyncio.sleep(0.05)
    api_url = f"http://{host}:{port}"
    if as_json:
        keys = ("api_key", "connection_id", "organization_id", "database_url", "jira_url")
        print(json.dumps({"api_url": api_url, **{k: info[k] for k in keys}}), flush=True)
    else:
        print(banner(info, api_url, info["jira_url"], info["database_url"]), flush=True)
    await serving


def banner(info: dict[str, Any], api_url: str, jira_url: str, database_url: str) -> str:
    key, cid = info["api_key"], info["connection_id"]
    export = f"export TICKETBRIDGE_DATABASE_URL={shlex.quote(database_url)}"
    h = f'-H "X-API-KEY: {key}" -H "X-CONNECTION-ID: {cid}"'
    ticket = {
        "name": "CI build failed on main",
        "project_vendor_id": "ENG",
        "type": "Bug",
        "description": "**Step** `make test` failed",
    }
    body = json.dumps(ticket)  # single-quoted below: it must hold no single quote
    return f"""
TicketBridge sandbox is running (Ctrl-C to stop)

  API            {api_url}   (docs: {api_url}/docs)
  Jira emulator  {jira_url}   (basic auth {DEFAULT_EMAIL} / {DEFAULT_API_TOKEN})
  API key        {key}
  Connection ID  {cid}
  Store          {database_url}

Try:
  export TB_KEY={key} TB_CONN={cid}
  curl -s {h} "{api_url}/v1/itsm/projects"
  curl -s {h} "{api_url}/v1/itsm/tickets?limit=5"
  curl -s {h} "{api_url}/v1/itsm/users?limit=5"
  curl -s {h} -H "Content-Type: application/json" -X POST "{api_url}/v1/itsm/tickets" \\
       -d '{body}'
  curl -s {h} "{api_url}/v1/itsm/passthrough/tickets/search?jql=project%20%3D%20ENG&limit=5"

The CLI on this sandbox:
  {export}
  ticketbridge connections list --api-key {key}

Ctrl-C stops the API and the Jira emulator. The next start is fresh;
`make run ARGS=--keep` starts again on this store and this Jira's data.
"""
