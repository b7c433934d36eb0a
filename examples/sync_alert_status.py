"""Keeps an internal alert's status in step with its ticket, both ways.

The "alerting system" here is a JSON file (``alerts.json``: ``{"last_checked", "alerts":
[{"id", "title", "status", "ticket_id"}]}``, alert statuses ``open``, ``resolved``,
``closed``; made up with three open alerts if the file does not exist). Each run:

1. opens a ticket for every alert without one (identifier ``alert-<id>``; an alert whose
   ticket already exists gets that ticket, from the 409 CONFLICT's ``ticket_id``);
2. pushes: an alert ``resolved`` here moves its ticket to ``--done-status`` (CLOSED, what
   Jira's "Done" reads as by default; RESOLVED on a connection whose ``status_mapping`` maps a
   Jira status to it) with ``tb.tickets.update``;
3. pulls: with ``--org-id`` (or ``TICKETBRIDGE_ORGANIZATION_ID``) it first runs a sync of
   the connection and waits for it, so changes made in Jira are read; then it reads each open
   alert's ticket (``tb.tickets.get``) and closes the alert when the ticket is RESOLVED or
   CLOSED (without a sync, it sees what the scheduled sync last brought);
4. writes the file back with the run's time as ``last_checked``.

Run it against the sandbox (``make run ARGS=--json`` prints the URL, key, connection and org id)::

    export TICKETBRIDGE_API_URL=http://127.0.0.1:8000
    export TICKETBRIDGE_API_KEY=tb_...
    export TICKETBRIDGE_CONNECTION_ID=...
    export TICKETBRIDGE_ORGANIZATION_ID=...
    .venv/bin/python examples/sync_alert_status.py alerts.json
    # set an alert's "status" to "resolved" in alerts.json, or close its ticket in Jira,
    # and run it again.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ticketbridge_client import ConflictError, TicketBridge

DONE = {"RESOLVED", "CLOSED"}


def sample_alerts() -> dict[str, Any]:
    titles = ["Disk 90% full on db-1", "p99 latency over 2 s on api", "Certificate expires in 7 d"]
    alerts = [
        {"id": f"a{i + 1}", "title": t, "status": "open", "ticket_id": None}
        for i, t in enumerate(titles)
    ]
    return {"last_checked": None, "alerts": alerts}


def open_tickets(tb: TicketBridge, alerts: list[dict[str, Any]], project: str) -> None:
    for alert in alerts:
        if alert.get("ticket_id"):
            continue
        body = {
            "name": f"Alert: {alert['title']}"[:255],
            "project_vendor_id": project,
            "type": "Task",
            "identifier": f"alert-{alert['id']}",
        }
        try:
            alert["ticket_id"] = str(tb.tickets.create(body).id)
            print(f"opened   {alert['id']:10} ticket {alert['ticket_id']}")
        except ConflictError as exc:
            found = exc.ticket_id or str(tb.tickets.get_by_identifier(body["identifier"]).id)
            alert["ticket_id"] = found
            print(f"found    {alert['id']:10} ticket {alert['ticket_id']}")


def push(tb: TicketBridge, alerts: list[dict[str, Any]], done_status: str) -> None:
    for alert in alerts:
        if alert["status"] != "resolved" or not alert.get("ticket_id"):
            continue
        ticket = tb.tickets.get(alert["ticket_id"])
        if ticket.status.value not in DONE:
            tb.tickets.update(alert["ticket_id"], {"status": done_status})
            print(f"pushed   {alert['id']:10} ticket -> {done_status}")
        alert["status"] = "closed"


def pull(tb: TicketBridge, alerts: list[dict[str, Any]], org: str) -> None:
    if org:
        job = tb.connections.sync(org)
        tb.jobs.wait(str(job.job_id))
    for alert in alerts:
        if alert["status"] != "open" or not alert.get("ticket_id"):
            continue
        ticket = tb.tickets.get(alert["ticket_id"])
        if ticket.status.value in DONE:
            alert["status"] = "closed"
            print(f"pulled   {alert['id']:10} alert -> closed (ticket {ticket.status.value})")


def main(argv: list[str] | None = None, tb: TicketBridge | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("alerts", type=Path, help="the alerts' JSON file (created if missing)")
    parser.add_argument("--project", default="ENG", help="Jira project key (default: ENG)")
    parser.add_argument("--done-status", default="CLOSED", choices=sorted(DONE))
    parser.add_argument(
        "--org-id",
        default=os.environ.get("TICKETBRIDGE_ORGANIZATION_ID", ""),
        help="organization id: sync the connection before reading (TICKETBRIDGE_ORGANIZATION_ID)",
    )
    args = parser.parse_args(argv)
    state = json.loads(args.alerts.read_text()) if args.alerts.exists() else sample_alerts()
    started = datetime.now(UTC)
    client = tb or TicketBridge()
    try:
        open_tickets(client, state["alerts"], args.project)
        push(client, state["alerts"], args.done_status)
        pull(client, state["alerts"], args.org_id)
    finally:
        if tb is None:
            client.close()
    state["last_checked"] = started.isoformat()
    args.alerts.write_text(json.dumps(state, indent=2) + "\n")
    for alert in state["alerts"]:
        print(f"{alert['status']:8} {alert['id']:10} {alert['title']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
