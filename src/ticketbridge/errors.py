"""One error family: every error we raise knows its HTTP status and message."""

from __future__ import annotations

from typing import Any


class TicketBridgeError(Exception):
    """Base class; the API's one handler renders it as ``{"detail": message, **extra}``."""

    status_code: int = 400
    code: str = "bad_request"

    def __init__(
        self,
        detail: str,
        *,
        status_code: int | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
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
    code = "not_found"


class Conflict(TicketBridgeError):
    status_code = 409
    code = "conflict"


class Unprocessable(TicketBridgeError):
    status_code = 422
    code = "unprocessable"


class Unauthorized(TicketBridgeError):
    status_code = 401
    code = "unauthorized"


class PayloadTooLarge(TicketBridgeError):
    status_code = 413
    code = "payload_too_large"


class RateLimited(TicketBridgeError):
    """The account sent more requests than its rate limit allows in the current window."""

    status_code = 429
    code = "rate_limited"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after


class NotSupported(Unprocessable):
    code = "not_supported"


# --- Vendor errors (raised by connectors, mapped per API.md section 1) ---------------


class VendorError(TicketBridgeError):
    """Base of errors that come from the vendor side."""

    status_code = 502
    code = "vendor_error"


class VendorRequestError(VendorError):
    """The vendor rejected user data (a 4xx on a field or value): surfaced as 422."""

    status_code = 422
    code = "vendor_rejected"

    def __init__(self, detail: str, *, vendor_errors: Any = None, **kw: Any) -> None:
        super().__init__(detail, vendor_errors=vendor_errors, **kw)
        self.vendor_errors = vendor_errors


class VendorNotFound(VendorRequestError):
    status_code = 404
    code = "vendor_not_found"


class VendorBadQuery(VendorRequestError):
    """A query the vendor refused (bad JQL): 400 with the vendor's messages."""

    status_code = 400
    code = "vendor_bad_query"


class VendorUnauthorized(VendorError):
    """401/403 from the vendor: our stored credentials no longer work."""

    status_code = 502
    code = "vendor_unauthorized"


class VendorUnavailable(VendorError):
    """Operational failure (5xx, connection reset) after our retries."""

    status_code = 502
    code = "vendor_unavailable"


class VendorRateLimited(VendorError):
    status_code = 503
    code = "vendor_rate_limited"

    def __init__(self, detail: str, *, retry_after: float = 1.0, **kw: Any) -> None:
        seconds = max(1, int(retry_after + 0.999))
        super().__init__(detail, headers={"Retry-After": str(seconds)}, **kw)
        self.retry_after = retry_after


class VendorTimeout(VendorError):
    status_code = 504
    code = "vendor_timeout"


class VendorOutcomeUnknown(VendorError):
    """A write was sent but no answer came back (timeout or dropped connection).

    The write may or may not have happened; callers reconcile by creation token.
    """

    status_code = 504
    code = "vendor_outcome_unknown"
