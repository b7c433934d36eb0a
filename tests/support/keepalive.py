"""One raw HTTP/1.1 keep-alive connection, to see whether the server keeps it open.

After an unhandled exception the server answers 500 and closes the connection; a clean
4xx keeps it. ``http.client`` reopens a closed connection silently, so the socket object is
compared across requests instead.
"""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import urlencode, urlsplit


class KeepAlive:
    def __init__(self, base_url: str, headers: dict[str, str]) -> None:
        url = urlsplit(base_url)
        self.conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=60)
        self.headers = headers
        self.sockets: set[int] = set()

    def __enter__(self) -> KeepAlive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.conn.close()

    def request(
        self,
        method: str,
        path: str,
        params: dict[str, str] | None = None,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        target = f"{path}?{urlencode(params)}" if params else path
        sent = {**self.headers, **(headers or {})}
        if body is not None:
            sent.setdefault("Content-Type", "application/json")
        self.conn.request(method, target, body=body, headers=sent)
        assert self.conn.sock is not None
        self.sockets.add(id(self.conn.sock))
        response = self.conn.getresponse()
        raw = response.read()
        closing = response.getheader("connection", "").lower() == "close"
        assert not closing, f"{method} {target} -> {response.status} with Connection: close"
        try:
            return response.status, json.loads(raw) if raw else None
        except ValueError:
            return response.status, raw

    def get(self, path: str, params: dict[str, str] | None = None) -> tuple[int, Any]:
        return self.request("GET", path, params)

    @property
    def reused(self) -> bool:
        """Every request went over the one connection opened first."""
        return len(self.sockets) == 1
