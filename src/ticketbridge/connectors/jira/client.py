"""Thin Jira Cloud REST v3 client: one method per vendor endpoint, no business logic."""

from __future__ import annotations

import base64
import time
from typing import Any
from urllib.parse import quote

import httpx

from ticketbridge.connectors.base import CredentialStore
from ticketbridge.connectors.http import (
    RetryPolicy,
    json_body,
    json_or_none,
    release,
    send_with_retries,
)
from ticketbridge.connectors.jira.config import request_token
from ticketbridge.connectors.limits import CallLimiter, pacer_for
from ticketbridge.errors import (
    VendorBadQuery,
    VendorError,
    VendorNotFound,
    VendorRequestError,
    VendorUnauthorized,
    VendorUnavailable,
)

API = "/rest/api/3"


class JiraClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        credentials: CredentialStore,
        *,
        policy: RetryPolicy,
        limiter: CallLimiter | None = None,
        oauth_token_url: str | None = None,
        oauth_client: tuple[str, str] | None = None,
    ) -> None:
        self._http = http
        self._credentials = credentials
        self._policy = policy
        self._limiter = limiter
        self._oauth_token_url = oauth_token_url
        self._oauth_client = oauth_client

    @property
    def base_url(self) -> str:
        creds = self._credentials.current
        return str(creds.get("api_base_url") or creds["base_url"]).rstrip("/")

    @property
    def site_url(self) -> str:
        """The browse host (the site URL, also for OAuth connections)."""
        return str(self._credentials.current.get("base_url") or self.base_url).rstrip("/")

    async def _auth_header(self) -> str:
        creds = self._credentials.current
        if creds.get("oauth"):
            if float(creds.get("expires_at", 0)) - 30 < time.time():
                creds = await self._credentials.rotate(self._refresh)
            return f"Bearer {creds['access_token']}"
        raw = f"{creds['email']}:{creds['api_token']}".encode()
        return "Basic " + base64.b64encode(raw).decode()

    async def _refresh(self, stored: dict[str, Any]) -> dict[str, Any]:
        if not self._oauth_token_url or not self._oauth_client:
            raise VendorUnauthorized("OAuth is not configured on this server")
        token = await request_token(
            self._http,
            self._oauth_token_url,
            {
                "grant_type": "refresh_token",
                "client_id": self._oauth_client[0],
                "client_secret": self._oauth_client[1],
                "refresh_token": stored.get("refresh_token"),
            },
            refused="Jira refused to refresh the OAuth token; re-authorize",
        )
        return {
            **stored,
            "access_token": token["access_token"],
            "refresh_token": token.get("refresh_token", stored.get("refresh_token")),
            "expires_at": time.time() + float(token.get("expires_in", 3600)),
        }

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
        url = self.base_url + path

        async def build() -> httpx.Request:
            headers = {"Authorization": await self._auth_header(), "Accept": "application/json"}
            if json is None:
                return self._http.build_request(method, url, params=params, headers=headers)
            content, content_type = json_body(json)
            headers.update(content_type)
            return self._http.build_request(
                method, url, params=params, content=content, headers=headers
            )

        response = await send_with_retries(
            self._http,
            build,
            vendor="Jira",
            idempotent=method == "GET" if idempotent is None else idempotent,
            policy=self._policy,
            semaphore=self._limiter,
            # The connection's pacer (``connectors/limits.py``), keyed as its limiter.
            pacer=pacer_for(self._limiter.key) if self._limiter is not None else None,
        )
        body = json_or_none(response) if response.content else None
        release(response)
        if response.status_code < 400:
            return body
        raise _error(response.status_code, body, not_found_message)

    # --- endpoints -------------------------------------------------------------------

    async def myself(self) -> dict[str, Any]:
        return await self.request("GET", f"{API}/myself")  # type: ignore[no-any-return]

    async def search_projects(
        self, start_at: int, max_results: int, expand: str | None = None
    ) -> dict[str, Any]:
        params: dict[str, Any] = {"startAt": start_at, "maxResults": max_results}
        if expand:
            params["expand"] = expand
        return await self.request("GET", f"{API}/project/search", params=params)  # type: ignore[no-any-return]

    async def createmeta_issue_types(
        self, project: str, start_at: int, max_results: int
    ) -> dict[str, Any]:
        return await self.request(  # type: ignore[no-any-return]
            "GET",
            f"{API}/issue/createmeta/{path_segment(project)}/issuetypes",
            params={"startAt": start_at, "maxResults": max_results},
            not_found_message=f"Project '{project}' not found in Jira",
        )

    async def create_issue(self, payload: dict[str, Any]) -> dict[str, Any]:
        return await self.request("POST", f"{API}/issue", json=payload)  # type: ignore[no-any-return]

    async def bulk_create(self, payloads: list[dict[str, Any]]) -> tuple[int, dict[str, Any]]:
        """Returns (status, body): Jira answers 400 with per-item errors when all failed."""
        try:
            body = await self.request("POST", f"{API}/issue/bulk", json={"issueUpdates": payloads})
            return 201, body
        except VendorRequestError as exc:
            raw = getattr(exc, "raw", None)
            if isinstance(raw, dict) and "issues" in raw:
                return 400, raw
            raise

    async def get_issue(
        self, key: str, fields: str = "*all", properties: str | None = None
    ) -> dict[str, Any]:
        params = {"fields": fields}
        if properties:
            params["properties"] = properties
        return await self.request(  # type: ignore[no-any-return]
            "GET",
            f"{API}/issue/{key}",
            params=params,
            not_found_message=f"Ticket '{key}' not found in Jira",
        )

    async def edit_issue(self, key: str, payload: dict[str, Any]) -> None:
        # An edit sets values; repeating it is harmless, so it may be retried.
        await self.request(
            "PUT",
            f"{API}/issue/{key}",
            json=payload,
            idempotent=True,
            not_found_message=f"Ticket '{key}' not found in Jira",
        )

    async def project_statuses(self, project: str) -> list[dict[str, Any]]:
        return await self.request(  # type: ignore[no-any-return]
            "GET",
            f"{API}/project/{project}/statuses",
            not_found_message=f"Project '{project}' not found in Jira",
        )

    async def get_transitions(self, key: str) -> list[dict[str, Any]]:
        body = await self.request("GET", f"{API}/issue/{key}/transitions")
        return list(body.get("transitions", []))

    async def do_transition(self, key: str, transition_id: str) -> None:
        await self.request(
            "POST",
            f"{API}/issue/{key}/transitions",
            json={"transition": {"id": transition_id}},
            idempotent=False,
        )

    async def search_jql(
        self,
        jql: str,
        *,
        next_page_token: str | None,
        max_results: int,
        fields: list[str],
        properties: list[str] | None = None,
        reconcile_issues: list[int] | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"jql": jql, "maxResults": max_results, "fields": fields}
        if next_page_token:
            body["nextPageToken"] = next_page_token
        if properties:
            body["properties"] = properties
        if reconcile_issues:
            # Read-after-write: these ids (at most 50) are seen even if not yet indexed.
            body["reconcileIssues"] = reconcile_issues
        # A search has no side effects: safe to retry.
        return await self.request("POST", f"{API}/search/jql", json=body, idempotent=True)  # type: ignore[no-any-return]

    async def approximate_count(self, jql: str) -> dict[str, Any]:
        """`search/approximate-count`: ``{"count": n}``; recent changes may be missing."""
        body = {"jql": jql}
        return await self.request(  # type: ignore[no-any-return]
            "POST", f"{API}/search/approximate-count", json=body, idempotent=True
        )

    async def assignable_users(
        self, project: str, query: str | None, start_at: int, max_results: int
    ) -> list[dict[str, Any]]:
        params: dict[str, Any] = {
            "project": project,
            "startAt": start_at,
            "maxResults": max_results,
        }
        if query:
            params["query"] = query
        return await self.request(  # type: ignore[no-any-return]
            "GET",
            f"{API}/user/assignable/search",
            params=params,
            not_found_message=f"Project '{project}' not found in Jira",
        )

    async def search_users(
        self, query: str, start_at: int, max_results: int
    ) -> list[dict[str, Any]]:
        """`user/search`: users matching a prefix of name or email (filtered before paging)."""
        return await self.request(  # type: ignore[no-any-return]
            "GET",
            f"{API}/user/search",
            params={"query": query, "startAt": start_at, "maxResults": max_results},
        )

    async def users(self, start_at: int, max_results: int) -> list[dict[str, Any]]:
        return await self.request(  # type: ignore[no-any-return]
            "GET", f"{API}/users/search", params={"startAt": start_at, "maxResults": max_results}
        )


def path_segment(value: str) -> str:
    """One URL path segment from caller input: `/`, `?`, `#` and dot segments cannot escape it."""
    quoted = quote(value, safe="")
    return quoted.replace(".", "%2E") if quoted in (".", "..") else quoted


def _messages(body: Any) -> tuple[str, Any]:
    if isinstance(body, dict):
        parts = list(body.get("errorMessages") or [])
        errors = body.get("errors") or {}
        if isinstance(errors, dict):  # a list in bulk answers (per entry): bulk_create reads it
            parts += [f"{k}: {v}" for k, v in errors.items()]
        for key in ("message", "errorMessage"):
            if body.get(key):
                parts.append(str(body[key]))
        return "; ".join(str(p) for p in parts), {
            "errorMessages": body.get("errorMessages") or [],
            "errors": errors,
        }
    return "", None


def _error(status: int, body: Any, not_found_message: str | None) -> VendorError:
    text, vendor_errors = _messages(body)
    if status in (401, 403):
        return VendorUnauthorized(
            "Jira rejected the connection's credentials"
            + (f" (HTTP {status})" if status == 403 else "")
            + (f": {text}" if text else "")
        )
    if status == 404:
        return VendorNotFound(not_found_message or "Not found in Jira", vendor_errors=vendor_errors)
    if status == 400 and isinstance(body, dict) and "issues" in body and "errors" in body:
        err = VendorRequestError("Jira rejected every entry", vendor_errors=vendor_errors)
        err.raw = body  # type: ignore[attr-defined]
        return err
    if status in (400, 409, 413, 422):
        return VendorRequestError(
            f"Jira rejected the request: {text}" if text else "Jira rejected the request",
            vendor_errors=vendor_errors,
        )
    return VendorUnavailable(f"Jira answered HTTP {status}")


__all__ = ["API", "JiraClient", "VendorBadQuery"]
