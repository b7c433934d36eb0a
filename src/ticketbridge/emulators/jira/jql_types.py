"""Types at the JQL engine's edge: the issue it reads, the request context, its error."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol


class JqlError(Exception):
    """An invalid query; `messages` are the `errorMessages` of Jira's 400 answer."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__(" ".join(messages))
        self.messages = list(messages)


class JqlIssue(Protocol):
    """What the evaluator reads from an issue (the emulator's issue class fits structurally)."""

    @property
    def id(self) -> int: ...
    @property
    def key(self) -> str: ...
    @property
    def project_id(self) -> str: ...
    @property
    def project_key(self) -> str: ...
    @property
    def project_name(self) -> str: ...
    @property
    def issuetype_id(self) -> str: ...
    @property
    def issuetype_name(self) -> str: ...
    @property
    def status_id(self) -> str: ...
    @property
    def status_name(self) -> str: ...
    @property
    def status_category_key(self) -> str: ...  # new | indeterminate | done
    @property
    def priority_id(self) -> str | None: ...
    @property
    def priority_name(self) -> str | None: ...
    @property
    def assignee_account_id(self) -> str | None: ...
    @property
    def reporter_account_id(self) -> str | None: ...
    @property
    def labels(self) -> Sequence[str]: ...
    @property
    def parent_id(self) -> str | None: ...
    @property
    def parent_key(self) -> str | None: ...
    @property
    def summary(self) -> str: ...
    @property
    def description_text(self) -> str: ...
    @property
    def comments_text(self) -> str: ...
    @property
    def created(self) -> datetime: ...
    @property
    def updated(self) -> datetime: ...
    @property
    def resolved(self) -> datetime | None: ...
    @property
    def duedate(self) -> date | None: ...
    @property
    def properties(self) -> Mapping[str, Any]: ...


_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class SimpleJqlIssue:
    """A plain `JqlIssue` (for tests and tools)."""

    id: int
    key: str
    project_id: str = "10000"
    project_key: str = "PROJ"
    project_name: str = "Project"
    issuetype_id: str = "10001"
    issuetype_name: str = "Task"
    status_id: str = "10000"
    status_name: str = "To Do"
    status_category_key: str = "new"
    priority_id: str | None = None
    priority_name: str | None = None
    assignee_account_id: str | None = None
    reporter_account_id: str | None = None
    labels: Sequence[str] = ()
    parent_id: str | None = None
    parent_key: str | None = None
    summary: str = ""
    description_text: str = ""
    comments_text: str = ""
    created: datetime = _EPOCH
    updated: datetime = _EPOCH
    resolved: datetime | None = None
    duedate: date | None = None
    properties: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class JqlCatalog:
    """Known values for `CompiledJql.validate` (lowercase keys, ids and names)."""

    project_keys_ids_names: set[str]
    issuetypes: set[str]
    statuses: set[str]
    priorities: set[str]


@dataclass
class JqlContext:
    now: datetime  # tz-aware UTC
    current_account_id: str | None
    catalog: JqlCatalog | None = None
