"""The emulator's data in a JSON file, so a restarted emulator is the same Jira site.

What changes at run time is saved: issues (with comments, properties, custom fields), the
id and key counters, and the anchor time the seeded data hangs from. Projects and users
are rebuilt from the seed (the emulator never creates or edits them) and given back their
key counters. A file from another seed or site size is refused rather than half-loaded.
"""

from __future__ import annotations

import dataclasses
import json
import os
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .models import Comment, Issue
from .state import EmulatorState

FORMAT = 1
_DATETIMES = ("created", "updated", "resolved", "status_changed")


def _params(state: EmulatorState) -> dict[str, Any]:
    params = dataclasses.asdict(state.params)
    params.pop("api_token", None)  # a credential; not needed to check the seed matches
    return params


def _issue_out(issue: Issue) -> dict[str, Any]:
    data = {f.name: getattr(issue, f.name) for f in dataclasses.fields(issue)}
    for name in _DATETIMES:
        data[name] = data[name].isoformat() if data[name] else None
    data["duedate"] = issue.duedate.isoformat() if issue.duedate else None
    data["comments"] = [
        {
            **{f.name: getattr(c, f.name) for f in dataclasses.fields(c)},
            "created": c.created.isoformat(),
            "updated": c.updated.isoformat(),
        }
        for c in issue.comments
    ]
    return data


def _issue_in(data: dict[str, Any]) -> Issue:
    values = dict(data)
    for name in _DATETIMES:
        values[name] = datetime.fromisoformat(values[name]) if values[name] else None
    values["duedate"] = date.fromisoformat(values["duedate"]) if values["duedate"] else None
    values["comments"] = [
        Comment(
            **{
                **c,
                "created": datetime.fromisoformat(c["created"]),
                "updated": datetime.fromisoformat(c["updated"]),
            }
        )
        for c in values["comments"]
    ]
    issue = Issue(**values)
    checks = (
        type(issue.id) is int,
        isinstance(issue.key, str) and isinstance(issue.summary, str),
        issue.parent_id is None or str(issue.parent_id).isdigit(),
        isinstance(issue.labels, list) and isinstance(issue.properties, dict),
        isinstance(issue.custom_fields, dict),
    )
    if not all(checks):
        raise ValueError(f"issue {issue.key!r} has fields of the wrong type")
    return issue


def dump(state: EmulatorState) -> dict[str, Any]:
    with state.lock:
        return {
            "format": FORMAT,
            "params": _params(state),
            "anchor": state.anchor.isoformat(),
            "next_issue_id": state.next_issue_id,
            "next_comment_id": state.next_comment_id,
            "project_next_numbers": {p.key: p.next_number for p in state.projects.values()},
            "issues": [_issue_out(issue) for issue in state.issues.values()],
        }


def restore(state: EmulatorState, data: dict[str, Any]) -> None:
    """Replaces the state's data with ``data`` (from `dump`), all or nothing: everything is
    read and checked before the state changes; anything malformed is a ValueError."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError("not an emulator state file (unknown format)")
    if data.get("params") != _params(state):
        raise ValueError("the saved emulator state was made with other seed settings")
    try:
        issues = [_issue_in(item) for item in data["issues"]]
        anchor = datetime.fromisoformat(data["anchor"])
        next_issue_id, next_comment_id = int(data["next_issue_id"]), int(data["next_comment_id"])
        numbers = {str(k): int(v) for k, v in dict(data["project_next_numbers"]).items()}
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"malformed emulator state: {type(exc).__name__}: {exc}") from None
    with state.lock:
        if anchor != state.anchor:
            state.anchor = anchor
            state.reset()  # the seeded catalogue hangs from the anchor too
        for project in state.projects.values():
            project.next_number = numbers.get(project.key, project.next_number)
        state.issues.clear()
        state.keys.clear()
        state.children.clear()
        for issue in issues:
            state.issues[issue.id] = issue
            state.keys[issue.key] = issue
        for issue in issues:
            if issue.parent_id is not None:
                state.children.setdefault(int(issue.parent_id), []).append(issue)
        state.next_issue_id = next_issue_id
        state.next_comment_id = next_comment_id
        state.touch()


def save(state: EmulatorState, path: Path) -> None:
    """Writes atomically: a crash mid-write leaves the previous file."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(dump(state), separators=(",", ":")))
    os.replace(tmp, path)


def load(state: EmulatorState, path: Path) -> bool:
    """Restores ``path`` into ``state`` when the file exists; returns whether it did."""
    if not path.is_file():
        return False
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"cannot read the emulator state file {path}: {exc}") from None
    restore(state, data)
    return True
