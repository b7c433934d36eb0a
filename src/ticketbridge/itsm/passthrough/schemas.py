"""Passthrough wire models (docs/api.md, "Passthrough")."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ProjectIssueType(BaseModel):
    """An issue type embedded in a project (``expand=issue_types``)."""

    vendor_id: str
    name: str
    subtask: bool


class PassthroughIssueType(ProjectIssueType):
    description: str | None = None


class PassthroughProject(BaseModel):
    vendor_id: str
    name: str | None
    project_type: str | None
    issue_types: list[ProjectIssueType] | None = None


class PassthroughUser(BaseModel):
    vendor_id: str
    name: str | None
    email: str | None
    active: bool
    account_type: str | None


class OffsetPage(BaseModel):
    total: int | None
    limit: int
    offset: int


class ProjectsPage(OffsetPage):
    items: list[PassthroughProject]


class IssueTypesPage(OffsetPage):
    items: list[PassthroughIssueType]


class UsersPage(OffsetPage):
    items: list[PassthroughUser]


class SearchPage(BaseModel):
    items: list[dict[str, Any]]
    next_cursor: str | None
