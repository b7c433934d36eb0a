from __future__ import annotations

from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel

from ticketbridge.auth.dependencies import Ctx, CurrentConnection, Session
from ticketbridge.connectors.base import Page
from ticketbridge.itsm.passthrough import service
from ticketbridge.itsm.passthrough.schemas import (
    IssueTypesPage,
    PassthroughIssueType,
    PassthroughProject,
    PassthroughUser,
    ProjectsPage,
    SearchPage,
    UsersPage,
)
from ticketbridge.provisioning.health import vendor_guard
from ticketbridge.provisioning.models import Connection

router = APIRouter(prefix="/itsm/passthrough", tags=["passthrough"])

Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
ProjectKey = Annotated[str, Path(min_length=1, max_length=255)]


async def live_connection(session: Session, connection: CurrentConnection) -> Connection:
    """The connection, with the request's database connection handed back first.

    Passthrough reads nothing else from the store, and a slow or rate-limited vendor
    (retries wait out Retry-After) must not hold a pool slot meanwhile.
    """
    await session.commit()
    return connection


LiveConnection = Annotated[Connection, Depends(live_connection)]
P = TypeVar("P", bound=BaseModel)


def _offset_page(kind: type[P], item: type[BaseModel], page: Page, limit: int, offset: int) -> P:
    """Our offset envelope around a vendor page."""
    items = [item.model_validate(i) for i in page.items]
    return kind(items=items, total=page.total, limit=limit, offset=offset)


PASS_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "The vendor refused the query (bad JQL); its messages in vendor_errors"},
    404: {"description": "Unknown connection, or the vendor has no such project"},
    422: {"description": "Invalid parameters, or not supported for this vendor"},
    502: {"description": "Vendor rejected our credentials or failed"},
    503: {"description": "Vendor rate limited after retries (Retry-After)"},
    504: {"description": "Vendor timed out"},
}


@router.get(
    "/projects",
    operation_id="passthrough_projects",
    response_model=ProjectsPage,
    responses=PASS_ERRORS,
)
async def list_projects(
    ctx: Ctx,
    connection: LiveConnection,
    limit: Limit = 50,
    offset: Offset = 0,
    expand: Literal["issue_types"] | None = None,
) -> ProjectsPage:
    """Projects, live from the vendor (optionally with their issue types)."""
    async with vendor_guard(ctx, connection):
        page = await service.projects(ctx, connection, offset, limit, expand == "issue_types")
    return _offset_page(ProjectsPage, PassthroughProject, page, limit, offset)


@router.get(
    "/projects/{project_key}/issue-types",
    operation_id="passthrough_issue_types",
    response_model=IssueTypesPage,
    responses=PASS_ERRORS,
)
async def list_issue_types(
    project_key: ProjectKey,
    ctx: Ctx,
    connection: LiveConnection,
    limit: Limit = 50,
    offset: Offset = 0,
) -> IssueTypesPage:
    """Issue types a ticket can be created with in one project, live."""
    async with vendor_guard(ctx, connection):
        page = await service.issue_types(ctx, connection, project_key, offset, limit)
    return _offset_page(IssueTypesPage, PassthroughIssueType, page, limit, offset)


@router.get(
    "/users", operation_id="passthrough_users", response_model=UsersPage, responses=PASS_ERRORS
)
async def list_users(
    ctx: Ctx,
    connection: LiveConnection,
    project_key: Annotated[
        str | None,
        Query(
            max_length=255,
            description="Only users who can be assigned tickets in this project. Without "
            "it (or empty), the vendor's whole user directory, inactive and app accounts "
            "included: see `active` and `account_type`.",
        ),
    ] = None,
    query: Annotated[
        str | None,
        Query(max_length=255, description="Prefix of a name or email; empty matches all"),
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> UsersPage:
    """Users, live: assignable in `project_key`, or the whole directory without it.

    `total` is null (Jira gives none). Emails the users keep private are null.
    """
    async with vendor_guard(ctx, connection):
        page = await service.users(
            ctx, connection, query or None, project_key or None, offset, limit
        )
    return _offset_page(UsersPage, PassthroughUser, page, limit, offset)


@router.get(
    "/tickets/search",
    operation_id="passthrough_search_tickets",
    response_model=SearchPage,
    responses=PASS_ERRORS,
)
async def search_tickets(
    ctx: Ctx,
    connection: LiveConnection,
    jql: Annotated[str, Query(min_length=1, max_length=5000)],
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> SearchPage:
    """JQL search, live; items are Jira's issues as Jira returns them."""
    async with vendor_guard(ctx, connection):
        page = await service.search(ctx, connection, jql, cursor, limit)
    return SearchPage(items=page.items, next_cursor=page.next_cursor)
