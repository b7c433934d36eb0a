"""Domain objects of the Jira emulator: catalogue (projects, types, workflows) and issues.

`Issue` satisfies the `JqlIssue` protocol of `jql.py` structurally: every attribute the JQL
evaluator reads is a plain slot, kept consistent by the mutators below (status changes go
through `set_status`, description writes through `set_description`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class StatusCategory:
    id: int
    key: str
    name: str
    color_name: str


CATEGORY_NEW = StatusCategory(2, "new", "To Do", "blue-gray")
CATEGORY_IN_PROGRESS = StatusCategory(4, "indeterminate", "In Progress", "yellow")
CATEGORY_DONE = StatusCategory(3, "done", "Done", "green")
CATEGORY_UNDEFINED = StatusCategory(1, "undefined", "No Category", "medium-gray")
STATUS_CATEGORIES = (CATEGORY_UNDEFINED, CATEGORY_NEW, CATEGORY_DONE, CATEGORY_IN_PROGRESS)


@dataclass(frozen=True, slots=True)
class Status:
    id: str
    name: str
    category: StatusCategory
    description: str = ""


@dataclass(frozen=True, slots=True)
class Transition:
    """A workflow transition; `sources` empty means global (available from every status)."""

    id: str
    name: str
    to_status_id: str
    sources: frozenset[str] = frozenset()

    def available_from(self, status_id: str) -> bool:
        return (not self.sources or status_id in self.sources) and status_id != self.to_status_id


@dataclass(frozen=True, slots=True)
class Workflow:
    name: str
    initial_status_id: str
    status_ids: tuple[str, ...]
    transitions: tuple[Transition, ...]

    def transitions_from(self, status_id: str) -> list[Transition]:
        return [t for t in self.transitions if t.available_from(status_id)]


@dataclass(frozen=True, slots=True)
class IssueType:
    id: str
    name: str
    description: str
    subtask: bool
    hierarchy_level: int
    avatar_id: int


@dataclass(frozen=True, slots=True)
class Priority:
    id: str
    name: str
    description: str
    status_color: str
    is_default: bool = False


@dataclass(frozen=True, slots=True)
class Resolution:
    id: str
    name: str
    description: str


@dataclass(frozen=True, slots=True)
class CustomField:
    """A custom field; `kind` is the JSON schema type ("string", "number", "option")."""

    id: str
    name: str
    kind: str
    allowed_values: tuple[str, ...] = ()


@dataclass(slots=True)
class Project:
    id: str
    key: str
    name: str
    type_key: str  # software | business | service_desk
    description: str
    lead_account_id: str
    workflow: Workflow
    issue_type_ids: tuple[str, ...]
    custom_field_ids: tuple[str, ...]
    # issue type id -> custom field ids that are required on create
    required_custom_fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    uuid: str = ""
    next_number: int = 1


@dataclass(slots=True)
class User:
    account_id: str
    display_name: str
    email: str
    email_visible: bool
    active: bool
    account_type: str  # atlassian | app | customer
    time_zone: str
    locale: str = "en_US"

    @property
    def assignable(self) -> bool:
        """Only active human accounts can be assigned issues in the emulator."""
        return self.active and self.account_type == "atlassian"


@dataclass(slots=True)
class Comment:
    id: str
    author_account_id: str
    body: dict[str, Any]  # ADF
    body_text: str
    created: datetime
    updated: datetime


@dataclass(slots=True, eq=False)
class Issue:
    """One issue. Denormalised names/keys are what the JQL evaluator reads."""

    id: int
    key: str
    project_id: str
    project_key: str
    project_name: str
    issuetype_id: str
    issuetype_name: str
    status_id: str
    status_name: str
    status_category_key: str
    priority_id: str | None
    priority_name: str | None
    assignee_account_id: str | None
    reporter_account_id: str | None
    creator_account_id: str | None
    labels: list[str]
    parent_id: str | None
    parent_key: str | None
    summary: str
    description: dict[str, Any] | None
    description_text: str
    created: datetime
    updated: datetime
    resolved: datetime | None = None
    resolution_id: str | None = None
    duedate: date | None = None
    status_changed: datetime | None = None
    comments: list[Comment] = field(default_factory=list)
    comments_text: str = ""
    properties: dict[str, Any] = field(default_factory=dict)
    custom_fields: dict[str, Any] = field(default_factory=dict)

    def set_status(self, status: Status, when: datetime) -> None:
        self.status_id = status.id
        self.status_name = status.name
        self.status_category_key = status.category.key
        self.status_changed = when

    def set_description(self, doc: dict[str, Any] | None, text: str) -> None:
        self.description = doc
        self.description_text = text

    def add_comment(self, comment: Comment) -> None:
        self.comments.append(comment)
        self.comments_text = "\n".join(c.body_text for c in self.comments)
