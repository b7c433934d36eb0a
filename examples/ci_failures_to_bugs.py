"""Failed CI runs become bug tickets, one per failing job, never two.

Each failure gets the identifier ``ci-<pipeline>-<job>``. A second run for the same
failure (the job failed again, or the script ran twice) does not create another ticket:
the API answers 409 CONFLICT with the existing ``ticket_id``, and the script reports
that ticket instead.

Run it against the sandbox (``make run`` prints the URL, key and connection id)::

    export TICKETBRIDGE_API_URL=http://127.0.0.1:8000
    export TICKETBRIDGE_API_KEY=tb_...
    export TICKETBRIDGE_CONNECTION_ID=...
    .venv/bin/python examples/ci_failures_to_bugs.py                 # three made-up failures
    .venv/bin/python examples/ci_failures_to_bugs.py failures.json   # your own

``failures.json`` is a list of ``{"pipeline", "job", "run_id", "url", "error"}`` objects
(``run_id``, ``url`` and ``error`` optional). ``--project`` is the Jira project key (ENG).
Prints one line per failure: ``created``, ``exists`` or ``failed``; exit code 1 if any failed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from ticketbridge_client import ConflictError, TicketBridge, TicketBridgeError

SAMPLE_FAILURES: list[dict[str, Any]] = [
    {"pipeline": "api", "job": "unit-tests", "run_id": 1041, "error": "3 tests failed"},
    {"pipeline": "api", "job": "lint", "run_id": 1041, "error": "ruff: 2 errors"},
    {"pipeline": "web", "job": "e2e", "run_id": 877, "error": "timeout in checkout.spec.ts"},
]


def identifier_of(failure: dict[str, Any]) -> str:
    """``ci-<pipeline>-<job>``, lower case, anything but letters, digits and - . _ as -."""
    raw = f"ci-{failure['pipeline']}-{failure['job']}".lower()
    return re.sub(r"[^a-z0-9._-]+", "-", raw)[:255]


def bug_for(failure: dict[str, Any], project: str) -> dict[str, Any]:
    lines = [f"CI job **{failure['job']}** of pipeline **{failure['pipeline']}** failed."]
    for key in ("run_id", "url", "error"):
        if failure.get(key):
            lines.append(f"- {key}: {failure[key]}")
    return {
        "name": f"CI failure: {failure['pipeline']} / {failure['job']}"[:255],
        "description": "\n".join(lines),
        "project_vendor_id": project,
        "type": "Bug",
        "identifier": identifier_of(failure),
        "tags": ["ci-failure"],
    }


def report(tb: TicketBridge, failure: dict[str, Any], project: str) -> tuple[str, str]:
    """Creates the bug, or finds the one already there: ``(outcome, ticket id or reason)``."""
    try:
        ticket = tb.tickets.create(bug_for(failure, project))
        return "created", str(ticket.id)
    except ConflictError as exc:
        if exc.ticket_id:
            return "exists", exc.ticket_id
        # A 409 without a ticket id (e.g. the same write still in flight): look it up.
        return "exists", str(tb.tickets.get_by_identifier(identifier_of(failure)).id)
    except TicketBridgeError as exc:
        return "failed", f"{exc.code}: {exc}"


def main(argv: list[str] | None = None, tb: TicketBridge | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("failures", nargs="?", type=Path, help="JSON list of failed CI runs")
    parser.add_argument("--project", default="ENG", help="Jira project key (default: ENG)")
    args = parser.parse_args(argv)
    failures = json.loads(args.failures.read_text()) if args.failures else SAMPLE_FAILURES
    client = tb or TicketBridge()
    failed = 0
    try:
        for failure in failures:
            outcome, ref = report(client, failure, args.project)
            failed += outcome == "failed"
            print(f"{outcome:8} {identifier_of(failure):40} {ref}")
    finally:
        if tb is None:
            client.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
