"""What the remote commands share: the API's URL, key and connection options, ``--json``, the
SDK client whose failures become one line and exit code 2, and the consoles."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console

from ticketbridge.cli_support import fail
from ticketbridge_client import TicketBridge, TicketBridgeError
from ticketbridge_client.errors import message_of

console = Console()
err_console = Console(stderr=True)

ApiUrl = Annotated[
    str | None,
    typer.Option("--api-url", envvar="TICKETBRIDGE_API_URL", help="The API's base URL"),
]
ApiKey = Annotated[
    str | None,
    typer.Option("--api-key", envvar="TICKETBRIDGE_API_KEY", help="Your API key (tb_...)"),
]
ConnectionId = Annotated[
    str | None,
    typer.Option(
        "--connection-id", envvar="TICKETBRIDGE_CONNECTION_ID", help="The connection to act on"
    ),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table")]


@contextmanager
def api(url: str | None, key: str | None, connection: str | None) -> Iterator[TicketBridge]:
    """The SDK client; any failure becomes one line on stderr and exit code 2."""
    try:
        with TicketBridge(url, key, connection) as tb:
            yield tb
    except TicketBridgeError as exc:
        fail(f"{exc.code}: {message_of(exc.detail)}")
    except ValueError as exc:
        fail(str(exc))
    except httpx.HTTPError as exc:
        fail(f"cannot reach the API at {url}: {type(exc).__name__} {exc}".strip())


def emit_json(value: Any) -> None:
    console.print_json(json.dumps(value, default=str))
