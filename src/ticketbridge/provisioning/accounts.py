"""Tenancy: accounts, their API keys and webhook, organizations."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from ticketbridge import netguard
from ticketbridge.context import AppContext
from ticketbridge.crypto import new_api_key, new_webhook_secret
from ticketbridge.db import locks
from ticketbridge.db.base import utcnow
from ticketbridge.errors import Conflict, NotFound, Unprocessable
from ticketbridge.provisioning import auth_cache, repository
from ticketbridge.provisioning.models import Account, ApiKey, Organization
from ticketbridge.provisioning.schemas import AccountPatch


async def create_account(session: AsyncSession, name: str) -> tuple[Account, str]:
    account = Account(name=name)
    session.add(account)
    await session.flush()
    _, key = await create_api_key(session, account, name="default")
    return account, key


async def get_account(session: AsyncSession, account_id: uuid.UUID) -> Account:
    """An account by id, for operators (the CLI); the API finds accounts by key."""
    account = await repository.get_account(session, account_id)
    if account is None:
        raise NotFound("Account not found")
    return account


async def list_api_keys(session: AsyncSession, account: Account) -> Sequence[ApiKey]:
    return await repository.list_api_keys(session, account.id)


async def create_api_key(
    session: AsyncSession, account: Account, name: str | None
) -> tuple[ApiKey, str]:
    key, prefix, digest = new_api_key()
    row = ApiKey(
        account_id=account.id, name=name, prefix=prefix, key_hash=digest, created_at=utcnow()
    )
    session.add(row)
    await session.flush()
    return row, key


async def revoke_api_key(session: AsyncSession, account: Account, key_id: uuid.UUID) -> ApiKey:
    """Revokes a key (the calling one included), but never the account's last active key:
    that would lock the account out for good (409). Revocations of one account's keys are
    serialised by its ``api-keys`` lock, so two at once cannot revoke the last two keys."""
    await locks.hold(session, f"api-keys:{account.id}")
    row = await repository.get_api_key(session, account.id, key_id)
    if row is None:
        raise NotFound("API key not found")
    if row.revoked_at is None:
        now = utcnow()
        if not await repository.revoke_api_key_unless_last(session, account.id, key_id, now):
            raise Conflict(
                "This is the account's last active API key: create another key before "
                "revoking this one",
                code="LAST_ACTIVE_KEY",
            )
        set_committed_value(row, "revoked_at", now)
        auth_cache.invalidate_after_commit(session)
    return row


async def update_account(
    ctx: AppContext, session: AsyncSession, account: Account, patch: AccountPatch
) -> str | None:
    """Returns the new webhook secret when the webhook URL is set or changed (shown once)."""
    if patch.name is not None:
        account.name = patch.name
    secret = None
    if "webhook_url" in patch.model_fields_set:
        url = patch.webhook_url
        if url:
            await check_webhook_url(ctx, url)
        if url != account.webhook_url:
            account.webhook_url = url
            if url:
                secret = new_webhook_secret()
                account.webhook_secret_encrypted = ctx.vault.encrypt_text(secret)
            else:
                account.webhook_secret_encrypted = None
    await session.flush()
    return secret


async def check_webhook_url(ctx: AppContext, url: str) -> None:
    """Refuses a webhook URL whose host is, or now resolves to, a non-public address, is a
    single-label or local-only name, or does not resolve. Deliveries check again (the name
    may resolve elsewhere later) and connect only to the addresses they checked. With
    ``allow_private_webhook_urls`` (development) only the syntax is checked here."""
    if ctx.settings.allow_private_webhook_urls:
        return
    try:
        await netguard.resolve_checked(
            netguard.parse_url(url),
            ctx.resolver,
            allow_private=False,
        )
    except (netguard.UrlRefused, netguard.Unresolvable) as exc:
        raise Unprocessable(
            f"webhook_url must point to a public address: {exc}", field="webhook_url"
        ) from None


async def create_organization(
    session: AsyncSession, account: Account, name: str, identifier: str | None
) -> Organization:
    org = Organization(account_id=account.id, name=name, identifier=identifier)
    session.add(org)
    await session.flush()
    return org


async def get_organization(
    session: AsyncSession, account: Account, org_id: uuid.UUID
) -> Organization:
    org = await repository.get_organization(session, account.id, org_id)
    if org is None:
        raise NotFound("Organization not found")
    return org


async def delete_organization(session: AsyncSession, account: Account, org_id: uuid.UUID) -> None:
    org = await get_organization(session, account, org_id)
    org.deleted_at = utcnow()
    await repository.delete_org_connections(session, org.id)
    auth_cache.invalidate_after_commit(session)
    await session.flush()
