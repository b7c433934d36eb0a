"""The emulator's ASGI application.

Request pipeline for API routes (`/api/now/...`): count -> latency -> rate-limit rule and
injected 429/503 -> auth -> dispatch -> (writes) maybe drop the connection after the commit.
Control (`/_emulator/*`) and `/oauth_token.do` skip faults and auth. The Batch API runs its
items through the same dispatch (without faults or auth: the batch was checked once).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import re
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from . import oauth, routes_control, table_api
from .batch import run_batch
from .calls import Call, Reply, error_reply
from .config import ServiceNowConfig
from .errors import SNError, not_authenticated
from .faults import Faults
from .seed import seed
from .state import InstanceState, SeedParams

log = logging.getLogger(__name__)
TRANSPORT_KEY = "tb.transport"
TABLE_PATH = re.compile(r"^/api/now(?:/(v1|v2))?/table/([^/]+)(?:/([^/]+))?/?$")
STATS_PATH = re.compile(r"^/api/now(?:/(v1|v2))?/stats/([^/]+)/?$")
BATCH_PATH = re.compile(r"^/api/now/(v1|v2)/batch/?$")
WRITES = ("POST", "PUT", "PATCH", "DELETE")
NO_API = ("Requested URI does not represent any resource", None)


class Emulator:
    """One emulated instance: state, faults/stats, OAuth store, and the ASGI entry point."""

    def __init__(self, config: ServiceNowConfig) -> None:
        self.config = config
        self.state = InstanceState(
            SeedParams(
                seed=config.seed,
                users=config.users,
                groups=config.groups,
                records=config.records,
                username=config.username,
                roles=config.roles,
                incident_data_policy=config.incident_data_policy,
            ),
            seed,
        )
        self.faults = Faults(config.faults, seed=config.seed)
        self.oauth = oauth.OAuthStore(
            config.client_id,
            config.client_secret,
            config.access_token_ttl_seconds,
            config.client_credentials_grant,
        )
        self.passwords = {config.username: config.password}
        methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
        routes = [
            *routes_control.ROUTES,
            Route("/oauth_token.do", oauth.token, methods=["POST"]),
            Route("/api/{rest:path}", self.endpoint, methods=methods),
        ]
        self.app = Starlette(routes=routes)
        self.app.state.emulator = self

    def reset(self) -> None:
        """Seeded data back, stats zeroed, no faults (OAuth grants are kept)."""
        self.state.reset()
        self.faults.reset()

    # -- auth ----------------------------------------------------------------------------
    def check_password(self, user_name: str, password: str) -> str | None:
        """The user_name when these are good credentials of an active user, else None."""
        if self.passwords.get(user_name) != password:
            return None
        user = self.state.user_by_name(user_name)
        if user is None or user["active"] != "true" or user["locked_out"] == "true":
            return None
        return user_name

    def authenticate(self, request: Request) -> str:
        header = request.headers.get("authorization", "")
        if header.startswith("Bearer "):
            user = self.oauth.user_for(header[7:].strip())
            if user is not None:
                return user
        elif header.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(header[6:].strip()).decode()
            except (binascii.Error, UnicodeDecodeError):
                decoded = ""
            name, _, password = decoded.partition(":")
            user = self.check_password(name, password)
            if user is not None:
                return user
        raise not_authenticated()

    # -- dispatch ------------------------------------------------------------------------
    def label(self, call: Call) -> str:
        if match := TABLE_PATH.match(call.path):
            suffix = "/{sys_id}" if match.group(3) else ""
            return f"{call.method} /api/now/table/{match.group(2)}{suffix}"
        if match := STATS_PATH.match(call.path):
            return f"{call.method} /api/now/stats/{match.group(2)}"
        if BATCH_PATH.match(call.path):
            return f"{call.method} /api/now/batch"
        return f"{call.method} (no API)"

    async def dispatch(self, call: Call, in_batch: bool = True) -> Reply:
        """Answer one API call (an SNError becomes its error reply)."""
        try:
            return await self._dispatch(call, in_batch)
        except SNError as exc:
            return error_reply(exc)

    async def _dispatch(self, call: Call, in_batch: bool) -> Reply:
        method, state = call.method, self.state
        call.check_formats(method in WRITES)
        if match := TABLE_PATH.match(call.path):
            version, table, sys_id = match.groups()
            state.check_table_access(call.user, table)
            if sys_id is None and method in ("GET", "HEAD"):
                reply, size = table_api.list_records(
                    state, call, table, version or "", self.config.invalid_query_returns_no_rows
                )
                cancelled = self.faults.cancelled(size)
                if cancelled is not None:
                    return Reply(cancelled.status, cancelled.body, cancelled.headers)
                return reply
            if sys_id is None and method == "POST":
                reply = table_api.create_record(state, call, table)
                self.faults.stats.records_created += 1
                return reply
            if sys_id is not None and method in ("GET", "HEAD"):
                return table_api.get_record(state, call, table, sys_id)
            if sys_id is not None and method in ("PUT", "PATCH"):
                return table_api.update_record(state, call, table, sys_id)
            if sys_id is not None and method == "DELETE":
                return table_api.delete_record(state, call, table, sys_id)
            raise SNError(405, "Method not Supported", f"{method} is not supported here")
        if (match := STATS_PATH.match(call.path)) and method in ("GET", "HEAD"):
            state.check_table_access(call.user, match.group(2))
            return table_api.count_records(state, call, match.group(2))
        if BATCH_PATH.match(call.path) and method == "POST" and not in_batch:
            return await run_batch(call, self.dispatch, self.faults.config.batch_timeout_seconds)
        raise SNError(400, *NO_API)

    async def endpoint(self, request: Request) -> Response:
        call = Call(
            method=request.method,
            path=request.url.path,
            params=request.query_params,
            body=await request.body(),
            headers={k.lower(): v for k, v in request.headers.items()},
            base=request.scope["tb.base"],
        )
        override = call.headers.get("x-http-method-override", "").upper()
        if override in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            call.method = override
        faults = self.faults
        faults.stats.routes[self.label(call)] += 1
        await faults.delay()
        injected = faults.check()
        if injected is not None:
            return _respond(Reply(injected.status, injected.body, injected.headers))
        try:
            call.user = self.authenticate(request)
        except SNError as exc:
            return _respond(error_reply(exc))
        reply = await self.dispatch(call, in_batch=False)
        reply.headers.update(faults.rate_headers())
        if call.method in WRITES and reply.status < 300 and faults.should_drop():
            request.scope["tb.drop"] = True
        return _respond(reply)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.faults.stats.requests_total += 1
        scope = dict(scope)
        scope["tb.base"] = _origin(scope)
        await self.app(scope, receive, self._sender(scope, send))

    def _sender(self, scope: dict[str, Any], send: Send) -> Send:
        stats = self.faults.stats
        dropped = False

        async def wrapped(message: Message) -> None:
            nonlocal dropped
            if message["type"] == "http.response.start":
                if scope.get("tb.drop"):
                    transport = scope.get("extensions", {}).get(TRANSPORT_KEY)
                    if transport is None:
                        log.warning("drop-after-commit needs the emulator server's protocol")
                    else:
                        dropped = True
                        stats.drops += 1
                        transport.abort()
                        await asyncio.sleep(0)  # let uvicorn see the connection loss
                        return
                stats.statuses[message["status"]] += 1
            if not dropped:
                await send(message)

        return wrapped


def _respond(reply: Reply) -> Response:
    content = reply.content()
    headers = dict(reply.headers)
    if reply.body is None:
        return Response(b"", reply.status, headers=headers)
    media = "application/json;charset=UTF-8"
    return Response(content, reply.status, headers=headers, media_type=media)


def _origin(scope: Scope) -> str:
    host = None
    for key, value in scope.get("headers", []):
        if key == b"host":
            host = value.decode("latin-1")
            break
    if host is None:
        server = scope.get("server") or ("127.0.0.1", 80)
        host = f"{server[0]}:{server[1]}"
    return f"{scope.get('scheme', 'http')}://{host}"


def create_app(config: ServiceNowConfig | None = None) -> Emulator:
    """Build the ASGI app (an `Emulator`, callable as ASGI) for `config`."""
    return Emulator(config or ServiceNowConfig())
