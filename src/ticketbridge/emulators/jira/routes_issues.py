"""Issue endpoints: create (single/bulk), get, edit, assign, transitions, comments, properties."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from . import edits
from . import service as svc
from .errors import JiraError, bad_request, not_found
from .http import ApiRoute, Ctx, json_response, no_content
from .issue_serializers import FieldSelection, comment_json, issue_json
from .models import Issue
from .views import transition_json, transitions_of

MAX_BULK = 50
MAX_BULKFETCH = 100


def created_json(ctx: Ctx, issue: Issue) -> dict[str, Any]:
    return {"id": str(issue.id), "key": issue.key, "self": f"{ctx.api.root}/issue/{issue.id}"}


def render_issue(
    ctx: Ctx,
    issue: Issue,
    fields: list[str] | None = None,
    expand: list[str] | None = None,
    properties: list[str] | None = None,
    default_fields: str = "*all",
) -> dict[str, Any]:
    selection = FieldSelection.parse(
        fields if fields is not None else ctx.query_list("fields"), default_fields
    )
    return issue_json(
        ctx.state,
        ctx.api,
        issue,
        selection,
        expand if expand is not None else ctx.query_list("expand"),
        properties if properties is not None else ctx.query_list("properties"),
        transitions_of(ctx),
    )


async def create_issue(ctx: Ctx) -> Response:
    payload = await ctx.body()
    issue = svc.create_issue(ctx.state, payload, ctx.api.adf)
    ctx.faults.stats.issues_created += 1
    ctx.faults.created(issue.id)
    body = created_json(ctx, issue)
    if isinstance(payload, dict) and payload.get("transition"):
        body["transition"] = {"status": 200, "errorCollection": {"errorMessages": [], "errors": {}}}
    return json_response(body, 201)


async def create_issues(ctx: Ctx) -> Response:
    """Bulk create: 201 if any element succeeded, 400 if all failed; 0-based element numbers."""
    payload = await ctx.body()
    updates = payload.get("issueUpdates") if isinstance(payload, dict) else None
    if not isinstance(updates, list) or not updates:
        raise bad_request(None, "Issue updates must not be empty.")
    if len(updates) > MAX_BULK:
        raise bad_request(None, f"The number of issues to create must not exceed {MAX_BULK}.")
    issues, errors = [], []
    for index, update in enumerate(updates):
        try:
            issue = svc.create_issue(ctx.state, update, ctx.api.adf)
        except JiraError as exc:
            errors.append(
                {"status": exc.status, "failedElementNumber": index, "elementErrors": exc.body()}
            )
            continue
        ctx.faults.stats.issues_created += 1
        ctx.faults.created(issue.id)
        issues.append(created_json(ctx, issue))
    return json_response({"issues": issues, "errors": errors}, 201 if issues else 400)


async def get_issue(ctx: Ctx) -> Response:
    return json_response(render_issue(ctx, ctx.issue()))


async def edit_issue(ctx: Ctx) -> Response:
    issue = ctx.issue()
    edits.edit_issue(ctx.state, issue, await ctx.body(), ctx.api.adf)
    if ctx.query_bool("returnIssue"):
        return json_response(render_issue(ctx, issue, fields=[]))
    return no_content()


async def delete_issue(ctx: Ctx) -> Response:
    """`DELETE issue/{key}`: 400 when it has sub-tasks unless `deleteSubtasks=true`."""
    issue = ctx.issue()
    if ctx.state.children.get(issue.id) and not ctx.query_bool("deleteSubtasks"):
        raise bad_request(
            None,
            f"The issue '{issue.key}' has subtasks. Set deleteSubtasks to true to delete them.",
        )
    ctx.state.remove_issue(issue)
    return no_content()


async def assign_issue(ctx: Ctx) -> Response:
    svc.assign(ctx.state, ctx.issue(), await ctx.body())
    return no_content()


async def get_transitions(ctx: Ctx) -> Response:
    issue = ctx.issue()
    wanted = ctx.request.query_params.get("transitionId")
    found = [
        transition_json(ctx, t)
        for t in svc.available_transitions(ctx.state, issue)
        if wanted is None or t.id == wanted
    ]
    if "transitions.fields" in ctx.query_list("expand"):
        for item in found:
            item["fields"] = {}
    return json_response({"expand": "transitions", "transitions": found})


async def do_transition(ctx: Ctx) -> Response:
    svc.transition_issue(ctx.state, ctx.issue(), await ctx.body(), ctx.api.adf)
    return no_content()


async def list_properties(ctx: Ctx) -> Response:
    issue = ctx.issue()
    base = f"{ctx.api.root}/issue/{issue.id}/properties"
    return json_response({"keys": [{"self": f"{base}/{k}", "key": k} for k in issue.properties]})


async def get_property(ctx: Ctx) -> Response:
    issue = ctx.issue()
    key = ctx.request.path_params["propertyKey"]
    if key not in issue.properties:
        raise not_found(f"The property with key '{key}' does not exist.")
    return json_response({"key": key, "value": issue.properties[key]})


async def set_property(ctx: Ctx) -> Response:
    """PUT: 201 when the property is created, 200 when it is replaced (empty body)."""
    issue = ctx.issue()
    key = ctx.request.path_params["propertyKey"]
    raw = await ctx.request.body()
    if not raw.strip():
        raise bad_request(None, "The property value must be valid JSON.")
    value = await ctx.body()
    svc.check_property(key, value)
    with ctx.state.lock:
        existed = key in issue.properties
        issue.properties[key] = value
        ctx.state.touch()
    return Response(status_code=200 if existed else 201)


async def delete_property(ctx: Ctx) -> Response:
    issue = ctx.issue()
    key = ctx.request.path_params["propertyKey"]
    with ctx.state.lock:
        if key not in issue.properties:
            raise not_found(f"The property with key '{key}' does not exist.")
        del issue.properties[key]
        ctx.state.touch()
    return no_content()


async def list_comments(ctx: Ctx) -> Response:
    issue = ctx.issue()
    start = max(ctx.query_int("startAt", 0), 0)
    size = max(ctx.query_int("maxResults", 5000), 0)
    page = issue.comments[start : start + size]
    return json_response(
        {
            "startAt": start,
            "maxResults": size,
            "total": len(issue.comments),
            "comments": [comment_json(ctx.state, ctx.api, issue, c) for c in page],
        }
    )


async def add_comment(ctx: Ctx) -> Response:
    issue = ctx.issue()
    payload = await ctx.body()
    errors: dict[str, str] = {}
    doc, text = svc.parse_comment_body(
        payload.get("body") if isinstance(payload, dict) else None, ctx.api.adf, errors
    )
    if errors:
        raise bad_request(errors)
    comment = svc.add_comment(ctx.state, issue, doc, text)
    return json_response(comment_json(ctx.state, ctx.api, issue, comment), 201)


async def bulk_fetch(ctx: Ctx) -> Response:
    payload = await ctx.body()
    idents = payload.get("issueIdsOrKeys") if isinstance(payload, dict) else None
    if not isinstance(idents, list) or not idents or len(idents) > MAX_BULKFETCH:
        raise bad_request(None, "issueIdsOrKeys must contain between 1 and 100 entries.")
    assert isinstance(payload, dict)
    expand = payload.get("expand") or []
    expand = expand.split(",") if isinstance(expand, str) else list(expand)
    found: dict[int, Issue] = {}
    errors = []
    for ident in idents:
        issue = ctx.state.issue(str(ident))
        if issue is None:
            errors.append(
                {
                    "id": str(ident),
                    "errorMessage": "Issue does not exist or you do not have permission to see it.",
                }
            )
        else:
            found[issue.id] = issue
    issues = [
        render_issue(
            ctx,
            found[i],
            fields=list(payload.get("fields") or ["*navigable"]),
            expand=expand,
            properties=list(payload.get("properties") or []),
        )
        for i in sorted(found)
    ]
    return json_response({"issues": issues, "issueErrors": errors})


ROUTES = [
    ApiRoute("/issue", create_issue, ("POST",), write=True),
    ApiRoute("/issue/bulk", create_issues, ("POST",), write=True),
    ApiRoute("/issue/bulkfetch", bulk_fetch, ("POST",)),
    ApiRoute("/issue/{issueIdOrKey}", get_issue),
    ApiRoute("/issue/{issueIdOrKey}", edit_issue, ("PUT",), write=True),
    ApiRoute("/issue/{issueIdOrKey}", delete_issue, ("DELETE",), write=True),
    ApiRoute("/issue/{issueIdOrKey}/assignee", assign_issue, ("PUT",), write=True),
    ApiRoute("/issue/{issueIdOrKey}/transitions", get_transitions),
    ApiRoute("/issue/{issueIdOrKey}/transitions", do_transition, ("POST",), write=True),
    ApiRoute("/issue/{issueIdOrKey}/properties", list_properties),
    ApiRoute("/issue/{issueIdOrKey}/properties/{propertyKey}", get_property),
    ApiRoute("/issue/{issueIdOrKey}/properties/{propertyKey}", set_property, ("PUT",), write=True),
    ApiRoute(
        "/issue/{issueIdOrKey}/properties/{propertyKey}", delete_property, ("DELETE",), write=True
    ),
    ApiRoute("/issue/{issueIdOrKey}/comment", list_comments),
    ApiRoute("/issue/{issueIdOrKey}/comment", add_comment, ("POST",), write=True),
]
