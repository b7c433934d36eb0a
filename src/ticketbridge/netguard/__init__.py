"""Outbound URLs chosen by callers (vendor ``base_url``, ``webhook_url``): one rule for both.

``urls`` parses strictly, ``addresses`` says which addresses and names are public, and
``pinned`` resolves, checks and connects only to the checked addresses. See
docs/security.md ("Outbound URLs and webhooks").
"""

from ticketbridge.netguard.addresses import address_refusal, embedded_ipv4, name_refusal
from ticketbridge.netguard.pinned import (
    PinnedBackend,
    Resolver,
    Unresolvable,
    literal_refusal,
    pinned_client,
    resolve_checked,
    system_resolver,
)
from ticketbridge.netguard.urls import OutboundUrl, UrlRefused, parse_url

__all__ = [
    "OutboundUrl",
    "PinnedBackend",
    "Resolver",
    "Unresolvable",
    "UrlRefused",
    "address_refusal",
    "embedded_ipv4",
    "literal_refusal",
    "name_refusal",
    "parse_url",
    "pinned_client",
    "resolve_checked",
    "system_resolver",
]
