"""Webhook URLs must not point into our own network (SSRF): their own setting decides,
independently of the vendor one (``allow_private_webhook_urls``)."""

from __future__ import annotations

import httpx
import pytest
from typer.testing import CliRunner

from tests.support.dns import FakeDNS
from tests.support.factories import create_account
from tests.support.servers import ApiServer
from ticketbridge.cli import app
from ticketbridge.config import Settings
from ticketbridge.demo import demo_settings

pytestmark = pytest.mark.store_independent


def _patch_webhook(settings: Settings, url: str) -> httpx.Response:
    dns = FakeDNS({"hooks.example.com": ["93.184.216.34"]})
    with ApiServer(settings.model_copy(update={"run_embedded_worker": False}), resolver=dns) as api:
        key = create_account(settings)
        return httpx.patch(
            f"{api.base_url}/v1/provisioning/account",
            json={"webhook_url": url},
            headers={"X-API-KEY": key},
        )


def test_private_vendor_urls_no_longer_allow_private_webhooks(settings: Settings) -> None:
    vendor_only = settings.model_copy(
        update={"allow_private_vendor_urls": True, "allow_private_webhook_urls": False}
    )
    r = _patch_webhook(vendor_only, "http://127.0.0.1:8080/hook")
    assert r.status_code == 422 and "webhook_url" in r.text and "public address" in r.text


def test_allow_private_webhook_urls_alone_allows_a_loopback_receiver(settings: Settings) -> None:
    webhooks_only = settings.model_copy(
        update={"allow_private_vendor_urls": False, "allow_private_webhook_urls": True}
    )
    r = _patch_webhook(webhooks_only, "http://127.0.0.1:8080/hook")
    assert r.status_code == 200, r.text


def test_a_public_name_is_accepted_and_an_unresolvable_one_refused(settings: Settings) -> None:
    strict = settings.model_copy(update={"allow_private_webhook_urls": False})
    assert _patch_webhook(strict, "https://hooks.example.com/tb").status_code == 200
    r = _patch_webhook(strict, "https://not-yet.example.com/tb")
    assert r.status_code == 422 and "does not resolve" in r.text


def test_the_settings_default_to_refusing_private_webhooks() -> None:
    assert Settings().allow_private_webhook_urls is False


@pytest.mark.parametrize("flag", [False, True])
def test_the_demo_refuses_private_webhooks_unless_started_with_the_flag(
    tmp_path, flag: bool
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'db'}"
    demo = demo_settings(url, "127.0.0.1", 1, "http://127.0.0.1:2", flag)
    assert demo.allow_private_webhook_urls is flag and demo.allow_private_vendor_urls
    help_text = CliRunner().invoke(app, ["demo", "--help"], env={"COLUMNS": "200"}).output
    assert "--allow-private-webhook-urls" in help_text
