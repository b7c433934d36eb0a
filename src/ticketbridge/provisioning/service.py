"""Tenancy: connections and their credentials (accounts, keys and organizations:
`accounts.py`; a connection's health: `health.py`, both importable from here too)."""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from ticketbridge.connectors.registry import connector_class, validate_options
from ticketbridge.context import AppContext
from ticketbridge.db.base import utcnow
from ticketbridge.errors import (
    NotFound,
    Unprocessable,
    VendorRequestError,
    VendorUnauthorized,
)
from ticketbridge.ids import uuid7
from ticketbridge.provisioning import auth_cache, repository

# Importable from here as before the split (callers use `service.create_account`, ...).
from ticketbridge.provisioning.accounts import (  # noqa: F401
    check_webhook_url,
    create_account,
    create_api_key,
    create_organization,
    delete_organization,
    get_account,
    get_organization,
    list_api_keys,
    revoke_api_key,
    update_account,
)
from ticketbridge.provisioning.connectors import build_connector
from ticketbridge.provisioning.health import (  # noqa: F401
    HEALTH,
    health_for,
    record_health,
    record_vendor_failure,
)
from ticketbridge.provisioning.models import Account, Connection, Organization
from ticketbridge.provisioning.options import needs_full_resync, patched
from ticketbridge.provisioning.schemas import (
    ConnectionCreate,
    ConnectionOut,
    ConnectionPatch,
    Health,
)


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
    connector = build_connector(
        ctx, vendor, connection_id, creds.model_dump(mode="json"), unsaved=True
    )
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
    options = validate_options(body.vendor, body.options)
    if body.check_vendor:
        await check_with_vendor(ctx, body.vendor, str(uuid7()), creds)
    connection = Connection(
        account_id=account.id,
        organization_id=org.id,
        vendor=body.vendor,
        identifier=body.identifier,
        credentials_encrypted=ctx.vault.encrypt_json(creds.model_dump(mode="json")),
        options=options,
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
        options = patched(connection.vendor, connection.options, patch.options)
        if needs_full_resync(connection.vendor, connection.options, options):
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
    auth_cache.invalidate_after_commit(session)


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
        options=dict(connection.options or {}),
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
