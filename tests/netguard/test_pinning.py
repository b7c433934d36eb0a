"""Pinned connections: the request goes to the address that was checked, with the host
name kept for the Host header, TLS SNI and certificate verification."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.support.dns import FakeDNS
from tests.support.egress import Egress
from tests.support.receiver import Receiver
from ticketbridge import netguard
from ticketbridge.config import Settings
from ticketbridge.context import AppContext
from ticketbridge.crypto import new_webhook_secret
from ticketbridge.webhooks.delivery import Outcome, send
from ticketbridge.webhooks.events import Event

pytestmark = pytest.mark.store_independent
LOOPBACK = [ipaddress.ip_address("127.0.0.1")]


class _Server:
    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.hosts: list[str] = []
        self.sni: list[str | None] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hosts.append(self.headers.get("Host", ""))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:
            tls.sni_callback = lambda _sock, name, _ctx: self.sni.append(name)  # type: ignore[assignment]
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _get(url: str, *, verify: ssl.SSLContext | None = None) -> httpx.Response:
    async def run() -> httpx.Response:
        parsed = netguard.parse_url(url)
        timeout = httpx.Timeout(10.0)
        async with netguard.pinned_client(parsed, LOOPBACK, timeout=timeout, verify=verify) as c:
            return await c.get(parsed.url)

    return asyncio.run(run())


def test_a_name_no_dns_knows_is_reached_at_its_pinned_address_with_its_host_header() -> None:
    server = _Server()
    try:
        with Egress() as egress:
            response = _get(f"http://hooks.pinned.test:{server.port}/x")
    finally:
        server.close()
    assert response.status_code == 200
    assert server.hosts == [f"hooks.pinned.test:{server.port}"]
    assert egress.events == []  # no lookup of the name: the checked address was dialled


def test_the_pinned_backend_refuses_any_other_host() -> None:
    backend = netguard.PinnedBackend("hooks.pinned.test", LOOPBACK)
    with pytest.raises(Exception, match="not pinned"):
        asyncio.run(backend.connect_tcp("elsewhere.test", 80))


@pytest.fixture(scope="module")
def tls(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[ssl.SSLContext, ssl.SSLContext]]:
    """A CA and a certificate for hooks.pinned.test: (server context, client context)."""
    folder: Path = tmp_path_factory.mktemp("tls")
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "TicketBridge test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hooks.pinned.test")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("hooks.pinned.test")]), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (folder / "leaf.pem").write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    (folder / "leaf.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(folder / "leaf.pem", folder / "leaf.key")
    client_ctx = ssl.create_default_context(cafile=str(folder / "ca.pem"))
    yield server_ctx, client_ctx


def test_tls_uses_the_name_for_sni_and_certificate_verification(tls) -> None:  # type: ignore[no-untyped-def]
    server_ctx, client_ctx = tls
    server = _Server(server_ctx)
    try:
        ok = _get(f"https://hooks.pinned.test:{server.port}/x", verify=client_ctx)
        with pytest.raises(httpx.ConnectError, match=r"(?i)certificate|hostname"):
            _get(f"https://other.pinned.test:{server.port}/x", verify=client_ctx)
    finally:
        server.close()
    assert ok.status_code == 200
    assert server.sni[0] == "hooks.pinned.test"
    assert server.hosts == [f"hooks.pinned.test:{server.port}"]


@pytest.mark.parametrize(("allow_private", "outcome"), [(True, "delivered"), (False, "refused")])
def test_a_delivery_goes_to_the_address_checked_at_delivery_time(
    settings: Settings, allow_private: bool, outcome: str
) -> None:
    """``send`` resolves through the context's resolver and dials that address: a name only
    the test resolver knows is delivered to loopback when private URLs are allowed, and
    refused (nothing sent) when they are not."""
    dns = FakeDNS({"hooks.pinned.test": ["127.0.0.1"]})
    receiver = Receiver().start()
    receiver.secret = new_webhook_secret()
    event = Event(id="msg_pin", type="job.completed", timestamp=dt.datetime.now(dt.UTC), data={})
    strictness = settings.model_copy(update={"allow_private_webhook_urls": allow_private})

    async def run() -> Outcome:
        ctx = AppContext.create(strictness, resolver=dns)
        try:
            url = f"http://hooks.pinned.test:{receiver.port}/hook"
            return await send(ctx, url, receiver.secret or "", event)
        finally:
            await ctx.http.aclose()
            await ctx.engine.dispose()

    try:
        with Egress() as egress:
            got = asyncio.run(run())
    finally:
        receiver.stop()
    assert got.value == outcome
    assert [c.status for c in receiver.calls] == ([204] if allow_private else [])
    assert dns.lookups == ["hooks.pinned.test"]  # one lookup, then that address
    assert egress.events == []
