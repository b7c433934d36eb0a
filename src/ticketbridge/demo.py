"""`ticketbridge demo`: the newcomer's sandbox, one command from a fresh clone.

Starts the Jira and ServiceNow emulators (each a process of its own), migrates a fresh
SQLite store (or the database of TICKETBRIDGE_DATABASE_URL), creates an account, an
organization and a connection to each emulator, runs their first syncs, then serves the API
and prints working credentials. `--keep` starts again on the store and emulator data of the
last run instead.
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
    EmulatorProcess,
    SandboxError,
    clear,
    load_record,
    running_emulator,
    save_record,
    start_emulator,
)
from ticketbridge.emulators.jira.config import (
    DEFAULT_API_TOKEN,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_EMAIL,
)
from ticketbridge.emulators.servicenow.config import DEFAULT_PASSWORD as SN_PASSWORD
from ticketbridge.emulators.servicenow.config import DEFAULT_USERNAME as SN_USERNAME
from ticketbridge.server import tcp_socket, uvicorn_options

DEFAULT_JIRA_PORT = 8081
DEFAULT_SERVICENOW_PORT = 8082


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


async def provision(
    ctx: AppContext, jira_url: str, email: str, token: str, servicenow_url: str
) -> dict[str, str]:
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
        servicenow = await service.create_connection(
            ctx,
            session,
            account,
            org.id,
            ConnectionCreate(
                vendor="SERVICENOW",
                credentials={
                    "base_url": servicenow_url,
                    "username": SN_USERNAME,
                    "password": SN_PASSWORD,
                },
                identifier="sandbox-servicenow",
            ),
        )
        job = await connections.activate(ctx, session, connection)
        servicenow_job = await connections.activate(ctx, session, servicenow)
        await jobs.claim(session, "demo", limit=2)
    await run_job(ctx, job.id)
    await run_job(ctx, servicenow_job.id)
    return {
        "api_key": key,
        "connection_id": str(connection.id),
        "organization_id": str(org.id),
        "servicenow_connection_id": str(servicenow.id),
    }


def run_demo(
    *,
    host: str,
    port: int,
    jira_port: int | None,
    issues: int,
    as_json: bool,
    keep: bool,
    allow_private_webhook_urls: bool = False,
    servicenow_port: int | None = None,
) -> None:
    """Runs the sandbox until Ctrl-C or SIGTERM, which stop its emulators too."""
    directory = DEMO_DIR.resolve()
    lock = DemoLock(directory)
    emulators: list[EmulatorProcess] = []
    # uvicorn re-raises the SIGTERM it handled once it has shut down: make that an exception
    # here, so the `finally` below still stops the emulators (which save their data) and
    # frees the lock.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        lock.acquire()
        sock = _bind(host, port)
        ports = {"jira": jira_port, "servicenow": servicenow_port}
        if keep:
            info = _kept(directory, host, ports, emulators)
        else:
            ports["jira"] = jira_port or DEFAULT_JIRA_PORT
            ports["servicenow"] = servicenow_port or _free_or_any(host, DEFAULT_SERVICENOW_PORT)
            info = _fresh(directory, host, port, ports, issues, emulators)
        jira = emulators[0]
        api_url = f"http://{host}:{port}"
        lock.describe(api_url=api_url, jira_url=jira.url, servicenow_url=info["servicenow_url"])
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
        for emulator in emulators:
            emulator.stop()
        lock.release()


def _interrupt(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def _fresh(
    directory: Path,
    host: str,
    port: int,
    ports: dict[str, int | None],
    issues: int,
    emulators: list[EmulatorProcess],
) -> dict[str, Any]:
    """A new sandbox: the folder emptied (emulators left running by a killed run stopped).
    The emulators started are appended to `emulators` (Jira first), for the caller to stop."""
    for name in ("jira", "servicenow"):
        leftover = running_emulator(directory, name)
        if leftover is not None:
            leftover.stop()
    clear(directory)
    database_url = os.environ.get("TICKETBRIDGE_DATABASE_URL") or (
        f"sqlite+aiosqlite:///{directory / 'ticketbridge.db'}"
    )
    for name in ("jira", "servicenow"):
        emulators.append(start_emulator(directory, name, host, int(ports[name] or 0), issues))
    jira, servicenow = emulators
    settings = demo_settings(database_url, host, port, jira.url)
    upgrade(database_url)
    info = asyncio.run(_provision_once(settings, jira.url, servicenow.url))
    record = {
        **info,
        "database_url": database_url,
        "jira_url": jira.url,
        "servicenow_url": servicenow.url,
        "issues": issues,
    }
    save_record(directory, record)
    return record


async def _provision_once(settings: Settings, jira_url: str, servicenow_url: str) -> dict[str, str]:
    ctx = AppContext.create(settings)
    try:
        return await provision(ctx, jira_url, DEFAULT_EMAIL, DEFAULT_API_TOKEN, servicenow_url)
    finally:
        await ctx.stop()


def _kept(
    directory: Path,
    host: str,
    ports: dict[str, int | None],
    emulators: list[EmulatorProcess],
) -> dict[str, Any]:
    """The last sandbox again: its store, keys and connections, its emulators and their data."""
    record = load_record(directory)
    from_env = os.environ.get("TICKETBRIDGE_DATABASE_URL")
    if from_env and from_env != record["database_url"]:
        raise SandboxError(
            f"the kept sandbox's store is {record['database_url']}, but "
            f"TICKETBRIDGE_DATABASE_URL is {from_env}: unset it, or start without --keep"
        )
    saved = {name: int(record[f"{name}_url"].rpartition(":")[2]) for name in ports}
    for name, label in (("jira", "Jira"), ("servicenow", "ServiceNow")):
        if ports[name] not in (None, saved[name]):
            raise SandboxError(
                f"the kept connection points at the {label} emulator on port {saved[name]}: "
                f"start with --{name}-port {saved[name]} (or none), or without --keep"
            )
    for name in ("jira", "servicenow"):
        emulators.append(
            running_emulator(directory, name)
            or start_emulator(directory, name, host, saved[name], record["issues"])
        )
    upgrade(record["database_url"])  # a newer checkout may bring migrations
    return record


def _free_or_any(host: str, preferred: int) -> int:
    """`preferred` if nothing listens there, else a port the system picks."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, preferred))
            return preferred
        except OSError:
            probe.bind((host, 0))
            return int(probe.getsockname()[1])


def _bind(host: str, port: int) -> socket.socket:
    """The API's socket, taken before anything starts: a busy port fails fast and plainly."""
    sock = tcp_socket()
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
        keys = (
            "api_key",
            "connection_id",
            "organization_id",
            "database_url",
            "jira_url",
            "servicenow_connection_id",
            "servicenow_url",
        )
        print(json.dumps({"api_url": api_url, **{k: info[k] for k in keys}}), flush=True)
    else:
        print(banner(info, api_url, info["jira_url"], info["database_url"]), flush=True)
    await serving


def banner(info: dict[str, Any], api_url: str, jira_url: str, database_url: str) -> str:
    key, cid = info["api_key"], info["connection_id"]
    sn_cid, sn_url = info["servicenow_connection_id"], info["servicenow_url"]
    sn = f'-H "X-API-KEY: {key}" -H "X-CONNECTION-ID: {sn_cid}"'
    incident = json.dumps({"name": "VPN down for the EU office", "type_vendor_id": "incident"})
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
  ServiceNow     {sn_url}   (basic auth {SN_USERNAME} / {SN_PASSWORD})
  API key        {key}
  Connection ID  {cid}   (Jira)
  ServiceNow ID  {sn_cid}   (ServiceNow)
  Store          {database_url}

Try:
  export TB_KEY={key} TB_CONN={cid}
  curl -s {h} "{api_url}/v1/itsm/projects"
  curl -s {h} "{api_url}/v1/itsm/tickets?limit=5"
  curl -s {h} "{api_url}/v1/itsm/users?limit=5"
  curl -s {h} -H "Content-Type: application/json" -X POST "{api_url}/v1/itsm/tickets" \\
       -d '{body}'
  curl -s {h} "{api_url}/v1/itsm/passthrough/tickets/search?jql=project%20%3D%20ENG&limit=5"

The ServiceNow connection (same key, its own connection id):
  curl -s {sn} "{api_url}/v1/itsm/tickets?limit=5"
  curl -s {sn} -H "Content-Type: application/json" -X POST "{api_url}/v1/itsm/tickets" \\
       -d '{incident}'

The CLI on this sandbox:
  {export}
  ticketbridge connections list --api-key {key}

Ctrl-C stops the API and the emulators. The next start is fresh;
`make run ARGS=--keep` starts again on this store and the emulators' data.
"""
