"""The emulator's ASGI application.

Request pipeline for REST routes (`/rest/api/{2,3}/...`, optionally behind the gateway
prefix `/ex/jira/{cloudId}`): count -> latency -> injected 429/503 -> auth -> handler ->
(writes) maybe drop the connection after the commit. Control (`/_emulator/*`) and OAuth
routes skip faults and auth.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
from typing import Any

from starlette.applications import Starlette
from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from . import oauth, routes_control, routes_issues, routes_meta, routes_search, routes_users
from .config import EmulatorConfig, Site
from .errors import NOT_AUTHENTICATED, JiraError
from .faults import Faults
from .http import ApiRoute, Ctx, error_response
from .seed import seed_state
from .serializers import Api
from .state import EmulatorState, SeedParams

log = logging.getLogger(__name__)
GATEWAY = "/ex/jira/"
TRANSPORT_KEY = "tb.transport"


class ApiVersionConvertor(Convertor[str]):
    regex = "[23]"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("apiver", ApiVersionConvertor())


class Emulator:
    """One emulated site: state, faults/stats, OAuth store, and the ASGI entry point."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.site = Site(config.cloud_id, config.site_name)
        self.state = EmulatorState(
            SeedParams(
                seed=config.seed,
                projects=config.projects,
                users=config.users,
                issues=config.issues,
                email=config.email,
                api_token=config.api_token,
                require_bug_customer_impact=config.require_bug_customer_impact,
            ),
            seed_state,
        )
        self.faults = Faults(config.faults, seed=config.seed)
        self.oauth = oauth.OAuthStore(
            config.oauth_client_id, config.oauth_client_secret, config.access_token_ttl_seconds
        )
        self._basic = (
            "Basic " + base64.b64encode(f"{config.email}:{config.api_token}".encode()).decode()
        )
        routes: list[Route] = []
        for module in (routes_meta, routes_issues, routes_search, routes_users):
            routes.extend(self._route(r) for r in module.ROUTES)
        routes.extend(routes_control.ROUTES)
        routes.extend(oauth.ROUTES)
        self.app = Starlette(routes=routes)
        self.app.state.emulator = self
        self.app.state.oauth = self.oauth
        self.app.state.site = self.site

    def reset(self) -> None:
        """Seeded data back, stats zeroed, no faults (OAuth grants are kept)."""
        self.state.reset()
        self.faults.reset()

    # -- auth ----------------------------------------------------------------------------
    def authenticate(self, request: Request, write: bool) -> Response | None:
        """None when the credentials are good, else the 401 answer Jira would give."""
        header = request.headers.get("authorization", "")
        gateway = request.scope.get("tb.gateway", False)
        if header.startswith("Bearer "):
            scope = self.oauth.access_scope(header[7:].strip())
            needed = "write:jira-work" if write else None
            if scope is not None and (needed is None or needed in scope.split()):
                return None
            if gateway:
                return JSONResponse({"code": 401, "message": "Unauthorized"}, 401)
        elif header == self._basic or self._basic_matches(header):
            return None
        return JSONResponse(
            {"errorMessages": [NOT_AUTHENTICATED], "errors": {}},
            401,
            headers={"X-Seraph-LoginReason": "AUTHENTICATED_FAILED"},
        )

    def _basic_matches(self, header: str) -> bool:
        if not header.lower().startswith("basic "):
            return False
        try:
            decoded = base64.b64decode(header[6:].strip()).decode()
        except (binascii.Error, UnicodeDecodeError):
            return False
        email, _, token = decoded.partition(":")
        return email.lower() == self.config.email.lower() and token == self.config.api_token

    # -- routing -------------------------------------------------------------------------
    def _route(self, spec: ApiRoute) -> Route:
        label_by_method = {m: f"{m} {spec.template}" for m in spec.methods}

        async def endpoint(request: Request) -> Response:
            stats = self.faults.stats
            stats.routes[label_by_method[request.method]] += 1
            await self.faults.delay()
            injected = self.faults.check()
            if injected is not None:
                return JSONResponse(injected.body, injected.status, headers=injected.headers)
            denied = self.authenticate(request, spec.write)
            if denied is not None:
                return denied
            api = Api(request.scope["tb.base"], request.path_params["version"])
            try:
                response = await spec.handler(Ctx(self.state, api, request, self.faults))
            except JiraError as exc:
                return error_response(exc)
            if spec.write and response.status_code < 300 and self.faults.should_drop():
                request.scope["tb.drop"] = True
            return response

        path = "/rest/api/{version:apiver}" + spec.path
        return Route(
            path, endpoint, methods=list(spec.methods), name=label_by_method[spec.methods[0]]
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.faults.stats.requests_total += 1
        scope = dict(scope)
        origin = _origin(scope)
        path: str = scope["path"]
        scope["tb.base"] = origin
        if path.startswith(GATEWAY):
            cloud_id, _, rest = path[len(GATEWAY) :].partition("/")
            if cloud_id != self.site.cloud_id:
                await _send_json(send, 404, {"code": 404, "message": "Not Found"})
                return
            scope["path"] = "/" + rest
            scope["raw_path"] = scope["path"].encode()
            scope["tb.base"] = f"{origin}{GATEWAY}{cloud_id}"
            scope["tb.gateway"] = True
        await self.app(scope, receive, self._sender(scope, send))

    def _sender(self, scope: dict[str, Any], send: Send) -> Send:
        stats = self.faults.stats
        dropped = False

        async def wrapped(message: Message) -> None:
            nonlocal dropped
            if message["type"] == "http.response.start":
                if scope.get("tb.drop"):
                    dropped = True
                    stats.drops += 1
                    transport = scope.get("extensions", {}).get(TRANSPORT_KEY)
                    if transport is None:
                        log.warning("drop-after-commit needs EmulatorServer's protocol; sending")
                        dropped = False
                    else:
                        transport.abort()
                        await asyncio.sleep(0)  # let uvicorn see the connection loss
                        return
                stats.statuses[message["status"]] += 1
            if not dropped:
                await send(message)

        return wrapped


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


async def _send_json(send: Send, status: int, body: dict[str, Any]) -> None:
    response = JSONResponse(body, status)
    await send({"type": "http.response.start", "status": status, "headers": response.raw_headers})
    await send({"type": "http.response.body", "body": response.body})


def create_app(config: EmulatorConfig | None = None) -> Emulator:
    """Build the ASGI app (an `Emulator`, callable as ASGI) for `config`."""
    return Emulator(config or EmulatorConfig())
