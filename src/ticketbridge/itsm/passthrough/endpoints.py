from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from ticketbridge.auth.dependencies import CurrentConnection, Ctx
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
from ticketbridge.itsm.tickets.endpoints import ERRORS, vendor_guard

router = APIRouter(prefix="/itsm/passthrough", tags=["passthrough"])

Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
PASS_ERRORS = {**ERRORS, 400: {"description": "The vendor refused the query (bad JQL)"}}


@router.get(
    "/projects",
    operation_id="passthrough_projects",
    response_model=ProjectsPage,
    responses=PASS_ERRORS,
)
async def list_projects(
    ctx: Ctx,
    connection: CurrentConnection,
    limit: Limit = 50,
    offset: Offset = 0,
    expand: Literal["issue_types"] | None = None,
) -> ProjectsPage:
    """Projects, live from the vendor (optionally with their issue types)."""
    async with vendor_guard(ctx, connection):
        page = await service.projects(ctx, connection, offset, limit, expand == "issue_types")
    return ProjectsPage(
        items=[PassthroughProject.model_validate(i) for i in page.items],
        total=page.total,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/projects/{project_key}/issue-types",
    operation_id="passthrough_issue_types",
    response_model=IssueTypesPage,
    responses=PASS_ERRORS,
)
async def list_issue_types(
    project_key: str,
    ctx: Ctx,
    connection: CurrentConnection,
    limit: Limit = 50,
    offset: Offset = 0,
) -> IssueTypesPage:
    """Issue types a ticket can be created with in one project, live."""
    async with vendor_guard(ctx, connection):
        page = await service.issue_types(ctx, connection, project_key, offset, limit)
    return IssueTypesPage(
        items=[PassthroughIssueType.model_validate(i) for i in page.items],
        total=page.total,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/users", operation_id="passthrough_users", response_model=UsersPage, responses=PASS_ERRORS
)
async def list_users(
    ctx: Ctx,
    connection: CurrentConnection,
    project_key: Annotated[str, Query(min_length=1, max_length=255)],
    query: Annotated[str | None, Query(max_length=255)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> UsersPage:
    """Users assignable in a project, live (total is null: Jira does not give one)."""
    async with vendor_guard(ctx, connection):
        page = await service.users(ctx, connection, query, project_key, offset, limit)
    return UsersPage(
        items=[PassthroughUser.model_validate(i) for i in page.items],
        total=page.total,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/tickets/search",
    operation_id="passthrough_search_tickets",
    response_model=SearchPage,
    responses=PASS_ERRORS,
)
async def search_tickets(
    ctx: Ctx,
    connection: CurrentConnection,
    jql: Annotated[str, Query(min_length=1, max_length=5000)],
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> SearchPage:
    """JQL search, live; items are Jira's issues as Jira returns them."""
    async with vendor_guard(ctx, connection):
        page = await service.search(ctx, connection, jql, cursor, limit)
    return SearchPage(items=page.items, next_cursor=page.next_cursor)
