"""What happens on writes: create, transition, assign, comment, properties (edit: `edits.py`).

Services validate the whole request first and only then mutate, so a 400 never leaves a
half-applied edit behind. They raise `JiraError`; routes turn it into an HTTP answer.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from . import catalog
from . import fields as f
from .adf_text import text_to_document
from .errors import JiraError, bad_request
from .models import Comment, Issue, Project, Transition
from .state import EmulatorState

MAX_PROPERTY_BYTES = 32768


def now() -> datetime:
    """Current UTC time at millisecond precision (what Jira stores)."""
    value = datetime.now(UTC)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def _merge_update_into_fields(payload: dict[str, Any], errors: f.Errors) -> dict[str, Any]:
    """Fold `update: {field: [{"set": v}]}` into plain field values for create."""
    fields = dict(payload.get("fields") or {})
    for field_id, ops in (payload.get("update") or {}).items():
        if field_id in fields:
            errors[field_id] = f"Field '{field_id}' cannot be set in both fields and update."
            continue
        for op in ops if isinstance(ops, list) else []:
            if "set" in op:
                fields[field_id] = op["set"]
            elif "add" in op and field_id == "labels":
                fields.setdefault("labels", []).append(op["add"])
    return fields


def _required_custom_fields(project: Project, type_id: str, fields: dict[str, Any]) -> f.Errors:
    return {
        cf: f"{catalog.CUSTOM_FIELDS[cf].name} is required."
        for cf in project.required_custom_fields.get(type_id, ())
        if fields.get(cf) in (None, "", [])
    }


def create_issue(state: EmulatorState, payload: Any, adf: bool) -> Issue:
    """Validate an `IssueUpdateDetails` body and create the issue (optionally transitioned)."""
    if not isinstance(payload, dict):
        raise bad_request(None, "Can not deserialize instance of IssueUpdateDetails")
    errors: f.Errors = {}
    fields = _merge_update_into_fields(payload, errors)
    project = f.parse_project(state, fields.get("project"), errors)
    issue_type = f.parse_issuetype(state, project, fields.get("issuetype"), errors)
    summary = f.parse_summary(fields.get("summary"), errors)
    description = f.parse_rich_text("description", fields.get("description"), adf, errors)
    priority = catalog.PRIORITIES[catalog.DEFAULT_PRIORITY_ID]
    if "priority" in fields:
        priority = f.parse_priority(fields["priority"], errors) or priority
    _, assignee = f.parse_assignee(state, project, fields.get("assignee"), errors)
    reporter = state.caller
    if fields.get("reporter") is not None:
        reporter = f.parse_reporter(state, fields["reporter"], errors) or reporter
    labels = f.parse_labels(fields.get("labels", []), errors) or []
    _, duedate = f.parse_duedate(fields.get("duedate"), errors)
    parent = None
    if fields.get("parent") is not None:
        _, parent = f.parse_parent(state, project, issue_type, fields["parent"], errors)
    elif issue_type is not None and issue_type.subtask and "issuetype" not in errors:
        errors["issuetype"] = f.SUBTASK_NEEDS_PARENT
    custom: dict[str, Any] = {}
    for field_id, value in fields.items():
        if not f.is_known_field(field_id):
            errors[field_id] = f.cannot_set(field_id)
        elif field_id.startswith("customfield_"):
            custom[field_id] = f.parse_custom_field(field_id, value, errors)
    if project is not None and issue_type is not None:
        errors.update(_required_custom_fields(project, issue_type.id, fields))
    transition = _creation_transition(project, payload.get("transition"), errors)
    properties = _parse_create_properties(payload.get("properties"), errors)
    if errors or project is None or issue_type is None or summary is None:
        raise bad_request(errors)

    when = now()
    issue_id, key = state.allocate(project)
    status = catalog.STATUSES[project.workflow.initial_status_id]
    doc, text = description if description else (None, "")
    issue = Issue(
        id=issue_id,
        key=key,
        project_id=project.id,
        project_key=project.key,
        project_name=project.name,
        issuetype_id=issue_type.id,
        issuetype_name=issue_type.name,
        status_id=status.id,
        status_name=status.name,
        status_category_key=status.category.key,
        priority_id=priority.id,
        priority_name=priority.name,
        assignee_account_id=assignee,
        reporter_account_id=reporter.account_id,
        creator_account_id=state.caller_account_id,
        labels=labels,
        parent_id=str(parent.id) if parent else None,
        parent_key=parent.key if parent else None,
        summary=summary,
        description=doc,
        description_text=text,
        created=when,
        updated=when,
        duedate=duedate,
        status_changed=when,
        properties=properties,
        custom_fields={k: v for k, v in custom.items() if v is not None},
    )
    if transition is not None:
        _apply_transition(issue, transition, None, when)
    state.add_issue(issue)
    return issue


def _creation_transition(
    project: Project | None, value: Any, errors: f.Errors
) -> Transition | None:
    if value is None or project is None:
        return None
    tid = str(value.get("id", "")) if isinstance(value, dict) else ""
    for transition in project.workflow.transitions_from(project.workflow.initial_status_id):
        if transition.id == tid:
            return transition
    errors["transition"] = f"Transition id '{tid}' is not valid for this issue."
    return None


def _parse_create_properties(value: Any, errors: f.Errors) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, list) or not all(isinstance(p, dict) and "key" in p for p in value):
        errors["properties"] = "Properties must be a list of {key, value} objects."
        return {}
    result = {}
    for prop in value:
        check_property(str(prop["key"]), prop.get("value"))
        result[str(prop["key"])] = prop.get("value")
    return result


def check_property(key: str, value: Any) -> None:
    if not key or len(key) > 255:
        raise bad_request(None, "The property key must be between 1 and 255 characters long.")
    if len(json.dumps(value)) > MAX_PROPERTY_BYTES:
        raise bad_request(None, "The property value must not exceed 32768 bytes.")


def parse_comment_body(body: Any, adf: bool, errors: f.Errors) -> tuple[dict[str, Any], str]:
    if adf:
        return f.rich_document("comment", body, errors) or ({}, "")
    if not isinstance(body, str) or not body:
        errors["comment"] = "Comment body can not be empty!"
        return {}, ""
    return text_to_document(body), body


def add_comment(
    state: EmulatorState, issue: Issue, doc: dict[str, Any], text: str, when: datetime | None = None
) -> Comment:
    when = when or now()
    comment = Comment(state.new_comment_id(), state.caller_account_id, doc, text, when, when)
    with state.lock:
        issue.add_comment(comment)
        issue.updated = when
        state.touch()
    return comment


def available_transitions(state: EmulatorState, issue: Issue) -> list[Transition]:
    return state.projects[issue.project_id].workflow.transitions_from(issue.status_id)


def _apply_transition(
    issue: Issue, transition: Transition, resolution_id: str | None, when: datetime
) -> None:
    status = catalog.STATUSES[transition.to_status_id]
    was_done = issue.status_category_key == "done"
    issue.set_status(status, when)
    if status.category.key == "done":
        issue.resolution_id = resolution_id or issue.resolution_id or catalog.DEFAULT_RESOLUTION_ID
        if not was_done or issue.resolved is None:
            issue.resolved = when
    else:
        issue.resolution_id = None
        issue.resolved = None
    issue.updated = when


def transition_issue(state: EmulatorState, issue: Issue, payload: Any, adf: bool) -> None:
    """POST issue/{key}/transitions: move along the workflow, set resolution, add comments."""
    if not isinstance(payload, dict) or not isinstance(payload.get("transition"), dict):
        raise bad_request(None, "Missing 'transition' identifier")
    ref = payload["transition"]
    tid, name = str(ref.get("id", "")), str(ref.get("name", "")).lower()
    match = [
        t
        for t in available_transitions(state, issue)
        if (tid and t.id == tid) or (not tid and name and t.name.lower() == name)
    ]
    if not match:
        shown = tid or ref.get("name", "")
        raise bad_request(None, f"Transition id '{shown}' is not valid for this issue.")
    errors: f.Errors = {}
    resolution_id = None
    fields = payload.get("fields") or {}
    for field_id, value in fields.items():
        if field_id == "resolution":
            resolution_id = _parse_resolution(value, errors)
        else:
            errors[field_id] = f.cannot_set(field_id)
    bodies = []
    for op in (payload.get("update") or {}).get("comment", []):
        if isinstance(op, dict) and isinstance(op.get("add"), dict):
            bodies.append(parse_comment_body(op["add"].get("body"), adf, errors))
    if errors:
        raise bad_request(errors)
    when = now()
    with state.lock:
        _apply_transition(issue, match[0], resolution_id, when)
        for doc, text in bodies:
            add_comment(state, issue, doc, text, when)
        state.touch()


def _parse_resolution(value: Any, errors: f.Errors) -> str | None:
    if value is None:
        return None
    ref = value if isinstance(value, dict) else {}
    for res in catalog.RESOLUTIONS.values():
        if str(ref.get("id", "")) == res.id or str(ref.get("name", "")).lower() == res.name.lower():
            return res.id
    errors["resolution"] = "The resolution selected is invalid."
    return None


def assign(state: EmulatorState, issue: Issue, payload: Any) -> None:
    """PUT issue/{key}/assignee: accountId, null (unassign) or "-1" (project default)."""
    if not isinstance(payload, dict):
        raise bad_request(None, "No content to map due to end-of-input")
    errors: f.Errors = {}
    value = None if payload.get("accountId") is None else {"accountId": payload["accountId"]}
    ok, account_id = f.parse_assignee(state, state.projects[issue.project_id], value, errors)
    if not ok:
        raise JiraError(400, [], errors)
    with state.lock:
        issue.assignee_account_id = account_id
        issue.updated = now()
        state.touch()
