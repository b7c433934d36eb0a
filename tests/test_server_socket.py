"""The API's listening socket: every accepted connection has Nagle off.

With Nagle on, the body uvicorn writes after a response's headers waits for the client's
delayed acknowledgement (~40 ms per response on a kept-alive connection).
"""

from __future__ import annotations

import asyncio
import socket

import pytest

from ticketbridge.server import tcp_socket

pytestmark = pytest.mark.store_independent


async def _nodelay_of_accepted(sock: socket.socket) -> int:
    accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def on_connect(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = writer.get_extra_info("socket")
        accepted.set_result(conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        writer.close()

    server = await asyncio.start_server(on_connect, sock=sock)
    try:
        port = sock.getsockname()[1]
        _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        value = await asyncio.wait_for(accepted, 10)
        writer.close()
        return value
    finally:
        server.close()
        await server.wait_closed()


async def test_connections_accepted_on_our_socket_send_without_delay() -> None:
    sock = tcp_socket()
    sock.bind(("127.0.0.1", 0))
    assert await _nodelay_of_accepted(sock) != 0


async def test_a_plain_socket_would_keep_nagle_on() -> None:
    """What `tcp_socket` avoids (if asyncio ever sets it for every socket, this says so)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    assert await _nodelay_of_accepted(sock) == 0
