"""Resolve once, check every address, connect only to what was checked.

A name checked when it is saved can later resolve elsewhere (DNS rebinding), and an HTTP
client that looks the name up again after our check can be sent elsewhere between the
check and the connect. So a call to a caller-chosen URL goes: ``resolve`` (through the
context's resolver, replaceable in tests) -> every address must be public -> an httpx
client whose network backend dials those addresses only (``PinnedBackend``). The URL keeps
its host name, so the ``Host`` header, TLS SNI and certificate verification are for the
name, as without pinning. No proxy from the environment, no redirects.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable
from functools import lru_cache
from typing import Any

import httpcore
import httpx

from ticketbridge.netguard.addresses import address_refusal, name_refusal
from ticketbridge.netguard.urls import IPAddress, OutboundUrl, UrlRefused

RESOLVE_TIMEOUT = 10.0  # seconds: a lookup that hangs is "does not resolve (now)"
# host -> its addresses (as strings); raises OSError when the name does not resolve.
Resolver = Callable[[str], Awaitable[list[str]]]


class Unresolvable(Exception):
    """The host name did not resolve (possibly for now: callers may retry)."""


async def system_resolver(host: str) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def literal_refusal(url: OutboundUrl, *, allow_private: bool) -> str | None:
    """What can be said without DNS: a non-public IP literal, a single-label or local name."""
    if allow_private:
        return None
    if url.ip is not None:
        return address_refusal(url.ip)
    return name_refusal(url.host)


async def resolve_checked(
    url: OutboundUrl, resolver: Resolver, *, allow_private: bool
) -> list[IPAddress]:
    """The addresses to connect to; ``UrlRefused`` if any of them is not public."""
    refusal = literal_refusal(url, allow_private=allow_private)
    if refusal:
        raise UrlRefused(refusal)
    if url.ip is not None:
        return [url.ip]
    try:
        async with asyncio.timeout(RESOLVE_TIMEOUT):
            answers = await resolver(url.host)
        addresses = list(dict.fromkeys(ipaddress.ip_address(a.split("%")[0]) for a in answers))
    except (OSError, ValueError, UnicodeError, TimeoutError) as exc:
        raise Unresolvable(f"{url.host!r} does not resolve") from exc
    if not addresses:
        raise Unresolvable(f"{url.host!r} does not resolve")
    if not allow_private:
        for address in addresses:  # one private answer refuses the name (rebinding)
            refusal = address_refusal(address)
            if refusal:
                raise UrlRefused(f"{url.host!r} resolves to a non-public address ({refusal})")
    return addresses


def _normalized(host: str) -> str:
    host = host.strip("[]").lower()
    try:
        return ipaddress.ip_address(host).compressed
    except ValueError:
        return host


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """Dials the checked addresses of one host name; any other host is refused."""

    def __init__(self, host: str, addresses: Iterable[IPAddress]) -> None:
        self.host = host
        self.addresses = list(addresses)
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        if _normalized(host) != _normalized(self.host):
            raise httpcore.ConnectError(f"connection to {host!r} is not pinned")
        error: Exception | None = None
        for address in self.addresses:
            try:
                return await self._inner.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        raise error or httpcore.ConnectError("no address to connect to")

    async def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not allowed")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


@lru_cache(maxsize=1)
def _default_ssl_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()


class PinnedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over a connection pool that only dials pinned addresses."""

    def __init__(self, backend: PinnedBackend, *, verify: ssl.SSLContext | None = None) -> None:
        context = verify or _default_ssl_context()
        super().__init__(verify=context, trust_env=False)
        if not isinstance(getattr(self, "_pool", None), httpcore.AsyncConnectionPool):
            # pragma: no cover - guards an httpx upgrade that would bypass the pinning
            raise RuntimeError("httpx.AsyncHTTPTransport changed: cannot pin connections")
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=context,
            max_connections=1,
            max_keepalive_connections=0,
            network_backend=backend,
        )


def pinned_client(
    url: OutboundUrl,
    addresses: Iterable[IPAddress],
    *,
    timeout: httpx.Timeout,
    verify: ssl.SSLContext | None = None,
) -> httpx.AsyncClient:
    """A one-use client for ``url`` that connects only to ``addresses``."""
    backend = PinnedBackend(url.host, addresses)
    return httpx.AsyncClient(
        transport=PinnedTransport(backend, verify=verify),
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
    )
