"""Request plumbing shared by the REST route modules: context, parameters, JSON bodies."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .errors import JiraError, bad_request, not_found
from .faults import Faults
from .models import Issue
from .serializers import Api
from .state import EmulatorState


@dataclass(slots=True)
class Ctx:
    """What a REST handler needs: the store, the API flavour/base, the raw request, and the
    site's faults (stats, search visibility of new issues)."""

    state: EmulatorState
    api: Api
    request: Request
    faults: Faults

    def issue(self, id_or_key: str | None = None) -> Issue:
        ident = id_or_key if id_or_key is not None else self.request.path_params["issueIdOrKey"]
        issue = self.state.issue(ident)
        if issue is None:
            raise not_found()
        return issue

    def query_list(self, name: str) -> list[str]:
        """A multi-valued parameter: repeated (`a=1&a=2`) and/or comma separated."""
        return [
            part.strip()
            for value in self.request.query_params.getlist(name)
            for part in value.split(",")
            if part.strip()
        ]

    def query_int(self, name: str, default: int) -> int:
        raw = self.request.query_params.get(name)
        if raw is None or raw == "":
            return default
        try:
            return int(raw)
        except ValueError:
            raise bad_request(None, f"The '{name}' parameter must be an integer.") from None

    def query_bool(self, name: str, default: bool = False) -> bool:
        raw = self.request.query_params.get(name)
        return default if raw is None else raw.lower() == "true"

    async def body(self) -> Any:
        raw = await self.request.body()
        if not raw.strip():
            return None
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise bad_request(None, f"Unexpected character in JSON body: {exc}") from None


Handler = Callable[[Ctx], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class ApiRoute:
    """A REST route under /rest/api/{2,3}; `write` marks it for drop-after-commit faults."""

    path: str
    handler: Handler
    methods: tuple[str, ...] = ("GET",)
    write: bool = False

    @property
    def template(self) -> str:
        return "/rest/api/{version}" + self.path


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(body, status, headers=headers)


def no_content() -> Response:
    return Response(status_code=204)


def error_response(error: JiraError) -> Response:
    return JSONResponse(error.body(), error.status)
