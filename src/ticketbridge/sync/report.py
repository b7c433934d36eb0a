"""What a sync did, as its job's `result` shows it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# A report keeps this many skipped items (and counts them all).
SKIPPED_KEPT = 1000


@dataclass
class SyncReport:
    """Counts of a sync. ``skipped``: items it could not store, each with the vendor's id of
    the item and a reason for people (never SQL or a class name); the sync went on without
    them. ``unmapped_statuses``: vendor status names no mapping covers (those tickets are
    stored with status UNKNOWN), with how many tickets had each."""

    full: bool
    projects: int = 0
    issue_types: int = 0
    users: int = 0
    tickets: int = 0
    deactivated: int = 0
    skipped: list[dict[str, Any]] = field(default_factory=list)
    skipped_count: int = 0
    unmapped_statuses: dict[str, int] = field(default_factory=dict)

    def skip(self, item: str | None, reason: str) -> None:
        self.skipped_count += 1
        if len(self.skipped) < SKIPPED_KEPT:
            self.skipped.append({"item": item, "reason": reason})

    def as_dict(self) -> dict[str, Any]:
        return {
            "full": self.full,
            "projects": self.projects,
            "issue_types": self.issue_types,
            "users": self.users,
            "tickets": self.tickets,
            "deactivated": self.deactivated,
            "skipped": self.skipped[:SKIPPED_KEPT],
            "skipped_count": self.skipped_count,
            "unmapped_statuses": dict(self.unmapped_statuses),
        }
