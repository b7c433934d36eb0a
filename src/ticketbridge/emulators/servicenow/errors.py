"""ServiceNow's error envelope: `{"error": {"message", "detail"}, "status": "failure"}`."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

NO_RECORD = "No Record found"
NO_RECORD_DETAIL = "Record doesn't exist or ACL restricts the record retrieval"
NOT_AUTHENTICATED = "User Not Authenticated"
NOT_AUTHENTICATED_DETAIL = "Required to provide Auth information"
OPERATION_FAILED = "Operation Failed"
NOT_AUTHORIZED = "User Not Authorized"
TRANSACTION_CANCELLED = "Transaction cancelled: maximum execution time exceeded"


class SNError(Exception):
    """An error answer; raised anywhere in a handler, rendered by `error_response`."""

    def __init__(
        self, status: int, message: str, detail: str | None = None, headers: Any = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.detail = detail
        self.headers: dict[str, str] = dict(headers or {})


def error_body(message: str, detail: str | None) -> dict[str, Any]:
    return {"error": {"message": message, "detail": detail}, "status": "failure"}


def error_response(exc: SNError) -> JSONResponse:
    return JSONResponse(error_body(exc.message, exc.detail), exc.status, headers=exc.headers)


def invalid_table(table: str) -> SNError:
    return SNError(400, f"Invalid table {table}", None)


def no_record() -> SNError:
    return SNError(404, NO_RECORD, NO_RECORD_DETAIL)


def not_authenticated() -> SNError:
    return SNError(401, NOT_AUTHENTICATED, NOT_AUTHENTICATED_DETAIL)


def data_policy(labels: list[str]) -> SNError:
    fields = ", ".join(labels)
    detail = f"Data Policy Exception: \n\tThe following fields are mandatory: {fields}"
    return SNError(403, OPERATION_FAILED, detail)
