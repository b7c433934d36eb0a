"""Emulator control endpoints under /_emulator (no auth, never subject to faults)."""

from __future__ import annotations

import json
import os
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .faults import Faults
from .state import InstanceState


class Emulator(Protocol):
    """What the control endpoints use of the emulator (app.Emulator)."""

    faults: Faults
    state: InstanceState
    config: Any

    def reset(self) -> None: ...


def _emulator(request: Request) -> Emulator:
    emulator: Emulator = request.app.state.emulator
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
        return JSONResponse({"error": {"message": str(exc), "detail": None}}, 400)
    return JSONResponse(config.as_dict())


async def get_stats(request: Request) -> Response:
    return JSONResponse(_emulator(request).faults.stats.as_dict())


async def reset(request: Request) -> Response:
    """Restore the seeded data and zero stats and faults."""
    emulator = _emulator(request)
    emulator.reset()
    return JSONResponse(_counts(emulator))


def _counts(emulator: Emulator) -> dict[str, int]:
    return {table: len(rows) for table, rows in emulator.state.tables.items()}


async def info(request: Request) -> Response:
    emulator = _emulator(request)
    return JSONResponse(
        {
            "username": emulator.config.username,
            "tables": _counts(emulator),
            "pid": os.getpid(),
        }
    )


ROUTES = [
    Route("/_emulator/faults", get_faults, methods=["GET"]),
    Route("/_emulator/faults", set_faults, methods=["POST"]),
    Route("/_emulator/stats", get_stats, methods=["GET"]),
    Route("/_emulator/reset", reset, methods=["POST"]),
    Route("/_emulator/info", info, methods=["GET"]),
]
