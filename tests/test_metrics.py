"""Prometheus metrics: the API's /metrics and a `ticketbridge worker --metrics-port` process."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.factories import Tenant, new_tenant
from tests.support.servers import ApiServer
from tests.support.stores import fresh_database
from ticketbridge.config import Settings
from ticketbridge.emulators.jira.server import EmulatorServer


def value(text: str, name: str, **labels: str) -> float | None:
    """The value of the series ``name`` whose labels include ``labels``, or None."""
    for line in text.splitlines():
        match = re.fullmatch(rf"{re.escape(name)}\{{(.*)\}} (\S+)", line)
        if match is None:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1)))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(match.group(2))
    return None


def assert_job_and_vendor_series(text: str, connection_id: str) -> None:
    assert (
        value(text, "ticketbridge_jobs_finished_total", kind="SYNC", status="SUCCESS") or 0
    ) >= 1
    assert (value(text, "ticketbridge_job_run_seconds_count", kind="SYNC") or 0) >= 1
    assert value(text, "ticketbridge_jobs_running", kind="SYNC") == 0
    calls = value(
        text, "ticketbridge_vendor_requests_total", vendor="Jira", connection=connection_id
    )
    assert calls is not None and calls >= 1, text
    assert value(text, "ticketbridge_vendor_slots_in_use", connection=connection_id) == 0
    synced = value(
        text, "ticketbridge_sync_last_success_timestamp_seconds", connection=connection_id
    )
    assert synced is not None and abs(synced - time.time()) < 3600


def test_the_api_reports_job_and_vendor_series(
    http: httpx.Client, settings: Settings, jira: EmulatorServer
) -> None:
    tenant = new_tenant(http, settings, jira)  # its first sync runs in the API (embedded)
    if not settings.run_embedded_worker:
        pytest.skip("jobs run elsewhere")
    text = http.get("/metrics").text
    assert (value(text, "ticketbridge_jobs_queued_total", kind="SYNC") or 0) >= 1
    assert_job_and_vendor_series(text, tenant.connection_id)
    polled = value(text, "ticketbridge_http_requests_total", route="/v1/jobs/{job_id}")
    assert polled is not None and polled >= 1, "route labels are full templates"


def _free_port() -> int:
    for port in range(18990, 18900, -1):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 18900-18990")


class Worker:
    def __init__(self, settings: Settings, log: Path, port: int, **env: str) -> None:
        self.port = port
        self.log = log
        self.env = {
            **os.environ,
            "TICKETBRIDGE_ENV": "test",
            "TICKETBRIDGE_DATABASE_URL": settings.database_url,
            "TICKETBRIDGE_ALLOW_PRIVATE_VENDOR_URLS": "true",
            "TICKETBRIDGE_SCHEDULER_INTERVAL_SECONDS": "3600",
            "TICKETBRIDGE_LOG_FORMAT": "json",
            **env,
        }
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Worker:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "ticketbridge.cli",
                    "worker",
                    "--metrics-port",
                    str(self.port),
                ],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        return self

    def scrape(self) -> str:
        while True:  # the worker serves its port as it starts
            assert self.proc is not None and self.proc.poll() is None, self.log.read_text()
            try:
                return httpx.get(f"http://127.0.0.1:{self.port}/metrics").text
            except httpx.TransportError:
                time.sleep(0.1)

    def __exit__(self, *exc: Any) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture(scope="module")
def enqueue_only(
    tmp_path_factory: pytest.TempPathFactory, settings: Settings
) -> Iterator[tuple[Settings, ApiServer, Path]]:
    """Our own database and an API process that only enqueues: workers run the jobs."""
    tmp = tmp_path_factory.mktemp("metrics")
    with fresh_database(tmp) as url:
        own = settings.model_copy(update={"database_url": url, "run_embedded_worker": False})
        with ApiServer(own) as api:
            yield own, api, tmp


@pytest.mark.parametrize("multiprocess", [False, True], ids=["single", "multiprocess"])
def test_a_worker_serves_job_and_vendor_series_on_its_metrics_port(
    enqueue_only: tuple[Settings, ApiServer, Path], jira: EmulatorServer, multiprocess: bool
) -> None:
    settings, api, tmp = enqueue_only
    env: dict[str, str] = {}
    if multiprocess:
        metrics_dir = tmp / "prometheus"
        metrics_dir.mkdir()
        env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    log = tmp / f"worker-{multiprocess}.log"
    with (
        Worker(settings, log, _free_port(), **env) as worker,
        httpx.Client(base_url=api.base_url, timeout=120) as http,
    ):
        tenant: Tenant = new_tenant(http, settings, jira)  # the worker runs its first sync
        text = worker.scrape()
        assert_job_and_vendor_series(text, tenant.connection_id)
    if multiprocess:
        assert list(metrics_dir.glob("*.db")), "no multiprocess files written"
    # The worker's lines are JSON, each of the job's carrying its ids.
    lines = [line for line in log.read_text().splitlines() if line.startswith("{")]
    assert any(tenant.connection_id in line and '"job_id"' in line for line in lines)


@pytest.mark.store_independent
def test_api_processes_sharing_a_multiprocess_directory_report_together(tmp_path: Path) -> None:
    """Two processes count; a third one's /metrics body (render_metrics) sums them."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    count = (
        "from ticketbridge.metrics import JOBS_QUEUED, REQUESTS; "
        "JOBS_QUEUED.labels('SYNC').inc(); REQUESTS.labels('GET', '/v1/x', '200').inc(3)"
    )
    for _ in range(2):
        subprocess.run([sys.executable, "-c", count], env=env, check=True)
    render = "from ticketbridge.metrics import render_metrics; print(render_metrics()[0].decode())"
    text = subprocess.run(
        [sys.executable, "-c", render], env=env, check=True, capture_output=True, text=True
    ).stdout
    assert value(text, "ticketbridge_jobs_queued_total", kind="SYNC") == 2
    assert value(text, "ticketbridge_http_requests_total", route="/v1/x") == 6
