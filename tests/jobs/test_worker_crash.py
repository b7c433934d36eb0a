"""PostgreSQL scale-out: an enqueue-only API and `ticketbridge worker` processes.

A worker is SIGKILLed in the middle of 10 bulk jobs of 50; a new worker takes the jobs
over (procrastinate's stalled-job sweep) and every ticket exists exactly once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.support.factories import Tenant, new_tenant
from tests.support.servers import ApiServer
from tests.support.stores import fresh_database, store_name
from ticketbridge.config import Settings
from ticketbridge.emulators.jira.server import EmulatorServer

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(store_name() != "postgres", reason="procrastinate runs on PostgreSQL"),
]

JOBS, PER_JOB = 10, 50


class WorkerProcess:
    """`ticketbridge worker` in a child process, configured through the environment."""

    def __init__(self, settings: Settings, log: Path) -> None:
        self.env = {
            **os.environ,
            "TICKETBRIDGE_ENV": "test",
            "TICKETBRIDGE_DATABASE_URL": settings.database_url,
            "TICKETBRIDGE_ALLOW_PRIVATE_VENDOR_URLS": "true",
            "TICKETBRIDGE_WORKER_CONCURRENCY": "4",
            # Quick recovery for the test: heartbeats twice a second, a worker silent for
            # 2 s is dead, the sweep runs every second.
            "TICKETBRIDGE_WORKER_HEARTBEAT_SECONDS": "0.5",
            "TICKETBRIDGE_WORKER_STALLED_SECONDS": "2",
            "TICKETBRIDGE_STALLED_SWEEP_SECONDS": "1",
            "TICKETBRIDGE_SCHEDULER_INTERVAL_SECONDS": "3600",
            "TICKETBRIDGE_VENDOR_MAX_BACKOFF_SECONDS": "2",
        }
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> WorkerProcess:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "ticketbridge.cli", "worker"],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        return self

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture(scope="module")
def crash_jira() -> Iterator[EmulatorServer]:
    # Latency makes the jobs long enough to be killed in the middle.
    with EmulatorServer(issues=10, users=5, projects=1, seed=11) as server:
        yield server


@pytest.fixture(scope="module")
def scale_out(
    tmp_path_factory: pytest.TempPathFactory, settings: Settings
) -> Iterator[tuple[Settings, ApiServer, Path]]:
    """Our own database and an API process that only enqueues."""
    tmp = tmp_path_factory.mktemp("crash")
    with fresh_database(tmp) as url:
        own = settings.model_copy(update={"database_url": url, "run_embedded_worker": False})
        with ApiServer(own) as api:
            yield own, api, tmp


def _tokened(jira: EmulatorServer) -> list[str]:
    return [
        i.properties["ticketbridge"]["token"]
        for i in list(jira.state.issues.values())
        if isinstance(i.properties.get("ticketbridge"), dict)
    ]


def test_killed_worker_jobs_finish_without_loss_or_duplicates(scale_out, crash_jira) -> None:
    settings, api, tmp = scale_out
    first = WorkerProcess(settings, tmp / "worker-1.log").start()
    second = WorkerProcess(settings, tmp / "worker-2.log")
    try:
        with httpx.Client(base_url=api.base_url, timeout=60) as http:
            tenant: Tenant = new_tenant(http, settings, crash_jira)  # first sync: by the worker
            project = next(
                p
                for p in tenant.get("/v1/itsm/projects").json()["items"]
                if p["vendor_id"] == "ENG"
            )
            crash_jira.set_faults(latency_ms=15)
            job_ids = []
            for j in range(JOBS):
                tickets = []
                for i in range(PER_JOB):
                    entry = {"name": f"crash {j}-{i}", "project_vendor_id": "ENG", "type": "Task"}
                    if i % 5 == 0:  # ours, read back, moved and stored: a longer tail per job
                        entry = {
                            "name": f"crash {j}-{i}",
                            "project_id": project["id"],
                            "type": "Task",
                            "status": "IN_PROGRESS",
                        }
                    tickets.append(entry)
                r = tenant.post("/v1/itsm/tickets/bulk", json={"tickets": tickets})
                assert r.status_code == 202, r.text
                job_ids.append(r.json()["job_id"])

            # Kill the worker once it is in the middle of the work.
            while True:
                jobs = [tenant.get(f"/v1/jobs/{job_id}").json() for job_id in job_ids]
                processed = sum(j["progress"]["processed"] for j in jobs)
                if processed >= PER_JOB // 2:
                    break
                time.sleep(0.02)
            first.kill()
            unfinished = [j for j in jobs if j["status"] not in ("SUCCESS", "FAILED")]
            assert unfinished, "the worker finished everything before it was killed"
            assert processed < JOBS * PER_JOB
            with psycopg.connect(_libpq(settings.database_url)) as conn:
                doing = conn.execute(
                    "SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing'"
                ).fetchone()
            assert doing and doing[0] > 0  # the dead worker's jobs are stuck until swept

            second.start()
            done = [tenant.wait_job(job_id, timeout=600) for job_id in job_ids]
    finally:
        crash_jira.set_faults(latency_ms=0)
        first.stop()
        second.stop()

    for job in done:
        assert job["status"] == "SUCCESS", job
        assert job["result"]["succeeded"] == PER_JOB
    tokens = Counter(_tokened(crash_jira))
    assert sum(tokens.values()) == JOBS * PER_JOB  # exactly 500 issues
    assert max(tokens.values()) == 1  # zero duplicates
    names = Counter(
        i.summary for i in crash_jira.state.issues.values() if i.summary.startswith("crash ")
    )
    assert len(names) == JOBS * PER_JOB and max(names.values()) == 1
    assert crash_jira.stats["issues_created"] == JOBS * PER_JOB
    in_progress = [i for i in crash_jira.state.issues.values() if i.summary.startswith("crash ")]
    assert sum(1 for i in in_progress if i.status_name == "In Progress") == JOBS * PER_JOB // 5


def _libpq(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")
