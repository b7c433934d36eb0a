"""The emulated data model: tables, their fields (type, reference target, label) and choices.

Task tables (`incident`, `problem`, `change_request`, `sc_task`) extend `task`: they share its
fields and a `GET` on `task` lists the rows of all of them.
"""

from __future__ import annotations

from dataclasses import dataclass

STRING, INTEGER, BOOLEAN, DATETIME, REFERENCE, JOURNAL = (
    "string",
    "integer",
    "boolean",
    "glide_date_time",
    "reference",
    "journal",
)


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    kind: str = STRING
    label: str = ""
    ref: str = ""  # referenced table for REFERENCE fields


def _f(name: str, kind: str = STRING, label: str = "", ref: str = "") -> Field:
    return Field(name, kind, label or name.replace("_", " ").capitalize(), ref)


SYS_FIELDS = (
    _f("sys_id", label="Sys ID"),
    _f("sys_created_on", DATETIME, "Created"),
    _f("sys_created_by", label="Created by"),
    _f("sys_updated_on", DATETIME, "Updated"),
    _f("sys_updated_by", label="Updated by"),
    _f("sys_mod_count", INTEGER, "Updates"),
)

TASK_FIELDS = (
    *SYS_FIELDS,
    _f("sys_class_name", label="Task type"),
    _f("number"),
    _f("short_description"),
    _f("description"),
    _f("state", INTEGER),
    _f("active", BOOLEAN),
    _f("priority", INTEGER),
    _f("impact", INTEGER),
    _f("urgency", INTEGER),
    _f("assigned_to", REFERENCE, ref="sys_user"),
    _f("assignment_group", REFERENCE, ref="sys_user_group"),
    _f("opened_by", REFERENCE, ref="sys_user"),
    _f("opened_at", DATETIME),
    _f("closed_by", REFERENCE, ref="sys_user"),
    _f("closed_at", DATETIME),
    _f("close_notes"),
    _f("due_date", DATETIME),
    _f("parent", REFERENCE, ref="task"),
    _f("correlation_id", label="Correlation ID"),
    _f("correlation_display"),
    _f("approval"),
    _f("escalation", INTEGER),
    _f("reassignment_count", INTEGER),
    _f("watch_list"),
    _f("work_notes_list"),
    _f("comments", JOURNAL, "Additional comments"),
    _f("work_notes", JOURNAL),
)

EXTRA_FIELDS: dict[str, tuple[Field, ...]] = {
    "task": (),
    "incident": (
        _f("caller_id", REFERENCE, "Caller", "sys_user"),
        _f("incident_state", INTEGER),
        _f("severity", INTEGER),
        _f("category"),
        _f("subcategory"),
        _f("contact_type", label="Channel"),
        _f("hold_reason", INTEGER),
        _f("close_code", label="Resolution code"),
        _f("resolved_by", REFERENCE, ref="sys_user"),
        _f("resolved_at", DATETIME),
        _f("problem_id", REFERENCE, "Problem", "problem"),
        _f("rfc", REFERENCE, "Change Request", "change_request"),
        _f("parent_incident", REFERENCE, ref="incident"),
        _f("child_incidents", INTEGER),
        _f("reopen_count", INTEGER),
        _f("notify", INTEGER),
        _f("made_sla", BOOLEAN),
    ),
    "problem": (
        _f("problem_state", INTEGER),
        _f("cause_notes"),
        _f("fix_notes"),
        _f("resolution_code"),
    ),
    "change_request": (
        _f("type"),
        _f("risk", INTEGER),
        _f("close_code"),
        _f("start_date", DATETIME),
        _f("end_date", DATETIME),
        _f("requested_by", REFERENCE, ref="sys_user"),
    ),
    "sc_task": (_f("request_item"),),
}

TASK_TABLES = ("incident", "problem", "change_request", "sc_task")
TABLE_LABELS = {
    "task": "Task",
    "incident": "Incident",
    "problem": "Problem",
    "change_request": "Change Request",
    "sc_task": "Catalog Task",
}
NUMBER_PREFIX = {
    "task": "TASK",
    "incident": "INC",
    "problem": "PRB",
    "change_request": "CHG",
    "sc_task": "SCTASK",
}

OTHER_TABLES: dict[str, tuple[Field, ...]] = {
    "sys_user": (
        *SYS_FIELDS,
        _f("user_name", label="User ID"),
        _f("name"),
        _f("first_name"),
        _f("last_name"),
        _f("email"),
        _f("title"),
        _f("active", BOOLEAN),
        _f("locked_out", BOOLEAN),
        _f("time_zone"),
        _f("manager", REFERENCE, ref="sys_user"),
        _f("roles"),
    ),
    "sys_user_group": (
        *SYS_FIELDS,
        _f("name"),
        _f("description"),
        _f("email"),
        _f("active", BOOLEAN),
        _f("type"),
        _f("manager", REFERENCE, ref="sys_user"),
        _f("parent", REFERENCE, ref="sys_user_group"),
    ),
    "sys_user_grmember": (
        *SYS_FIELDS,
        _f("user", REFERENCE, ref="sys_user"),
        _f("group", REFERENCE, ref="sys_user_group"),
    ),
    "sys_choice": (
        *SYS_FIELDS,
        _f("name", label="Table"),
        _f("element"),
        _f("value"),
        _f("label"),
        _f("sequence", INTEGER),
        _f("inactive", BOOLEAN),
        _f("language"),
        _f("dependent_value"),
    ),
    "sys_audit_delete": (
        *SYS_FIELDS,
        _f("tablename"),
        _f("documentkey"),
        _f("display_value"),
        _f("payload"),
    ),
    "sys_audit": (
        *SYS_FIELDS,
        _f("tablename"),
        _f("documentkey"),
        _f("fieldname"),
        _f("oldvalue"),
        _f("newvalue"),
        _f("user"),
    ),
    "sys_journal_field": (
        *SYS_FIELDS,
        _f("name", label="Table name"),
        _f("element"),
        _f("element_id"),
        _f("value"),
    ),
}

# Tables whose read (and write) ACLs need a role: sys_audit_delete and sys_audit are
# admin-only on a base instance (a user without the role gets 403).
TABLE_ROLES = {"sys_audit_delete": "admin", "sys_audit": "admin"}

# Which field a reference to a table shows as its display value.
DISPLAY_FIELD = {
    "sys_user": "name",
    "sys_user_group": "name",
    "sys_choice": "label",
    "sys_audit_delete": "documentkey",
    "sys_audit": "documentkey",
    "sys_journal_field": "element",
    "sys_user_grmember": "sys_id",
}

TASK_STATES = {"-5": "Pending", "1": "Open", "2": "Work in Progress", "3": "Closed Complete"}
TASK_STATES |= {"4": "Closed Incomplete", "7": "Closed Skipped"}
INCIDENT_STATES = {"1": "New", "2": "In Progress", "3": "On Hold", "6": "Resolved"}
INCIDENT_STATES |= {"7": "Closed", "8": "Canceled"}
PROBLEM_STATES = {"101": "New", "102": "Assess", "103": "Root Cause Analysis"}
PROBLEM_STATES |= {"104": "Fix in Progress", "106": "Resolved", "107": "Closed"}
CHANGE_STATES = {"-5": "New", "-4": "Assess", "-3": "Authorize", "-2": "Scheduled"}
CHANGE_STATES |= {"-1": "Implement", "0": "Review", "3": "Closed", "4": "Canceled"}
PRIORITIES = {"1": "1 - Critical", "2": "2 - High", "3": "3 - Moderate", "4": "4 - Low"}
PRIORITIES |= {"5": "5 - Planning"}
LEVELS = {"1": "1 - High", "2": "2 - Medium", "3": "3 - Low"}
CLOSE_CODES = (
    "Duplicate",
    "Known error",
    "No resolution provided",
    "Resolved by caller",
    "Resolved by change",
    "Resolved by problem",
    "Resolved by request",
    "Solution provided",
    "Workaround provided",
    "User error",
)
_COMMON = {"priority": PRIORITIES, "impact": LEVELS, "urgency": LEVELS}
CHOICES: dict[str, dict[str, dict[str, str]]] = {
    "task": {"state": TASK_STATES, **_COMMON},
    "sc_task": {"state": TASK_STATES, **_COMMON},
    "incident": {
        "state": INCIDENT_STATES,
        "incident_state": INCIDENT_STATES,
        "severity": {"1": "1 - High", "2": "2 - Medium", "3": "3 - Low"},
        "hold_reason": {"1": "Awaiting Caller", "3": "Awaiting Problem"}
        | {"4": "Awaiting Vendor", "5": "Awaiting Change"},
        "close_code": {c: c for c in CLOSE_CODES},
        "category": {c: c.capitalize() for c in ("inquiry", "software", "hardware", "network")}
        | {"database": "Database"},
        **_COMMON,
    },
    "problem": {"state": PROBLEM_STATES, "problem_state": PROBLEM_STATES, **_COMMON},
    "change_request": {
        "state": CHANGE_STATES,
        "close_code": {"successful": "Successful", "successful_issues": "Successful with issues"}
        | {"unsuccessful": "Unsuccessful"},
        **_COMMON,
    },
}
# States in which a task is no longer active.
INACTIVE_STATES = {
    "task": {"3", "4", "7"},
    "sc_task": {"3", "4", "7"},
    "incident": {"7", "8"},
    "problem": {"107"},
    "change_request": {"3", "4"},
}
DEFAULT_STATE = {"task": "1", "sc_task": "1", "incident": "1", "problem": "101"}
DEFAULT_STATE |= {"change_request": "-5"}
PRIORITY_MATRIX = {
    ("1", "1"): "1",
    ("1", "2"): "2",
    ("1", "3"): "3",
    ("2", "1"): "2",
    ("2", "2"): "3",
    ("2", "3"): "4",
    ("3", "1"): "3",
    ("3", "2"): "4",
    ("3", "3"): "5",
}


def _build() -> dict[str, dict[str, Field]]:
    tables: dict[str, dict[str, Field]] = {}
    for table, extra in EXTRA_FIELDS.items():
        tables[table] = {f.name: f for f in (*TASK_FIELDS, *extra)}
    for table, own in OTHER_TABLES.items():
        tables[table] = {f.name: f for f in own}
    return tables


TABLES: dict[str, dict[str, Field]] = _build()


def is_task(table: str) -> bool:
    return table in EXTRA_FIELDS


def display_field(table: str) -> str:
    return "number" if is_task(table) else DISPLAY_FIELD.get(table, "sys_id")


def choice_label(table: str, field: str, value: str) -> str:
    return CHOICES.get(table, {}).get(field, {}).get(value, value)


def choice_value(table: str, field: str, text: str) -> str:
    """The stored value for `text`, which may be a value or a label (name=value filters)."""
    options = CHOICES.get(table, {}).get(field, {})
    if text in options:
        return text
    return next((v for v, label in options.items() if label == text), text)
