"""User endpoints: user, user/search, user/assignable/search (with Jira's short-page quirk)."""

from __future__ import annotations

from starlette.responses import Response

from .errors import JiraError, bad_request
from .http import ApiRoute, Ctx, json_response
from .models import User
from .serializers import user_json


def _matches(user: User, query: str) -> bool:
    """Prefix match on display name words or email, case-insensitive (Jira-like)."""
    if not query:
        return True
    q = query.lower()
    name = user.display_name.lower()
    if name.startswith(q) or any(word.startswith(q) for word in name.split()):
        return True
    return bool(user.email) and user.email.lower().startswith(q)


async def get_user(ctx: Ctx) -> Response:
    account_id = ctx.request.query_params.get("accountId")
    if not account_id:
        raise bad_request(None, "The accountId query parameter needs to be provided.")
    user = ctx.state.user(account_id)
    if user is None:
        raise JiraError(
            404, ["Specified user does not exist or you do not have required permissions"]
        )
    return json_response(user_json(ctx.state, ctx.api, user))


async def user_search(ctx: Ctx) -> Response:
    """All users (active or not) matching `query` / `accountId`, offset paged, bare array."""
    query = ctx.request.query_params.get("query", "")
    account_id = ctx.request.query_params.get("accountId")
    start = max(ctx.query_int("startAt", 0), 0)
    size = min(max(ctx.query_int("maxResults", 50), 0), 1000)
    users = [
        u
        for u in ctx.state.users.values()
        if (account_id is None or u.account_id == account_id) and _matches(u, query)
    ]
    return json_response([user_json(ctx.state, ctx.api, u) for u in users[start : start + size]])


async def users_search(ctx: Ctx) -> Response:
    """`GET users/search`: every user (active, inactive, apps), offset paged, bare array."""
    start = max(ctx.query_int("startAt", 0), 0)
    size = min(max(ctx.query_int("maxResults", 50), 0), 1000)
    users = list(ctx.state.users.values())[start : start + size]
    return json_response([user_json(ctx.state, ctx.api, u) for u in users])


async def assignable_search(ctx: Ctx) -> Response:
    """Take users [startAt, startAt+maxResults) first, *then* keep assignable matches.

    This reproduces Jira's documented quirk: a page may be short (or empty) although more
    assignable users exist further on, so clients must page until an empty page.
    """
    params = ctx.request.query_params
    project_ref, issue_key = params.get("project"), params.get("issueKey") or params.get("issueId")
    if not project_ref and not issue_key:
        raise bad_request(None, "A project, issue key or issue ID must be specified.")
    if params.get("query") and params.get("accountId"):
        raise bad_request(None, "Only one of query or accountId can be specified.")
    if issue_key:
        ctx.issue(issue_key)  # 404 if missing
    elif ctx.state.project(project_ref or "") is None:
        raise JiraError(404, [f"No project could be found with key '{project_ref}'."])
    query = params.get("query") or params.get("username") or ""
    account_id = params.get("accountId")
    start = max(ctx.query_int("startAt", 0), 0)
    size = min(max(ctx.query_int("maxResults", 50), 0), 1000)
    window = list(ctx.state.users.values())[start : start + size]
    chosen = [
        u
        for u in window
        if u.assignable
        and (account_id is None or u.account_id == account_id)
        and _matches(u, query)
    ]
    return json_response([user_json(ctx.state, ctx.api, u) for u in chosen])


ROUTES = [
    ApiRoute("/user", get_user),
    ApiRoute("/user/search", user_search),
    ApiRoute("/users/search", users_search),
    ApiRoute("/user/assignable/search", assignable_search),
]
