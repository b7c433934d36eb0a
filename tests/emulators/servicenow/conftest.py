"""Fixtures: one ServiceNow emulator per test session over real HTTPS (PySNC refuses plain
http URLs), reset before every test that may follow a write."""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ticketbridge.emulators.servicenow.server import ServiceNowServer

SEEDED_INCIDENTS = 300  # problems, changes and catalog tasks: 75 each


def _self_signed(directory: Path) -> tuple[str, str]:
    """A certificate for 127.0.0.1 that is its own CA (clients pass it as `verify`)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_file), str(key_file)


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    return _self_signed(tmp_path_factory.mktemp("sn-tls"))


@pytest.fixture(scope="session")
def cert(tls_files: tuple[str, str]) -> str:
    return tls_files[0]


@pytest.fixture(scope="session")
def sn(tls_files: tuple[str, str]) -> Iterator[ServiceNowServer]:
    with ServiceNowServer(tls=tls_files, records=SEEDED_INCIDENTS) as server:
        yield server


def _may_have_written(server: ServiceNowServer) -> bool:
    routes = server.stats["requests_by_route"]
    return any(not label.startswith(("GET ", "HEAD ")) for label in routes)


@pytest.fixture(autouse=True)
def _own_certificate(monkeypatch: pytest.MonkeyPatch) -> None:
    """requests prefers these variables over a session's `verify` (PySNC passes None per
    request); without them the clients trust the emulator's certificate as told."""
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _fresh(sn: ServiceNowServer) -> None:
    """Zero faults and stats before every test; re-seed the data only after writes."""
    if _may_have_written(sn) or sn.state.incident_data_policy is False:
        sn.reset()
    else:
        sn.emulator.faults.reset()


@pytest.fixture
def client(sn: ServiceNowServer, cert: str) -> Iterator[httpx.Client]:
    auth = (sn.config.username, sn.config.password)
    with httpx.Client(base_url=sn.base_url, auth=auth, verify=cert, timeout=30) as http:
        yield http
