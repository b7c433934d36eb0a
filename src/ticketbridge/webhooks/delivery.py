"""One delivery attempt: check the URL again, sign per Standard Webhooks, POST pinned.

Every attempt parses the stored URL, resolves its host through the context's resolver,
refuses it unless every address is public (``TICKETBRIDGE_ALLOW_PRIVATE_WEBHOOK_URLS``
lifts that for development), and connects only to the addresses it checked
(``netguard.pinned_client``): a name that resolved to a public address when it was saved and
to 127.0.0.1 now is refused, and a second lookup cannot send the request elsewhere.
Redirects are not followed (a 3xx is a failed attempt).
"""

from __future__ import annotations

import asyncio
import enum
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import httpx
from standardwebhooks.webhooks import EmptyWebhookSecretError, Webhook

from ticketbridge import netguard
from ticketbridge.crypto import sign_webhook
from ticketbridge.metrics import WEBHOOK_DELIVERIES
from ticketbridge.webhooks.events import Event

if TYPE_CHECKING:
    from ticketbridge.context import AppContext

log = logging.getLogger("ticketbridge.webhooks")


class Outcome(enum.StrEnum):
    DELIVERED = "delivered"
    FAILED = "failed"  # unreachable, not resolvable now, or not a 2xx: retried
    REFUSED = "refused"  # the URL or an address it resolves to is not allowed: not sent


def signed_headers(
    secret: str, event: Event, body: bytes, *, now: datetime | None = None
) -> dict[str, str]:
    """Standard Webhooks headers (``webhook-id``, ``-timestamp``, ``-signature``) and the
    deprecated ``X-TicketBridge-Signature`` (body-only HMAC, kept for one release)."""
    moment = now or datetime.now(UTC)
    headers = {
        "Content-Type": "application/json",
        "webhook-id": event.id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "X-TicketBridge-Event": event.type,
        "X-TicketBridge-Signature": sign_webhook(secret, body),
    }
    try:
        headers["webhook-signature"] = Webhook(secret).sign(event.id, moment, body)
    except (ValueError, EmptyWebhookSecretError):
        # A secret issued before the Standard Webhooks form: only the legacy header can
        # be verified; setting webhook_url again issues a new secret.
        log.warning("webhook secret is not in whsec_<base64> form; set webhook_url again")
    return headers


async def send(ctx: AppContext, url: str, secret: str, event: Event) -> Outcome:
    """One attempt to POST ``event`` to ``url``; the outcome is logged and counted."""
    settings = ctx.settings
    try:
        target = netguard.parse_url(url)
        addresses = await netguard.resolve_checked(
            target, ctx.resolver, allow_private=settings.allow_private_webhook_urls
        )
    except netguard.UrlRefused as exc:
        log.warning("webhook %s (%s) refused: %s", event.id, event.type, exc)
        return _counted(event, Outcome.REFUSED)
    except netguard.Unresolvable as exc:
        log.info("webhook %s (%s) not sent: %s", event.id, event.type, exc)
        return _counted(event, Outcome.FAILED)
    body = event.body()
    headers = signed_headers(secret, event, body)
    timeout = httpx.Timeout(settings.webhook_read_timeout, connect=settings.webhook_connect_timeout)
    try:
        async with asyncio.timeout(settings.webhook_total_timeout):
            async with netguard.pinned_client(target, addresses, timeout=timeout) as client:
                request = client.build_request("POST", target.url, content=body, headers=headers)
                response = await client.send(request, stream=True)  # the body is not read
                await response.aclose()
    except (httpx.HTTPError, TimeoutError) as exc:
        log.info("webhook %s to account endpoint failed: %s", event.id, type(exc).__name__)
        return _counted(event, Outcome.FAILED)
    if not 200 <= response.status_code < 300:
        log.info("webhook %s: receiver answered %d", event.id, response.status_code)
        return _counted(event, Outcome.FAILED)
    return _counted(event, Outcome.DELIVERED)


def _counted(event: Event, outcome: Outcome) -> Outcome:
    WEBHOOK_DELIVERIES.labels(event.type, outcome.value).inc()
    return outcome
