"""Our API over real HTTP in a background thread (the vendor is the emulator, also real HTTP)."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import uvicorn

from ticketbridge.app import create_app
from ticketbridge.config import Settings
from ticketbridge.context import AppContext
from ticketbridge.netguard import Resolver
from ticketbridge.server import tcp_socket


class ApiServer:
    def __init__(self, settings: Settings, *, resolver: Resolver | None = None) -> None:
        """``resolver`` replaces DNS for the URLs callers choose (webhooks)."""
        self.settings = settings
        self.resolver = resolver
        self._thread: threading.Thread | None = None
        self._server: uvicorn.Server | None = None
        self.base_url = ""

    def start(self) -> ApiServer:
        sock = tcp_socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        context = (
            AppContext.create(self.settings, resolver=self.resolver) if self.resolver else None
        )
        app = create_app(self.settings, context=context)
        config = uvicorn.Config(app, log_level="warning", lifespan="on")
        server = uvicorn.Server(config)
        self._server = server
        self._thread = threading.Thread(
            target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("API server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self._server:
            self._server.should_exit = True
        if self._thread:
            self._thread.join(timeout=15)

    def __enter__(self) -> ApiServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
