"""OAuth 2.0 (3LO) authorization server, as auth.atlassian.com and api.atlassian.com behave.

- `/authorize` auto-consents and redirects to any http(s) `redirect_uri` with `code` + `state`.
- `/oauth/token` exchanges codes and refresh tokens; refresh tokens rotate (single use) and
  come only when the scope includes `offline_access`.
- `/oauth/token/accessible-resources` lists the one emulated site.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

DEFAULT_SCOPE = "read:jira-work write:jira-work read:jira-user offline_access"


@dataclass(slots=True)
class Grant:
    scope: str
    expires_at: float


@dataclass(slots=True)
class OAuthStore:
    client_id: str
    client_secret: str
    access_token_ttl: float
    codes: dict[str, tuple[str, str, float]] = field(default_factory=dict)  # code -> uri, scope
    access: dict[str, Grant] = field(default_factory=dict)
    refresh: dict[str, str] = field(default_factory=dict)  # refresh token -> scope
    lock: threading.Lock = field(default_factory=threading.Lock)

    def issue_code(self, redirect_uri: str, scope: str) -> str:
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.codes[code] = (redirect_uri, scope, time.time() + 600)
        return code

    def access_scope(self, token: str) -> str | None:
        """The scope of a live access token, or None if unknown or expired."""
        grant = self.access.get(token)
        if grant is None or grant.expires_at <= time.time():
            return None
        return grant.scope

    def _tokens(self, scope: str) -> dict[str, Any]:
        access = secrets.token_urlsafe(32)
        with self.lock:
            self.access[access] = Grant(scope, time.time() + self.access_token_ttl)
            body: dict[str, Any] = {
                "access_token": access,
                "expires_in": int(self.access_token_ttl),
                "scope": scope,
                "token_type": "Bearer",
            }
            if "offline_access" in scope.split():
                refresh = secrets.token_urlsafe(32)
                self.refresh[refresh] = scope
                body["refresh_token"] = refresh
        return body

    def exchange(self, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Handle a token request body; returns (status, JSON body)."""
        if (
            data.get("client_id") != self.client_id
            or data.get("client_secret") != self.client_secret
        ):
            return 401, {"error": "access_denied", "error_description": "Unauthorized"}
        grant_type = data.get("grant_type")
        if grant_type == "authorization_code":
            with self.lock:
                found = self.codes.pop(str(data.get("code")), None)
            if found is None or found[2] < time.time():
                return 403, {
                    "error": "invalid_grant",
                    "error_description": "Invalid authorization code",
                }
            if data.get("redirect_uri") != found[0]:
                return 403, {"error": "invalid_grant", "error_description": "redirect_uri mismatch"}
            return 200, self._tokens(found[1])
        if grant_type == "refresh_token":
            with self.lock:
                scope = self.refresh.pop(str(data.get("refresh_token")), None)
            if scope is None:
                return 403, {
                    "error": "invalid_grant",
                    "error_description": "Unknown or invalid refresh token.",
                }
            return 200, self._tokens(scope)
        return 400, {"error": "unsupported_grant_type", "error_description": str(grant_type)}


def _store(request: Request) -> OAuthStore:
    store: OAuthStore = request.app.state.oauth
    return store


async def authorize(request: Request) -> Response:
    params = request.query_params
    store = _store(request)
    redirect_uri = params.get("redirect_uri", "")
    parts = urlsplit(redirect_uri)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return JSONResponse(
            {"error": "invalid_request", "error_description": "bad redirect_uri"}, 400
        )
    if params.get("client_id") != store.client_id or params.get("response_type") != "code":
        return JSONResponse(
            {"error": "unauthorized_client", "error_description": "unknown client"}, 400
        )
    code = store.issue_code(redirect_uri, params.get("scope") or DEFAULT_SCOPE)
    query = {"code": code}
    if "state" in params:
        query["state"] = params["state"]
    separator = "&" if parts.query else "?"
    return RedirectResponse(redirect_uri + separator + urlencode(query), status_code=302)


async def token(request: Request) -> Response:
    content_type = request.headers.get("content-type", "")
    data: dict[str, Any]
    try:
        if content_type.startswith("application/json"):
            loaded = await request.json()
            data = loaded if isinstance(loaded, dict) else {}
        else:
            data = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
    except ValueError:
        data = {}
    status, body = _store(request).exchange(data)
    return JSONResponse(body, status, headers={"Cache-Control": "no-store"})


async def accessible_resources(request: Request) -> Response:
    header = request.headers.get("authorization", "")
    scope = None
    if header.lower().startswith("bearer "):
        scope = _store(request).access_scope(header[7:].strip())
    if scope is None:
        return JSONResponse({"code": 401, "message": "Unauthorized"}, 401)
    site = request.app.state.site
    base = f"{request.url.scheme}://{request.url.netloc}"
    return JSONResponse(
        [
            {
                "id": site.cloud_id,
                "name": site.name,
                "url": base,
                "scopes": [s for s in scope.split() if s != "offline_access"],
                "avatarUrl": f"{base}/images/site-avatar.png",
            }
        ]
    )


ROUTES = [
    Route("/authorize", authorize, methods=["GET"]),
    Route("/oauth/token", token, methods=["POST"]),
    Route("/oauth/token/accessible-resources", accessible_resources, methods=["GET"]),
]
