"""OAuth 2.0 at `/oauth_token.do`: password, refresh_token and client_credentials grants,
bearer tokens with an expiry."""

from __future__ import annotations

import base64
import binascii
import secrets
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote_plus

from starlette.requests import Request
from starlette.responses import JSONResponse, Response


@dataclass(slots=True)
class Grant:
    user: str
    expires: float  # monotonic


class OAuthStore:
    def __init__(self, client_id: str, client_secret: str, ttl: float, credentials: bool) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.ttl = ttl
        self.client_credentials = credentials
        self.access: dict[str, Grant] = {}
        self.refresh: dict[str, str] = {}  # refresh token -> user_name

    def user_for(self, token: str) -> str | None:
        grant = self.access.get(token)
        if grant is None or grant.expires <= time.monotonic():
            return None
        return grant.user

    def issue(self, user: str, with_refresh: bool) -> dict[str, object]:
        token = secrets.token_urlsafe(48)
        self.access[token] = Grant(user, time.monotonic() + self.ttl)
        body: dict[str, object] = {
            "access_token": token,
            "scope": "useraccount",
            "token_type": "Bearer",
            "expires_in": int(self.ttl),
        }
        if with_refresh:
            refresh = secrets.token_urlsafe(48)
            self.refresh[refresh] = user
            body["refresh_token"] = refresh
        return body

    def expire_all(self) -> None:
        """Test hook: every access token issued so far is expired."""
        for grant in self.access.values():
            grant.expires = 0.0


def _denied(description: str = "access_denied") -> Response:
    return JSONResponse({"error_description": description, "error": "server_error"}, 401)


def _basic_client(header: str) -> tuple[str, str] | None:
    """Client credentials sent as HTTP Basic (client_secret_basic), if they are."""
    if not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip()).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, _, secret = decoded.partition(":")
    return unquote_plus(client_id), unquote_plus(secret)


async def token(request: Request) -> Response:
    emulator = request.app.state.emulator
    store: OAuthStore = emulator.oauth
    if "application/x-www-form-urlencoded" not in request.headers.get("content-type", ""):
        return JSONResponse({"error_description": "invalid_request", "error": "server_error"}, 400)
    try:
        values = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
    except UnicodeDecodeError:
        return _denied("invalid_request")
    client = _basic_client(request.headers.get("authorization", ""))
    client_id, secret = client or (values.get("client_id"), values.get("client_secret"))
    if client_id != store.client_id or secret != store.client_secret:
        return _denied()
    grant = values.get("grant_type", "")
    if grant == "password":
        user = emulator.check_password(values.get("username", ""), values.get("password", ""))
        if user is None:
            return _denied()
        return JSONResponse(store.issue(user, with_refresh=True))
    if grant == "refresh_token":
        user = store.refresh.get(values.get("refresh_token", ""))
        if user is None:
            return _denied()
        return JSONResponse(store.issue(user, with_refresh=False))
    if grant == "client_credentials" and store.client_credentials:
        return JSONResponse(store.issue(emulator.config.username, with_refresh=False))
    return JSONResponse(
        {"error_description": "unsupported_grant_type", "error": "server_error"}, 400
    )
