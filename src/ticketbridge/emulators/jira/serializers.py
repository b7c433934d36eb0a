"""JSON shapes of Jira Cloud objects, for REST v3 (ADF) and v2 (plain strings).

`Api` carries the absolute base of the current request (including the gateway prefix) and
the REST version, so every `self` URL points back at this emulator.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from . import catalog
from .models import Comment, Issue, IssueType, Priority, Project, Status, StatusCategory, User
from .state import EmulatorState

JsonDict = dict[str, Any]

SYSTEM_FIELD_NAMES = {
    "summary": "Summary",
    "description": "Description",
    "project": "Project",
    "issuetype": "Issue Type",
    "status": "Status",
    "priority": "Priority",
    "assignee": "Assignee",
    "reporter": "Reporter",
    "creator": "Creator",
    "labels": "Labels",
    "duedate": "Due date",
    "parent": "Parent",
    "created": "Created",
    "updated": "Updated",
    "resolution": "Resolution",
    "resolutiondate": "Resolved",
    "statuscategorychangedate": "Status Category Changed",
    "components": "Components",
    "fixVersions": "Fix versions",
    "issuelinks": "Linked Issues",
    "subtasks": "Sub-tasks",
    "environment": "Environment",
    "comment": "Comment",
    "attachment": "Attachment",
}
NOT_NAVIGABLE = frozenset({"comment"})
ISSUE_EXPAND = "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations"


@dataclass(frozen=True, slots=True)
class Api:
    base: str  # e.g. http://127.0.0.1:8081 or .../ex/jira/<cloudId>
    version: str  # "2" or "3"

    @property
    def root(self) -> str:
        return f"{self.base}/rest/api/{self.version}"

    @property
    def adf(self) -> bool:
        return self.version == "3"


def fmt_dt(value: datetime | None) -> str | None:
    """Jira's timestamp format: 2026-01-17T12:34:00.000+0000 (always UTC here)."""
    if value is None:
        return None
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}+0000"


def fmt_date(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _cached(
    state: EmulatorState, kind: str, api: Api, ident: str, build: Callable[[], JsonDict]
) -> JsonDict:
    cache_key = (kind, api.root, ident)
    found = state.json_cache.get(cache_key)
    if found is None:
        found = state.json_cache[cache_key] = build()
    return found


def avatar_urls(api: Api, kind: str, ident: str) -> dict[str, str]:
    return {
        f"{n}x{n}": f"{api.base}/secure/{kind}avatar?size={n}&avatarId={ident}"
        for n in (48, 24, 16, 32)
    }


def user_json(state: EmulatorState, api: Api, user: User) -> JsonDict:
    def build() -> JsonDict:
        body: JsonDict = {
            "self": f"{api.root}/user?accountId={user.account_id}",
            "accountId": user.account_id,
            "accountType": user.account_type,
            "avatarUrls": avatar_urls(api, "user", user.account_id[-6:]),
            "displayName": user.display_name,
            "active": user.active,
            "timeZone": user.time_zone,
        }
        if user.email_visible and user.email:
            body["emailAddress"] = user.email
        return body

    return _cached(state, "user", api, user.account_id, build)


def user_ref(state: EmulatorState, api: Api, account_id: str | None) -> JsonDict | None:
    user = state.user(account_id)
    return user_json(state, api, user) if user else None


def category_json(api: Api, category: StatusCategory) -> JsonDict:
    return {
        "self": f"{api.root}/statuscategory/{category.id}",
        "id": category.id,
        "key": category.key,
        "colorName": category.color_name,
        "name": category.name,
    }


def status_json(state: EmulatorState, api: Api, status: Status) -> JsonDict:
    return _cached(
        state,
        "status",
        api,
        status.id,
        lambda: {
            "self": f"{api.root}/status/{status.id}",
            "description": status.description,
            "iconUrl": f"{api.base}/images/icons/statuses/generic.png",
            "name": status.name,
            "id": status.id,
            "statusCategory": category_json(api, status.category),
        },
    )


def priority_json(state: EmulatorState, api: Api, priority: Priority) -> JsonDict:
    return _cached(
        state,
        "priority",
        api,
        priority.id,
        lambda: {
            "self": f"{api.root}/priority/{priority.id}",
            "statusColor": priority.status_color,
            "description": priority.description,
            "iconUrl": f"{api.base}/images/icons/priorities/{priority.name.lower()}.svg",
            "name": priority.name,
            "id": priority.id,
            "isDefault": priority.is_default,
        },
    )


def issuetype_json(state: EmulatorState, api: Api, issue_type: IssueType) -> JsonDict:
    return _cached(
        state,
        "issuetype",
        api,
        issue_type.id,
        lambda: {
            "self": f"{api.root}/issuetype/{issue_type.id}",
            "id": issue_type.id,
            "description": issue_type.description,
            "iconUrl": (
                f"{api.base}/rest/api/2/universal_avatar/view/type/issuetype/avatar/"
                f"{issue_type.avatar_id}?size=medium"
            ),
            "name": issue_type.name,
            "subtask": issue_type.subtask,
            "avatarId": issue_type.avatar_id,
            "hierarchyLevel": issue_type.hierarchy_level,
        },
    )


def resolution_json(api: Api, resolution_id: str | None) -> JsonDict | None:
    if resolution_id is None:
        return None
    res = catalog.RESOLUTIONS[resolution_id]
    return {
        "self": f"{api.root}/resolution/{res.id}",
        "id": res.id,
        "description": res.description,
        "name": res.name,
    }


def project_json(
    state: EmulatorState, api: Api, project: Project, expand: Iterable[str] = (), full: bool = False
) -> JsonDict:
    """A project; `full` mimics GET project/{key} (description, lead, issue types included)."""
    wanted = set(expand)
    body: JsonDict = {
        "expand": "description,lead,issueTypes,url,projectKeys,permissions,insight",
        "self": f"{api.root}/project/{project.id}",
        "id": project.id,
        "key": project.key,
        "name": project.name,
        "avatarUrls": avatar_urls(api, "project", project.id),
        "projectTypeKey": project.type_key,
        "simplified": False,
        "style": "classic",
        "isPrivate": False,
        "properties": {},
        "uuid": project.uuid,
    }
    if full or "description" in wanted:
        body["description"] = project.description
    if full or "lead" in wanted:
        body["lead"] = user_ref(state, api, project.lead_account_id)
    if full or "issueTypes" in wanted:
        body["issueTypes"] = [
            issuetype_json(state, api, t) for t in state.project_issue_types(project)
        ]
    if full:
        body.update({"assigneeType": "UNASSIGNED", "components": [], "versions": [], "roles": {}})
    return body


def project_ref(state: EmulatorState, api: Api, project: Project) -> JsonDict:
    return _cached(
        state,
        "project-ref",
        api,
        project.id,
        lambda: {
            "self": f"{api.root}/project/{project.id}",
            "id": project.id,
            "key": project.key,
            "name": project.name,
            "projectTypeKey": project.type_key,
            "simplified": False,
            "avatarUrls": avatar_urls(api, "project", project.id),
        },
    )


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
