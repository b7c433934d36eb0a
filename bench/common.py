"""Shared helpers of the benchmarks: the emulator in its own process, a fresh PostgreSQL
database, provisioning, peak-memory probes and the printed tables.

Run as a script, this module is the emulator process itself:
``python bench/common.py emulator --issues N`` prints one JSON line
``{"base_url", "email", "api_token"}`` once the site is seeded and serving, and exits when
its standard input closes (so it never outlives the benchmark that started it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get(
    "TICKETBRIDGE_BENCH_PG", "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
)


# --- the emulator, in a separate process -------------------------------------------------


@dataclass
class Jira:
    base_url: str
    email: str
    api_token: str
    issues: int


class EmulatorProcess:
    """A seeded Jira emulator in a child process: its CPU and memory are not ours."""

    def __init__(self, *, issues: int, users: int = 100, projects: int = 4, seed: int = 42):
        self.args = [
            "--issues",
            str(issues),
            "--users",
            str(users),
            "--projects",
            str(projects),
            "--seed",
            str(seed),
        ]
        self.issues = issues
        self.proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> Jira:
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "emulator", *self.args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait(5)
            raise RuntimeError(f"the emulator process exited with {self.proc.returncode}")
        info = json.loads(line)
        return Jira(info["base_url"], info["email"], info["api_token"], self.issues)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.proc is None:
            return
        assert self.proc.stdin is not None
        self.proc.stdin.close()  # the child exits on EOF
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


def _serve_emulator(argv: Sequence[str]) -> None:
    from ticketbridge.emulators.jira.server import EmulatorServer

    parser = argparse.ArgumentParser()
    parser.add_argument("--issues", type=int, required=True)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--projects", type=int, default=4)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    server = EmulatorServer(
        issues=args.issues, users=args.users, projects=args.projects, seed=args.seed
    ).start()
    print(
        json.dumps(
            {
                "base_url": server.base_url,
                "email": server.config.email,
                "api_token": server.config.api_token,
            }
        ),
        flush=True,
    )
    try:
        sys.stdin.read()  # until the parent closes our stdin (or dies)
    finally:
        server.stop()


# --- PostgreSQL -----------------------------------------------------------------------


def require_postgres() -> None:
    import psycopg

    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        raise SystemExit(
            f"PostgreSQL is not reachable at {PG_ADMIN!r} ({exc}); start it with "
            "`make postgres` or point TICKETBRIDGE_BENCH_PG at a server"
        ) from None


def _pg_params() -> dict[str, str]:
    return dict(part.split("=", 1) for part in PG_ADMIN.split())


@contextmanager
def pg_database() -> Iterator[str]:
    """A fresh database migrated to head; its SQLAlchemy URL. Dropped afterwards."""
    import psycopg

    from ticketbridge.db.migrate import upgrade

    name = f"tb_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    p = _pg_params()
    user, host, port = p.get("user", "postgres"), p.get("host", "127.0.0.1"), p.get("port", "5432")
    url = f"postgresql+asyncpg://{user}@{host}:{port}/{name}"
    try:
        upgrade(url)
        yield url
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def psycopg_dsn(url: str) -> str:
    """The libpq DSN of a ``postgresql+asyncpg://`` URL made by `pg_database`."""
    return url.replace("postgresql+asyncpg://", "postgresql://")


# --- the application ------------------------------------------------------------------


def bench_settings(database_url: str, jira: Jira | None = None) -> Any:
    from ticketbridge.config import Settings

    return Settings(
        env="development",
        database_url=database_url,
        allow_private_vendor_urls=True,
        run_embedded_worker=False,  # no scheduler or worker noise; we run jobs ourselves
        log_level="WARNING",
        jira_oauth_auth_url=jira.base_url if jira else "https://auth.atlassian.com",
        jira_oauth_api_url=jira.base_url if jira else "https://api.atlassian.com",
    )


async def provision(ctx: Any, jira: Jira | None) -> dict[str, str]:
    """An account, an organization and (with `jira`) a basic-auth connection to it."""
    from ticketbridge.db.session import transaction
    from ticketbridge.provisioning import service
    from ticketbridge.provisioning.schemas import ConnectionCreate

    async with transaction(ctx.sessionmaker) as session:
        account, key = await service.create_account(session, "Bench")
        org = await service.create_organization(session, account, "Bench customer", "bench")
        credentials = (
            {"base_url": jira.base_url, "email": jira.email, "api_token": jira.api_token}
            if jira
            else {
                "base_url": "https://bench.atlassian.net",
                "email": "bench@example.com",
                "api_token": "unused",
            }
        )
        connection = await service.create_connection(
            ctx,
            session,
            account,
            org.id,
            ConnectionCreate(vendor="JIRA", credentials=credentials, identifier="bench-jira"),
        )
        connection.next_sync_at = None
    return {"api_key": key, "connection_id": str(connection.id), "org_id": str(org.id)}


class ApiThread:
    """Our API over real HTTP (uvicorn in a background thread), like tests/support/servers."""

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.base_url = ""
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> ApiThread:
        import uvicorn

        from ticketbridge.app import create_app
        from ticketbridge.server import tcp_socket

        sock = tcp_socket()
        sock.bind(("127.0.0.1", 0))
        self.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        config = uvicorn.Config(create_app(self.settings), log_level="warning", lifespan="on")
        server = self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the API did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(15)


# --- measuring ------------------------------------------------------------------------


def current_rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def median_seconds(fn: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def run_child(script: Path, argv: Sequence[str]) -> dict[str, Any]:
    """Runs ``script argv`` in a fresh interpreter; its last stdout line is a JSON result."""
    proc = subprocess.run(
        [sys.executable, str(script), *argv], stdout=subprocess.PIPE, text=True, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(f"{script.name} {' '.join(argv)} failed with {proc.returncode}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [[str(c) for c in header]] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    print(f"\n{title}")
    for n, row in enumerate(cells):
        print(
            "  "
            + "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if n == 0:
            print("  " + "  ".join("-" * w for w in widths))


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def emulator_calls(base_url: str) -> dict[str, int]:
    """Requests an emulator answered so far, by route (its control endpoints excluded)."""
    routes = httpx.get(f"{base_url}/_emulator/stats").json()["requests_by_route"]
    return {k: v for k, v in routes.items() if "_emulator" not in k}


def calls_since(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    """The routes' counts between two `emulator_calls`."""
    return {k: v - before.get(k, 0) for k, v in after.items() if v - before.get(k, 0)}


def set_latency(base_url: str, latency_ms: float) -> None:
    """Latency an emulator adds to every request from now on (both have the same faults)."""
    if latency_ms:
        httpx.post(
            f"{base_url}/_emulator/faults", json={"latency_ms": latency_ms}
        ).raise_for_status()


def print_sync_ratio(
    title: str,
    unit: str,
    n: int,
    baseline: dict[str, Any],
    sync: dict[str, Any],
    calls: tuple[dict[str, int], dict[str, int]],
) -> None:
    """The sync benches' table: page-through against the SYNC job, their vendor calls and
    the ratio against the 1.3 target."""
    print_table(
        title,
        ["measure", "seconds", f"{unit}/s", "ratio"],
        [
            ["page through (httpx loop)", baseline["seconds"], n / baseline["seconds"], 1.0],
            [
                "sync (SYNC job)",
                sync["seconds"],
                n / sync["seconds"],
                sync["seconds"] / baseline["seconds"],
            ],
        ],
    )
    print(f"  vendor calls: page-through {sum(calls[0].values())}, sync {calls[1]}")
    ratio = sync["seconds"] / baseline["seconds"]
    verdict = "met" if ratio <= 1.3 else "NOT met"
    print(f"  sync / page-through = {ratio:.2f}  (target <= 1.3: {verdict})")


# --- ServiceNow ------------------------------------------------------------------------

SN_USERNAME, SN_PASSWORD = "admin", "sandbox-password"  # the emulator's defaults


async def provision_servicenow(ctx: Any, url: str) -> dict[str, str]:
    """An account, an organization and a basic-auth SERVICENOW connection to `url`."""
    from ticketbridge.db.session import transaction
    from ticketbridge.provisioning import service
    from ticketbridge.provisioning.schemas import ConnectionCreate

    credentials = {"base_url": url, "username": SN_USERNAME, "password": SN_PASSWORD}
    async with transaction(ctx.sessionmaker) as session:
        account, key = await service.create_account(session, "Bench")
        org = await service.create_organization(session, account, "Bench customer", "bench")
        connection = await service.create_connection(
            ctx,
            session,
            account,
            org.id,
            ConnectionCreate(
                vendor="SERVICENOW", credentials=credentials, identifier="bench-servicenow"
            ),
        )
        connection.next_sync_at = None
    return {"api_key": key, "connection_id": str(connection.id), "org_id": str(org.id)}


def _any_free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ServiceNowProcess:
    """A seeded ServiceNow emulator in a child process: its CPU and memory are not ours."""

    def __init__(self, *, records: int, users: int, groups: int) -> None:
        self.port = int(os.environ.get("TICKETBRIDGE_BENCH_SN_PORT") or _any_free_port())
        self.url = f"http://127.0.0.1:{self.port}"
        self.args = ["--port", str(self.port), "--issues", str(records)]
        self.args += ["--users", str(users), "--groups", str(groups)]
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> str:
        command = [sys.executable, "-m", "ticketbridge.emulators.cli", "servicenow", *self.args]
        self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        while True:
            try:
                if httpx.get(f"{self.url}/_emulator/info", timeout=5).status_code == 200:
                    return self.url
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                raise SystemExit("the ServiceNow emulator did not start")
            time.sleep(0.2)

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "emulator":
        _serve_emulator(sys.argv[2:])
    else:
        raise SystemExit("usage: python bench/common.py emulator --issues N [--users U]")
