"""Emulator control endpoints under /_emulator (no auth, never subject to faults)."""

from __future__ import annotations

import json
import os
from typing import Protocol

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .config import Site
from .faults import Faults
from .state import EmulatorState


class Controlled(Protocol):
    """What the control endpoints drive: the app puts it in `app.state.emulator`."""

    @property
    def site(self) -> Site: ...

    @property
    def state(self) -> EmulatorState: ...

    @property
    def faults(self) -> Faults: ...

    def reset(self) -> None: ...


def _emulator(request: Request) -> Controlled:
    emulator: Controlled = request.app.state.emulator
    return emulator


async def get_faults(request: Request) -> Response:
    return JSONResponse(_emulator(request).faults.config.as_dict())


async def set_faults(request: Request) -> Response:
    """Partial update: only the keys present change."""
    try:
        changes = json.loads(await request.body() or b"{}")
        if not isinstance(changes, dict):
            raise ValueError("body must be a JSON object")
        config = _emulator(request).faults.update(changes)
    except (ValueError, TypeError) as exc:
        return JSONResponse({"errorMessages": [str(exc)], "errors": {}}, 400)
    return JSONResponse(config.as_dict())


async def get_stats(request: Request) -> Response:
    return JSONResponse(_emulator(request).faults.stats.as_dict())


async def reset(request: Request) -> Response:
    """Restore the seeded data and zero stats and faults."""
    emulator = _emulator(request)
    emulator.reset()
    return JSONResponse({"issues": len(emulator.state.issues)})


async def info(request: Request) -> Response:
    emulator = _emulator(request)
    state = emulator.state
    return JSONResponse(
        {
            "cloudId": emulator.site.cloud_id,
            "email": state.email,
            "projects": [p.key for p in state.projects.values()],
            "users": len(state.users),
            "issues": len(state.issues),
            "pid": os.getpid(),  # the sandbox checks it started (and may stop) this process
        }
    )


ROUTES = [
    Route("/_emulator/faults", get_faults, methods=["GET"]),
    Route("/_emulator/faults", set_faults, methods=["POST"]),
    Route("/_emulator/stats", get_stats, methods=["GET"]),
    Route("/_emulator/reset", reset, methods=["POST"]),
    Route("/_emulator/info", info, methods=["GET"]),
]
