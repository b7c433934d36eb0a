"""Batch API: `POST /api/now/v1/batch` runs REST requests one after another.

Each item's body is base64, its headers a list of name/value objects; each answer is
base64 too. Items left when the time budget runs out are listed in `unserviced_requests`.
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import QueryParams

from .calls import Call, Reply, error_reply
from .errors import SNError

Dispatch = Callable[[Call], Awaitable[Reply]]


def _item_call(item: dict[str, Any], outer: Call) -> Call:
    url = urlsplit(str(item.get("url", "")))
    headers = {"accept": "application/json", "content-type": "application/json"}
    for header in item.get("headers") or []:
        if isinstance(header, dict) and "name" in header:
            headers[str(header["name"]).lower()] = str(header.get("value", ""))
    try:
        body = base64.b64decode(item.get("body") or "", validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise SNError(400, "Exception while reading request", "body is not base64") from None
    return Call(
        method=str(item.get("method", "GET")).upper(),
        path=url.path,
        params=QueryParams(url.query),
        body=body,
        headers=headers,
        base=outer.base,
        user=outer.user,
    )


async def run_batch(call: Call, dispatch: Dispatch, budget_seconds: float) -> Reply:
    body = call.json_body()
    if not isinstance(body, dict) or not isinstance(body.get("rest_requests"), list):
        raise SNError(400, "Exception while reading request", "rest_requests is required")
    items = body["rest_requests"]
    started = time.monotonic()
    serviced: list[dict[str, Any]] = []
    unserviced: list[str] = []
    for item in items:
        if not isinstance(item, dict) or "id" not in item:
            raise SNError(400, "Exception while reading request", "each request needs an id")
        if time.monotonic() - started >= budget_seconds:
            unserviced.append(str(item["id"]))
            continue
        item_start = time.monotonic()
        try:
            reply = await dispatch(_item_call(item, call))
        except SNError as exc:
            reply = error_reply(exc)
        answer: dict[str, Any] = {
            "id": str(item["id"]),
            "status_code": reply.status,
            "status_text": _status_text(reply.status),
            "headers": []
            if item.get("exclude_response_headers")
            else [{"name": k, "value": v} for k, v in _item_headers(reply).items()],
            "body": base64.b64encode(reply.content()).decode(),
            "execution_time": int((time.monotonic() - item_start) * 1000),
        }
        if reply.status >= 400 and isinstance(reply.body, dict):
            answer["error_message"] = str(reply.body.get("error", {}).get("message", ""))
        serviced.append(answer)
    result = {
        "batch_request_id": str(body.get("batch_request_id", "")),
        "serviced_requests": serviced,
        "unserviced_requests": unserviced,
    }
    return Reply(200, result)


def _item_headers(reply: Reply) -> dict[str, str]:
    headers = {"Content-Type": "application/json;charset=UTF-8"} if reply.body is not None else {}
    return headers | reply.headers


def _status_text(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
