"""The HTTP server `ticketbridge serve` runs: uvicorn with limits on what a client may hold.

uvicorn bounds neither the size of a request's headers under httptools (its fast parser)
nor the time a client may take to send them: a 30 MB header was answered, and connections
that never finished their headers stayed open for good (slowloris). ``GuardedHttpTools``
adds both: headers (request line included) over ``server_max_header_bytes`` are answered
431 and the connection closed; a request whose headers are not complete
``server_header_timeout_seconds`` after its first byte (or after the connection opened) is
answered 408 and closed, however slowly it keeps sending. Keep-alive and graceful-shutdown
timeouts are uvicorn's own settings. See docs/operations.md for what to put in front.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol  # uvicorn[standard]

from ticketbridge.config import Settings

log = logging.getLogger("ticketbridge.server")


def _response(status: bytes, code: bytes, detail: bytes) -> bytes:
    """A complete response in the contract's error shape, closing the connection."""
    body = b'{"detail":"' + detail + b'","code":"' + code + b'"}'
    return (
        b"HTTP/1.1 " + status + b"\r\ncontent-type: application/json\r\n"
        b"content-length: " + str(len(body)).encode() + b"\r\nconnection: close\r\n\r\n" + body
    )


class GuardedHttpTools(HttpToolsProtocol):
    """uvicorn's httptools protocol with a header size limit and a header read timeout."""

    max_header_bytes = 32 * 1024
    header_timeout = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_bytes = 0
        self._pending_bytes = 0
        self._began_here = False
        self._too_large = False
        self._header_timer: asyncio.TimerHandle | None = None

    # The clock runs from the connection (or the request's first byte) to the end of
    # its headers; data arriving does not restart it.
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self._began_here = False
        super().data_received(data)
        # httptools hands a header over only once its value is complete, buffering it until
        # then: count the raw bytes of a request whose headers are still incomplete too. The
        # chunk a request began in may also hold the end of the previous one (pipelining),
        # so it counts as one byte: the buffered excess stays under one read (256 KiB).
        if self._header_timer is not None:
            self._pending_bytes += 1 if self._began_here else len(data)
            if self._pending_bytes > self.max_header_bytes:
                self._too_large = True
        else:
            self._pending_bytes = 0
        if self._too_large and not self.transport.is_closing():
            self._refuse(
                b"431 Request Header Fields Too Large",
                b"HEADERS_TOO_LARGE",
                b"Request headers exceed the server's limit",
            )

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._header_bytes = 0
        self._pending_bytes = 0
        self._began_here = True
        self._arm()

    def on_url(self, url: bytes) -> None:
        if self._counted(len(url)):
            super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        if self._counted(len(name) + len(value) + 4):
            super().on_header(name, value)

    def on_headers_complete(self) -> None:
        if self._too_large:
            return
        self._disarm()
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self._too_large:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if not self._too_large:
            super().on_message_complete()

    def _counted(self, size: int) -> bool:
        self._header_bytes += size
        if self._header_bytes > self.max_header_bytes:
            self._too_large = True
        return not self._too_large

    def _arm(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self.header_timeout, self._timed_out)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _timed_out(self) -> None:
        self._header_timer = None
        if self.transport.is_closing():
            return
        if not self._pending_bytes:
            # Not a byte of a request yet: close quietly, as an idle keep-alive connection
            # is closed (a proxy sending its next request just now must not read a 408).
            self.transport.close()
            return
        self._refuse(
            b"408 Request Timeout", b"HEADER_TIMEOUT", b"Request headers not received in time"
        )

    def _refuse(self, status: bytes, code: bytes, detail: bytes) -> None:
        self._disarm()
        log.info("closing a connection: %s", status.decode())
        self.transport.write(_response(status, code, detail))
        self.transport.close()


def tcp_socket() -> socket.socket:
    """A socket to listen on for HTTP, made so that asyncio turns Nagle off on every
    connection it accepts.

    asyncio sets ``TCP_NODELAY`` only on sockets whose protocol is ``IPPROTO_TCP``, and an
    accepted socket takes the listening socket's: ``socket.socket(AF_INET, SOCK_STREAM)``
    says protocol 0, so its connections kept Nagle on. uvicorn writes a response's headers
    and its body separately; with Nagle, the body then waited for the client's delayed
    acknowledgement of the headers: ~40 ms more for each response on a kept-alive
    connection (seen as 44 ms per request instead of 2-3 ms).
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    return sock


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.run``/``uvicorn.Config`` that apply our limits."""
    options: dict[str, Any] = {
        "timeout_keep_alive": settings.server_keep_alive_seconds,
        "timeout_graceful_shutdown": settings.server_graceful_shutdown_seconds,
        # The same header bound should anyone switch to h11 (`--http h11` elsewhere).
        "h11_max_incomplete_event_size": settings.server_max_header_bytes,
        "http": type(
            "GuardedHttpTools",
            (GuardedHttpTools,),
            {
                "max_header_bytes": settings.server_max_header_bytes,
                "header_timeout": settings.server_header_timeout_seconds,
            },
        ),
    }
    return options
