"""Enhanced JQL search (`search/jql`), approximate count, and the removed `search` (410).

Paging tokens. Without ORDER BY, results are ordered by issue id *descending* (newest first)
and the token holds the last returned id: the next page continues with smaller ids, so
issues created between pages never appear in later pages and nothing shifts or repeats.
With ORDER BY, the token holds the last returned id and its offset: the next page starts
right after that issue in the freshly sorted result (falling back to the offset if it no
longer matches), which is likewise stable under concurrent inserts. Tokens are bound to the
JQL text (a token from another query is rejected with 400).
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any, cast

from starlette.responses import Response

from . import catalog
from .errors import SEARCH_REMOVED, UNBOUNDED_JQL, JiraError, bad_request
from .http import ApiRoute, Ctx, json_response
from .jql import CompiledJql, JqlCatalog, JqlContext, JqlError, compile_jql
from .models import Issue
from .routes_issues import render_issue
from .service import now

DEFAULT_MAX = 50
MAX_WITH_FIELDS = 100
MAX_IDS_ONLY = 5000
BAD_TOKEN = "The provided next page token is invalid or expired."


def jql_context(ctx: Ctx) -> JqlContext:
    state = ctx.state
    projects: set[str] = set()
    for p in state.projects.values():
        projects.update({p.key.lower(), p.id, p.name.lower()})
    return JqlContext(
        now=now(),
        current_account_id=state.caller_account_id,
        catalog=JqlCatalog(
            project_keys_ids_names=projects,
            issuetypes={t.name.lower() for t in catalog.ISSUE_TYPES.values()}
            | set(catalog.ISSUE_TYPES),
            statuses={s.name.lower() for s in catalog.STATUSES.values()} | set(catalog.STATUSES),
            priorities={p.name.lower() for p in catalog.PRIORITIES.values()}
            | set(catalog.PRIORITIES),
        ),
    )


def compile_bounded(ctx: Ctx, jql: Any) -> tuple[CompiledJql, JqlContext]:
    """Compile and validate JQL; 400 on syntax/validation errors and on unbounded queries."""
    text = jql if isinstance(jql, str) else ""
    if not text.strip():
        raise bad_request(None, UNBOUNDED_JQL)
    jctx = jql_context(ctx)
    try:
        compiled = compile_jql(text)
        if not compiled.is_bounded:
            raise bad_request(None, UNBOUNDED_JQL)
        compiled.validate(jctx)
    except JqlError as exc:
        raise JiraError(400, list(exc.messages) or [str(exc)]) from None
    return compiled, jctx


def _digest(jql: str) -> str:
    return hashlib.sha1(jql.encode()).hexdigest()[:10]


def encode_token(jql: str, last_id: int, offset: int) -> str:
    raw = json.dumps({"q": _digest(jql), "l": last_id, "o": offset}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_token(jql: str, token: str | None) -> tuple[int, int] | None:
    if not token:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if data["q"] != _digest(jql):
            raise ValueError("token from another query")
        return int(data["l"]), int(data["o"])
    except (ValueError, KeyError, TypeError):
        raise bad_request(None, BAD_TOKEN) from None


def select_page(
    ctx: Ctx, compiled: CompiledJql, jctx: JqlContext, jql: str, token: str | None, size: int
) -> tuple[list[Issue], str | None]:
    position = decode_token(jql, token)
    matches = compiled.predicate(jctx)  # bound once per page, reused for every issue
    page: list[Issue] = []
    if not compiled.has_order_by:
        last_id = position[0] if position else None
        for issue in ctx.state.iter_issues_desc():
            if last_id is not None and issue.id >= last_id:
                continue
            if matches(issue):
                page.append(issue)
                if len(page) > size:
                    break
        offset = (position[1] if position else 0) + min(len(page), size)
    else:
        with ctx.state.lock:
            candidates = list(ctx.state.issues.values())
        ordered = cast(list[Issue], compiled.sort([i for i in candidates if matches(i)], jctx))
        start = 0
        if position:
            last_id, start = position[0], position[1]
            for index, issue in enumerate(ordered):
                if issue.id == last_id:
                    start = index + 1
                    break
        page = ordered[start : start + size + 1]
        offset = start + min(len(page), size)
    if len(page) > size:
        page = page[:size]
        return page, encode_token(jql, page[-1].id, offset)
    return page, None


async def _search(ctx: Ctx, params: dict[str, Any]) -> Response:
    jql = params.get("jql") or ""
    compiled, jctx = compile_bounded(ctx, jql)
    fields = params.get("fields") or []
    expand = params.get("expand") or []
    properties = params.get("properties") or []
    from .serializers import FieldSelection  # local: keeps the import list short

    selection = FieldSelection.parse(fields, "id")
    cap = MAX_IDS_ONLY if selection.only_ids else MAX_WITH_FIELDS
    requested = params.get("maxResults")
    size = DEFAULT_MAX if requested in (None, "", 0) else int(requested)
    size = min(max(size, 1), cap)
    page, token = select_page(ctx, compiled, jctx, jql, params.get("nextPageToken"), size)
    body: dict[str, Any] = {
        "issues": [
            render_issue(
                ctx, i, fields=fields, expand=expand, properties=properties, default_fields="id"
            )
            for i in page
        ]
    }
    if token is not None:
        body["nextPageToken"] = token
    body["isLast"] = token is None
    if "names" in expand and body["issues"]:
        names: dict[str, str] = {}
        for item in body["issues"]:
            names.update(item.pop("names", {}))
        body["names"] = names
    return json_response(body)


async def search_get(ctx: Ctx) -> Response:
    q = ctx.request.query_params
    try:
        max_results = int(q["maxResults"]) if q.get("maxResults") else None
    except ValueError:
        raise bad_request(None, "The 'maxResults' parameter must be an integer.") from None
    return await _search(
        ctx,
        {
            "jql": q.get("jql"),
            "nextPageToken": q.get("nextPageToken"),
            "maxResults": max_results,
            "fields": ctx.query_list("fields"),
            "expand": ctx.query_list("expand"),
            "properties": ctx.query_list("properties"),
        },
    )


async def search_post(ctx: Ctx) -> Response:
    body = await ctx.body()
    if not isinstance(body, dict):
        raise bad_request(None, "Request body must be a JSON object.")
    expand = body.get("expand") or []
    if isinstance(expand, str):
        expand = [e.strip() for e in expand.split(",") if e.strip()]
    fields = body.get("fields") or []
    if isinstance(fields, str):
        fields = [fields]
    max_results = body.get("maxResults")
    if max_results is not None and not isinstance(max_results, int):
        raise bad_request(None, "The 'maxResults' parameter must be an integer.")
    return await _search(
        ctx,
        {
            "jql": body.get("jql"),
            "nextPageToken": body.get("nextPageToken"),
            "maxResults": max_results,
            "fields": fields,
            "expand": expand,
            "properties": body.get("properties") or [],
        },
    )


async def approximate_count(ctx: Ctx) -> Response:
    body = await ctx.body()
    compiled, jctx = compile_bounded(ctx, body.get("jql") if isinstance(body, dict) else None)
    with ctx.state.lock:
        candidates = list(ctx.state.issues.values())
    matches = compiled.predicate(jctx)
    return json_response({"count": sum(1 for i in candidates if matches(i))})


async def search_removed(ctx: Ctx) -> Response:
    return json_response({"errorMessages": [SEARCH_REMOVED]}, 410)


ROUTES = [
    ApiRoute("/search/jql", search_get),
    ApiRoute("/search/jql", search_post, ("POST",)),
    ApiRoute("/search/approximate-count", approximate_count, ("POST",)),
    ApiRoute("/search", search_removed, ("GET", "POST")),
]
