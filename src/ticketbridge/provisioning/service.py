"""Tenancy: accounts, keys, organizations, connections and their credentials."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified, set_committed_value

from ticketbridge import netguard
from ticketbridge.connectors.registry import connector_class
from ticketbridge.context import AppContext
from ticketbridge.crypto import new_api_key, new_webhook_secret
from ticketbridge.db import locks
from ticketbridge.db.base import utcnow
from ticketbridge.db.session import transaction
from ticketbridge.errors import (
    Conflict,
    NotFound,
    Unprocessable,
    VendorRequestError,
    VendorUnauthorized,
)
from ticketbridge.ids import uuid7
from ticketbridge.provisioning import repository
from ticketbridge.provisioning.connectors import build_connector
from ticketbridge.provisioning.models import Account, ApiKey, Connection, Organization
from ticketbridge.provisioning.options import needs_full_resync, patched
from ticketbridge.provisioning.schemas import (
    AccountPatch,
    ConnectionCreate,
    ConnectionOptions,
    ConnectionOut,
    ConnectionPatch,
    Health,
)
from ticketbridge.webhooks import dispatch, events


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
    await session.flush()


def validate_credentials(ctx: AppContext, vendor: str, credentials: dict[str, Any]) -> Any:
    cls = connector_class(vendor)
    try:
        creds = cls.credentials_model.model_validate(credentials)
    except ValidationError as exc:
        # include_input=False: a rejected body may still carry a real token.
        raw = exc.errors(include_url=False, include_context=False, include_input=False)
        errors = [
            {"loc": ["body", "credentials", *err["loc"]], "msg": err["msg"], "type": err["type"]}
            for err in raw
        ]
        reasons = "; ".join(
            (f"{'.'.join(map(str, err['loc']))}: " if err["loc"] else "")
            + err["msg"].removeprefix("Value error, ")
            for err in raw
        )
        raise Unprocessable(f"Invalid credentials: {reasons}", errors=errors) from None
    cls.check_credentials(ctx.settings, creds)
    return creds


async def check_with_vendor(ctx: AppContext, vendor: str, connection_id: str, creds: Any) -> None:
    """One cheap vendor call with new credentials (Jira: GET /myself), so wrong ones are
    refused when given (422 with the vendor's message) instead of failing the first sync.

    OAuth credentials are not checked here: they have no tokens until the vendor's
    callback, whose token exchange is the check. A vendor that cannot be reached answers
    as such (502/503/504); ``"validate": false`` provisions without the call.
    """
    if getattr(creds, "oauth", False):
        return
    connector = build_connector(ctx, vendor, connection_id, creds.model_dump(mode="json"))
    try:
        await connector.test()
    except VendorUnauthorized as exc:
        raise Unprocessable(
            f'{exc.detail} (to store them unchecked: "validate": false; CLI: --no-validate)',
            code=exc.code,
            field="credentials",
        ) from None
    except VendorRequestError as exc:  # e.g. 404: base_url is not the vendor's API
        raise Unprocessable(
            f"The credentials could not be checked: {exc.detail}",
            code=exc.code,
            field="credentials",
        ) from None


async def create_connection(
    ctx: AppContext,
    session: AsyncSession,
    account: Account,
    org_id: uuid.UUID,
    body: ConnectionCreate,
) -> Connection:
    org = await get_organization(session, account, org_id)
    creds = validate_credentials(ctx, body.vendor, body.credentials)
    if body.check_vendor:
        await check_with_vendor(ctx, body.vendor, str(uuid7()), creds)
    options = body.options or ConnectionOptions()
    connection = Connection(
        account_id=account.id,
        organization_id=org.id,
        vendor=body.vendor,
        identifier=body.identifier,
        credentials_encrypted=ctx.vault.encrypt_json(creds.model_dump(mode="json")),
        options=options.model_dump(mode="json"),
        refresh_interval_secs=body.refresh_interval_secs,
        timeout_secs=body.timeout_secs,
    )
    if getattr(creds, "oauth", False):
        connection.state = "PENDING"
        connection.oauth_state = secrets.token_urlsafe(24)
    else:
        connection.state = "ACTIVE"
        connection.next_sync_at = utcnow()
    session.add(connection)
    await session.flush()
    return connection


async def get_connection(
    session: AsyncSession, account: Account, connection_id: uuid.UUID
) -> Connection:
    connection = await repository.get_connection(session, account.id, connection_id)
    if connection is None or connection.state == "DELETED":
        raise NotFound("Connection not found")
    return connection


async def update_connection(
    ctx: AppContext,
    session: AsyncSession,
    account: Account,
    connection_id: uuid.UUID,
    patch: ConnectionPatch,
) -> Connection:
    connection = await get_connection(session, account, connection_id)
    if patch.credentials is not None:
        creds = validate_credentials(ctx, connection.vendor, patch.credentials)
        if patch.check_vendor:
            await check_with_vendor(ctx, connection.vendor, str(connection.id), creds)
        connection.credentials_encrypted = ctx.vault.encrypt_json(creds.model_dump(mode="json"))
        connection.health = None
        if getattr(creds, "oauth", False):
            connection.state = "PENDING"
            connection.oauth_state = secrets.token_urlsafe(24)
    if "options" in patch.model_fields_set:
        options = patched(connection.options, patch.options)
        if needs_full_resync(connection.options, options):
            connection.sync_cursor = None  # the next sync is a full one, whenever it runs
        connection.options = options
    if patch.refresh_interval_secs is not None:
        connection.refresh_interval_secs = patch.refresh_interval_secs
    if "identifier" in patch.model_fields_set:
        connection.identifier = patch.identifier
    if patch.state is not None:
        if connection.state == "PENDING" and patch.state == "ACTIVE":
            raise Unprocessable("Connection is waiting for OAuth authorization")
        connection.state = patch.state
        connection.next_sync_at = utcnow() if patch.state == "ACTIVE" else None
        # Written even when it looks unchanged: the instance may have been loaded before a
        # finishing sync set the next run (its None would then not be sent, and a paused
        # connection would keep a schedule).
        flag_modified(connection, "next_sync_at")
    await session.flush()
    return connection


async def delete_connection(
    session: AsyncSession, account: Account, connection_id: uuid.UUID
) -> None:
    connection = await get_connection(session, account, connection_id)
    connection.state = "DELETED"
    connection.deleted_at = utcnow()
    connection.next_sync_at = None
    await session.flush()


def connection_out(
    ctx: AppContext, connection: Connection, org: Organization | None
) -> ConnectionOut:
    authorize_url = None
    if connection.state == "PENDING" and connection.oauth_state:
        cls = connector_class(connection.vendor)
        authorize_url = cls.oauth_authorize_url(ctx.settings, connection.oauth_state)
    return ConnectionOut(
        id=connection.id,
        vendor=connection.vendor,
        is_active=connection.state == "ACTIVE",
        state=connection.state,  # type: ignore[arg-type]
        refresh_interval_secs=connection.refresh_interval_secs,
        timeout_secs=connection.timeout_secs,
        organization_id=connection.organization_id,
        organization_name=org.name if org else None,
        identifier=connection.identifier,
        oauth2_authorize_url=authorize_url,
        health=Health(**connection.health) if connection.health else None,
        last_synced_at=connection.last_synced_at,
        created_at=connection.created_at,
        updated_at=connection.updated_at,
        # As stored (options stored before today's caps may exceed them; a read never fails).
        options=ConnectionOptions.model_construct(**(connection.options or {})),
    )


async def complete_oauth(
    ctx: AppContext, session: AsyncSession, state: str, code: str
) -> Connection:
    connection = await repository.connection_by_oauth_state(session, state)
    if connection is None or connection.state == "DELETED":
        raise NotFound("Unknown or expired OAuth state")
    cls = connector_class(connection.vendor)
    credentials = await cls.exchange_oauth_code(ctx.http, ctx.settings, code)
    connection.credentials_encrypted = ctx.vault.encrypt_json(credentials)
    connection.oauth_state = None
    connection.state = "ACTIVE"
    connection.health = None
    connection.next_sync_at = utcnow() + timedelta(seconds=0)
    await session.flush()
    return connection


async def rotate_encryption(ctx: AppContext, session: AsyncSession) -> int:
    """Re-encrypts every stored secret with the primary key; returns rows touched."""
    count = 0
    for connection in await repository.all_connections(session):
        connection.credentials_encrypted = ctx.vault.rotate(connection.credentials_encrypted)
        count += 1
    for account in await repository.accounts_with_webhook_secret(session):
        if account.webhook_secret_encrypted:
            account.webhook_secret_encrypted = ctx.vault.rotate(account.webhook_secret_encrypted)
            count += 1
    await session.flush()
    return count


HEALTH = {
    "VendorUnauthorized": ("UNAUTHORIZED", "Jira rejected the stored credentials", "CUSTOMER"),
    "VendorRateLimited": ("RATE_LIMIT_EXCEEDED", "Jira rate limit exceeded", "VENDOR"),
    "VendorUnavailable": ("VENDOR_SERVER_ERROR", "Jira is failing or unreachable", "VENDOR"),
    "VendorTimeout": ("EXECUTION_TIMEOUT", "Jira did not answer in time", "VENDOR"),
    "VendorOutcomeUnknown": ("EXECUTION_TIMEOUT", "Jira did not answer in time", "VENDOR"),
    "JobTimedOut": (
        "EXECUTION_TIMEOUT",
        "The last job ran past the connection's timeout_secs",
        "CUSTOMER",
    ),
    "VendorRequestError": ("VENDOR_CLIENT_ERROR", "Jira rejected a request", "CUSTOMER"),
}


def health_for(exc: BaseException | None) -> dict[str, Any]:
    if exc is None:
        return {
            "name": "HEALTHY",
            "status": "HEALTHY",
            "description": "Last job succeeded",
            "resolution_owner": None,
        }
    for cls in type(exc).__mro__:
        if cls.__name__ in HEALTH:
            name, description, owner = HEALTH[cls.__name__]
            break
    else:
        name, description, owner = "INTERNAL_ERROR", "TicketBridge failed", "TICKETBRIDGE"
    return {"name": name, "status": name, "description": description, "resolution_owner": owner}


async def record_health(
    ctx: AppContext, session: AsyncSession, connection: Connection, exc: BaseException | None
) -> None:
    """Writes the connection's health in the caller's transaction; a new status is a
    ``connection.health_changed`` event (queued with the transaction on procrastinate; on
    the embedded worker sent at once, the request's commit being the next thing to run)."""
    previous = connection.health
    connection.health = health_for(exc)
    changed = events.health_changed(connection, previous)
    if changed:
        later = await dispatch.publish(ctx, session, connection.account_id, [changed])
        dispatch.deliver_later(ctx, connection.account_id, later)


async def record_vendor_failure(
    ctx: AppContext, connection_id: uuid.UUID, exc: BaseException
) -> None:
    """Credentials that stopped working mark the connection, in a transaction of its own."""
    later: list[events.Event] = []
    async with transaction(ctx.sessionmaker) as session:
        connection = await repository.get_connection_unscoped(session, connection_id)
        if connection is not None:
            previous = connection.health
            connection.health = health_for(exc)
            changed = events.health_changed(connection, previous)
            if changed:
                later = await dispatch.publish(ctx, session, connection.account_id, [changed])
    if connection is not None:  # after the commit
        dispatch.deliver_later(ctx, connection.account_id, later)
