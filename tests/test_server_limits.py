"""`ticketbridge serve` bounds request headers in size and in time (real sockets, real process).

A test that cannot get an answer or an end of stream fails on its socket timeout (a hang
guard far above the configured limits), never on a measured duration.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ticketbridge.config import Settings

HEADER_TIMEOUT = "1"
MAX_HEADER_BYTES = 8192
GUARD = 60.0  # socket timeout: only there so that a broken server fails the test, not hangs it


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def served(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    port = _free_port()
    env = {
        **os.environ,
        "TICKETBRIDGE_ENV": "test",
        "TICKETBRIDGE_DATABASE_URL": settings.database_url,
        "TICKETBRIDGE_SERVER_HEADER_TIMEOUT_SECONDS": HEADER_TIMEOUT,
        "TICKETBRIDGE_SERVER_MAX_HEADER_BYTES": str(MAX_HEADER_BYTES),
        "TICKETBRIDGE_SCHEDULER_INTERVAL_SECONDS": "3600",
    }
    log = Path(tmp_path_factory.mktemp("serve")) / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ticketbridge.cli", "serve", "--port", str(port), "--no-worker"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=GUARD)
    sock.settimeout(GUARD)
    return sock


def _read_to_eof(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (a reset counts)."""
    received = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return received
        if not chunk:
            return received
        received += chunk


def _request(path: str = "/healthz", extra: bytes = b"") -> bytes:
    return b"GET " + path.encode() + b" HTTP/1.1\r\nHost: t\r\n" + extra + b"\r\n"


def test_normal_requests_and_keep_alive_still_work(served: int) -> None:
    with _connect(served) as sock:
        for _ in range(3):  # the header clock restarts for each request on the connection
            sock.sendall(_request(extra=b"X-Pad: " + b"a" * 4000 + b"\r\n"))
            answer = b""
            while not answer.endswith(b'{"status":"ok"}'):
                chunk = sock.recv(65536)
                assert chunk, answer
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
            time.sleep(0.6)  # idle between requests is keep-alive time, not header time


@pytest.mark.parametrize("size", [MAX_HEADER_BYTES * 2, 30 * 1024 * 1024], ids=["16KB", "30MB"])
def test_oversized_headers_get_431_and_the_connection_is_closed(served: int, size: int) -> None:
    with _connect(served) as sock:
        head = _request().removesuffix(b"\r\n") + b"X-Big: "
        sock.sendall(head)
        sent = len(head)
        try:
            while sent < size:
                sock.sendall(b"a" * 65536)
                sent += 65536
            sock.sendall(b"\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # closed on us before we finished: what we want
        answer = _read_to_eof(sock)
    assert answer == b"" or answer.startswith(b"HTTP/1.1 431"), answer[:200]
    assert sent < size or answer.startswith(b"HTTP/1.1 431")


def test_an_oversized_url_gets_431(served: int) -> None:
    with _connect(served) as sock:
        sock.sendall(_request("/healthz?q=" + "a" * (MAX_HEADER_BYTES * 2)))
        answer = _read_to_eof(sock)
    assert answer.startswith(b"HTTP/1.1 431"), answer[:200]
    assert b'"code":"HEADERS_TOO_LARGE"' in answer


def test_connections_that_never_finish_their_headers_are_closed(served: int) -> None:
    socks = [_connect(served) for _ in range(20)]
    try:
        for i, sock in enumerate(socks):
            if i % 2:
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n")  # headers never end
            # even ones send nothing at all
        for sock in socks:
            answer = _read_to_eof(sock)  # a server that never closes fails on GUARD
            assert answer == b"" or answer.startswith(b"HTTP/1.1 408"), answer[:200]
    finally:
        for sock in socks:
            sock.close()


def test_a_slow_drip_of_header_lines_does_not_keep_the_connection_open(served: int) -> None:
    with _connect(served) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n")
        closed = False
        for i in range(int(GUARD / 0.2)):
            try:
                sock.sendall(f"X-Drip-{i}: x\r\n".encode())  # each line well within the limit
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            sock.settimeout(0.2)
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                continue
            except ConnectionResetError:
                closed = True
                break
            assert chunk == b"" or chunk.startswith(b"HTTP/1.1 408"), chunk[:200]
            closed = True
            break
    assert closed, "the server kept reading a never-ending header"


def test_a_pipelined_request_after_a_large_body_is_not_taken_for_a_large_header(
    served: int,
) -> None:
    body = b"{" + b" " * (200 * 1024) + b"}"
    first = (
        b"POST /v1/provisioning/organizations HTTP/1.1\r\nHost: t\r\nX-API-KEY: nope\r\n"
        b"Content-Type: application/json\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
    )
    with _connect(served) as sock:
        sock.sendall(first + body + _request(extra=b"Connection: close\r\n"))
        answers = _read_to_eof(sock)
    assert answers.startswith(b"HTTP/1.1 401"), answers[:200]
    assert answers.count(b"HTTP/1.1 ") == 2 and b"HTTP/1.1 200" in answers, answers
