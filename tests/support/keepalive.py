"""One raw HTTP/1.1 keep-alive connection, to see whether the server keeps it open.

After an unhandled exception the server answers 500 and closes the connection; a clean
4xx keeps it. ``http.client`` reopens a closed connection silently, so the socket object is
compared across requests instead, and a connection the server dropped without saying so
(the next request finds it closed) is recorded in `dropped_after` and opened again.
"""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import urlencode, urlsplit


class KeepAlive:
    def __init__(self, base_url: str, headers: dict[str, str]) -> None:
        url = urlsplit(base_url)
        self.conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=120)
        self.headers = headers
        self.sockets: set[Any] = set()
        self.dropped_after: list[str] = []
        self._last = ""

    def __enter__(self) -> KeepAlive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.conn.close()

    def send(
        self,
        method: str,
        target: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        """`target` is sent as given (already percent-encoded). Returns (status, JSON or bytes)."""
        sent = {**self.headers, **(headers or {})}
        if body is not None:
            sent.setdefault("Content-Type", "application/json")
        try:
            response = self._exchange(method, target, body, sent)
        except (http.client.RemoteDisconnected, ConnectionError):
            self.dropped_after.append(self._last)
            self.conn.close()
            response = self._exchange(method, target, body, sent)
        self._last = f"{method} {target[:200]} -> {response.status}"
        raw = response.read()
        if response.getheader("connection", "").lower() == "close":
            self.dropped_after.append(self._last + " (Connection: close)")
        try:
            return response.status, json.loads(raw) if raw else None
        except ValueError:
            return response.status, raw

    def _exchange(
        self, method: str, target: str, body: bytes | None, headers: dict[str, str]
    ) -> http.client.HTTPResponse:
        self.conn.request(method, target, body=body, headers=headers)
        assert self.conn.sock is not None
        self.sockets.add(self.conn.sock)
        return self.conn.getresponse()

    def get(self, path: str, params: dict[str, str] | None = None) -> tuple[int, Any]:
        return self.send("GET", f"{path}?{urlencode(params)}" if params else path)

    @property
    def reused(self) -> bool:
        """Every request went over the one connection opened first."""
        return len(self.sockets) == 1 and not self.dropped_after
