"""The sandbox's folder (`.ticketbridge-demo`): its lock, its record and its emulator
processes (Jira and ServiceNow).

- ``lock``: held (``flock``) by the running sandbox for its whole life and released by the
  kernel when it dies, however it dies; it names the holder (pid, API URL), so a second
  `make run` in the same checkout says who is running instead of deleting its store.
- ``sandbox.json``: what `--keep` needs to start again on the same store: the API key
  (the store only has its hash), account, organization, connection, store URL, Jira URL.
- each emulator runs as a process of its own (``jira.json``, ``servicenow.json``: its pid
  and URL), so killing the API leaves it running; it saves its data to ``<name>-state.json``
  when stopped and loads it when started again; its output goes to ``<name>.log``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

DEMO_DIR = Path(".ticketbridge-demo")
LOCK, RECORD = "lock", "sandbox.json"
START_SECONDS = 60.0  # an emulator that neither answers nor exits by then is stuck
STOP_SECONDS = 30.0


class SandboxError(Exception):
    """Something the person starting the sandbox must fix; the message says what."""


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_json(path: Path, data: dict[str, Any]) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds an API key
    with os.fdopen(fd, "w") as out:
        json.dump(data, out)


class DemoLock:
    """One running sandbox per folder."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / LOCK
        self._fd: int | None = None
        self._started_at = datetime.now(UTC).isoformat()

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            holder = _read_json(self.path) or {}
            pid = holder.get("pid", "?")
            where = f", API {holder['api_url']}" if holder.get("api_url") else ", starting"
            raise SandboxError(
                f"a sandbox is already running from {self.path.parent} (pid {pid}{where}); "
                f"stop it first (Ctrl-C in its terminal, or `kill {pid}`), "
                "or start this one from another directory"
            ) from None
        self._fd = fd
        self.describe()

    def describe(self, **details: Any) -> None:
        """Writes who holds the lock into the lock file (read by a refused second start)."""
        if self._fd is None:
            return
        data = {"pid": os.getpid(), "started_at": self._started_at, **details}
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, json.dumps(data).encode(), 0)

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def clear(directory: Path) -> None:
    """A fresh start: everything in the folder but the lock we hold."""
    for entry in directory.iterdir():
        if entry.name == LOCK:
            continue
        if entry.is_dir() and not entry.is_symlink():
            import shutil

            shutil.rmtree(entry)
        else:
            entry.unlink()


RECORD_FIELDS = (
    "api_key",
    "connection_id",
    "organization_id",
    "database_url",
    "jira_url",
    "servicenow_connection_id",
    "servicenow_url",
)


def load_record(directory: Path) -> dict[str, Any]:
    record = _read_json(directory / RECORD)
    if record is None:
        raise SandboxError(
            f"there is no sandbox to keep in {directory}: start it once without --keep"
        )
    ports = [str(record.get(f"{name}_url", "")).rpartition(":")[2] for name in EMULATORS]
    fields_ok = all(isinstance(record.get(name), str) for name in RECORD_FIELDS)
    if not (fields_ok and all(map(str.isdigit, ports)) and isinstance(record.get("issues"), int)):
        raise SandboxError(f"{directory / RECORD} is damaged: start without --keep")
    return record


def save_record(directory: Path, record: dict[str, Any]) -> None:
    _write_json(directory / RECORD, record)


# The sandbox's emulators: name -> (label, the command after `python -m`).
EMULATORS = {
    "jira": ("Jira", ["ticketbridge.emulators.jira.cli", "jira"]),
    "servicenow": ("ServiceNow", ["ticketbridge.emulators.cli", "servicenow"]),
}


@dataclass
class EmulatorProcess:
    pid: int
    url: str
    popen: subprocess.Popen[bytes] | None = None

    def stop(self) -> None:
        """SIGTERM (the emulator saves its data and exits), then wait for it."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGTERM)
        if self.popen is not None:
            try:
                self.popen.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
            return
        deadline = time.monotonic() + STOP_SECONDS
        while _alive(self.pid):  # not our child: poll until it is gone
            if time.monotonic() > deadline:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid, signal.SIGKILL)
            time.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


JiraProcess = EmulatorProcess  # its first name


def _answering_pid(url: str) -> int | None:
    """The pid an emulator at ``url`` reports, or None if nothing (of ours) answers."""
    try:
        response = httpx.get(f"{url}/_emulator/info", timeout=2)
        pid = response.json().get("pid") if response.status_code == 200 else None
    except (httpx.HTTPError, ValueError, AttributeError):
        return None
    return pid if isinstance(pid, int) else None


def running_emulator(directory: Path, name: str) -> EmulatorProcess | None:
    """The sandbox's emulator `name` if it is still running (its API was killed)."""
    record = _read_json(directory / f"{name}.json")
    if not record or not isinstance(record.get("pid"), int) or not record.get("url"):
        return None
    if _answering_pid(record["url"]) != record["pid"]:
        return None
    return EmulatorProcess(record["pid"], record["url"])


def running_jira(directory: Path) -> EmulatorProcess | None:
    return running_emulator(directory, "jira")


def start_emulator(
    directory: Path, name: str, host: str, port: int, issues: int
) -> EmulatorProcess:
    """Starts the emulator in its own session (a Ctrl-C for the API does not reach it)."""
    label, module = EMULATORS[name]
    url = f"http://{host}:{port}"
    command = [sys.executable, "-m", *module]
    command += ["--host", host, "--port", str(port), "--issues", str(issues)]
    command += ["--state-file", str(directory / f"{name}-state.json")]
    log_path = directory / f"{name}.log"
    with log_path.open("ab") as log:
        popen = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    deadline = time.monotonic() + START_SECONDS
    while (pid := _answering_pid(url)) != popen.pid:
        if popen.poll() is not None or pid is not None or time.monotonic() > deadline:
            if popen.poll() is None:
                popen.terminate()
                popen.wait()
            tail = log_path.read_text(errors="replace").strip().splitlines()[-1:]
            raise SandboxError(
                f"the {label} emulator could not start on {host}:{port} (is the port taken? "
                f"--{name}-port picks another): {' '.join(tail) or 'see ' + str(log_path)}"
            )
        time.sleep(0.05)
    _write_json(directory / f"{name}.json", {"pid": popen.pid, "url": url})
    return EmulatorProcess(popen.pid, url, popen)


def start_jira(directory: Path, host: str, port: int, issues: int) -> EmulatorProcess:
    return start_emulator(directory, "jira", host, port, issues)
