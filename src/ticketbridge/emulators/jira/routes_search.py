"""Enhanced JQL search (`search/jql`), approximate count, and the removed `search` (410).

Paging tokens. Without ORDER BY, results are ordered by issue id *descending* (newest first)
and the token holds the last returned id: the next page continues with smaller ids, so
issues created between pages never appear in later pages and nothing shifts or repeats.
With ORDER BY, the token holds the last returned id, its offset (matches up to and including
it) and a digest of its ORDER BY values: the next page starts right after that issue in the
freshly sorted result, which is likewise stable under concurrent inserts. If that issue was
deleted, no longer matches, or moved (its ORDER BY values changed, e.g. `updated` after an
edit), the next page starts at the slot it occupied (after `offset - 1` matches), so the
issues behind it are neither skipped nor repeated; a moved issue shows up again at its new
place. Tokens are bound to the JQL text (a token from another query is rejected with 400).

Cost. A page costs what it returns, not the size of the site. Both orders come from data
memoised per state version (`EmulatorState.memo`; every write bumps the version): the issues
in id order, and for ORDER BY the *whole* site sorted by the ORDER BY keys (cached per
ORDER BY clause, whatever the WHERE). The WHERE predicate is then evaluated lazily, page by
page, walking that order from the token's position (found through an id -> index map). This
gives exactly the old result: filtering keeps the relative order of a stable sort, so
"sort, then filter" equals "filter, then sort". Nothing time-dependent is cached: the
predicate is bound to the current `now` on every page, so relative dates (`-7d`, `now()`,
`startOfDay()`) are as exact as before, and no time bucket is needed. After a write the
first page sorts again (O(N log N)), so a sync racing with a stream of writes pays one sort
per page, as it did before.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from starlette.responses import Response

from . import catalog
from .errors import SEARCH_REMOVED, UNBOUNDED_JQL, JiraError, bad_request
from .http import ApiRoute, Ctx, json_response
from .issue_serializers import FieldSelection, issue_json
from .jql import CompiledJql, JqlCatalog, JqlContext, JqlError, compile_jql
from .jql_ast import iter_clauses
from .jql_eval import canonical
from .jql_values import DATE_FIELDS, parse_absolute
from .models import Issue
from .service import now
from .views import transitions_of

DEFAULT_MAX = 50
MAX_WITH_FIELDS = 100
MAX_IDS_ONLY = 5000
BAD_TOKEN = "The provided next page token is invalid or expired."
MAX_RECONCILE = 50
TOO_MANY_RECONCILE = f"The reconcileIssues list accepts at most {MAX_RECONCILE} issue ids."
BAD_RECONCILE = "The reconcileIssues list must hold issue ids (integers)."


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


@dataclass(frozen=True, slots=True)
class Position:
    """Where a token says the previous page ended: its last issue, how many matches precede
    the next page, the state version it was computed at and the digest of the last issue's
    ORDER BY values."""

    last_id: int
    offset: int
    version: int | None = None
    sort_digest: str = ""


def sort_digest(compiled: CompiledJql, issue: Issue) -> str:
    return _digest(repr(compiled.sort_values(issue))) if compiled.has_order_by else ""


def encode_token(jql: str, last_id: int, offset: int, version: int, digest: str) -> str:
    data = {"q": _digest(jql), "l": last_id, "o": offset, "v": version, "k": digest}
    raw = json.dumps(data, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_token(jql: str, token: str | None) -> Position | None:
    if not token:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if data["q"] != _digest(jql):
            raise ValueError("token from another query")
        version = data.get("v")
        return Position(
            int(data["l"]),
            int(data["o"]),
            None if version is None else int(version),
            str(data.get("k", "")),
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        raise bad_request(None, BAD_TOKEN) from None


def is_time_dependent(compiled: CompiledJql) -> bool:
    """Whether the matches can change with the clock alone: a date clause with a relative
    period (`-7d`) or a date function (`now()`, `startOfDay()`)."""
    for clause in iter_clauses(compiled.query.where):
        if canonical(clause.field) in DATE_FIELDS:
            for value in clause.values:
                if value.kind == "func" or (
                    value.kind == "str" and parse_absolute(value.text) is None
                ):
                    return True
    return False


@dataclass(slots=True)
class SortedSite:
    """Every issue in ORDER BY order (a stable sort of id order), for one state version."""

    issues: list[Issue]
    _index: dict[int, int] = field(default_factory=dict)

    def index_of(self, issue_id: int) -> int | None:
        if not self._index:
            self._index = {issue.id: n for n, issue in enumerate(self.issues)}
        return self._index.get(issue_id)


def sorted_site(ctx: Ctx, compiled: CompiledJql, jctx: JqlContext) -> SortedSite:
    """The site sorted by `compiled`'s ORDER BY (sort keys read only issue fields: no `now`)."""
    state = ctx.state

    def compute() -> SortedSite:
        return SortedSite(cast(list[Issue], compiled.sort(state.issue_snapshot(), jctx)))

    return state.memo(("order by", compiled.query.order_by), compute)


def _take(
    issues: list[Issue], indexes: range, matches: Callable[[Issue], bool], count: int
) -> list[Issue]:
    """The first `count` matching issues at `indexes` (walked lazily: no copy of the list)."""
    page: list[Issue] = []
    for n in indexes:
        issue = issues[n]
        if matches(issue):
            page.append(issue)
            if len(page) == count:
                break
    return page


def _ordered_start(
    compiled: CompiledJql,
    site: SortedSite,
    matches: Callable[[Issue], bool],
    position: Position,
    exact: bool,
) -> tuple[int, int]:
    """Where the next page starts in `site.issues`, and how many matches precede it: right
    after the last returned issue if it is still there, matching, with the same ORDER BY
    values; else at its former slot, after the first `offset - 1` matches.

    When `exact` (same state version as the token and no clock-dependent clause), the
    token's offset still is the count of matches up to the last issue; otherwise the matches
    before it may have changed and are counted again (predicate calls, but no sort)."""
    issues = site.issues
    index = site.index_of(position.last_id)
    if (
        index is not None
        and matches(issues[index])
        and sort_digest(compiled, issues[index]) == position.sort_digest
    ):
        if exact:
            return index + 1, position.offset
        return index + 1, 1 + sum(1 for n in range(index) if matches(issues[n]))
    wanted, seen = max(position.offset - 1, 0), 0
    for n, issue in enumerate(issues):
        if seen == wanted:
            return n, seen
        seen += matches(issue)
    return len(issues), seen


def reconcile_ids(raw: Any) -> frozenset[int]:
    """`reconcileIssues` as Jira takes it: a list of at most 50 int64 issue ids (400 else)."""
    if raw is None:
        return frozenset()
    if not isinstance(raw, list):
        raise bad_request(None, BAD_RECONCILE)
    ids: set[int] = set()
    for value in raw:
        if isinstance(value, bool):
            raise bad_request(None, BAD_RECONCILE)
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value)
        if not isinstance(value, int) or not -(2**63) <= value < 2**63:
            raise bad_request(None, BAD_RECONCILE)
        ids.add(value)
    if len(raw) > MAX_RECONCILE:
        raise bad_request(None, TOO_MANY_RECONCILE)
    return frozenset(ids)


def select_page(
    ctx: Ctx,
    compiled: CompiledJql,
    jctx: JqlContext,
    jql: str,
    token: str | None,
    size: int,
    hidden: frozenset[int] = frozenset(),
) -> tuple[list[Issue], str | None]:
    """One page of matches; issues in `hidden` (not yet searchable) are left out."""
    position = decode_token(jql, token)
    predicate = compiled.predicate(jctx)  # bound once per page, reused for every issue
    matches: Callable[[Issue], bool] = predicate
    if hidden:

        def matches(issue: Issue) -> bool:
            return issue.id not in hidden and predicate(issue)

    version = ctx.state.version
    if not compiled.has_order_by:
        snapshot = ctx.state.issue_snapshot()  # id ascending; newest first means walk back
        end = len(snapshot)
        if position:
            end = bisect.bisect_left(snapshot, position.last_id, key=_issue_id)
        page = _take(snapshot, range(end - 1, -1, -1), matches, size + 1)
        offset = (position.offset if position else 0) + min(len(page), size)
    else:
        site = sorted_site(ctx, compiled, jctx)
        start, done = 0, 0
        if position:
            exact = position.version == version and not is_time_dependent(compiled)
            start, done = _ordered_start(compiled, site, matches, position, exact)
        page = _take(site.issues, range(start, len(site.issues)), matches, size + 1)
        offset = done + min(len(page), size)
    if len(page) > size:
        page = page[:size]
        last = page[-1]
        return page, encode_token(jql, last.id, offset, version, sort_digest(compiled, last))
    return page, None


def _issue_id(issue: Issue) -> int:
    return issue.id


async def _search(ctx: Ctx, params: dict[str, Any]) -> Response:
    jql = params.get("jql") or ""
    compiled, jctx = compile_bounded(ctx, jql)
    fields = params.get("fields") or []
    expand = params.get("expand") or []
    properties = params.get("properties") or []
    selection = FieldSelection.parse(fields, "id")
    cap = MAX_IDS_ONLY if selection.only_ids else MAX_WITH_FIELDS
    requested = params.get("maxResults")
    size = DEFAULT_MAX if requested in (None, "", 0) else int(requested)
    size = min(max(size, 1), cap)
    hidden = ctx.faults.hidden(reconcile_ids(params.get("reconcileIssues")))
    page, token = select_page(ctx, compiled, jctx, jql, params.get("nextPageToken"), size, hidden)
    transitions = transitions_of(ctx)  # the field selection is parsed once, not per issue
    body: dict[str, Any] = {
        "issues": [
            issue_json(ctx.state, ctx.api, i, selection, expand, properties, transitions)
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
    reconcile = ctx.query_list("reconcileIssues")
    return await _search(
        ctx,
        {
            "jql": q.get("jql"),
            "nextPageToken": q.get("nextPageToken"),
            "maxResults": max_results,
            "fields": ctx.query_list("fields"),
            "expand": ctx.query_list("expand"),
            "properties": ctx.query_list("properties"),
            "reconcileIssues": reconcile or None,
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
            "reconcileIssues": body.get("reconcileIssues"),
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
