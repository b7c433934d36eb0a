"""The outbound URL rule (``netguard``): strict parsing and "globally routable only"."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from tests.netguard.corpus import BASE_URLS, DNS, WEBHOOK_URLS
from tests.support.dns import FakeDNS
from ticketbridge import netguard
from ticketbridge.config import Settings
from ticketbridge.connectors.jira.config import JiraCredentials, check_base_url
from ticketbridge.errors import Unprocessable
from ticketbridge.provisioning.schemas import AccountPatch

pytestmark = pytest.mark.store_independent

STRICT = Settings(env="test", allow_private_vendor_urls=False, allow_private_webhook_urls=False)


def _refused_as_webhook(url: str, dns: FakeDNS) -> bool:
    try:
        parsed = netguard.parse_url(url)
        asyncio.run(netguard.resolve_checked(parsed, dns, allow_private=False))
    except (netguard.UrlRefused, netguard.Unresolvable):
        return True
    return False


def test_every_hostile_webhook_url_is_refused_by_the_rule() -> None:
    dns = FakeDNS(DNS)
    accepted = [u for u in WEBHOOK_URLS if not _refused_as_webhook(u, dns)]
    assert len(WEBHOOK_URLS) >= 60 and accepted == []


@pytest.mark.parametrize(
    "url",
    [
        "http://100.64.0.1/h",
        "http://100.100.100.200/latest/meta-data/",
        "http://[2002:7f00:1::]/h",
        "http://[2002:a9fe:a9fe::]/",
        "http://metadata/",
        "http://instance-data/",
    ],
)
def test_the_forms_found_by_the_probe_are_refused_without_dns(url: str) -> None:
    parsed = netguard.parse_url(url)
    assert netguard.literal_refusal(parsed, allow_private=False)


@pytest.mark.parametrize(
    ("address", "embedded"),
    [
        ("2002:7f00:1::", "127.0.0.1"),
        ("2002:a9fe:a9fe::", "169.254.169.254"),
        ("64:ff9b::7f00:1", "127.0.0.1"),
        ("::ffff:10.1.2.3", "10.1.2.3"),
        ("::127.0.0.1", "127.0.0.1"),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "192.0.2.45"),  # Teredo client (RFC 4380)
    ],
)
def test_ipv6_forms_are_judged_on_the_ipv4_they_embed(address: str, embedded: str) -> None:
    ip = ipaddress.IPv6Address(address)
    assert ipaddress.IPv4Address(embedded) in netguard.embedded_ipv4(ip)
    assert "embeds" in (netguard.address_refusal(ip) or "")


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "2606:4700::1111", "64:ff9b::5db8:d822", "::ffff:8.8.8.8"]
)
def test_public_addresses_and_forms_wrapping_them_are_allowed(address: str) -> None:
    assert netguard.address_refusal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("https://hooks.example.com/tb?x=1", "https://hooks.example.com/tb?x=1"),
        ("HTTPS://Hooks.Example.COM:8443", "https://hooks.example.com:8443"),
        ("https://bücher.example/h", "https://xn--bcher-kva.example/h"),
        ("https://hooks.example.com./h", "https://hooks.example.com/h"),
        ("http://[2606:4700:0::1111]:8080/h", "http://[2606:4700::1111]:8080/h"),
    ],
)
def test_acceptable_urls_are_normalized(raw: str, normalized: str) -> None:
    url = netguard.parse_url(raw)
    assert url.url == normalized
    assert netguard.literal_refusal(url, allow_private=False) is None


def test_allowing_private_urls_lifts_the_address_rule_but_not_the_syntax() -> None:
    dns = FakeDNS({**DNS, "localhost": ["127.0.0.1"]})
    for url in ("http://127.0.0.1:8080/h", "http://localhost/h", "http://loop.example.com/h"):
        parsed = netguard.parse_url(url)
        assert asyncio.run(netguard.resolve_checked(parsed, dns, allow_private=True))
    with pytest.raises(netguard.UrlRefused):
        netguard.parse_url("http://user@127.0.0.1:99999/h")


@pytest.mark.parametrize(
    "url",
    [
        "https://x.atlassian.net:99999",
        "https://x.atlassian.net:-1",
        "https://x.atlassian.net:+443",
        "https://.atlassian.net",
        "https://x\u200b.atlassian.net",
        "https://\u24e7.atlassian.net",
    ],
)
def test_issue_11_base_urls_are_refused_at_the_edge_naming_the_field(url: str) -> None:
    with pytest.raises(ValidationError) as err:
        JiraCredentials(base_url=url, email="a@example.com", api_token="t")
    assert err.value.errors()[0]["loc"] == ("base_url",)


def test_every_hostile_base_url_is_refused_in_production() -> None:
    accepted = []
    for url in BASE_URLS:
        try:
            creds = JiraCredentials(base_url=url, email="a@example.com", api_token="t")
            check_base_url(STRICT, creds.base_url or "")
        except (ValidationError, Unprocessable):
            continue
        accepted.append(url)
    assert len(BASE_URLS) >= 60 and accepted == []


@pytest.mark.parametrize(
    "url",
    [
        "https://acme.atlassian.net",
        "https://acme.atlassian.net:443/",
        "https://api.atlassian.com/ex/jira/abc",
    ],
)
def test_atlassian_cloud_base_urls_are_accepted(url: str) -> None:
    creds = JiraCredentials(base_url=url, email="a@example.com", api_token="t")
    check_base_url(STRICT, creds.base_url or "")


# --- properties: the decoders give a value or a clean error, never an exception -------

_HOST_CHARS = st.sampled_from(
    [*"abcxyz019.-_:[]%@#?/\\ ", "\u200b", "\u24d0", "ü", "\u3002", "\uff0e", "\x00", "İ"]
)
_URLISH = st.builds(
    lambda scheme, host, port, path: f"{scheme}{host}{port}{path}",
    st.sampled_from(["http://", "https://", "HTTP://", "ftp://", "//", "http:/", ""]),
    st.text(_HOST_CHARS, max_size=40),
    st.one_of(
        st.just(""), st.text(st.sampled_from(list("0123456789+-:x")), max_size=7).map(":{}".format)
    ),
    st.text(max_size=20),
)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=300), _URLISH))
def test_url_parser_gives_a_value_or_a_clean_error(raw: str) -> None:
    try:
        url = netguard.parse_url(raw)
    except netguard.UrlRefused as exc:
        assert str(exc)
        return
    assert netguard.parse_url(url.url) == url  # normalizing is stable
    assert len(url.url) <= 2000  # fits the stored column, even after A-label encoding
    reason = netguard.literal_refusal(url, allow_private=False)
    assert reason is None or isinstance(reason, str)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), _URLISH))
def test_base_url_and_webhook_url_decoders_never_raise_anything_else(raw: str) -> None:
    try:
        creds = JiraCredentials(base_url=raw, email="a@example.com", api_token="t")
        check_base_url(STRICT, creds.base_url or "")
    except (ValidationError, Unprocessable):
        pass
    with contextlib.suppress(ValidationError):
        AccountPatch.model_validate({"webhook_url": raw})


@settings(max_examples=500, deadline=None)
@given(st.ip_addresses())
def test_address_rule_is_total_and_refuses_what_python_calls_non_global(ip) -> None:  # type: ignore[no-untyped-def]
    reason = netguard.address_refusal(ip)
    if not ip.is_global or ip.is_multicast:
        assert reason is not None
    for v4 in netguard.embedded_ipv4(ip) if ip.version == 6 else []:
        if netguard.address_refusal(v4) is not None:
            assert reason is not None


def test_a_url_that_outgrows_the_limit_when_its_host_is_encoded_is_refused() -> None:
    raw = "http://" + "\u00fc" * 50 + ".example/" + "a" * 1930
    assert len(raw) <= 2000
    with pytest.raises(netguard.UrlRefused, match="at most 2000"):
        netguard.parse_url(raw)
