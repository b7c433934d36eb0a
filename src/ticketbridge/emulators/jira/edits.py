"""Editing an issue (`PUT issue/{key}`): `fields` (set) and `update` (set/add/remove).

Like every service, the whole request is validated first and only then applied, so a 400
never leaves a half-applied edit behind.
"""

from __future__ import annotations

from typing import Any

from . import catalog
from . import fields as f
from .errors import bad_request
from .models import Issue, Project
from .service import add_comment, now, parse_comment_body
from .state import EmulatorState


def edit_issue(state: EmulatorState, issue: Issue, payload: Any, adf: bool) -> None:
    """Apply `fields` (set) and `update` (set/add/remove) to an issue; status is not editable."""
    if not isinstance(payload, dict) or not (payload.get("fields") or payload.get("update")):
        if isinstance(payload, dict) and ("fields" in payload or "update" in payload):
            return  # empty edit: Jira answers 204 and changes nothing
        raise bad_request(None, "No content to map due to end-of-input")
    errors: f.Errors = {}
    project = state.projects[issue.project_id]
    values = dict(payload.get("fields") or {})
    label_ops: list[tuple[str, Any]] = []
    comments: list[Any] = []
    for field_id, ops in (payload.get("update") or {}).items():
        if field_id in values:
            errors[field_id] = f"Field '{field_id}' cannot be set in both fields and update."
            continue
        for op in ops if isinstance(ops, list) else []:
            if not isinstance(op, dict) or len(op) != 1:
                errors[field_id] = "Each update operation must have exactly one verb."
                continue
            name, arg = next(iter(op.items()))
            if field_id == "labels" and name in ("add", "remove", "set"):
                label_ops.append((name, arg))
            elif field_id == "comment" and name == "add":
                comments.append(arg.get("body") if isinstance(arg, dict) else None)
            elif name == "set":
                values[field_id] = arg
            else:
                errors[field_id] = f"Operation '{name}' is not supported for field '{field_id}'."
    changes = _parse_edit_fields(state, issue, project, values, adf, errors)
    if "labels" in changes:
        label_ops.insert(0, ("set", changes.pop("labels")))
    labels = _apply_label_ops(issue.labels, label_ops, errors) if label_ops else None
    bodies = [parse_comment_body(b, adf, errors) for b in comments]
    if errors:
        raise bad_request(errors)
    when = now()
    with state.lock:
        for attr, value in changes.items():
            if attr == "description":
                issue.set_description(*value)
            elif attr == "parent":
                state.set_parent(issue, value)
            elif attr == "issuetype":
                issue.issuetype_id, issue.issuetype_name = value.id, value.name
            elif attr == "priority":
                issue.priority_id, issue.priority_name = value.id, value.name
            elif attr == "custom":
                issue.custom_fields.update(value)
                for key in [k for k, v in issue.custom_fields.items() if v is None]:
                    del issue.custom_fields[key]
            else:
                setattr(issue, attr, value)
        if labels is not None:
            issue.labels = labels
        for doc, text in bodies:
            add_comment(state, issue, doc, text, when)
        issue.updated = when
        state.touch()


def _parse_edit_fields(
    state: EmulatorState,
    issue: Issue,
    project: Project,
    values: dict[str, Any],
    adf: bool,
    errors: f.Errors,
) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    issue_type = catalog.ISSUE_TYPES[issue.issuetype_id]
    for field_id, value in values.items():
        if field_id == "summary":
            summary = f.parse_summary(value, errors)
            if summary is not None:
                changes["summary"] = summary
        elif field_id == "description":
            parsed = f.parse_rich_text("description", value, adf, errors)
            if parsed is not None:
                changes["description"] = parsed
        elif field_id == "issuetype":
            new_type = f.parse_issuetype(state, project, value, errors)
            if new_type is not None and new_type.subtask != issue_type.subtask:
                errors["issuetype"] = "Changing between sub-task and standard types needs a move."
            elif new_type is not None:
                changes["issuetype"] = new_type
        elif field_id == "priority":
            priority = f.parse_priority(value, errors)
            if priority is not None:
                changes["priority"] = priority
        elif field_id == "assignee":
            ok, account_id = f.parse_assignee(state, project, value, errors)
            if ok:
                changes["assignee_account_id"] = account_id
        elif field_id == "reporter":
            reporter = f.parse_reporter(state, value, errors)
            if reporter is not None:
                changes["reporter_account_id"] = reporter.account_id
        elif field_id == "labels":
            labels = f.parse_labels(value, errors)
            if labels is not None:
                changes["labels"] = labels
        elif field_id == "duedate":
            ok, due = f.parse_duedate(value, errors)
            if ok:
                changes["duedate"] = due
        elif field_id == "parent":
            if isinstance(value, dict) and value.get("none"):
                if issue_type.subtask:
                    errors["parent"] = "A sub-task must have a parent."
                else:
                    changes["parent"] = None
            else:
                ok, parent = f.parse_parent(state, project, issue_type, value, errors)
                if ok:
                    changes["parent"] = parent
        elif field_id.startswith("customfield_") and f.CUSTOM_FIELD_RE.match(field_id):
            custom[field_id] = f.parse_custom_field(field_id, value, errors)
        elif field_id in ("components", "fixVersions", "environment"):
            continue  # accepted and ignored: the emulator has no versions/components
        else:
            errors[field_id] = f.cannot_set(field_id)
    if custom:
        changes["custom"] = custom
    return changes


def _apply_label_ops(current: list[str], ops: list[tuple[str, Any]], errors: f.Errors) -> list[str]:
    labels = list(current)
    for name, arg in ops:
        if name == "set":
            labels = f.parse_labels(arg, errors) or []
        elif name == "add":
            added = f.parse_labels([arg], errors) or []
            labels.extend(x for x in added if x not in labels)
        elif name == "remove":
            labels = [x for x in labels if x != arg]
    return labels
