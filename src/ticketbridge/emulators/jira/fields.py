"""Parsing and validating issue field values as Jira does on create and edit.

Each parser returns the parsed value or records a message in `errors` (field id -> message),
so one request reports every bad field at once, like Jira's ErrorCollection. The exception is
a rich-text object that breaks the ADF rules: Jira refuses the whole request at once with
`INVALID_INPUT` (`rich_document` raises it).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from . import adf as adf_rules
from . import catalog
from .adf_text import document_text, text_to_document
from .errors import bad_request
from .models import Issue, IssueType, Priority, Project, User
from .state import EmulatorState

SUMMARY_REQUIRED = "You must specify a summary of the issue."
SUMMARY_TOO_LONG = "Summary must be less than 255 characters."
SUMMARY_NEWLINES = "The summary is invalid because it contains newline characters."
SUBTASK_NEEDS_PARENT = "Issue type is a sub-task but parent issue key or id not specified."
CUSTOM_FIELD_RE = re.compile(r"^customfield_\d+$")
EDITABLE = frozenset(
    {
        "summary",
        "description",
        "issuetype",
        "priority",
        "assignee",
        "reporter",
        "labels",
        "duedate",
        "parent",
        "components",
        "fixVersions",
        "environment",
    }
)
CREATABLE = EDITABLE | {"project"}
Errors = dict[str, str]


def cannot_set(field_id: str) -> str:
    return f"Field '{field_id}' cannot be set. It is not on the appropriate screen, or unknown."


def _ref(value: Any) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


def parse_project(state: EmulatorState, value: Any, errors: Errors) -> Project | None:
    ref = _ref(value)
    ident = None
    if ref is not None:
        ident = ref.get("id") or ref.get("key")
    elif isinstance(value, str):
        ident = value
    project = state.project(str(ident)) if ident is not None else None
    if project is None:
        errors["project"] = "valid project is required"
    return project


def parse_issuetype(
    state: EmulatorState, project: Project | None, value: Any, errors: Errors
) -> IssueType | None:
    ref = _ref(value)
    if not ref or not (ref.get("id") or ref.get("name")):
        errors["issuetype"] = "Specify an issue type"
        return None
    candidates = (
        state.project_issue_types(project) if project else list(catalog.ISSUE_TYPES.values())
    )
    for issue_type in candidates:
        if ("id" in ref and str(ref["id"]) == issue_type.id) or (
            "id" not in ref and str(ref.get("name", "")).lower() == issue_type.name.lower()
        ):
            return issue_type
    errors["issuetype"] = "The issue type selected is invalid."
    return None


def parse_summary(value: Any, errors: Errors) -> str | None:
    if not isinstance(value, str) or not value.strip():
        errors["summary"] = SUMMARY_REQUIRED
        return None
    if len(value) > 255:
        errors["summary"] = SUMMARY_TOO_LONG
        return None
    if "\n" in value or "\r" in value:
        errors["summary"] = SUMMARY_NEWLINES
        return None
    return value


def parse_rich_text(
    field_id: str, value: Any, adf: bool, errors: Errors
) -> tuple[dict[str, Any] | None, str] | None:
    """(document, plain text) for a description-like field; v2 takes strings, v3 ADF."""
    if value is None:
        return None, ""
    if adf:
        return rich_document(field_id, value, errors)
    if not isinstance(value, str):
        errors[field_id] = "Operation value must be a string"
        return None
    return text_to_document(value), value


def rich_document(field_id: str, value: Any, errors: Errors) -> tuple[dict[str, Any], str] | None:
    """(document, plain text) of a REST v3 rich-text value, checked by the emulator's ADF
    rules: not an object records `ADF_REQUIRED`; an object breaking the rules raises 400
    `INVALID_INPUT`."""
    found = adf_rules.problem(value)
    if found == adf_rules.INVALID_INPUT:
        raise bad_request(None, adf_rules.INVALID_INPUT)
    if found is not None:
        errors[field_id] = found
        return None
    return value, document_text(value)


def parse_priority(value: Any, errors: Errors) -> Priority | None:
    ref = _ref(value)
    if ref is None:
        errors["priority"] = "Specify the Priority (id or name) in the string format"
        return None
    for priority in catalog.PRIORITIES.values():
        if ("id" in ref and str(ref["id"]) == priority.id) or (
            "id" not in ref and str(ref.get("name", "")).lower() == priority.name.lower()
        ):
            return priority
    errors["priority"] = "The priority selected is invalid."
    return None


def _account_id(value: dict[str, Any]) -> str | None:
    found = value.get("accountId", value.get("id"))
    return str(found) if found is not None else None


def parse_assignee(
    state: EmulatorState, project: Project | None, value: Any, errors: Errors
) -> tuple[bool, str | None]:
    """(ok, accountId or None). `{"accountId": "-1"}` means the project's default (unassigned)."""
    if value is None:
        return True, None
    ref = _ref(value)
    account_id = _account_id(ref) if ref else None
    if account_id == "-1":
        return True, None
    user = state.user(account_id)
    if user is None or not user.assignable:
        shown = account_id if account_id is not None else (ref or {}).get("name", "")
        errors["assignee"] = f"User '{shown}' cannot be assigned issues."
        return False, None
    return True, user.account_id


def parse_reporter(state: EmulatorState, value: Any, errors: Errors) -> User | None:
    ref = _ref(value)
    user = state.user(_account_id(ref)) if ref else None
    if user is None or not user.active:
        errors["reporter"] = "The reporter specified is not a user."
        return None
    return user


def parse_labels(value: Any, errors: Errors) -> list[str] | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors["labels"] = "data was not an array"
        return None
    for label in value:
        if " " in label:
            errors["labels"] = f"The label '{label}' contains spaces which is invalid."
            return None
        if len(label) > 255:
            errors["labels"] = "The label must not exceed 255 characters."
            return None
    return list(dict.fromkeys(value))


def parse_duedate(value: Any, errors: Errors) -> tuple[bool, date | None]:
    if value is None:
        return True, None
    text = str(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return True, date.fromisoformat(text)
        except ValueError:
            pass
    errors["duedate"] = f"Error parsing date string: {value}"
    return False, None


def parse_parent(
    state: EmulatorState,
    project: Project | None,
    issue_type: IssueType | None,
    value: Any,
    errors: Errors,
) -> tuple[bool, Issue | None]:
    """Resolve `{"key"}`/`{"id"}` and check the hierarchy (child level + 1 = parent level)."""
    ref = _ref(value)
    if ref is None:
        errors["parent"] = "data was not an object"
        return False, None
    ident = ref.get("key") or ref.get("id")
    parent = state.issue(str(ident)) if ident is not None else None
    if parent is None:
        errors["parent"] = "Could not find issue by id or key."
        return False, None
    parent_type = catalog.ISSUE_TYPES[parent.issuetype_id]
    if issue_type is not None and (
        parent_type.hierarchy_level != issue_type.hierarchy_level + 1
        or (project is not None and parent.project_id != project.id)
    ):
        errors["parent"] = "Given parent issue does not belong to appropriate hierarchy."
        return False, None
    return True, parent


def parse_custom_field(field_id: str, value: Any, errors: Errors) -> Any:
    field = catalog.CUSTOM_FIELDS.get(field_id)
    if field is not None and value is not None:
        if field.kind == "number" and (
            isinstance(value, bool) or not isinstance(value, int | float)
        ):
            errors[field_id] = "Operation value must be a number"
        elif field.kind == "string" and not isinstance(value, str):
            errors[field_id] = "Operation value must be a string"
    return value


def is_known_field(field_id: str) -> bool:
    return field_id in CREATABLE or bool(CUSTOM_FIELD_RE.match(field_id))
