"""Provisioning routes (docs/api.md, "Provisioning"): X-API-KEY only."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response
from fastapi.responses import HTMLResponse

from ticketbridge.auth.dependencies import Ctx, CurrentAccount, Session, parse_uuid
from ticketbridge.errors import Unprocessable
from ticketbridge.jobs import embedded as jobs_embedded
from ticketbridge.jobs.schemas import JobOut
from ticketbridge.provisioning import connections, repository, service
from ticketbridge.provisioning.schemas import (
    AccountOut,
    AccountPatch,
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyOut,
    ConnectionCreate,
    ConnectionOut,
    ConnectionPatch,
    ConnectionTestOut,
    JobAccepted,
    OrganizationCreate,
    OrganizationOut,
    SyncRequest,
)

router = APIRouter(prefix="/provisioning", tags=["provisioning"])
oauth_router = APIRouter(prefix="/oauth", tags=["oauth"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "Not found (or another account's)"}
}


@router.get("/account", operation_id="get_account", response_model=AccountOut)
async def get_account(account: CurrentAccount) -> AccountOut:
    """The calling account."""
    return AccountOut.model_validate(account)


@router.patch("/account", operation_id="update_account", response_model=AccountOut)
async def update_account(
    body: AccountPatch, ctx: Ctx, session: Session, account: CurrentAccount
) -> AccountOut:
    """Rename the account or set its job-completion webhook (its secret is shown once)."""
    secret = await service.update_account(ctx, session, account, body)
    out = AccountOut.model_validate(account)
    out.webhook_secret = secret
    return out


@router.post("/api-keys", operation_id="create_api_key", response_model=ApiKeyCreated)
async def create_api_key(
    body: ApiKeyCreate, session: Session, account: CurrentAccount
) -> ApiKeyCreated:
    """Create an API key; the full key is in this response only."""
    row, key = await service.create_api_key(session, account, body.name)
    return ApiKeyCreated(**ApiKeyOut.model_validate(row).model_dump(), key=key)


@router.get("/api-keys", operation_id="list_api_keys", response_model=list[ApiKeyOut])
async def list_api_keys(session: Session, account: CurrentAccount) -> list[ApiKeyOut]:
    """List the account's keys by prefix."""
    return [
        ApiKeyOut.model_validate(k) for k in await repository.list_api_keys(session, account.id)
    ]


@router.delete(
    "/api-keys/{key_id}",
    operation_id="revoke_api_key",
    response_model=ApiKeyOut,
    responses={
        **NOT_FOUND,
        409: {"description": "The account's last active key (code `LAST_ACTIVE_KEY`)"},
    },
)
async def revoke_api_key(key_id: str, session: Session, account: CurrentAccount) -> ApiKeyOut:
    """Revoke a key; it stops working at once. The account's last active key cannot be
    revoked (409): create another one first."""
    row = await service.revoke_api_key(session, account, parse_uuid(key_id, "API key"))
    return ApiKeyOut.model_validate(row)


@router.post("/organizations", operation_id="create_organization", response_model=OrganizationOut)
async def create_organization(
    body: OrganizationCreate, session: Session, account: CurrentAccount
) -> OrganizationOut:
    """Create an organization (one of your end customers)."""
    org = await service.create_organization(session, account, body.name, body.identifier)
    return OrganizationOut.model_validate(org)


@router.get(
    "/organizations", operation_id="list_organizations", response_model=list[OrganizationOut]
)
async def list_organizations(session: Session, account: CurrentAccount) -> list[OrganizationOut]:
    """List organizations."""
    rows = await repository.list_organizations(session, account.id)
    return [OrganizationOut.model_validate(o) for o in rows]


@router.get(
    "/organizations/{org_id}",
    operation_id="get_organization",
    response_model=OrganizationOut,
    responses=NOT_FOUND,
)
async def get_organization(
    org_id: str, session: Session, account: CurrentAccount
) -> OrganizationOut:
    """Get an organization."""
    org = await service.get_organization(session, account, parse_uuid(org_id, "Organization"))
    return OrganizationOut.model_validate(org)


@router.delete(
    "/organizations/{org_id}",
    operation_id="delete_organization",
    status_code=204,
    responses=NOT_FOUND,
)
async def delete_organization(org_id: str, session: Session, account: CurrentAccount) -> Response:
    """Soft-delete an organization; its connections stop syncing."""
    await service.delete_organization(session, account, parse_uuid(org_id, "Organization"))
    return Response(status_code=204)


@router.post(
    "/organizations/{org_id}/connections",
    operation_id="create_connection",
    response_model=ConnectionOut,
    responses={**NOT_FOUND, 422: {"description": "Invalid credentials or base URL"}},
)
async def create_connection(
    org_id: str, body: ConnectionCreate, ctx: Ctx, session: Session, account: CurrentAccount
) -> ConnectionOut:
    """Connect an organization's vendor instance; credentials are stored encrypted."""
    return await connections.connect(
        ctx, session, account, parse_uuid(org_id, "Organization"), body
    )


@router.get(
    "/organizations/{org_id}/connections",
    operation_id="list_connections",
    response_model=list[ConnectionOut],
    responses=NOT_FOUND,
)
async def list_connections(
    org_id: str, ctx: Ctx, session: Session, account: CurrentAccount
) -> list[ConnectionOut]:
    """List an organization's connections."""
    return await connections.connections_of(ctx, session, account, org_id)


@router.get(
    "/organizations/{org_id}/connections/{connection_id}",
    operation_id="get_connection",
    response_model=ConnectionOut,
    responses=NOT_FOUND,
)
async def get_connection(
    org_id: str, connection_id: str, ctx: Ctx, session: Session, account: CurrentAccount
) -> ConnectionOut:
    """Get a connection (never its credentials)."""
    return await connections.show(ctx, session, account, org_id, connection_id)


@router.patch(
    "/organizations/{org_id}/connections/{connection_id}",
    operation_id="update_connection",
    response_model=ConnectionOut,
    responses=NOT_FOUND,
)
async def update_connection(
    org_id: str,
    connection_id: str,
    body: ConnectionPatch,
    ctx: Ctx,
    session: Session,
    account: CurrentAccount,
) -> ConnectionOut:
    """Change credentials, options, state or the refresh interval.

    `options` is a JSON merge patch; a change of the project filter or of a mapping queues a
    full resync, so tickets synced before the change follow it too."""
    out, queued = await connections.change(ctx, session, account, org_id, connection_id, body)
    if queued:
        await session.commit()
        jobs_embedded.wake(ctx)
    return out


@router.delete(
    "/organizations/{org_id}/connections/{connection_id}",
    operation_id="delete_connection",
    status_code=204,
    responses=NOT_FOUND,
)
async def delete_connection(
    org_id: str, connection_id: str, session: Session, account: CurrentAccount
) -> Response:
    """Delete a connection (soft: it stops syncing and answers 404 from now on)."""
    await connections.remove(session, account, org_id, connection_id)
    return Response(status_code=204)


@router.post(
    "/organizations/{org_id}/connections/{connection_id}/test",
    operation_id="test_connection",
    response_model=ConnectionTestOut,
    responses=NOT_FOUND,
)
async def test_connection(
    org_id: str, connection_id: str, ctx: Ctx, session: Session, account: CurrentAccount
) -> ConnectionTestOut:
    """Check the credentials against the vendor."""
    return await connections.test(ctx, session, account, org_id, connection_id)


@router.post(
    "/organizations/{org_id}/connections/{connection_id}/sync",
    operation_id="sync_connection",
    status_code=202,
    response_model=JobAccepted,
    responses=NOT_FOUND,
)
async def sync_connection(
    org_id: str,
    connection_id: str,
    ctx: Ctx,
    session: Session,
    account: CurrentAccount,
    body: Annotated[SyncRequest | None, Body()] = None,
) -> JobAccepted:
    """Start a sync now (or get the one already queued or running).

    Body (optional): `{"full": true}` syncs every ticket, not only those updated since the
    last sync."""
    full = body is not None and body.full
    job = await connections.sync(ctx, session, account, org_id, connection_id, full=full)
    await session.commit()
    jobs_embedded.wake(ctx)
    return JobAccepted(job_id=job.id)


@router.get(
    "/organizations/{org_id}/connections/{connection_id}/jobs",
    operation_id="list_connection_jobs",
    response_model=list[JobOut],
    responses=NOT_FOUND,
)
async def list_connection_jobs(
    org_id: str,
    connection_id: str,
    session: Session,
    account: CurrentAccount,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[JobOut]:
    """The connection's jobs, newest first."""
    return await connections.jobs_of(session, account, org_id, connection_id, limit)


@oauth_router.get("/jira/callback", operation_id="jira_oauth_callback", response_class=HTMLResponse)
async def jira_oauth_callback(
    ctx: Ctx,
    session: Session,
    code: Annotated[str | None, Query(max_length=4000)] = None,
    state: Annotated[str | None, Query(max_length=200)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    """Where Atlassian sends the user back after consent; stores the tokens."""
    if error:
        raise Unprocessable(f"Authorization was not granted: {error}")
    if not code or not state:
        raise Unprocessable("code and state are required")
    connection = await connections.authorize(ctx, session, state, code)
    await session.commit()
    jobs_embedded.wake(ctx)
    return HTMLResponse(
        f"<html><body><h1>Jira connected</h1><p>Connection {connection.id} is active; "
        "its first sync has started. You can close this window.</p></body></html>"
    )
