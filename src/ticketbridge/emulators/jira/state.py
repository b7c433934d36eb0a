"""The emulator's in-memory store: catalogue, users, issues, counters.

All request handling happens on the server's event-loop thread, but tests read the state
from another thread, so writes and multi-step reads take `lock` (a cheap `RLock`).

Every write to an issue (create, edit, transition, assign, comment, property, delete) and
`reset` call `touch()`: it bumps `version`, which drops everything memoised for searches
(`issue_snapshot`, `memo`). A write that forgot to touch would make searches stale.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from . import catalog
from .models import CustomField, Issue, IssueType, Priority, Project, Status, User

T = TypeVar("T")
MEMO_ENTRIES = 8  # search orderings kept per version (each is a list + a dict of N issues)


@dataclass(frozen=True, slots=True)
class SeedParams:
    seed: int = 42
    projects: int = 3
    users: int = 25
    issues: int = 200
    email: str = "sandbox@ticketbridge.dev"
    api_token: str = "sandbox-api-token"
    # When true, ENG's Bug type requires customfield_10030 ("Customer Impact") on create.
    require_bug_customer_impact: bool = False


@dataclass(slots=True)
class EmulatorState:
    """Everything the emulated Jira site knows. Rebuilt from `params` by `reset()`, which
    empties the store and calls `seeder` (`seed.seed_state`: the app passes it in, so the
    store does not depend on how the sample data is made)."""

    params: SeedParams
    seeder: Callable[[EmulatorState], None]
    anchor: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))
    lock: threading.RLock = field(default_factory=threading.RLock)
    projects: dict[str, Project] = field(default_factory=dict)  # by id
    users: dict[str, User] = field(default_factory=dict)  # by accountId, in seed order
    issues: dict[int, Issue] = field(default_factory=dict)  # by id, ascending insertion
    keys: dict[str, Issue] = field(default_factory=dict)  # by key (also moved/old keys)
    children: dict[int, list[Issue]] = field(default_factory=dict)  # parent id -> children
    next_issue_id: int = 10000
    next_comment_id: int = 10000
    caller_account_id: str = ""
    # Serialised catalogue objects per (kind, api base, id); cleared on reset.
    json_cache: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    # Bumped by `touch()` on every write; memoised search data is valid for one version.
    version: int = 0
    _snapshot: tuple[int, list[Issue]] = (-1, [])
    _memo_version: int = -1
    _memo: OrderedDict[Hashable, Any] = field(default_factory=OrderedDict)

    def __post_init__(self) -> None:
        self.reset()

    # -- lifecycle ---------------------------------------------------------------------
    def reset(self) -> None:
        """Restore the seeded data (same seed, same anchor time => same data)."""
        with self.lock:
            self.projects.clear()
            self.users.clear()
            self.issues.clear()
            self.keys.clear()
            self.children.clear()
            self.json_cache.clear()
            self.next_issue_id = 10000
            self.next_comment_id = 10000
            self.seeder(self)
            self.touch()

    def touch(self) -> None:
        """Record a write: search data memoised for the previous version is now stale."""
        with self.lock:
            self.version += 1

    def issue_snapshot(self) -> list[Issue]:
        """All issues in id order (ascending, which is insertion order), shared until the next
        write: callers must not modify the list."""
        with self.lock:
            version, issues = self._snapshot
            if version != self.version:
                issues = list(self.issues.values())
                self._snapshot = (self.version, issues)
            return issues

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()` once per key and state version (a small LRU, emptied by any write).
        Runs under the lock, so no write can slip in between computing and storing."""
        with self.lock:
            if self._memo_version != self.version:
                self._memo.clear()
                self._memo_version = self.version
            if key in self._memo:
                self._memo.move_to_end(key)
                return self._memo[key]  # type: ignore[no-any-return]
            value = compute()
            self._memo[key] = value
            if len(self._memo) > MEMO_ENTRIES:
                self._memo.popitem(last=False)
            return value

    # -- catalogue ---------------------------------------------------------------------
    @property
    def email(self) -> str:
        return self.params.email

    @property
    def api_token(self) -> str:
        return self.params.api_token

    @property
    def issue_types(self) -> dict[str, IssueType]:
        return catalog.ISSUE_TYPES

    @property
    def statuses(self) -> dict[str, Status]:
        return catalog.STATUSES

    @property
    def priorities(self) -> dict[str, Priority]:
        return catalog.PRIORITIES

    @property
    def custom_fields(self) -> dict[str, CustomField]:
        return catalog.CUSTOM_FIELDS

    def project(self, id_or_key: str) -> Project | None:
        """Find a project by id or key (keys are case sensitive, as in Jira)."""
        found = self.projects.get(id_or_key)
        if found is not None:
            return found
        for project in self.projects.values():
            if project.key == id_or_key:
                return project
        return None

    def project_issue_types(self, project: Project) -> list[IssueType]:
        return [catalog.ISSUE_TYPES[i] for i in project.issue_type_ids]

    def user(self, account_id: str | None) -> User | None:
        return self.users.get(account_id) if account_id else None

    @property
    def caller(self) -> User:
        return self.users[self.caller_account_id]

    # -- issues ------------------------------------------------------------------------
    def issue_by_key(self, key: str) -> Issue | None:
        """Exact key, then a case-insensitive match (Jira falls back the same way)."""
        found = self.keys.get(key)
        if found is None:
            found = self.keys.get(key.upper())
        return found

    def issue(self, id_or_key: str) -> Issue | None:
        if id_or_key.isdigit():
            return self.issues.get(int(id_or_key))
        return self.issue_by_key(id_or_key)

    def allocate(self, project: Project) -> tuple[int, str]:
        """Reserve the next issue id and the project's next key."""
        with self.lock:
            issue_id = self.next_issue_id
            self.next_issue_id += 1
            key = f"{project.key}-{project.next_number}"
            project.next_number += 1
            return issue_id, key

    def add_issue(self, issue: Issue) -> None:
        with self.lock:
            self.issues[issue.id] = issue
            self.keys[issue.key] = issue
            if issue.parent_id is not None:
                self.children.setdefault(int(issue.parent_id), []).append(issue)
            self.touch()

    def remove_issue(self, issue: Issue) -> list[Issue]:
        """Delete an issue and its sub-tasks; returns what was removed."""
        with self.lock:
            removed = [issue, *self.children.pop(issue.id, [])]
            for gone in removed:
                self.issues.pop(gone.id, None)
                for key in [k for k, v in self.keys.items() if v is gone]:
                    del self.keys[key]
            if issue.parent_id is not None:
                siblings = self.children.get(int(issue.parent_id), [])
                if issue in siblings:
                    siblings.remove(issue)
            self.touch()
            return removed

    def set_parent(self, issue: Issue, parent: Issue | None) -> None:
        """Re-parent an issue, keeping the children index in step."""
        with self.lock:
            if issue.parent_id is not None:
                siblings = self.children.get(int(issue.parent_id), [])
                if issue in siblings:
                    siblings.remove(issue)
            issue.parent_id = str(parent.id) if parent else None
            issue.parent_key = parent.key if parent else None
            if parent is not None:
                self.children.setdefault(parent.id, []).append(issue)
            self.touch()

    def new_comment_id(self) -> str:
        with self.lock:
            value = self.next_comment_id
            self.next_comment_id += 1
            return str(value)

    def find_issues_by_property(self, key: str, path: str = "", value: Any = None) -> list[Issue]:
        """Issues whose property `key` holds `value` at dotted `path` ("" = the whole value)."""
        with self.lock:
            snapshot = list(self.issues.values())
        found = []
        for issue in snapshot:
            if key not in issue.properties:
                continue
            current: Any = issue.properties[key]
            for part in [p for p in path.split(".") if p]:
                current = current.get(part) if isinstance(current, dict) else None
            if current == value:
                found.append(issue)
        return found

    def iter_issues_desc(self) -> Iterator[Issue]:
        """Issues by id descending (a snapshot, safe against concurrent inserts)."""
        return reversed(self.issue_snapshot())
