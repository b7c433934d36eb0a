from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from ticketbridge.auth.dependencies import CurrentConnection, Session, parse_uuid
from ticketbridge.itsm.issue_types import repository
from ticketbridge.itsm.issue_types.models import IssueType
from ticketbridge.itsm.issue_types.schemas import IssueTypeOut
from ticketbridge.itsm.paging import ListEnvelope, PageParams, page_params, paginate

router = APIRouter(prefix="/itsm/issue-types", tags=["issue types"])


@router.get("", operation_id="list_issue_types", response_model=ListEnvelope[IssueTypeOut])
async def list_issue_types(
    session: Session,
    connection: CurrentConnection,
    page: Annotated[PageParams, Depends(page_params)],
    project_id: Annotated[str | None, Query(alias="projectId")] = None,
) -> ListEnvelope[IssueTypeOut]:
    """List synced issue types, optionally of one project."""
    stmt = repository.list_stmt(
        connection.id, parse_uuid(project_id, "Project") if project_id else None
    )
    rows, nxt, prev = await paginate(session, stmt, IssueType.id, page)
    return ListEnvelope(
        items=[IssueTypeOut.model_validate(r) for r in rows], next_cursor=nxt, previous_cursor=prev
    )
