"""A strict parser for the URLs we call out to (vendor ``base_url``, ``webhook_url``).

Lenient parsers are how SSRF filters get bypassed: ``urlsplit`` drops tabs and newlines,
raises on ``:99999``, and reads ``http://a\\@b`` differently from the client that sends the
request; WHATWG parsers turn ``http://2130706433/`` into ``127.0.0.1``. This parser accepts
only the plain form and refuses everything else with a message, never an exception of
another kind:

- ``scheme://host[:port][/path][?query]``, scheme from the caller's list;
- no userinfo (``@``), no backslash, no whitespace or control character, no ``%`` in the
  host, no fragment; the port is 1-5 ASCII digits in 1..65535;
- an IPv4 host only in canonical dotted-quad form (no decimal, octal or hex forms, no
  short forms); an IPv6 host in brackets, without a zone id;
- a name host must already be in its IDNA 2008 form up to case (UTS46 mapping may only
  lower-case it): zero-width, full-width and enclosed characters are refused, not silently
  mapped to something else; it is stored as its ASCII (A-label) form.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

import idna

MAX_URL_LENGTH = 2000
MAX_HOST_LENGTH = 253

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*)://")
_PORT = re.compile(r"[0-9]{1,5}")
# A label that a WHATWG parser would read as a number: then the host is an IPv4 address.
_NUMERIC_LABEL = re.compile(r"(0[xX][0-9A-Fa-f]*|[0-9]+)")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UrlRefused(ValueError):
    """The URL is not acceptable; ``str(exc)`` says why (without echoing the whole URL)."""


@dataclass(frozen=True)
class OutboundUrl:
    scheme: str
    host: str  # ASCII: an A-label name, or an IP address without brackets
    port: int | None  # as given; None for the scheme's default
    path: str  # path and query, as given ("" when absent)
    ip: IPAddress | None  # set when the host is an IP literal

    @property
    def effective_port(self) -> int:
        return self.port or (443 if self.scheme == "https" else 80)

    @property
    def url(self) -> str:
        """The normalized URL (what we store and call)."""
        host = f"[{self.host}]" if isinstance(self.ip, ipaddress.IPv6Address) else self.host
        port = f":{self.port}" if self.port is not None else ""
        return f"{self.scheme}://{host}{port}{self.path}"


def parse_url(
    raw: object, *, schemes: tuple[str, ...] = ("https", "http"), allow_query: bool = True
) -> OutboundUrl:
    """Parses ``raw`` or raises ``UrlRefused``; see the module docstring for the rules."""
    if not isinstance(raw, str):
        raise UrlRefused("must be a string")
    if len(raw) > MAX_URL_LENGTH:
        raise UrlRefused(f"must be at most {MAX_URL_LENGTH} characters")
    if any(ch.isspace() or ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in raw):
        raise UrlRefused("must not contain whitespace or control characters")
    if "\\" in raw:
        raise UrlRefused("must not contain a backslash")
    match = _SCHEME.match(raw)
    if match is None:
        raise UrlRefused("must be an absolute URL (scheme://host/...)")
    scheme = match.group(1).lower()
    if scheme not in schemes:
        raise UrlRefused(f"scheme must be {' or '.join(schemes)}")
    rest = raw[match.end() :]
    if "#" in rest:
        raise UrlRefused("must not carry a fragment")
    cut = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
    authority, path = rest[:cut], rest[cut:]
    if path.startswith("?"):
        path = "/" + path
    if "?" in path and not allow_query:
        raise UrlRefused("must not carry a query")
    if "@" in authority:
        raise UrlRefused("must not carry userinfo (user:password@)")
    host_text, port = _split_port(authority)
    host, ip = parse_host(host_text)
    url = OutboundUrl(scheme=scheme, host=host, port=port, path=path, ip=ip)
    if len(url.url) > MAX_URL_LENGTH:  # an A-label host is longer than its unicode form
        raise UrlRefused(f"must be at most {MAX_URL_LENGTH} characters")
    return url


def _split_port(authority: str) -> tuple[str, int | None]:
    if authority.startswith("["):
        end = authority.find("]")
        if end < 0:
            raise UrlRefused("has an unclosed '[' in the host")
        host, after = authority[: end + 1], authority[end + 1 :]
        if after and not after.startswith(":"):
            raise UrlRefused("has characters after the IPv6 address")
        port_text = after[1:] if after else None
    elif authority.count(":") > 1:
        raise UrlRefused("IPv6 addresses must be in brackets")
    elif ":" in authority:
        host, port_text = authority.split(":")
    else:
        host, port_text = authority, None
    if port_text is None:
        return host, None
    if not _PORT.fullmatch(port_text) or not 1 <= int(port_text) <= 65535:
        raise UrlRefused("port must be a number from 1 to 65535")
    return host, int(port_text)


def parse_host(text: str) -> tuple[str, IPAddress | None]:
    """The host's ASCII form and, for an IP literal, its address."""
    if not text:
        raise UrlRefused("has no host")
    if text.startswith("["):
        inner = text[1:-1]
        if "%" in inner:
            raise UrlRefused("IPv6 zone ids are not allowed")
        try:
            v6 = ipaddress.IPv6Address(inner)
        except ValueError:
            raise UrlRefused("has an invalid IPv6 address") from None
        return v6.compressed, v6
    if "%" in text:
        raise UrlRefused("host must not be percent-encoded")
    name = text[:-1] if text.endswith(".") else text
    if len(name) > MAX_HOST_LENGTH:
        raise UrlRefused(f"host must be at most {MAX_HOST_LENGTH} characters")
    labels = name.split(".")
    if any(not label for label in labels):
        raise UrlRefused("host has an empty label")
    if _NUMERIC_LABEL.fullmatch(labels[-1]):
        try:
            v4 = ipaddress.IPv4Address(name)
        except ValueError:
            raise UrlRefused("an IPv4 host must be four decimal numbers (a.b.c.d)") from None
        return str(v4), v4
    try:
        mapped = idna.uts46_remap(name, std3_rules=True, transitional=False)
        if mapped != name.lower():
            raise UrlRefused("host has characters that are not valid in a hostname (IDNA)")
        ascii_name = idna.encode(mapped, uts46=False).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError) as exc:
        if isinstance(exc, UrlRefused):
            raise
        raise UrlRefused("host is not a valid hostname (IDNA 2008)") from None
    if _NUMERIC_LABEL.fullmatch(ascii_name.rsplit(".", 1)[-1]):
        raise UrlRefused("an IPv4 host must be four decimal numbers (a.b.c.d)")
    return ascii_name.lower(), None
