from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from ticketbridge.auth.dependencies import CurrentConnection, Session, parse_uuid
from ticketbridge.errors import NotFound
from ticketbridge.itsm.paging import ListEnvelope, PageParams, page_params, paginate
from ticketbridge.itsm.projects import repository
from ticketbridge.itsm.projects.models import Project
from ticketbridge.itsm.projects.schemas import ProjectOut

router = APIRouter(prefix="/itsm/projects", tags=["projects"])


@router.get("", operation_id="list_projects", response_model=ListEnvelope[ProjectOut])
async def list_projects(
    session: Session,
    connection: CurrentConnection,
    page: Annotated[PageParams, Depends(page_params)],
) -> ListEnvelope[ProjectOut]:
    """List synced projects."""
    rows, nxt, prev = await paginate(session, repository.list_stmt(connection.id), Project.id, page)
    return ListEnvelope(
        items=[ProjectOut.model_validate(r) for r in rows], next_cursor=nxt, previous_cursor=prev
    )


@router.get(
    "/{project_id}",
    operation_id="get_project",
    response_model=ProjectOut,
    responses={404: {"description": "Project not found"}},
)
async def get_project(project_id: str, session: Session, connection: CurrentConnection) -> Project:
    """Get one synced project."""
    project = await repository.get(session, connection.id, parse_uuid(project_id, "Project"))
    if project is None:
        raise NotFound("Project not found")
    return project
