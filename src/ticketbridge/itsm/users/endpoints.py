from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from ticketbridge.auth.dependencies import CurrentConnection, Session, parse_uuid
from ticketbridge.errors import NotFound, Unprocessable
from ticketbridge.itsm.paging import ListEnvelope, PageParams, page_params, paginate
from ticketbridge.itsm.timestamps import UpdatedSince
from ticketbridge.itsm.users import repository
from ticketbridge.itsm.users.models import User
from ticketbridge.itsm.users.schemas import UserOut

router = APIRouter(prefix="/itsm/users", tags=["users"])


@router.get("", operation_id="list_users", response_model=ListEnvelope[UserOut])
async def list_users(
    session: Session,
    connection: CurrentConnection,
    page: Annotated[PageParams, Depends(page_params)],
    name: Annotated[str | None, Query(max_length=500)] = None,
    email: Annotated[str | None, Query(max_length=500)] = None,
    status: Literal["ACTIVE", "INACTIVE", "DELETED"] | None = None,
    project_id: Annotated[str | None, Query(alias="projectId")] = None,
    updated_since: UpdatedSince = None,
) -> ListEnvelope[UserOut]:
    """List synced users."""
    if updated_since is not None and page.cursor is not None:
        raise Unprocessable("updatedSince cannot be combined with cursor", field="updatedSince")
    stmt = repository.list_stmt(
        connection.id,
        name=name,
        email=email,
        status=status,
        project_id=parse_uuid(project_id, "Project") if project_id else None,
        updated_since=updated_since,
    )
    rows, nxt, prev = await paginate(session, stmt, User.id, page)
    return ListEnvelope(
        items=[UserOut.model_validate(r) for r in rows], next_cursor=nxt, previous_cursor=prev
    )


@router.get("/{user_id}", operation_id="get_user", response_model=UserOut)
async def get_user(user_id: str, session: Session, connection: CurrentConnection) -> User:
    """Get one synced user."""
    user = await repository.get(session, connection.id, parse_uuid(user_id, "User"))
    if user is None:
        raise NotFound("User not found")
    return user
