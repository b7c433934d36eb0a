"""A resolver for tests: names resolve to what the test says, nothing reaches real DNS."""

from __future__ import annotations

import socket
import threading


class FakeDNS:
    """``await dns(host)``: the addresses set for ``host``, else ``socket.gaierror``.

    Answers can be changed while a server uses it (DNS rebinding); every lookup is recorded.
    """

    def __init__(self, answers: dict[str, list[str]] | None = None) -> None:
        self.answers = dict(answers or {})
        self.lookups: list[str] = []
        self._lock = threading.Lock()

    def set(self, host: str, *addresses: str) -> None:
        with self._lock:
            self.answers[host] = list(addresses)

    async def __call__(self, host: str) -> list[str]:
        with self._lock:
            self.lookups.append(host)
            answer = self.answers.get(host)
        if answer is None:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return list(answer)
