"""`ticketbridge demo`: the newcomer's sandbox, one command from a fresh clone.

Starts the Jira emulator, migrates a fresh SQLite store, creates an account, an
organization and a connection to the emulator, runs the first sync, then serves the API
and prints working credentials.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

import uvicorn

from ticketbridge.config import Settings
from ticketbridge.context import AppContext
from ticketbridge.db.migrate import upgrade
from ticketbridge.db.session import transaction
from ticketbridge.server import uvicorn_options

DEMO_DIR = Path(".ticketbridge-demo")


def demo_settings(db_path: Path, host: str, port: int, jira_url: str, emulator: Any) -> Settings:
    return Settings(
        env="demo",
        database_url=f"sqlite+aiosqlite:///{db_path}",
        cors_origins=["*"],
        allow_private_vendor_urls=True,
        public_url=f"http://{host}:{port}",
        jira_oauth_client_id=emulator.config.oauth_client_id,
        jira_oauth_client_secret=emulator.config.oauth_client_secret,
        jira_oauth_auth_url=jira_url,
        jira_oauth_api_url=jira_url,
        scheduler_interval_seconds=15,
    )


async def provision(ctx: AppContext, jira_url: str, email: str, token: str) -> dict[str, str]:
    from ticketbridge.jobs import service as jobs
    from ticketbridge.jobs.runtime import _load_handlers, run_job
    from ticketbridge.provisioning import service
    from ticketbridge.provisioning.schemas import ConnectionCreate

    _load_handlers()
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
        job = await jobs.schedule_sync(session, connection)
        connection.next_sync_at = None
        await jobs.claim(session, "demo", limit=1)
    await run_job(ctx, job.id)
    return {"api_key": key, "connection_id": str(connection.id), "organization_id": str(org.id)}


def run_demo(*, host: str, port: int, jira_port: int, issues: int, as_json: bool) -> None:
    from ticketbridge.app import create_app
    from ticketbridge.emulators.jira.server import EmulatorServer

    shutil.rmtree(DEMO_DIR, ignore_errors=True)  # the emulator is in memory: start both fresh
    DEMO_DIR.mkdir(parents=True)
    db_path = (DEMO_DIR / "ticketbridge.db").resolve()
    emulator = EmulatorServer(host=host, port=jira_port, issues=issues).start()
    jira_url = emulator.base_url
    settings = demo_settings(db_path, host, port, jira_url, emulator)
    upgrade(settings.database_url)

    async def main() -> None:
        ctx = AppContext.create(settings)
        info = await provision(ctx, jira_url, emulator.config.email, emulator.config.api_token)
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(settings, context=ctx),
                host=host,
                port=port,
                log_level="warning",
                **uvicorn_options(settings),
            )
        )
        serving = asyncio.create_task(server.serve())
        while not server.started:
            if serving.done():
                await serving
                raise SystemExit(f"could not start the API on {host}:{port}")
            await asyncio.sleep(0.05)
        api_url = f"http://{host}:{port}"
        if as_json:
            print(
                json.dumps(
                    {
                        "api_key": info["api_key"],
                        "connection_id": info["connection_id"],
                        "api_url": api_url,
                        "jira_url": jira_url,
                    }
                ),
                flush=True,
            )
        else:
            print(banner(info, api_url, jira_url, emulator), flush=True)
        await serving

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()


def banner(info: dict[str, str], api_url: str, jira_url: str, emulator: Any) -> str:
    key, cid = info["api_key"], info["connection_id"]
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
  Jira emulator  {jira_url}   (basic auth {emulator.config.email} / {emulator.config.api_token})
  API key        {key}
  Connection ID  {cid}

Try:
  export TB_KEY={key} TB_CONN={cid}
  curl -s {h} "{api_url}/v1/itsm/projects"
  curl -s {h} "{api_url}/v1/itsm/tickets?limit=5"
  curl -s {h} "{api_url}/v1/itsm/users?limit=5"
  curl -s {h} -H "Content-Type: application/json" -X POST "{api_url}/v1/itsm/tickets" \\
       -d '{body}'
  curl -s {h} "{api_url}/v1/itsm/passthrough/tickets/search?jql=project%20%3D%20ENG&limit=5"
"""
