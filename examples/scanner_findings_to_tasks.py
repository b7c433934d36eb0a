"""A security scanner's findings become tasks, in bulk, with a progress line.

Every finding (SARIF-like: ``ruleId``, ``level``, ``message``, ``file``, ``line``) becomes a
Jira task through ``tb.tickets.bulk_create``, which sends jobs of 50 and waits for them;
``on_progress`` prints ``done/total (failed)`` as they run. Each finding's identifier is
``scan-<ruleId>-<hash of file:line>``, so a second scan of the same code does not open the
same task twice: those findings come back as ``exists`` (CONFLICT) with the ticket's id.

Run it against the sandbox (``make run`` prints the URL, key and connection id)::

    export TICKETBRIDGE_API_URL=http://127.0.0.1:8000
    export TICKETBRIDGE_API_KEY=tb_...
    export TICKETBRIDGE_CONNECTION_ID=...
    .venv/bin/python examples/scanner_findings_to_tasks.py                # 120 made-up findings
    .venv/bin/python examples/scanner_findings_to_tasks.py findings.json  # your scanner's

``findings.json`` is a list of findings as above. ``--project`` is the Jira project key (ENG).
Prints one line per finding: ``created``, ``exists`` or ``failed``; exit code 1 if any failed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

from ticketbridge_client import BulkProgress, NotFoundError, TicketBridge

PRIORITY = {"error": "HIGH", "warning": "MEDIUM", "note": "LOW"}
RULES = ["py/sql-injection", "py/hardcoded-secret", "py/weak-hash", "js/xss", "js/open-redirect"]


def sample_findings(count: int) -> list[dict[str, Any]]:
    levels = list(PRIORITY)
    return [
        {
            "ruleId": RULES[i % len(RULES)],
            "level": levels[i % len(levels)],
            "message": f"Finding {i} of the sample scan",
            "file": f"src/module_{i // 10}.py",
            "line": 10 + i,
        }
        for i in range(count)
    ]


def identifier_of(finding: dict[str, Any]) -> str:
    where = hashlib.sha256(f"{finding['file']}:{finding['line']}".encode()).hexdigest()[:12]
    rule = re.sub(r"[^a-z0-9._-]+", "-", str(finding["ruleId"]).lower())[:200]
    return f"scan-{rule}-{where}"


def project_id_of(tb: TicketBridge, key: str) -> str:
    """The project's TicketBridge id: bulk entries that name it by id are stored with their
    identifier at once (an entry naming ``project_vendor_id`` is stored at the next sync,
    too late to refuse a duplicate)."""
    for project in tb.projects.list():
        if project.vendor_id == key:
            return str(project.id)
    raise SystemExit(f"no project {key!r} on this connection")


def task_for(finding: dict[str, Any], project_id: str) -> dict[str, Any]:
    return {
        "name": f"[{finding['ruleId']}] {finding['file']}:{finding['line']}"[:255],
        "description": f"{finding['message']}\n\n- rule: `{finding['ruleId']}`\n"
        f"- location: `{finding['file']}:{finding['line']}`",
        "project_id": project_id,
        "type": "Task",
        "priority": PRIORITY.get(str(finding.get("level")), "MEDIUM"),
        "identifier": identifier_of(finding),
        "tags": ["security-scan"],
    }


def show_progress(progress: BulkProgress) -> None:
    print(
        f"\r{progress.done}/{progress.total} done ({progress.failed} failed)",
        end="",
        file=sys.stderr,
        flush=True,
    )


def already_there(tb: TicketBridge, identifier: str) -> str | None:
    """The id of the ticket holding ``identifier``, if one does: a finding already filed.
    (A bulk entry refused for a duplicate identifier says so in its ``error``; the lookup
    does not depend on the wording or code of that entry.)"""
    try:
        return str(tb.tickets.get_by_identifier(identifier).id)
    except NotFoundError:
        return None


def report(client: TicketBridge, findings: list[dict[str, Any]], project: str) -> int:
    project_id = project_id_of(client, project)
    results = client.tickets.bulk_create(
        [task_for(f, project_id) for f in findings], on_progress=show_progress
    )
    print(file=sys.stderr)
    failed = 0
    for finding, result in zip(findings, results, strict=True):
        if result.success:
            outcome, ref = "created", f"{result.ticket_id} {result.vendor_ticket_id}"
        elif existing := already_there(client, identifier_of(finding)):
            outcome, ref = "exists", existing
        else:
            outcome, ref = "failed", f"{result.code}: {result.error}"
            failed += 1
        print(f"{outcome:8} {identifier_of(finding):50} {ref}")
    return 1 if failed else 0


def main(argv: list[str] | None = None, tb: TicketBridge | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("findings", nargs="?", type=Path, help="JSON list of findings")
    parser.add_argument("--project", default="ENG", help="Jira project key (default: ENG)")
    parser.add_argument("--count", type=int, default=120, help="made-up findings (default: 120)")
    args = parser.parse_args(argv)
    findings = (
        json.loads(args.findings.read_text()) if args.findings else sample_findings(args.count)
    )
    client = tb or TicketBridge()
    try:
        return report(client, findings, args.project)
    finally:
        if tb is None:
            client.close()


if __name__ == "__main__":
    sys.exit(main())
