"""The OpenAPI document: FastAPI's, completed with what the routes cannot say themselves.

- Security: FastAPI lists each security dependency as its own requirement (either one
  would do); an operation needs all of them (an API key *and* a connection), so they are
  merged into one requirement.
- Responses: 401 (and 429, the per-account rate limit) on every authenticated operation,
  413 on every operation with a body (the input guard caps bodies), each with the error
  body's schema (``Error``), 422 included: its ``detail`` is a message or FastAPI's list.
  The SDK in clients/python is generated from this document.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "description": "Every error body (docs/api.md, Error codes): branch on `code`.",
    "required": ["detail", "code"],
    "properties": {
        "detail": {"title": "Detail", "description": "For people; may change"},
        "code": {"title": "Code", "type": "string", "description": "Stable machine code"},
        "field": {"title": "Field", "type": "string"},
        "vendor_errors": {"title": "Vendor Errors"},
        "ticket_id": {"title": "Ticket Id", "type": "string"},
    },
}
_ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def install(app: FastAPI, max_body_bytes: int) -> None:
    """Replaces ``app.openapi`` with the completed document (built once, then cached)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            complete(document, max_body_bytes)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def complete(document: dict[str, Any], max_body_bytes: int) -> None:
    document.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for item in document.get("paths", {}).values():
        for method in _METHODS:
            operation = item.get(method)
            if operation is not None:
                _complete_operation(operation, max_body_bytes)


def _complete_operation(operation: dict[str, Any], max_body_bytes: int) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    requirements = operation.get("security")
    if requirements:
        merged: dict[str, list[str]] = {}
        for requirement in requirements:
            merged.update(requirement)
        operation["security"] = [merged]
        responses.setdefault("401", {"description": "Missing, unknown or revoked X-API-KEY"})
        responses.setdefault(
            "429", {"description": "The account's rate limit was exceeded (Retry-After)"}
        )
    if "requestBody" in operation:
        responses.setdefault("413", {"description": f"Body over {max_body_bytes} bytes"})
    if "422" in responses:
        # Our 422 bodies are FastAPI's list in `detail` (request validation) or a message
        # (every other refusal), both with `code`: the Error schema holds either.
        responses["422"] = {
            "description": "Validation error: `detail` is a message, or FastAPI's list of "
            "{loc, msg, type} for a malformed request; `code` is VALIDATION_ERROR (or "
            "another code of docs/api.md)",
            "content": _ERROR_CONTENT,
        }
    for status, response in responses.items():
        if status[:1] in ("4", "5") and "content" not in response:
            response["content"] = _ERROR_CONTENT
