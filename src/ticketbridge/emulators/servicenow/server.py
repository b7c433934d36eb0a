"""Run the emulator over real HTTP(S): `ServiceNowServer` (background thread) and `serve`.

Uvicorn runs with `TransportProtocol`, an h11 protocol that exposes the connection's
transport to the app as `scope["extensions"]["tb.transport"]`; the app aborts it to emulate
"the write committed but the client never got an answer". TLS is optional (some clients,
PySNC among them, refuse plain http URLs).
"""

from __future__ import annotations

import asyncio
import dataclasses
import signal
import socket
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from . import persist
from .app import TRANSPORT_KEY, Emulator, create_app
from .config import ServiceNowConfig
from .faults import FaultConfig
from .state import InstanceState

__all__ = ["FaultConfig", "ServiceNowConfig", "ServiceNowServer", "serve"]


class TransportProtocol(H11Protocol):
    """h11 protocol that hands the TCP transport to the ASGI app via scope extensions."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)

    def handle_events(self) -> None:
        super().handle_events()
        scope: Any = getattr(self, "scope", None)
        if scope is not None and self.transport is not None:
            scope.setdefault("extensions", {})[TRANSPORT_KEY] = self.transport


def _uvicorn_config(
    app: Emulator, config: ServiceNowConfig, port: int, tls: tuple[str, str] | None
) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=config.host,
        port=port,
        http=TransportProtocol,
        lifespan="off",
        access_log=config.access_log,
        log_level="info" if config.access_log else "warning",
        timeout_keep_alive=30,
        ssl_certfile=tls[0] if tls else None,
        ssl_keyfile=tls[1] if tls else None,
    )


class ServiceNowServer:
    """The emulator on a real TCP port in a background thread (for tests and benchmarks)."""

    def __init__(
        self,
        config: ServiceNowConfig | None = None,
        tls: tuple[str, str] | None = None,
        **overrides: Any,
    ) -> None:
        base = config or ServiceNowConfig()
        if isinstance(overrides.get("faults"), dict):
            overrides["faults"] = FaultConfig().updated(overrides["faults"])
        self.config = dataclasses.replace(base, **overrides) if overrides else base
        self.tls = tls  # (certificate file, key file)
        self.emulator = create_app(self.config)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None
        self.port = self.config.port

    @property
    def state(self) -> InstanceState:
        return self.emulator.state

    @property
    def base_url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{self.config.host}:{self.port}"

    def start(self) -> ServiceNowServer:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.config.host, self.config.port))
        self._sock = sock
        self.port = sock.getsockname()[1]
        server = uvicorn.Server(_uvicorn_config(self.emulator, self.config, self.port, self.tls))
        self._server = server
        self._thread = threading.Thread(
            target=lambda: asyncio.run(server.serve(sockets=[sock])),
            name=f"servicenow-emulator-{self.port}",
            daemon=True,
        )
        self._thread.start()
        while not server.started:
            if not self._thread.is_alive():
                raise RuntimeError("ServiceNow emulator failed to start")
            self._thread.join(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            # Clients' idle keep-alive TLS connections would otherwise hold the shutdown.
            self._server.force_exit = True
        if self._thread is not None:
            self._thread.join(10)
        if self._sock is not None:
            self._sock.close()
        self._server = self._thread = self._sock = None

    def __enter__(self) -> ServiceNowServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def set_faults(self, **changes: Any) -> None:
        """Partial update of the fault settings (same keys as POST /_emulator/faults)."""
        self.emulator.faults.update(changes)

    def reset(self) -> None:
        """Seeded data back, stats zeroed, faults cleared (like POST /_emulator/reset)."""
        self.emulator.reset()

    @property
    def stats(self) -> dict[str, Any]:
        return self.emulator.faults.stats.as_dict()


def _exit(_signum: int, _frame: Any) -> None:
    raise SystemExit(0)


def serve(
    config: ServiceNowConfig,
    state_file: Path | None = None,
    tls: tuple[str, str] | None = None,
) -> None:
    """Run the emulator in the foreground until interrupted (used by the CLI).

    With ``state_file``, the instance's data is loaded from it at start (when it exists)
    and saved to it when the server stops (SIGINT or SIGTERM).
    """
    emulator = create_app(config)
    if state_file is not None:
        persist.load(emulator.state, state_file)
    signal.signal(signal.SIGTERM, _exit)
    try:
        uvicorn.Server(_uvicorn_config(emulator, config, config.port or 8082, tls)).run()
    finally:
        if state_file is not None:
            persist.save(emulator.state, state_file)
