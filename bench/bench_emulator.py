"""Request rate of the Jira emulator on loopback, client in a separate process.

Run: .venv/bin/python bench/bench_emulator.py [--issues 10000] [--seconds 3] [--threads 1,4]
     .venv/bin/python bench/bench_emulator.py --paging [--issues 50000]
Starts `python -m ticketbridge.emulators.jira.cli jira` as a subprocess, then measures
GET issue, a search page of 100 issues with fields, and issue creation. `--paging` instead
pages through every issue with the sync's query (JQL, fields, properties, page size) and
prints the time per page at a few page numbers and the total.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import httpx

AUTH = ("sandbox@ticketbridge.dev", "sandbox-api-token")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(base: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/_emulator/info", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("emulator did not start")


def measure(
    base: str, threads: int, seconds: float, call: Callable[[httpx.Client, int], None]
) -> float:
    counts = [0] * threads
    stop = time.monotonic() + seconds

    def worker(index: int) -> None:
        with httpx.Client(base_url=base, auth=AUTH, timeout=30) as client:
            n = 0
            while time.monotonic() < stop:
                call(client, n)
                n += 1
            counts[index] = n

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    started = time.monotonic()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return sum(counts) / (time.monotonic() - started)


def page_through(base: str) -> None:
    """Page the whole site like `JiraConnector.iter_tickets` does on a first sync."""
    from ticketbridge.connectors.jira.mapping import ISSUE_FIELDS, PROPERTY_KEY

    body: dict[str, object] = {
        "jql": 'updated >= "1970-01-01 00:00" ORDER BY updated ASC, id ASC',
        "maxResults": 100,
        "fields": ISSUE_FIELDS,
        "properties": [PROPERTY_KEY],
    }
    times: list[float] = []
    seen = 0
    with httpx.Client(base_url=base, auth=AUTH, timeout=120) as client:
        started = time.monotonic()
        while True:
            t0 = time.perf_counter()
            r = client.post("/rest/api/3/search/jql", json=body)
            times.append(time.perf_counter() - t0)
            assert r.status_code == 200, r.text
            page = r.json()
            seen += len(page["issues"])
            if page.get("isLast"):
                break
            body["nextPageToken"] = page["nextPageToken"]
        total = time.monotonic() - started
    for number in (1, 2, 100, 400, len(times)):
        if number <= len(times):
            print(f"page {number:4d}: {times[number - 1] * 1000:8.1f} ms")
    print(
        f"{seen} issues in {len(times)} pages: {total:.1f}s total, "
        f"{total / len(times) * 1000:.1f} ms/page, {seen / total:.0f} issues/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--issues", type=int, default=10000)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--threads", default="1,4")
    parser.add_argument("--paging", action="store_true", help="page all issues like a sync")
    args = parser.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [
        sys.executable,
        "-m",
        "ticketbridge.emulators.jira.cli",
        "jira",
        "--port",
        str(port),
        "--issues",
        str(args.issues),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        started = time.monotonic()
        wait_ready(base)
        print(f"emulator up with {args.issues} issues in {time.monotonic() - started:.1f}s")
        if args.paging:
            page_through(base)
            return
        body = {
            "fields": {"project": {"key": "ENG"}, "issuetype": {"name": "Task"}, "summary": "bench"}
        }

        def get_issue(c: httpx.Client, n: int) -> None:
            assert c.get(f"/rest/api/3/issue/ENG-{n % 1000 + 1}").status_code == 200

        def search_page(c: httpx.Client, n: int) -> None:
            params: dict[str, str | int] = {
                "jql": "project = ENG",
                "maxResults": 100,
                "fields": "summary,status,assignee,updated",
            }
            assert len(c.get("/rest/api/3/search/jql", params=params).json()["issues"]) == 100

        def search_ordered(c: httpx.Client, n: int) -> None:
            params: dict[str, str | int] = {
                "jql": "project = ENG ORDER BY updated DESC",
                "maxResults": 100,
                "fields": "summary",
            }
            assert c.get("/rest/api/3/search/jql", params=params).status_code == 200

        def create(c: httpx.Client, n: int) -> None:
            assert c.post("/rest/api/3/issue", json=body).status_code == 201

        for threads in [int(t) for t in args.threads.split(",")]:
            for name, call in (
                ("GET issue", get_issue),
                ("search page of 100 (fields)", search_page),
                ("search 100, ORDER BY updated", search_ordered),
                ("POST issue", create),
            ):
                rate = measure(base, threads, args.seconds, call)
                print(f"{name:32s} client threads={threads}: {rate:8.0f} req/s")
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
