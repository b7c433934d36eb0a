"""Which addresses and host names we may call: only globally routable ones.

``ipaddress``'s flags are not the rule (on Python 3.11 ``2002:7f00:1::`` (6to4 wrapping
127.0.0.1), ``64:ff9b::7f00:1`` (NAT64), ``::127.0.0.1`` and ``ff0e::1`` are all
``is_global``). The rule here: an address is refused unless it is globally routable
unicast, judged on the IPv4 address that an IPv6 form embeds (IPv4-mapped, IPv4-compatible,
NAT64 ``64:ff9b::/96``, 6to4 ``2002::/16``, Teredo ``2001::/32``) and with the IANA
special-purpose ranges listed below refused by name, whatever the running Python says.
"""

from __future__ import annotations

import ipaddress

from ticketbridge.netguard.urls import IPAddress

_V4_DENY = [
    ipaddress.IPv4Network(n)
    for n in (
        "0.0.0.0/8",  # "this network"
        "10.0.0.0/8",
        "100.64.0.0/10",  # shared address space (CGNAT; 100.100.100.200 is a metadata address)
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local (169.254.169.254: cloud metadata)
        "172.16.0.0/12",
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",
        "192.88.99.0/24",  # 6to4 relay anycast
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and 255.255.255.255
    )
]
_V6_DENY = [
    ipaddress.IPv6Network(n)
    for n in (
        "::/8",  # unspecified, loopback, IPv4-compatible and -mapped (judged on the IPv4 first)
        "64:ff9b:1::/48",  # local-use NAT64
        "100::/64",  # discard-only
        "2001::/23",  # IETF protocol assignments, Teredo
        "2001:db8::/32",
        "3fff::/20",  # documentation
        "5f00::/16",  # SRv6 SIDs
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated)
        "ff00::/8",  # multicast
    )
]
_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")
_COMPATIBLE = ipaddress.IPv6Network("::/96")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_SIX_TO_FOUR = ipaddress.IPv6Network("2002::/16")
_TEREDO = ipaddress.IPv6Network("2001::/32")

# Names that never reach a public host: single labels are refused separately.
_LOCAL_SUFFIXES = (
    "localhost",
    "local",
    "localdomain",
    "internal",
    "intranet",
    "lan",
    "home",
    "corp",
    "private",
    "home.arpa",
    "arpa",
    "invalid",
    "onion",
)


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 form carries (and would reach through a translator)."""
    value = int(ip)
    if ip in _MAPPED or ip in _NAT64 or (ip in _COMPATIBLE and value > 1):
        return [ipaddress.IPv4Address(value & 0xFFFFFFFF)]
    if ip in _SIX_TO_FOUR:
        return [ipaddress.IPv4Address((value >> 80) & 0xFFFFFFFF)]
    if ip in _TEREDO:  # server, then the obfuscated client
        server = (value >> 64) & 0xFFFFFFFF
        return [ipaddress.IPv4Address(server), ipaddress.IPv4Address(~value & 0xFFFFFFFF)]
    return []


def address_refusal(ip: IPAddress) -> str | None:
    """Why ``ip`` may not be called, or None when it is globally routable unicast."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is None and ip in _COMPATIBLE and int(ip) <= 1:
            return f"{ip} is not a public address"
        for v4 in embedded_ipv4(ip):
            if address_refusal(v4) is not None:
                return f"{ip} embeds the non-public address {v4}"
        if ip in _MAPPED or ip in _NAT64 or ip in _SIX_TO_FOUR or ip in _COMPATIBLE:
            return None  # judged on the public IPv4 it embeds
        denied = any(ip in net for net in _V6_DENY)
    else:
        denied = any(ip in net for net in _V4_DENY)
    if denied or ip.is_multicast or not ip.is_global:
        return f"{ip} is not a public address"
    return None


def name_refusal(host: str) -> str | None:
    """Why the (ASCII, lower-case) host name may not be called, or None."""
    if "." not in host:
        return f"{host!r} is a single-label name (use a fully qualified domain name)"
    for suffix in _LOCAL_SUFFIXES:
        if host == suffix or host.endswith("." + suffix):
            return f"{host!r} is a local-only name"
    return None
