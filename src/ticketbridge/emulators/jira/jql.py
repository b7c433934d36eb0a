"""JQL engine of the local Jira Cloud emulator: the public API.

`compile_jql(text)` parses the query (`jql_parse`, a lark LALR grammar) into the syntax
tree of `jql_ast` and compiles it into closures (`jql_eval`) once (cached by text);
`CompiledJql.matches`, `filter`, `sort` and `validate` then evaluate it against issues.
All problems surface as `JqlError` whose `messages` are Jira-worded `errorMessages` for a
400 answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from functools import lru_cache
from typing import Any

from .jql_ast import Query
from .jql_eval import Binder, Compiler, Pred, SortKey, validate
from .jql_parse import parse_jql
from .jql_types import JqlCatalog, JqlContext, JqlError, JqlIssue, SimpleJqlIssue

__all__ = [
    "CompiledJql",
    "JqlCatalog",
    "JqlContext",
    "JqlError",
    "JqlIssue",
    "SimpleJqlIssue",
    "compile_jql",
    "parse_jql",
]

MAX_ORDER_BY_FIELDS = 7


# --- compiled queries ------------------------------------------------------------------------


def _always(_issue: Any) -> bool:
    return True


class CompiledJql:
    """A parsed, checked and compiled query. Immutable in meaning, safe to share."""

    def __init__(
        self,
        text: str,
        query: Query,
        binder: Binder | None,
        sort_keys: tuple[tuple[SortKey, bool], ...],
    ) -> None:
        self.text = text
        self.query = query
        self.is_bounded: bool = query.where is not None
        self.has_order_by: bool = bool(query.order_by)
        self._binder = binder
        self._sort_keys = sort_keys
        self._bound: tuple[tuple[datetime, str | None], Pred] | None = None

    def validate(self, ctx: JqlContext) -> None:
        """Raises `JqlError` for values that do not exist (per `ctx.catalog`, statusCategory)."""
        messages = validate(self.query, ctx.catalog)
        if messages:
            raise JqlError(messages)

    def predicate(self, ctx: JqlContext) -> Callable[[JqlIssue], bool]:
        """The WHERE clause bound to `ctx` (now, current user); reuse it for many issues."""
        if self._binder is None:
            return _always
        key = (ctx.now, ctx.current_account_id)
        bound = self._bound
        if bound is None or bound[0] != key:
            bound = self._bound = (key, self._binder(ctx))
        return bound[1]

    def matches(self, issue: JqlIssue, ctx: JqlContext) -> bool:
        return bool(self.predicate(ctx)(issue))

    def filter(self, issues: Iterable[JqlIssue], ctx: JqlContext) -> list[JqlIssue]:
        pred = self.predicate(ctx)
        return [i for i in issues if pred(i)]

    def sort_values(self, issue: JqlIssue) -> tuple[Any, ...]:
        """The ORDER BY keys of one issue, as `sort` compares them."""
        return tuple(key(issue) for key, _ in self._sort_keys)

    def sort(self, issues: Iterable[JqlIssue], ctx: JqlContext) -> list[JqlIssue]:
        """Stable sort by ORDER BY (empty values last for ASC, first for DESC)."""
        out = list(issues)
        for key, descending in reversed(self._sort_keys):
            out.sort(key=key, reverse=descending)
        return out

    def __repr__(self) -> str:
        return f"CompiledJql({self.text!r})"


@lru_cache(maxsize=1024)
def compile_jql(text: str) -> CompiledJql:
    """Parses and compiles `text` (cached); raises `JqlError` for syntax errors, unknown
    fields, unsupported operators, invalid dates or functions and unsortable fields."""
    query = parse_jql(text)
    compiler = Compiler()
    binder = compiler.node(query.where) if query.where is not None else None
    if len(query.order_by) > MAX_ORDER_BY_FIELDS:
        compiler.error(f"The ORDER BY clause may contain at most {MAX_ORDER_BY_FIELDS} fields.")
    keys = [(compiler.sort_key(item), item.descending) for item in query.order_by]
    if compiler.errors:
        raise JqlError(compiler.errors)
    sort_keys = tuple((key, desc) for key, desc in keys if key is not None)
    return CompiledJql(text, query, binder, sort_keys)
