"""Commands that talk to a running TicketBridge API through the SDK (``ticketbridge_client``).

The API's URL, key and connection come from ``--api-url``, ``--api-key``,
``--connection-id`` or TICKETBRIDGE_API_URL / TICKETBRIDGE_API_KEY /
TICKETBRIDGE_CONNECTION_ID. Every command prints a table for people or ``--json`` for
machines; an error is one line with the API's code and message (exit code 2).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from ticketbridge.cli_api import (
    ApiKey,
    ApiUrl,
    AsJson,
    ConnectionId,
    api,
    console,
    emit_json,
    err_console,
)
from ticketbridge.cli_import import import_tickets
from ticketbridge.cli_support import fail, print_rows

tickets_app = typer.Typer(
    help="Tickets through a running API (see TICKETBRIDGE_API_URL / _API_KEY / _CONNECTION_ID)",
    no_args_is_help=True,
)
jobs_app = typer.Typer(help="Jobs through a running API", no_args_is_help=True)
passthrough_app = typer.Typer(
    help="The vendor's own API, through TicketBridge", no_args_is_help=True
)

TICKET_COLUMNS = ["ID", "IDENTIFIER", "VENDOR ID", "STATUS", "PRIORITY", "TYPE", "NAME"]


def register(app: typer.Typer) -> None:
    """Mounts ``tickets``, ``jobs`` and ``passthrough`` on the main command line."""
    tickets_app.command("import")(import_tickets)
    app.add_typer(tickets_app, name="tickets")
    app.add_typer(jobs_app, name="jobs")
    app.add_typer(passthrough_app, name="passthrough")


def ticket_row(t: dict[str, Any]) -> list[str]:
    return [
        str(t.get("id") or ""),
        str(t.get("identifier") or ""),
        str((t.get("vendor_attributes") or {}).get("id") or ""),
        str(t.get("status") or ""),
        str(t.get("priority") or ""),
        str(t.get("type") or ""),
        str(t.get("name") or ""),
    ]


def _show_ticket(ticket: dict[str, Any], as_json: bool) -> None:
    if as_json:
        emit_json(ticket)
    else:
        print_rows(console, TICKET_COLUMNS, [ticket_row(ticket)])


@tickets_app.command("list")
def tickets_list(
    api_url: ApiUrl = None,
    api_key: ApiKey = None,
    connection_id: ConnectionId = None,
    status: Annotated[str | None, typer.Option(help="OPEN, TODO, IN_PROGRESS, ...")] = None,
    priority: Annotated[str | None, typer.Option(help="LOW, NORMAL, HIGH, URGENT")] = None,
    type: Annotated[str | None, typer.Option("--type", help="Issue type name")] = None,
    project_id: Annotated[str | None, typer.Option(help="Our project id")] = None,
    identifier: Annotated[str | None, typer.Option(help="Your identifier")] = None,
    limit: Annotated[int, typer.Option(help="At most this many tickets; 0 for all")] = 100,
    as_json: AsJson = False,
) -> None:
    """List tickets (every page, up to --limit)."""
    filters = {
        "status": status.upper() if status else None,
        "priority": priority.upper() if priority else None,
        "type": type,
        "project_id": project_id,
        "identifier": identifier,
    }
    rows: list[dict[str, Any]] = []
    with api(api_url, api_key, connection_id) as tb:
        page_size = min(limit, 1000) if limit > 0 else 1000
        for ticket in tb.tickets.list(page_size=page_size, **filters):
            rows.append(ticket.to_dict())
            if limit and len(rows) >= limit:
                break
    if as_json:
        emit_json(rows)
    else:
        print_rows(console, TICKET_COLUMNS, [ticket_row(t) for t in rows])


@tickets_app.command("get")
def tickets_get(
    ticket_id: Annotated[str, typer.Argument(help="The ticket's id")],
    api_url: ApiUrl = None,
    api_key: ApiKey = None,
    connection_id: ConnectionId = None,
    as_json: AsJson = False,
) -> None:
    """Show one ticket."""
    with api(api_url, api_key, connection_id) as tb:
        ticket = tb.tickets.get(ticket_id).to_dict()
    _show_ticket(ticket, as_json)


def _fields(**values: Any) -> dict[str, Any]:
    out = {k: v for k, v in values.items() if v not in (None, [], ())}
    for key in ("status", "priority"):
        if key in out:
            out[key] = str(out[key]).upper()
    return out


@tickets_app.command("create")
def tickets_create(
    name: Annotated[str, typer.Option(help="The ticket's title")],
    api_url: ApiUrl = None,
    api_key: ApiKey = None,
    connection_id: ConnectionId = None,
    project_id: Annotated[str | None, typer.Option(help="Our project id")] = None,
    project_vendor_id: Annotated[str | None, typer.Option(help="The vendor's project key")] = None,
    type: Annotated[str | None, typer.Option("--type", help="Issue type name")] = None,
    description: Annotated[str | None, typer.Option(help="Text (Markdown)")] = None,
    priority: Annotated[str | None, typer.Option(help="LOW, NORMAL, HIGH, URGENT")] = None,
    status: Annotated[str | None, typer.Option(help="OPEN, TODO, IN_PROGRESS, ...")] = None,
    identifier: Annotated[str | None, typer.Option(help="Your unique identifier")] = None,
    tag: Annotated[list[str] | None, typer.Option(help="A tag (repeatable)")] = None,
    idempotency_key: Annotated[
        str | None, typer.Option(help="Makes a retry safe (default: a fresh one)")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Create a ticket in the vendor."""
    body = _fields(
        name=name,
        project_id=project_id,
        project_vendor_id=project_vendor_id,
        type=type,
        description=description,
        priority=priority,
        status=status,
        identifier=identifier,
        tags=tag,
    )
    with api(api_url, api_key, connection_id) as tb:
        ticket = tb.tickets.create(body, idempotency_key=idempotency_key).to_dict()
    _show_ticket(ticket, as_json)


@tickets_app.command("update")
def tickets_update(
    ticket_id: Annotated[str, typer.Argument(help="The ticket's id")],
    api_url: ApiUrl = None,
    api_key: ApiKey = None,
    connection_id: ConnectionId = None,
    name: Annotated[str | None, typer.Option(help="A new title")] = None,
    description: Annotated[str | None, typer.Option(help="A new text")] = None,
    priority: Annotated[str | None, typer.Option(help="LOW, NORMAL, HIGH, URGENT")] = None,
    status: Annotated[str | None, typer.Option(help="OPEN, TODO, IN_PROGRESS, ...")] = None,
    tag: Annotated[list[str] | None, typer.Option(help="The tags (repeatable)")] = None,
    idempotency_key: Annotated[
        str | None, typer.Option(help="Makes a retry safe (default: a fresh one)")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Change a ticket (status through the vendor's workflow)."""
    changes = _fields(
        name=name, description=description, priority=priority, status=status, tags=tag
    )
    if not changes:
        fail("nothing to change: give --name, --description, --priority, --status or --tag")
    with api(api_url, api_key, connection_id) as tb:
        ticket = tb.tickets.update(ticket_id, changes, idempotency_key=idempotency_key)
    _show_ticket(ticket.to_dict(), as_json)


JOB_COLUMNS = ["ID", "TYPE", "STATUS", "PROGRESS", "CREATED", "FINISHED"]


def job_row(j: dict[str, Any]) -> list[str]:
    progress = j.get("progress") or {}
    return [
        str(j["id"]),
        str(j["type"]),
        str(j["status"]),
        f"{progress.get('processed', 0)}/{progress.get('total', 0)}",
        str(j.get("created_at") or ""),
        str(j.get("finished_at") or ""),
    ]


@jobs_app.command("list")
def jobs_list(
    org_id: Annotated[
        str,
        typer.Option(
            "--org-id", envvar="TICKETBRIDGE_ORGANIZATION_ID", help="The connection's organization"
        ),
    ],
    api_url: ApiUrl = None,
    api_key: ApiKey = None,
    connection_id: ConnectionId = None,
    limit: Annotated[int, typer.Option(help="The most recent this many")] = 20,
    as_json: AsJson = False,
) -> None:
    """The connection's most recent jobs (syncs and bulk writes)."""
    with api(api_url, api_key, connection_id) as tb:
        jobs = [j.to_dict() for j in tb.jobs.list(org_id, limit=limit)]
    if as_json:
        emit_json(jobs)
    else:
        print_rows(console, JOB_COLUMNS, [job_row(j) for j in jobs])


@jobs_app.command("watch")
def jobs_watch(
    job_id: Annotated[str, typer.Argument(help="The job's id")],
    api_url: ApiUrl = None,
    api_key: ApiKey = None,
    as_json: AsJson = False,
) -> None:
    """Follow a job with a progress bar until it ends (exit code 1 when it FAILED)."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with (
        api(api_url, api_key, None) as tb,
        Progress(*columns, console=err_console, transient=as_json) as bar,
    ):
        task = bar.add_task(f"job {job_id}", total=None)

        def show(job: Any) -> None:
            total = job.progress.total or None
            bar.update(task, total=total, completed=job.progress.processed)
            bar.update(task, description=f"job {job_id} {job.status.value}")

        job = tb.jobs.wait(job_id, on_progress=show).to_dict()
    if as_json:
        emit_json(job)
    else:
        print_rows(console, JOB_COLUMNS, [job_row(job)])
        if job.get("failure_reason"):
            reason = job["failure_reason"]
            console.print(f"failure: {json.dumps(reason)}", highlight=False, soft_wrap=True)
    if job["status"] == "FAILED":
        raise typer.Exit(1)


@passthrough_app.command("search")
def passthrough_search(
    jql: Annotated[str, typer.Option("--jql", help="The vendor's query (Jira: JQL)")],
    api_url: ApiUrl = None,
    api_key: ApiKey = None,
    connection_id: ConnectionId = None,
    limit: Annotated[int, typer.Option(help="Issues per page")] = 50,
    cursor: Annotated[str | None, typer.Option(help="next_cursor of the previous page")] = None,
    as_json: AsJson = False,
) -> None:
    """Search the vendor live, one page (the next page's cursor is printed)."""
    with api(api_url, api_key, connection_id) as tb:
        page = tb.passthrough.search(jql, cursor=cursor, limit=limit).to_dict()
    if as_json:
        emit_json(page)
        return
    rows = []
    for issue in page.get("items", []):
        fields = issue.get("fields") or {}
        status = (fields.get("status") or {}).get("name", "")
        rows.append(
            [
                str(issue.get("key", "")),
                str(issue.get("id", "")),
                status,
                str(fields.get("summary", "")),
            ]
        )
    print_rows(console, ["KEY", "ID", "STATUS", "SUMMARY"], rows)
    if page.get("next_cursor"):
        console.print(f"next page: --cursor {page['next_cursor']}", highlight=False, soft_wrap=True)
