"""Watches this process's outgoing connections and DNS lookups (``sys.addaudithook``).

``with Egress() as egress: ...`` records every ``socket.connect`` to an address outside
loopback and every ``socket.getaddrinfo`` of a name (not an IP literal, not ``localhost``)
made by any thread while the block runs; the test asserts both lists stay empty.
"""

from __future__ import annotations

import ipaddress
import sys
import threading
from typing import Any

_active: list[Egress] = []
_lock = threading.Lock()
_installed = False


def _is_loopback(host: object) -> bool:
    if not isinstance(host, str):
        return True  # AF_UNIX paths and the like stay on this machine
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return host == "localhost"


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if not _active or event not in ("socket.connect", "socket.getaddrinfo"):
        return
    if event == "socket.connect":
        address = args[1]
        host = address[0] if isinstance(address, tuple) else address
        if _is_loopback(host):
            return
        record = ("connect", str(address))
    else:
        host = args[0]
        if isinstance(host, bytes):
            host = host.decode(errors="replace")
        if host is None or _is_loopback(host):
            return
        try:
            ipaddress.ip_address(str(host))
            return  # a literal: no lookup leaves the machine
        except ValueError:
            record = ("getaddrinfo", str(host))
    with _lock:
        for egress in _active:
            egress.events.append(record)


class Egress:
    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []

    def __enter__(self) -> Egress:
        global _installed
        with _lock:
            if not _installed:
                sys.addaudithook(_hook)
                _installed = True
            _active.append(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        with _lock:
            _active.remove(self)
