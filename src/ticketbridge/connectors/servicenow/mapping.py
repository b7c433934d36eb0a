"""ServiceNow records <-> normalized values. Pure functions, no I/O.

Records are read with actual values (``sysparm_display_value=false``) and bare reference
sys_ids (``sysparm_exclude_reference_link=true``): every value is a string, date-times are
UTC ``YYYY-MM-DD HH:MM:SS``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from ticketbridge.connectors.base import UNSET, TicketChanges, TicketDraft, VendorTicket
from ticketbridge.connectors.servicenow.config import TABLE_LABELS

VENDOR = "SERVICENOW"

# State value -> (label, normalized status), per table (the instance's state models).
_TASK = {
    "-5": ("Pending", "TODO"),
    "1": ("Open", "OPEN"),
    "2": ("Work in Progress", "IN_PROGRESS"),
    "3": ("Closed Complete", "CLOSED"),
    "4": ("Closed Incomplete", "CLOSED"),
    "7": ("Closed Skipped", "CLOSED"),
}
STATES: dict[str, dict[str, tuple[str, str]]] = {
    "incident": {
        "1": ("New", "OPEN"),
        "2": ("In Progress", "IN_PROGRESS"),
        "3": ("On Hold", "IN_PROGRESS"),
        "6": ("Resolved", "RESOLVED"),
        "7": ("Closed", "CLOSED"),
        "8": ("Canceled", "CLOSED"),
    },
    "problem": {
        "101": ("New", "OPEN"),
        "102": ("Assess", "IN_PROGRESS"),
        "103": ("Root Cause Analysis", "IN_PROGRESS"),
        "104": ("Fix in Progress", "IN_PROGRESS"),
        "106": ("Resolved", "RESOLVED"),
        "107": ("Closed", "CLOSED"),
    },
    "change_request": {
        "-5": ("New", "OPEN"),
        "-4": ("Assess", "IN_REVIEW"),
        "-3": ("Authorize", "IN_REVIEW"),
        "-2": ("Scheduled", "TODO"),
        "-1": ("Implement", "IN_PROGRESS"),
        "0": ("Review", "IN_REVIEW"),
        "3": ("Closed", "CLOSED"),
        "4": ("Canceled", "CLOSED"),
    },
    "sc_task": _TASK,
}
# The state written to reach a normalized status (the first of the table's states mapped to
# it otherwise).
PREFERRED_STATE = {
    ("incident", "CLOSED"): "7",
    ("change_request", "CLOSED"): "3",
    ("sc_task", "CLOSED"): "3",
    ("incident", "IN_PROGRESS"): "2",
}
# Writing these states needs close_code and close_notes (the incident data policy).
CLOSING_STATES = {"incident": ("6", "7")}

PRIORITY_LABELS = {"1": "Critical", "2": "High", "3": "Moderate", "4": "Low", "5": "Planning"}
DEFAULT_PRIORITIES = {"1": "CRITICAL", "2": "HIGH", "3": "MEDIUM", "4": "LOW", "5": "INFORMATIONAL"}
PRIORITY_TO_VENDOR = {v: k for k, v in DEFAULT_PRIORITIES.items()}
# Priority is computed from impact x urgency by the instance (a sent priority is
# overwritten): the pair written for each priority.
IMPACT_URGENCY = {
    "1": ("1", "1"),
    "2": ("1", "2"),
    "3": ("2", "2"),
    "4": ("2", "3"),
    "5": ("3", "3"),
}

# Fields the sync and the write path read back.
TICKET_FIELDS = [
    "sys_id",
    "number",
    "sys_class_name",
    "short_description",
    "description",
    "state",
    "priority",
    "impact",
    "urgency",
    "assignment_group",
    "assigned_to",
    "opened_by",
    "caller_id",
    "parent",
    "due_date",
    "opened_at",
    "closed_at",
    "resolved_at",
    "close_code",
    "close_notes",
    "correlation_id",
    "correlation_display",
    "active",
    "sys_created_on",
    "sys_updated_on",
    "sys_mod_count",
]

# Fields that normalized fields set: custom_fields may not name them.
RESERVED_FIELDS: dict[str, str] = {
    "short_description": "name",
    "description": "description",
    "assignment_group": "project_id / project_vendor_id",
    "assigned_to": "assigned_user_id / assigned_user_vendor_id",
    "parent": "parent_ticket_id / parent_ticket_vendor_id",
    "priority": "priority",
    "impact": "priority",
    "urgency": "priority",
    "due_date": "due_date",
    "state": "status",
    "correlation_id": "the creation token",
    "correlation_display": "identifier",
    "sys_class_name": "type / type_id / type_vendor_id",
}


def label_of(table: str) -> str:
    return TABLE_LABELS.get(table, table)


def table_of(
    type_vendor_id: str | None, type_name: str | None, tables: tuple[str, ...]
) -> str | None:
    """The table a draft's type names (table name or label), among the connection's."""
    if not type_vendor_id and not type_name:
        return tables[0]
    for table in tables:
        if type_vendor_id == table or (
            type_name and type_name.casefold() in (table, label_of(table).casefold())
        ):
            return table
    return None


def default_status(table: str, state: str) -> str:
    return STATES.get(table, _TASK).get(state, ("", "UNKNOWN"))[1]


def split_status(name: str, table: str | None) -> tuple[str, str]:
    """(table, state value) of a status name: ``"<table>:<state>"`` (a ticket's
    ``status_name``) or a bare state value of `table`."""
    head, sep, state = name.rpartition(":")
    return (head, state) if sep else (table or "", name)


def normalize_status(name: str, category: str | None, mapping: dict[str, str]) -> str:
    """``name`` is ``"<table>:<state>"`` (or a state value of table ``category``): the
    connection's mapping by ``"<table>:<state>"`` then ``"<state>"`` wins over the table's
    state model."""
    category, name = split_status(name, category)
    if category and f"{category}:{name}" in mapping:
        return mapping[f"{category}:{name}"]
    if name in mapping:
        return mapping[name]
    return default_status(category or "", name)


def state_for(table: str, target: str, mapping: dict[str, str]) -> str | None:
    """The state value to write for a normalized status, None if none maps to it."""
    states = STATES.get(table, _TASK)
    candidates = [s for s in states if normalize_status(s, table, mapping) == target]
    for key, status in mapping.items():  # states only the mapping names
        state = key.split(":", 1)[1] if ":" in key else key
        same_table = ":" not in key or key.startswith(f"{table}:")
        if status == target and same_table and state not in candidates:
            candidates.append(state)
    preferred = PREFERRED_STATE.get((table, target))
    if preferred in candidates:
        return preferred
    return candidates[0] if candidates else None


def reachable(table: str, mapping: dict[str, str]) -> list[str]:
    return sorted({normalize_status(s, table, mapping) for s in STATES.get(table, _TASK)})


def _priority_value(name: str) -> str | None:
    text = name.strip()
    if text[:1].isdigit():
        return text[0]
    for value, label in PRIORITY_LABELS.items():
        if label.casefold() == text.casefold():
            return value
    return None


def normalize_priority(name: str | None, mapping: dict[str, str]) -> str:
    """``name``: the priority value ("1".."5"; labels such as "1 - Critical" are read too)."""
    if not name:
        return "UNKNOWN"
    for vendor_name, priority in mapping.items():
        if vendor_name.casefold() == name.casefold():
            return priority
    value = _priority_value(name)
    return DEFAULT_PRIORITIES.get(value or "", "UNKNOWN")


def priority_to_vendor(priority: str, mapping: dict[str, str]) -> str:
    for vendor_name, normalized in mapping.items():
        if normalized == priority and _priority_value(vendor_name):
            return _priority_value(vendor_name) or "3"
    return PRIORITY_TO_VENDOR.get(priority, "3")


def parse_datetime(value: Any) -> datetime | None:
    if not value or not isinstance(value, str):
        return None
    # UTC "YYYY-MM-DD HH:MM:SS" (fromisoformat reads it, ~10x faster than strptime)
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _date(value: Any) -> date | None:
    parsed = parse_datetime(value) if isinstance(value, str) and len(value) > 10 else None
    if parsed:
        return parsed.date()
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def _ref(value: Any) -> str | None:
    if isinstance(value, dict):  # a reference with its link, should one come back
        value = value.get("value")
    return value or None if isinstance(value, str) else None


def is_sys_id(ref: str) -> bool:
    """A sys_id (32 hex digits), as opposed to a record number (INC0010001)."""
    return len(ref) == 32 and all(c in "0123456789abcdefABCDEF" for c in ref)


def form_url(base_url: str, table: str, sys_id: str) -> str:
    return f"{base_url}/nav_to.do?uri={table}.do?sys_id={sys_id}"


def identifier_tag(connection_id: str, identifier: str) -> str:
    return f"{connection_id}:{identifier}"


def record_to_ticket(
    record: dict[str, Any],
    table: str,
    base_url: str,
    connection_id: str | None = None,
    status_mapping: dict[str, str] | None = None,
) -> VendorTicket:
    """``connection_id``: the identifier (``correlation_display``) counts only for the
    connection that created the record. ``status_name`` is ``"<table>:<state>"`` (a key
    ``status_mapping`` may name), ``status_default`` the status by the connection's
    ``status_mapping`` (a ``"<state>"`` key, for every table) and the table's model."""
    table = record.get("sys_class_name") or table
    sys_id = str(record["sys_id"])
    state = str(record.get("state") or "")
    priority = str(record.get("priority") or "") or None
    display = record.get("correlation_display") or ""
    identifier = None
    if connection_id and isinstance(display, str) and display.startswith(f"{connection_id}:"):
        identifier = display[len(connection_id) + 1 :] or None
    closed_at = record.get("closed_at") or record.get("resolved_at")
    labels = STATES.get(table, _TASK)
    number = record.get("number")
    return VendorTicket(
        internal_id=sys_id,
        # The record's number (INC0010001) as Jira's key; writes address the sys_id.
        key=number if isinstance(number, str) and number else sys_id,
        url=form_url(base_url, table, sys_id),
        name=record.get("short_description") or "",
        description=record.get("description") or None,
        status_name=f"{table}:{state}",
        status_default=normalize_status(state, table, status_mapping or {}),
        priority_name=priority,
        type_name=label_of(table),
        type_vendor_id=table,
        project_vendor_id=_ref(record.get("assignment_group")),
        parent_vendor_id=_ref(record.get("parent")),
        assignee_vendor_id=_ref(record.get("assigned_to")),
        reporter_vendor_id=_ref(record.get("caller_id")) or _ref(record.get("opened_by")),
        labels=[],
        due_date=_date(record.get("due_date")),
        created_at=parse_datetime(record.get("sys_created_on") or record.get("opened_at")),
        updated_at=parse_datetime(record.get("sys_updated_on")),
        status_changed_at=None,
        closed_at=parse_datetime(closed_at),
        creation_token=record.get("correlation_id") or None,
        identifier=identifier,
        vendor_attributes={
            "id": number or sys_id,
            "vendor": VENDOR,
            "created_at": record.get("sys_created_on"),
            "updated_at": record.get("sys_updated_on"),
            "type": label_of(table),
            "type_id": table,
            "status": labels.get(state, (state, ""))[0],
            "priority": PRIORITY_LABELS.get(priority or ""),
            "data": {
                "vendor": VENDOR,
                "sys_id": sys_id,
                "table": table,
                "number": number,
                "state": state,
                "impact": record.get("impact"),
                "urgency": record.get("urgency"),
                "active": record.get("active"),
                "close_code": record.get("close_code") or None,
                "close_notes": record.get("close_notes") or None,
                "sys_mod_count": record.get("sys_mod_count"),
            },
        },
    )


def _set_priority(record: dict[str, Any], value: str | None) -> None:
    impact, urgency = IMPACT_URGENCY.get(_priority_value(value or "") or "", ("3", "3"))
    record["impact"], record["urgency"] = impact, urgency


def draft_to_record(draft: TicketDraft, connection_id: str | None = None) -> dict[str, Any]:
    record: dict[str, Any] = {"short_description": draft.name}
    if draft.project_vendor_id:
        record["assignment_group"] = draft.project_vendor_id
    if draft.description:
        record["description"] = draft.description
    if draft.priority_vendor_name:
        _set_priority(record, draft.priority_vendor_name)
    if draft.assignee_vendor_id:
        record["assigned_to"] = draft.assignee_vendor_id
    if draft.parent_vendor_id:
        record["parent"] = draft.parent_vendor_id
    if draft.due_date:
        record["due_date"] = f"{draft.due_date.isoformat()} 00:00:00"
    if draft.custom_fields:
        record.update(draft.custom_fields)
    if draft.creation_token:
        record["correlation_id"] = draft.creation_token
        if draft.identifier and connection_id:
            record["correlation_display"] = identifier_tag(connection_id, draft.identifier)
    return record


def changes_to_record(changes: TicketChanges) -> dict[str, Any]:
    record: dict[str, Any] = {}
    if changes.name is not UNSET:
        record["short_description"] = changes.name
    if changes.description is not UNSET:
        record["description"] = changes.description or ""
    if changes.priority_vendor_name is not UNSET:
        _set_priority(record, changes.priority_vendor_name)
    if changes.assignee_vendor_id is not UNSET:
        record["assigned_to"] = changes.assignee_vendor_id or ""
    if changes.due_date is not UNSET:
        record["due_date"] = f"{changes.due_date.isoformat()} 00:00:00" if changes.due_date else ""
    if changes.custom_fields is not UNSET and changes.custom_fields:
        record.update(changes.custom_fields)
    return record
