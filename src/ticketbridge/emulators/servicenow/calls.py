"""A transport-neutral API call and its reply, shared by HTTP routes and the Batch API."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import QueryParams

from .errors import SNError, error_body

JSON_TYPES = ("application/json", "application/*", "*/*")


@dataclass(slots=True)
class Call:
    method: str
    path: str  # e.g. /api/now/v2/table/incident/<sys_id>
    params: QueryParams
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    base: str = ""  # instance origin, e.g. http://127.0.0.1:8082
    user: str = ""  # the authenticated user's user_name

    def json_body(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except (ValueError, UnicodeDecodeError) as exc:
            raise SNError(400, "Exception while reading request", str(exc)) from None

    def check_formats(self, write: bool) -> None:
        """406 for an Accept we cannot produce, 415 for a body type we cannot read."""
        accept = self.headers.get("accept", "")
        if accept and not any(t in accept for t in JSON_TYPES):
            raise SNError(406, "Requested response format is not supported", accept)
        content_type = self.headers.get("content-type", "")
        if write and self.body and content_type and "json" not in content_type:
            raise SNError(415, "Unsupported Content-Type", content_type)


@dataclass(slots=True)
class Reply:
    status: int
    body: Any = None  # JSON-able, or None for no body
    headers: dict[str, str] = field(default_factory=dict)

    def content(self) -> bytes:
        if self.body is None:
            return b""
        return json.dumps(self.body, separators=(",", ":")).encode()


def error_reply(exc: SNError) -> Reply:
    return Reply(exc.status, error_body(exc.message, exc.detail), dict(exc.headers))
