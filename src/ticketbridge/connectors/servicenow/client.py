"""Thin ServiceNow client over the one retry layer (``connectors/http.py``): the Table API,
the Batch API and the instance's error envelope mapped onto our error family."""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from ticketbridge.connectors.base import CredentialStore
from ticketbridge.connectors.http import (
    RetryPolicy,
    json_body,
    json_or_none,
    release,
    send_with_retries,
)
from ticketbridge.connectors.limits import CallLimiter, pacer_for
from ticketbridge.connectors.servicenow.config import auth_kind, fresh_token
from ticketbridge.errors import (
    VendorError,
    VendorNotFound,
    VendorRequestError,
    VendorUnauthorized,
    VendorUnavailable,
)

TABLE = "/api/now/table"
BATCH = "/api/now/v1/batch"
# What every Table API call asks for: actual values, references as bare sys_ids.
READ_PARAMS = {"sysparm_display_value": "false", "sysparm_exclude_reference_link": "true"}
QUOTA_TEXT = "Transaction cancelled: maximum execution time exceeded"


class QuotaCancelled(VendorUnavailable):
    """The instance cancelled the call at its transaction quota (60 s for the Table API):
    a smaller page is the remedy."""


@dataclass
class ListPage:
    rows: list[dict[str, Any]]
    total: int | None


class ServiceNowClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        credentials: CredentialStore,
        *,
        policy: RetryPolicy,
        limiter: CallLimiter | None = None,
    ) -> None:
        self._http = http
        self._credentials = credentials
        self._policy = policy
        self._limiter = limiter

    @property
    def base_url(self) -> str:
        return str(self._credentials.current["base_url"]).rstrip("/")

    @property
    def kind(self) -> str:
        return auth_kind(self._credentials.current)

    async def _auth_header(self, stale: str | None = None) -> str:
        creds = self._credentials.current
        if auth_kind(creds) == "basic":
            raw = f"{creds['username']}:{creds['password']}".encode()
            return "Basic " + base64.b64encode(raw).decode()
        expired = float(creds.get("expires_at") or 0) - 30 < time.time()
        if not creds.get("access_token") or expired or creds.get("access_token") == stale:
            creds = await self._credentials.rotate(self._refresh)
        return f"Bearer {creds['access_token']}"

    async def _refresh(self, stored: dict[str, Any]) -> dict[str, Any]:
        return await fresh_token(self._http, stored)

    async def send(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        json: Any = None,
        idempotent: bool | None = None,
    ) -> httpx.Response:
        """One call (retried by the retry layer); a 401 on an OAuth token gets one more try
        with a fresh token. Returns the read, released response whatever its status."""
        url = self.base_url + path
        stale: list[str | None] = [None]

        async def build() -> httpx.Request:
            auth = await self._auth_header(stale[0])
            headers = {"Authorization": auth, "Accept": "application/json"}
            stale[0] = None
            if json is None:
                return self._http.build_request(method, url, params=params, headers=headers)
            content, content_type = json_body(json)
            headers.update(content_type)
            return self._http.build_request(
                method, url, params=params, content=content, headers=headers
            )

        for attempt in range(2):
            response = await send_with_retries(
                self._http,
                build,
                vendor="ServiceNow",
                idempotent=method == "GET" if idempotent is None else idempotent,
                policy=self._policy,
                semaphore=self._limiter,
                pacer=pacer_for(self._limiter.key) if self._limiter is not None else None,
            )
            await response.aread()
            release(response)
            if response.status_code == 401 and self.kind != "basic" and attempt == 0:
                sent = response.request.headers.get("Authorization", "")
                stale[0] = sent.removeprefix("Bearer ")
                continue
            return response
        return response

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        json: Any = None,
        idempotent: bool | None = None,
        not_found_message: str | None = None,
    ) -> Any:
        response = await self.send(method, path, params=params, json=json, idempotent=idempotent)
        body = json_or_none(response) if response.content else None
        if response.status_code < 400:
            return body
        raise error_for(response.status_code, body, response.text, not_found_message)

    # --- Table API ----------------------------------------------------------------------

    async def query_table(
        self,
        table: str,
        *,
        query: str = "",
        fields: list[str] | None = None,
        limit: int = 100,
        offset: int = 0,
        count: bool = False,
    ) -> ListPage:
        params: dict[str, Any] = {
            **READ_PARAMS,
            "sysparm_limit": limit,
            "sysparm_suppress_pagination_header": "true",
        }
        if query:
            params["sysparm_query"] = query
        if fields:
            params["sysparm_fields"] = ",".join(fields)
        if offset:
            params["sysparm_offset"] = offset
        if not count:
            params["sysparm_no_count"] = "true"
        response = await self.send("GET", f"{TABLE}/{table}", params=params)
        body = json_or_none(response) if response.content else None
        if response.status_code >= 400:
            raise error_for(response.status_code, body, response.text, None)
        rows = body.get("result") if isinstance(body, dict) else None
        total = response.headers.get("X-Total-Count")
        return ListPage(
            rows=rows if isinstance(rows, list) else [],
            total=int(total) if total and total.isdigit() else None,
        )

    async def get(self, table: str, sys_id: str, fields: list[str] | None = None) -> dict[str, Any]:
        params: dict[str, Any] = dict(READ_PARAMS)
        if fields:
            params["sysparm_fields"] = ",".join(fields)
        body = await self.request(
            "GET",
            f"{TABLE}/{table}/{sys_id}",
            params=params,
            not_found_message=f"Ticket '{sys_id}' not found in ServiceNow",
        )
        return dict(body["result"])

    async def insert(self, table: str, record: dict[str, Any]) -> dict[str, Any]:
        body = await self.request(
            "POST", f"{TABLE}/{table}", params=READ_PARAMS, json=record, idempotent=False
        )
        return dict(body["result"])

    async def patch(self, table: str, sys_id: str, record: dict[str, Any]) -> dict[str, Any]:
        # Setting values again is harmless: a PATCH may be retried.
        body = await self.request(
            "PATCH",
            f"{TABLE}/{table}/{sys_id}",
            params=READ_PARAMS,
            json=record,
            idempotent=True,
            not_found_message=f"Ticket '{sys_id}' not found in ServiceNow",
        )
        return dict(body["result"])

    # --- Batch API ----------------------------------------------------------------------

    async def batch_insert(
        self, table: str, records: list[dict[str, Any]]
    ) -> tuple[dict[str, tuple[int, Any]], list[str]]:
        """One Batch API request of POSTs, ids "0".."n-1": (id -> (status, body) of the
        serviced items, ids left unserviced)."""
        url = f"{TABLE}/{table}?sysparm_exclude_reference_link=true&sysparm_fields=sys_id,number"
        headers = [
            {"name": "Content-Type", "value": "application/json"},
            {"name": "Accept", "value": "application/json"},
        ]
        body = await self.request(
            "POST",
            BATCH,
            json={
                "batch_request_id": "tb",
                "rest_requests": [
                    {
                        "id": str(i),
                        "method": "POST",
                        "url": url,
                        "headers": headers,
                        "body": base64.b64encode(orjson.dumps(r)).decode(),
                        "exclude_response_headers": True,
                    }
                    for i, r in enumerate(records)
                ],
            },
            idempotent=False,
        )
        if not isinstance(body, dict):
            raise VendorUnavailable("ServiceNow sent an unexpected Batch API answer")
        serviced: dict[str, tuple[int, Any]] = {}
        for item in body.get("serviced_requests") or []:
            try:
                raw = base64.b64decode(item.get("body") or "")
                parsed = orjson.loads(raw) if raw else None
            except ValueError:
                parsed = None
            serviced[str(item.get("id"))] = (int(item.get("status_code") or 0), parsed)
        unserviced = [str(i) for i in body.get("unserviced_requests") or []]
        return serviced, unserviced


def vendor_message(body: Any, text: str = "") -> tuple[str, dict[str, Any] | None]:
    """ "<message>: <detail>" from the error envelope, and the envelope's error object."""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        message = str(error.get("message") or "")
        detail = error.get("detail")
        parts = [p for p in (message, str(detail).strip() if detail else "") if p]
        return ": ".join(parts), {"message": error.get("message"), "detail": detail}
    return (QUOTA_TEXT if QUOTA_TEXT in text else ""), None


def error_for(status: int, body: Any, text: str, not_found: str | None) -> VendorError:
    message, error = vendor_message(body, text)
    vendor_errors = {"error": error} if error else None
    if QUOTA_TEXT in message or QUOTA_TEXT in text:
        return QuotaCancelled(f"ServiceNow cancelled the call: {QUOTA_TEXT}")
    if status == 401:
        return VendorUnauthorized(
            "ServiceNow rejected the connection's credentials" + (f": {message}" if message else "")
        )
    if status == 403:
        if error and error.get("message") == "Operation Failed":
            # A data policy, business rule or write ACL refused this write: the caller's data.
            return VendorRequestError(
                f"ServiceNow rejected the request: {message}", vendor_errors=vendor_errors
            )
        return VendorUnauthorized(
            "ServiceNow refused the connection's user (HTTP 403)"
            + (f": {message}" if message else "")
        )
    if status == 404:
        return VendorNotFound(not_found or "Not found in ServiceNow", vendor_errors=vendor_errors)
    if status in (400, 409, 413, 422):
        return VendorRequestError(
            f"ServiceNow rejected the request: {message}"
            if message
            else "ServiceNow rejected the request",
            vendor_errors=vendor_errors,
        )
    return VendorUnavailable(
        f"ServiceNow answered HTTP {status}" + (f": {message}" if message else "")
    )
