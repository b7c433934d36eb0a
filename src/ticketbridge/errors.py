"""One error family: every error we raise knows its HTTP status, a stable machine ``code``
and a human message. docs/api.md ("Error codes") lists every code; a test keeps it so."""

from __future__ import annotations

from typing import Any

# Codes that are not an error class of their own (the classes below carry the others).
INTERNAL_ERROR = "INTERNAL_ERROR"
STATUS_UNREACHABLE = "STATUS_UNREACHABLE"
CONNECTION_INACTIVE = "CONNECTION_INACTIVE"
IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
IDEMPOTENCY_KEY_IN_FLIGHT = "IDEMPOTENCY_KEY_IN_FLIGHT"
LAST_ACTIVE_KEY = "LAST_ACTIVE_KEY"
INVALID_JSON = "INVALID_JSON"
EXECUTION_TIMEOUT = "EXECUTION_TIMEOUT"
# Answered by the HTTP server itself (ticketbridge.server), before the app sees a request.
HEADERS_TOO_LARGE = "HEADERS_TOO_LARGE"
HEADER_TIMEOUT = "HEADER_TIMEOUT"

INTERNAL_MESSAGE = "An internal error occurred; it was logged for the operators"


class TicketBridgeError(Exception):
    """Base class; the API's one handler renders it as ``{"detail": message, **extra}``."""

    status_code: int = 400
    code: str = "BAD_REQUEST"
    # The vendor change already happened and our store recorded it (created in Jira, but
    # the requested status was unreachable): the request's unit of work is committed,
    # and its answer stored for an Idempotency-Key, although the request reports an error.
    committed: bool = False

    def __init__(
        self,
        detail: str,
        *,
        status_code: int | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
        committed: bool = False,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.committed = committed
        if status_code is not None:
            self.status_code = status_code
        if code is not None:
            self.code = code
        self.headers = headers or {}
        self.extra = {k: v for k, v in extra.items() if v is not None}

    def body(self) -> dict[str, Any]:
        return {"detail": self.detail, "code": self.code, **self.extra}


class NotFound(TicketBridgeError):
    status_code = 404
    code = "NOT_FOUND"


class Conflict(TicketBridgeError):
    status_code = 409
    code = "CONFLICT"


class Unprocessable(TicketBridgeError):
    status_code = 422
    code = "VALIDATION_ERROR"


class Unauthorized(TicketBridgeError):
    status_code = 401
    code = "UNAUTHORIZED"


class PayloadTooLarge(TicketBridgeError):
    status_code = 413
    code = "PAYLOAD_TOO_LARGE"


class RateLimited(TicketBridgeError):
    """The account sent more requests than its rate limit allows in the current window."""

    status_code = 429
    code = "RATE_LIMITED"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after


class NotSupported(Unprocessable):
    code = "NOT_SUPPORTED"


# --- Vendor errors (raised by connectors, mapped per docs/api.md, Conventions) -------


class VendorError(TicketBridgeError):
    """Base of errors that come from the vendor side."""

    status_code = 502
    code = "VENDOR_ERROR"


class VendorRequestError(VendorError):
    """The vendor rejected user data (a 4xx on a field or value): surfaced as 422."""

    status_code = 422
    code = "VENDOR_REJECTED"

    def __init__(self, detail: str, *, vendor_errors: Any = None, **kw: Any) -> None:
        super().__init__(detail, vendor_errors=vendor_errors, **kw)
        self.vendor_errors = vendor_errors


class VendorNotFound(VendorRequestError):
    status_code = 404
    code = "VENDOR_NOT_FOUND"


class VendorBadQuery(VendorRequestError):
    """A query the vendor refused (bad JQL): 400 with the vendor's messages."""

    status_code = 400
    code = "VENDOR_BAD_QUERY"


class VendorUnauthorized(VendorError):
    """401/403 from the vendor: our stored credentials no longer work."""

    status_code = 502
    code = "VENDOR_UNAUTHORIZED"


class VendorOperationalError(VendorError):
    """Vendor trouble that says nothing about the request itself (rate limited after our
    retries, unavailable, timed out, an unknown outcome): work may pause and try again.
    Never raised itself; its subclasses carry the codes."""


class VendorUnavailable(VendorOperationalError):
    """Operational failure (5xx, connection reset) after our retries."""

    status_code = 502
    code = "VENDOR_UNAVAILABLE"


class VendorRateLimited(VendorOperationalError):
    status_code = 503
    code = "VENDOR_RATE_LIMITED"

    def __init__(self, detail: str, *, retry_after: float = 1.0, **kw: Any) -> None:
        seconds = max(1, int(retry_after + 0.999))
        super().__init__(detail, headers={"Retry-After": str(seconds)}, **kw)
        self.retry_after = retry_after


class VendorTimeout(VendorOperationalError):
    status_code = 504
    code = "VENDOR_TIMEOUT"


class VendorOutcomeUnknown(VendorOperationalError):
    """A write was sent but no answer came back (timeout or dropped connection).

    The write may or may not have happened; callers reconcile by creation token.
    """

    status_code = 504
    code = "VENDOR_OUTCOME_UNKNOWN"


def all_codes() -> set[str]:
    """Every code an error body or a failure_reason can carry."""
    classes: list[type[TicketBridgeError]] = [TicketBridgeError]
    codes = set()
    while classes:
        cls = classes.pop()
        codes.add(cls.code)
        classes.extend(cls.__subclasses__())
    return codes | {
        INTERNAL_ERROR,
        STATUS_UNREACHABLE,
        CONNECTION_INACTIVE,
        IDEMPOTENCY_KEY_REUSED,
        IDEMPOTENCY_KEY_IN_FLIGHT,
        LAST_ACTIVE_KEY,
        INVALID_JSON,
        EXECUTION_TIMEOUT,
        HEADERS_TOO_LARGE,
        HEADER_TIMEOUT,
    }


def describe(exc: BaseException) -> dict[str, str]:
    """``{"code", "error"}`` for a job's ``failure_reason``: our errors say what they are;
    anything else is INTERNAL_ERROR with a generic message (the detail goes to the log,
    never to the caller: it may hold a class name, SQL or data of another tenant)."""
    if isinstance(exc, TicketBridgeError):
        return {"code": exc.code, "error": exc.detail}
    return {"code": INTERNAL_ERROR, "error": INTERNAL_MESSAGE}


def failure(code: str, message: str) -> dict[str, str]:
    """A whole-job ``failure_reason`` that is not an exception (e.g. the connection is gone)."""
    return {"code": code, "error": message}
