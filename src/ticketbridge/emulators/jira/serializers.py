"""JSON shapes of Jira Cloud's catalogue objects (users, statuses, priorities, issue types,
projects), for REST v3 and v2; issues and comments: `issue_serializers.py`.

`Api` carries the absolute base of the current request (including the gateway prefix) and
the REST version, so every `self` URL points back at this emulator.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from . import catalog
from .models import IssueType, Priority, Project, Status, StatusCategory, User
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
