"""Site, project and catalogue endpoints: serverInfo, projects, issue types, createmeta, ..."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.responses import Response

from . import catalog
from .errors import JiraError, bad_request
from .http import ApiRoute, Ctx, json_response
from .models import STATUS_CATEGORIES, Project
from .serializers import (
    SYSTEM_FIELD_NAMES,
    category_json,
    fmt_dt,
    issuetype_json,
    priority_json,
    project_json,
    resolution_json,
    status_json,
    user_json,
)
from .service import now


async def server_info(ctx: Ctx) -> Response:
    return json_response(
        {
            "baseUrl": ctx.api.base,
            "displayUrl": ctx.api.base,
            "version": "1001.0.0-SNAPSHOT",
            "versionNumbers": [1001, 0, 0],
            "deploymentType": "Cloud",
            "buildNumber": 100289,
            "buildDate": "2026-01-01T00:00:00.000+0000",
            "serverTime": fmt_dt(now()),
            "scmInfo": "ticketbridge-emulator",
            "serverTitle": "TicketBridge Jira emulator",
            "serverTimeZone": "Etc/UTC",
        }
    )


async def myself(ctx: Ctx) -> Response:
    body = dict(user_json(ctx.state, ctx.api, ctx.state.caller))
    body["groups"] = {"size": 1, "items": []}
    body["applicationRoles"] = {"size": 1, "items": []}
    return json_response(body)


def _project_or_404(ctx: Ctx, id_or_key: str) -> Project:
    project = ctx.state.project(id_or_key)
    if project is None:
        raise JiraError(404, [f"No project could be found with key '{id_or_key}'."])
    return project


async def project_search(ctx: Ctx) -> Response:
    """Offset-paged projects; maxResults is silently clamped to 100 like Jira."""
    start = max(ctx.query_int("startAt", 0), 0)
    size = min(max(ctx.query_int("maxResults", 50), 0), 100)
    expand = ctx.query_list("expand")
    keys = set(ctx.query_list("keys"))
    ids = set(ctx.query_list("id"))
    query = (ctx.request.query_params.get("query") or "").lower()
    types = set(ctx.query_list("typeKey"))
    order = ctx.request.query_params.get("orderBy", "key")
    projects = [
        p
        for p in ctx.state.projects.values()
        if (not keys or p.key in keys)
        and (not ids or p.id in ids)
        and (not query or query in p.key.lower() or query in p.name.lower())
        and (not types or p.type_key in types)
    ]
    field_name = order.lstrip("+-")
    sort_key = {"name": lambda p: p.name.lower(), "id": lambda p: int(p.id)}.get(
        field_name, lambda p: p.key
    )
    projects.sort(key=sort_key, reverse=order.startswith("-"))
    page = projects[start : start + size]
    is_last = start + size >= len(projects)
    params = {
        k: v for k, v in ctx.request.query_params.items() if k not in ("startAt", "maxResults")
    }

    def url(at: int) -> str:
        return f"{ctx.api.root}/project/search?" + urlencode(
            {**params, "startAt": at, "maxResults": size}
        )

    body = {
        "self": url(start),
        "maxResults": size,
        "startAt": start,
        "total": len(projects),
        "isLast": is_last,
        "values": [project_json(ctx.state, ctx.api, p, expand) for p in page],
    }
    if not is_last:
        body["nextPage"] = url(start + size)
    return json_response(body)


async def project_list(ctx: Ctx) -> Response:
    expand = ctx.query_list("expand")
    return json_response(
        [project_json(ctx.state, ctx.api, p, expand) for p in ctx.state.projects.values()]
    )


async def project_get(ctx: Ctx) -> Response:
    project = _project_or_404(ctx, ctx.request.path_params["projectIdOrKey"])
    return json_response(project_json(ctx.state, ctx.api, project, full=True))


async def project_statuses(ctx: Ctx) -> Response:
    """`project/{key}/statuses`: per issue type, the statuses of the project's workflow."""
    project = _project_or_404(ctx, ctx.request.path_params["projectIdOrKey"])
    statuses = [
        status_json(ctx.state, ctx.api, catalog.STATUSES[s]) for s in project.workflow.status_ids
    ]
    return json_response(
        [
            {
                "id": it.id,
                "name": it.name,
                "self": f"{ctx.api.root}/issuetype/{it.id}",
                "subtask": it.subtask,
                "statuses": statuses,
            }
            for it in ctx.state.project_issue_types(project)
        ]
    )


async def priorities(ctx: Ctx) -> Response:
    return json_response(
        [priority_json(ctx.state, ctx.api, p) for p in catalog.PRIORITIES.values()]
    )


async def statuses(ctx: Ctx) -> Response:
    return json_response([status_json(ctx.state, ctx.api, s) for s in catalog.STATUSES.values()])


async def status_categories(ctx: Ctx) -> Response:
    return json_response([category_json(ctx.api, c) for c in STATUS_CATEGORIES])


async def resolutions(ctx: Ctx) -> Response:
    return json_response([resolution_json(ctx.api, r) for r in catalog.RESOLUTIONS])


async def issue_types(ctx: Ctx) -> Response:
    return json_response(
        [issuetype_json(ctx.state, ctx.api, t) for t in catalog.ISSUE_TYPES.values()]
    )


async def issue_types_for_project(ctx: Ctx) -> Response:
    raw = ctx.request.query_params.get("projectId")
    if not raw or not raw.isdigit():
        raise bad_request(None, "The projectId parameter is required and must be a number.")
    project = ctx.state.projects.get(raw)
    if project is None:
        raise JiraError(404, ["The project is not found or the user does not have permission."])
    level = ctx.request.query_params.get("level")
    types = [
        t
        for t in ctx.state.project_issue_types(project)
        if level is None or str(t.hierarchy_level) == level
    ]
    return json_response([issuetype_json(ctx.state, ctx.api, t) for t in types])


def _createmeta_page(ctx: Ctx) -> tuple[int, int]:
    start = max(ctx.query_int("startAt", 0), 0)
    size = ctx.query_int("maxResults", 50)
    if size > 200:
        raise JiraError(
            400,
            ["Parameter 'maxResults' must not exceed the limit '200'"],
            {},
            {"httpStatusCode": {"empty": False, "present": True}},
        )
    return start, max(size, 0)


async def createmeta_issue_types(ctx: Ctx) -> Response:
    project = _project_or_404(ctx, ctx.request.path_params["projectIdOrKey"])
    start, size = _createmeta_page(ctx)
    types = ctx.state.project_issue_types(project)
    return json_response(
        {
            "issueTypes": [
                issuetype_json(ctx.state, ctx.api, t) for t in types[start : start + size]
            ],
            "maxResults": size,
            "startAt": start,
            "total": len(types),
        }
    )


def _field_meta(
    field_id: str, required: bool, schema: dict[str, object], **extra: object
) -> dict[str, object]:
    return {
        "required": required,
        "schema": schema,
        "name": SYSTEM_FIELD_NAMES.get(field_id)
        or (
            catalog.CUSTOM_FIELDS[field_id].name if field_id in catalog.CUSTOM_FIELDS else field_id
        ),
        "key": field_id,
        "fieldId": field_id,
        "hasDefaultValue": field_id == "priority",
        "operations": ["set"] if field_id != "labels" else ["add", "set", "remove"],
        **extra,
    }


async def createmeta_fields(ctx: Ctx) -> Response:
    """Create-screen fields for one issue type (required flags include seeded custom rules)."""
    project = _project_or_404(ctx, ctx.request.path_params["projectIdOrKey"])
    type_id = ctx.request.path_params["issueTypeId"]
    if type_id not in project.issue_type_ids:
        raise JiraError(
            404, ["Issue type with id '" + type_id + "' does not exist in the project."]
        )
    start, size = _createmeta_page(ctx)
    issue_type = catalog.ISSUE_TYPES[type_id]
    required_custom = project.required_custom_fields.get(type_id, ())
    metas = [
        _field_meta("summary", True, {"type": "string", "system": "summary"}),
        _field_meta("issuetype", True, {"type": "issuetype", "system": "issuetype"}),
        _field_meta("project", True, {"type": "project", "system": "project"}),
        _field_meta("description", False, {"type": "string", "system": "description"}),
        _field_meta(
            "priority",
            False,
            {"type": "priority", "system": "priority"},
            allowedValues=[
                priority_json(ctx.state, ctx.api, p) for p in catalog.PRIORITIES.values()
            ],
            defaultValue=priority_json(
                ctx.state, ctx.api, catalog.PRIORITIES[catalog.DEFAULT_PRIORITY_ID]
            ),
        ),
        _field_meta("assignee", False, {"type": "user", "system": "assignee"}),
        _field_meta("reporter", False, {"type": "user", "system": "reporter"}),
        _field_meta("labels", False, {"type": "array", "items": "string", "system": "labels"}),
        _field_meta("duedate", False, {"type": "date", "system": "duedate"}),
        _field_meta("parent", issue_type.subtask, {"type": "issuelink", "system": "parent"}),
    ]
    for cf in project.custom_field_ids:
        field = catalog.CUSTOM_FIELDS[cf]
        schema = {
            "type": field.kind,
            "custom": f"com.atlassian.jira.plugin.system.customfieldtypes:{field.kind}",
            "customId": int(cf.split("_")[1]),
        }
        metas.append(_field_meta(cf, cf in required_custom, schema))
    return json_response(
        {
            "fields": metas[start : start + size],
            "maxResults": size,
            "startAt": start,
            "total": len(metas),
        }
    )


async def fields_list(ctx: Ctx) -> Response:
    """GET field: system and custom fields, so connectors can map custom field names."""
    out = [
        {
            "id": fid,
            "key": fid,
            "name": name,
            "custom": False,
            "navigable": True,
            "searchable": True,
            "orderable": True,
            "clauseNames": [fid],
        }
        for fid, name in SYSTEM_FIELD_NAMES.items()
    ]
    for cf in catalog.CUSTOM_FIELDS.values():
        number = cf.id.split("_")[1]
        out.append(
            {
                "id": cf.id,
                "key": cf.id,
                "name": cf.name,
                "custom": True,
                "navigable": True,
                "searchable": True,
                "orderable": True,
                "clauseNames": [f"cf[{number}]", cf.name],
                "schema": {
                    "type": cf.kind,
                    "custom": f"com.atlassian.jira.plugin.system.customfieldtypes:{cf.kind}",
                    "customId": int(number),
                },
            }
        )
    return json_response(out)


ROUTES = [
    ApiRoute("/serverInfo", server_info),
    ApiRoute("/myself", myself),
    ApiRoute("/project/search", project_search),
    ApiRoute("/project", project_list),
    ApiRoute("/project/{projectIdOrKey}", project_get),
    ApiRoute("/project/{projectIdOrKey}/statuses", project_statuses),
    ApiRoute("/priority", priorities),
    ApiRoute("/status", statuses),
    ApiRoute("/statuscategory", status_categories),
    ApiRoute("/resolution", resolutions),
    ApiRoute("/issuetype", issue_types),
    ApiRoute("/issuetype/project", issue_types_for_project),
    ApiRoute("/issue/createmeta/{projectIdOrKey}/issuetypes", createmeta_issue_types),
    ApiRoute("/issue/createmeta/{projectIdOrKey}/issuetypes/{issueTypeId}", createmeta_fields),
    ApiRoute("/field", fields_list),
]
