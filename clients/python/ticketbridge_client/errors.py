"""Typed errors: every non-2xx answer of the API raises one of these.

Branch on ``code`` (stable, docs/api.md "Error codes"), not on the message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


class TicketBridgeError(Exception):
    """An error answer of the API: ``status``, ``code``, ``detail`` and the machine keys
    the API puts next to them (``field``, ``vendor_errors``, ``ticket_id``; the rest in
    ``body``). ``retry_after`` is the ``Retry-After`` header in seconds, when sent."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: Any,
        *,
        body: dict[str, Any] | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.detail = detail
        self.body: dict[str, Any] = body or {}
        self.field: str | None = self.body.get("field")
        self.vendor_errors: Any = self.body.get("vendor_errors")
        self.ticket_id: str | None = self.body.get("ticket_id")
        self.retry_after = retry_after
        super().__init__(f"{status} {code}: {message_of(detail)}")


class AuthenticationError(TicketBridgeError):
    """401: missing, unknown or revoked API key."""


class NotFoundError(TicketBridgeError):
    """404: no such object (or another account's)."""


class ConflictError(TicketBridgeError):
    """409: duplicate identifier (``ticket_id`` names the existing ticket), key in flight."""


class ValidationError(TicketBridgeError):
    """400/413/422: the request is malformed or refused (``field`` names what is wrong)."""


class RateLimitError(TicketBridgeError):
    """429 (our rate limit) or 503 (the vendor's), still so after the client's retries."""


class VendorError(TicketBridgeError):
    """502/504 and other 5xx: the vendor (or TicketBridge) failed."""


_BY_STATUS: dict[int, type[TicketBridgeError]] = {
    400: ValidationError,
    401: AuthenticationError,
    404: NotFoundError,
    409: ConflictError,
    413: ValidationError,
    422: ValidationError,
    429: RateLimitError,
    503: RateLimitError,
}


def message_of(detail: Any) -> str:
    """One line from ``detail``: a string as is, FastAPI's list as ``loc: msg; ...``."""
    if isinstance(detail, list):
        parts = []
        for err in detail:
            if isinstance(err, dict):
                loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
                parts.append(f"{loc}: {err.get('msg', '')}" if loc else str(err.get("msg", "")))
            else:
                parts.append(str(err))
        return "; ".join(parts)
    return " ".join(str(detail).split())


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def error_from(status: int, content: bytes, headers: Mapping[str, str]) -> TicketBridgeError:
    try:
        body = json.loads(content) if content else {}
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    code = str(body.get("code") or f"HTTP_{status}")
    detail = body.get("detail", content.decode("utf-8", "replace")[:200] or f"HTTP {status}")
    cls = _BY_STATUS.get(status) or (VendorError if status >= 500 else TicketBridgeError)
    return cls(status, code, detail, body=body, retry_after=retry_after_seconds(headers))
