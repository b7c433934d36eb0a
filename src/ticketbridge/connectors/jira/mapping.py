"""Jira JSON <-> normalized values. Pure functions, no I/O."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import orjson

from ticketbridge.connectors.base import UNSET, TicketChanges, TicketDraft, VendorTicket
from ticketbridge.connectors.jira.adf import adf_to_markdown, markdown_to_adf

PROPERTY_KEY = "ticketbridge"

DEFAULT_PRIORITIES = {
    "highest": "CRITICAL",
    "high": "HIGH",
    "medium": "MEDIUM",
    "low": "LOW",
    "lowest": "INFORMATIONAL",
}
PRIORITY_TO_JIRA = {
    "CRITICAL": "Highest",
    "HIGH": "High",
    "MEDIUM": "Medium",
    "LOW": "Low",
    "INFORMATIONAL": "Lowest",
}
CATEGORY_STATUS = {"new": "TODO", "indeterminate": "IN_PROGRESS", "done": "CLOSED"}


def normalize_status(name: str, category: str | None, mapping: dict[str, str]) -> str:
    """The connection's mapping by status name wins; else by status category."""
    for vendor_name, status in mapping.items():
        if vendor_name.casefold() == name.casefold():
            return status
    return CATEGORY_STATUS.get(category or "", "UNKNOWN")


def normalize_priority(name: str | None, mapping: dict[str, str]) -> str:
    if not name:
        return "UNKNOWN"
    for vendor_name, priority in mapping.items():
        if vendor_name.casefold() == name.casefold():
            return priority
    return DEFAULT_PRIORITIES.get(name.casefold(), "UNKNOWN")


def priority_to_vendor(priority: str, mapping: dict[str, str]) -> str:
    for vendor_name, normalized in mapping.items():
        if normalized == priority:
            return vendor_name
    return PRIORITY_TO_JIRA.get(priority, "Medium")


def parse_jira_datetime(value: str | None) -> datetime | None:
    if not value:
        return None
    # Jira: 2026-01-17T12:34:00.000+0000 (fromisoformat reads it since 3.11, ~10x strptime)
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z")


def parse_jira_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _ref(value: Any, attr: str) -> str | None:
    return value.get(attr) if isinstance(value, dict) else None


def issue_to_ticket(
    issue: dict[str, Any], site_url: str, connection_id: str | None = None
) -> VendorTicket:
    """``connection_id``: the identifier in our property counts only for the connection
    that created the issue (another connection to the same site has its own identifiers)."""
    fields = issue.get("fields") or {}
    status = fields.get("status") or {}
    category = (status.get("statusCategory") or {}).get("key")
    custom = {k: v for k, v in fields.items() if k.startswith("customfield_") and v is not None}
    created = parse_jira_datetime(fields.get("created"))
    updated = parse_jira_datetime(fields.get("updated"))
    props = issue.get("properties") or {}
    prop = (props.get(PROPERTY_KEY) or {}) if isinstance(props, dict) else {}
    token = prop.get("token") if isinstance(prop, dict) else None
    identifier = (
        prop.get("identifier")
        if isinstance(prop, dict) and connection_id and prop.get("connection") == connection_id
        else None
    )
    description = fields.get("description")
    return VendorTicket(
        internal_id=str(issue["id"]),
        key=issue["key"],
        url=f"{site_url}/browse/{issue['key']}",
        name=fields.get("summary") or "",
        description=adf_to_markdown(description) if isinstance(description, dict) else description,
        status_name=status.get("name") or "",
        status_default=CATEGORY_STATUS.get(category or "", "UNKNOWN"),
        priority_name=_ref(fields.get("priority"), "name"),
        type_name=_ref(fields.get("issuetype"), "name"),
        type_vendor_id=_ref(fields.get("issuetype"), "id"),
        project_vendor_id=_ref(fields.get("project"), "key"),
        parent_vendor_id=_ref(fields.get("parent"), "key"),
        assignee_vendor_id=_ref(fields.get("assignee"), "accountId"),
        reporter_vendor_id=_ref(fields.get("reporter"), "accountId"),
        labels=list(fields.get("labels") or []),
        due_date=parse_jira_date(fields.get("duedate")),
        created_at=created,
        updated_at=updated,
        status_changed_at=parse_jira_datetime(fields.get("statuscategorychangedate")),
        closed_at=parse_jira_datetime(fields.get("resolutiondate")),
        creation_token=token,
        identifier=identifier if isinstance(identifier, str) else None,
        vendor_attributes={
            "id": issue["key"],
            "vendor": "JIRA",
            "created_at": fields.get("created"),
            "updated_at": fields.get("updated"),
            "type": _ref(fields.get("issuetype"), "name"),
            "type_id": _ref(fields.get("issuetype"), "id"),
            "status": status.get("name"),
            "priority": _ref(fields.get("priority"), "name"),
            "data": {
                "vendor": "JIRA",
                "id": str(issue["id"]),
                "statusCategory": category,
                "customFields": custom,
            },
        },
    )


# Fields the sync and the write path read back; `*all` would drag comments and more.
ISSUE_FIELDS = [
    "summary",
    "description",
    "status",
    "priority",
    "issuetype",
    "project",
    "parent",
    "assignee",
    "reporter",
    "labels",
    "duedate",
    "created",
    "updated",
    "resolutiondate",
    "statuscategorychangedate",
    "*navigable",
]


# Jira fields that normalized fields set (draft_to_payload, changes_to_payload), and the
# fields that set them: custom_fields may not name these (BEHAVIOR.md, "Writes").
RESERVED_FIELDS: dict[str, str] = {
    "project": "project_id / project_vendor_id",
    "summary": "name",
    "issuetype": "type / type_id / type_vendor_id",
    "description": "description",
    "parent": "parent_ticket_id / parent_ticket_vendor_id",
    "assignee": "assigned_user_id / assigned_user_vendor_id",
    "labels": "tags",
    "duedate": "due_date",
    "priority": "priority",
}


def draft_to_payload(draft: TicketDraft, connection_id: str | None = None) -> dict[str, Any]:
    fields: dict[str, Any] = {"project": {"key": draft.project_vendor_id}, "summary": draft.name}
    if draft.type_vendor_id:
        fields["issuetype"] = {"id": draft.type_vendor_id}
    elif draft.type_name:
        fields["issuetype"] = {"name": draft.type_name}
    if draft.description:
        fields["description"] = markdown_to_adf(draft.description)
    if draft.priority_vendor_name:
        fields["priority"] = {"name": draft.priority_vendor_name}
    if draft.assignee_vendor_id:
        fields["assignee"] = {"accountId": draft.assignee_vendor_id}
    if draft.parent_vendor_id:
        fields["parent"] = {"key": draft.parent_vendor_id}
    if draft.tags:
        fields["labels"] = list(draft.tags)
    if draft.due_date:
        fields["duedate"] = draft.due_date.isoformat()
    if draft.custom_fields:
        fields.update(draft.custom_fields)
    payload: dict[str, Any] = {"fields": fields}
    if draft.creation_token:
        value = {"token": draft.creation_token}
        if draft.identifier and connection_id:
            value["identifier"] = draft.identifier
            value["connection"] = connection_id
        payload["properties"] = [{"key": PROPERTY_KEY, "value": value}]
    return payload


def changes_to_payload(changes: TicketChanges) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if changes.name is not UNSET:
        fields["summary"] = changes.name
    if changes.description is not UNSET:
        fields["description"] = (
            markdown_to_adf(changes.description) if changes.description else None
        )
    if changes.priority_vendor_name is not UNSET:
        fields["priority"] = {"name": changes.priority_vendor_name}
    if changes.assignee_vendor_id is not UNSET:
        fields["assignee"] = (
            {"accountId": changes.assignee_vendor_id} if changes.assignee_vendor_id else None
        )
    if changes.tags is not UNSET:
        fields["labels"] = list(changes.tags or [])
    if changes.due_date is not UNSET:
        fields["duedate"] = changes.due_date.isoformat() if changes.due_date else None
    if changes.custom_fields is not UNSET and changes.custom_fields:
        fields.update(changes.custom_fields)
    return {"fields": fields}


def unencodable(payloads: list[dict[str, Any]]) -> dict[int, str]:
    """Payloads the JSON encoder refuses (integers over 64 bits, lone surrogates, nesting
    past its limit), by position, with the reason; one encode when all are fine. The edge
    refuses such input; this keeps one bad entry of a queued job from failing the others."""
    try:
        orjson.dumps(payloads)
        return {}
    except TypeError:  # orjson.JSONEncodeError is one
        pass
    refused: dict[int, str] = {}
    for i, payload in enumerate(payloads):
        try:
            orjson.dumps(payload)
        except TypeError as exc:
            refused[i] = f"a value cannot be encoded as JSON ({exc})"
    return refused


def token_jql(tokens: list[str]) -> str:
    clauses = " OR ".join(f'issue.property[{PROPERTY_KEY}].token = "{token}"' for token in tokens)
    return clauses
