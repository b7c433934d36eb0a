"""JSON shapes of Jira Cloud issues and comments: REST v3 (ADF) and v2 (plain strings)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from . import catalog
from .models import Comment, Issue
from .serializers import (
    SYSTEM_FIELD_NAMES,
    Api,
    JsonDict,
    fmt_date,
    fmt_dt,
    issuetype_json,
    priority_json,
    project_ref,
    resolution_json,
    status_json,
    user_ref,
)
from .state import EmulatorState

NOT_NAVIGABLE = frozenset({"comment"})
ISSUE_EXPAND = "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations"


def rich_text(api: Api, doc: dict[str, Any] | None, text: str) -> Any:
    """ADF for v3, the plain-text rendering for v2."""
    if doc is None:
        return None
    return doc if api.adf else text


def comment_json(state: EmulatorState, api: Api, issue: Issue, comment: Comment) -> JsonDict:
    author = user_ref(state, api, comment.author_account_id)
    return {
        "self": f"{api.root}/issue/{issue.id}/comment/{comment.id}",
        "id": comment.id,
        "author": author,
        "body": rich_text(api, comment.body, comment.body_text),
        "updateAuthor": author,
        "created": fmt_dt(comment.created),
        "updated": fmt_dt(comment.updated),
        "jsdPublic": True,
    }


def issue_link_json(state: EmulatorState, api: Api, issue: Issue) -> JsonDict:
    """The short issue form used for `parent` and `subtasks`."""
    fields: JsonDict = {
        "summary": issue.summary,
        "status": status_json(state, api, catalog.STATUSES[issue.status_id]),
        "issuetype": issuetype_json(state, api, catalog.ISSUE_TYPES[issue.issuetype_id]),
    }
    if issue.priority_id:
        fields["priority"] = priority_json(state, api, catalog.PRIORITIES[issue.priority_id])
    return {
        "id": str(issue.id),
        "key": issue.key,
        "self": f"{api.root}/issue/{issue.id}",
        "fields": fields,
    }


def field_value(state: EmulatorState, api: Api, issue: Issue, field_id: str) -> Any:
    """The JSON value of one field of `issue`."""
    match field_id:
        case "summary":
            return issue.summary
        case "description":
            return rich_text(api, issue.description, issue.description_text)
        case "project":
            return project_ref(state, api, state.projects[issue.project_id])
        case "issuetype":
            return issuetype_json(state, api, catalog.ISSUE_TYPES[issue.issuetype_id])
        case "status":
            return status_json(state, api, catalog.STATUSES[issue.status_id])
        case "priority":
            if issue.priority_id is None:
                return None
            return priority_json(state, api, catalog.PRIORITIES[issue.priority_id])
        case "assignee":
            return user_ref(state, api, issue.assignee_account_id)
        case "reporter":
            return user_ref(state, api, issue.reporter_account_id)
        case "creator":
            return user_ref(state, api, issue.creator_account_id)
        case "labels":
            return list(issue.labels)
        case "duedate":
            return fmt_date(issue.duedate)
        case "parent":
            parent = state.issues.get(int(issue.parent_id)) if issue.parent_id else None
            return issue_link_json(state, api, parent) if parent else None
        case "created":
            return fmt_dt(issue.created)
        case "updated":
            return fmt_dt(issue.updated)
        case "resolution":
            return resolution_json(api, issue.resolution_id)
        case "resolutiondate":
            return fmt_dt(issue.resolved)
        case "statuscategorychangedate":
            return fmt_dt(issue.status_changed or issue.created)
        case "components" | "fixVersions" | "issuelinks" | "attachment":
            return []
        case "environment":
            return None
        case "subtasks":
            kids = state.children.get(issue.id, [])
            return [
                issue_link_json(state, api, k) for k in kids if k.issuetype_id == catalog.SUBTASK
            ]
        case "comment":
            comments = [comment_json(state, api, issue, c) for c in issue.comments]
            return {
                "comments": comments,
                "self": f"{api.root}/issue/{issue.id}/comment",
                "maxResults": len(comments),
                "total": len(comments),
                "startAt": 0,
            }
    return issue.custom_fields.get(field_id)


def all_field_ids(state: EmulatorState, issue: Issue) -> list[str]:
    ids = [f for f in SYSTEM_FIELD_NAMES if f != "parent" or issue.parent_id]
    project = state.projects[issue.project_id]
    ids.extend(project.custom_field_ids)
    ids.extend(f for f in issue.custom_fields if f not in project.custom_field_ids)
    return ids


def field_name(field_id: str) -> str:
    if field_id in SYSTEM_FIELD_NAMES:
        return SYSTEM_FIELD_NAMES[field_id]
    custom = catalog.CUSTOM_FIELDS.get(field_id)
    return custom.name if custom else field_id


@dataclass(frozen=True, slots=True)
class FieldSelection:
    """Parsed `fields` parameter: `*all`, `*navigable`, explicit ids and `-id` exclusions."""

    all: bool
    navigable: bool
    include: frozenset[str]
    exclude: frozenset[str]

    @classmethod
    def parse(cls, values: Iterable[str], default: str) -> FieldSelection:
        tokens = [t.strip() for v in values for t in v.split(",") if t.strip()]
        if not [t for t in tokens if not t.startswith("-")]:
            tokens.append(default)
        include = {t for t in tokens if not t.startswith("-")}
        exclude = {t[1:] for t in tokens if t.startswith("-")}
        return cls(
            "*all" in include, "*navigable" in include, frozenset(include), frozenset(exclude)
        )

    @property
    def only_ids(self) -> bool:
        """True when nothing beyond id/key is asked for (the cheap search mode)."""
        return not self.all and not self.navigable and self.include <= {"id", "key"}

    def select(self, available: list[str]) -> list[str]:
        if self.all:
            chosen = available
        elif self.navigable:
            chosen = [f for f in available if f not in NOT_NAVIGABLE]
        else:
            chosen = [f for f in available if f in self.include]
            # Requested fields the issue does not carry (e.g. unknown custom fields) are omitted.
        return [f for f in chosen if f not in self.exclude]


def issue_json(
    state: EmulatorState,
    api: Api,
    issue: Issue,
    selection: FieldSelection,
    expand: Iterable[str] = (),
    properties: Iterable[str] = (),
    transitions: Callable[[Issue], list[JsonDict]] | None = None,
) -> JsonDict:
    wanted = set(expand)
    chosen = selection.select(all_field_ids(state, issue))
    body: JsonDict = {
        "expand": ISSUE_EXPAND,
        "id": str(issue.id),
        "self": f"{api.root}/issue/{issue.id}",
        "key": issue.key,
    }
    if chosen or not selection.only_ids:
        body["fields"] = {f: field_value(state, api, issue, f) for f in chosen}
    if "names" in wanted:
        body["names"] = {f: field_name(f) for f in chosen}
    if "transitions" in wanted and transitions is not None:
        body["transitions"] = transitions(issue)
    if "renderedFields" in wanted:
        body["renderedFields"] = {f: None for f in chosen}
    props = list(properties)
    if props:
        keys = list(issue.properties) if "*all" in props else props
        body["properties"] = {k: issue.properties[k] for k in keys if k in issue.properties}
    return body
