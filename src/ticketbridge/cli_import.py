"""`ticketbridge tickets import FILE.csv|FILE.jsonl`: any number of tickets as bulk jobs of 50.

Columns (CSV) or keys (JSON Lines) are ticket fields by name: name, description,
project_id, project_vendor_id, type, type_id, type_vendor_id, priority, status,
identifier, tags, due_date, assigned_user_id, assigned_user_vendor_id, parent_ticket_id,
parent_ticket_vendor_id, custom_fields (JSON Lines only); `summary` and `title` mean name,
`project` means project_vendor_id. Empty CSV cells are left out; CSV tags are separated by
commas. A row that cannot be a ticket fails alone, before anything is sent.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn
from rich.text import Text

from ticketbridge.cli_api import (
    ApiKey,
    ApiUrl,
    AsJson,
    ConnectionId,
    api,
    emit_json,
    err_console,
)
from ticketbridge.cli_support import fail
from ticketbridge_client import BulkProgress
from ticketbridge_client._generated.types import Unset
from ticketbridge_client.models import TicketCreate

FIELDS = frozenset(
    {
        "name",
        "description",
        "project_id",
        "project_vendor_id",
        "type",
        "type_id",
        "type_vendor_id",
        "priority",
        "status",
        "identifier",
        "tags",
        "due_date",
        "assigned_user_id",
        "assigned_user_vendor_id",
        "parent_ticket_id",
        "parent_ticket_vendor_id",
        "custom_fields",
    }
)
ALIASES = {"summary": "name", "title": "name", "project": "project_vendor_id"}


class RateColumn(ProgressColumn):
    """Tickets per second."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:.1f}/s" if speed else "-/s")


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(row number, the row's fields or why it cannot be read); rows count from 1. A file
    that cannot be read as UTF-8 text (or as CSV) is one error line, exit code 2."""
    kind = path.suffix.lower()
    if kind not in (".csv", ".jsonl", ".ndjson"):
        fail(f"{path}: give a .csv or a .jsonl file")
    try:
        yield from _csv_rows(path) if kind == ".csv" else _jsonl_rows(path)
    except UnicodeDecodeError as exc:
        fail(f"{path}: not UTF-8 text (byte {exc.start}: {exc.reason})")
    except csv.Error as exc:
        fail(f"{path}: not readable as CSV: {exc}")


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        for n, row in enumerate(csv.DictReader(f), start=1):
            yield n, {k: v for k, v in row.items() if k is not None}


def _jsonl_rows(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    with path.open(encoding="utf-8") as f:
        n = 0
        for line in f:
            if not line.strip():
                continue
            n += 1
            try:
                value = json.loads(line)
            except ValueError as exc:
                yield n, f"not JSON: {exc}"
                continue
            yield n, value if isinstance(value, dict) else "not a JSON object"


def to_ticket(row: dict[str, Any]) -> dict[str, Any]:
    """The row as a ticket body; raises ValueError naming what is wrong."""
    ticket: dict[str, Any] = {}
    unknown = []
    for raw_key, value in row.items():
        key = ALIASES.get(raw_key.strip().lower(), raw_key.strip().lower())
        if key not in FIELDS:
            unknown.append(raw_key)
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if key == "tags" and isinstance(value, str):
            value = [t.strip() for t in value.split(",") if t.strip()]
        if key in ("priority", "status") and isinstance(value, str):
            value = value.strip().upper()
        ticket[key] = value
    if unknown:
        raise ValueError(f"unknown column(s): {', '.join(sorted(unknown))}")
    if "name" not in ticket:
        raise ValueError("name is required (a name, summary or title column)")
    try:
        TicketCreate.from_dict(dict(ticket))  # enums, ids and dates, as the API will read them
    except (ValueError, TypeError, KeyError) as exc:
        raise ValueError(f"invalid value: {exc}") from None
    return ticket


def import_tickets(
    file: Annotated[
        Path,
        typer.Argument(help="A .csv (with a header) or .jsonl file", exists=True, dir_okay=False),
    ],
    api_url: ApiUrl = None,
    api_key: ApiKey = None,
    connection_id: ConnectionId = None,
    results: Annotated[
        Path | None,
        typer.Option(help="Where the per-row results go (default: FILE.results.jsonl)"),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Create a ticket per row, as bulk jobs of 50, with a progress bar; each row's result
    goes to a JSON Lines file. Exit code 1 when any row failed."""
    out = results or file.with_name(file.name + ".results.jsonl")
    rows: list[tuple[int, dict[str, Any]]] = []
    outcomes: dict[int, dict[str, Any]] = {}
    for n, row in read_rows(file):
        if isinstance(row, str):
            outcomes[n] = _failed(n, row)
            continue
        try:
            rows.append((n, to_ticket(row)))
        except ValueError as exc:
            outcomes[n] = _failed(n, str(exc))
    total = len(rows) + len(outcomes)
    columns = (
        TextColumn("importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("[red]{task.fields[failed]} failed"),
        RateColumn(),
    )
    with (
        api(api_url, api_key, connection_id) as tb,
        Progress(*columns, console=err_console) as bar,
    ):
        task = bar.add_task("import", total=total, completed=len(outcomes), failed=len(outcomes))

        def show(p: BulkProgress) -> None:
            bar.update(task, completed=len(outcomes) + p.done, failed=len(outcomes) + p.failed)

        sent = tb.tickets.bulk_create([t for _, t in rows], on_progress=show) if rows else []
    for (n, _), result in zip(rows, sent, strict=True):
        outcomes[n] = {
            "row": n,
            "success": result.success,
            "ticket_id": _text(result.ticket_id),
            "vendor_ticket_id": _text(result.vendor_ticket_id),
            "identifier": _text(result.identifier),
            "code": _text(result.code),
            "error": _text(result.error),
        }
    with out.open("w", encoding="utf-8") as f:
        for n in sorted(outcomes):
            f.write(json.dumps(outcomes[n]) + "\n")
    failed = sum(1 for o in outcomes.values() if not o["success"])
    summary = {"total": total, "succeeded": total - failed, "failed": failed, "results": str(out)}
    if as_json:
        emit_json(summary)
    else:
        err_console.print(
            f"imported {total - failed} of {total} tickets, {failed} failed; results in {out}",
            highlight=False,
            soft_wrap=True,
        )
    if failed:
        raise typer.Exit(1)


def _failed(n: int, reason: str) -> dict[str, Any]:
    return {
        "row": n,
        "success": False,
        "ticket_id": None,
        "vendor_ticket_id": None,
        "identifier": None,
        "code": "INVALID_ROW",
        "error": reason,
    }


def _text(value: Any) -> str | None:
    return None if value is None or isinstance(value, Unset) else str(value)
