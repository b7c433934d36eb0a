"""Run a parsed encoded query over an instance's rows: filter, drop invalid conditions, sort."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from . import schema
from .query import Condition, Query
from .state import InstanceState, Record
from .values import BadValue, compare, normalise, script_value, sort_key

Row = tuple[str, Record]
Predicate = Callable[[Row], bool]


class Evaluator:
    """Compiles conditions against one table; collects whether any was invalid."""

    def __init__(self, state: InstanceState, table: str, user_sys_id: str) -> None:
        self.state = state
        self.table = table
        self.user_sys_id = user_sys_id
        self.invalid = False

    def field_kind(self, path: str) -> str | None:
        """The kind of a (dot-walked) field of this table, None when it does not exist."""
        table = self.table
        parts = path.split(".")
        for index, name in enumerate(parts):
            spec = schema.TABLES.get(table, {}).get(name)
            if spec is None:
                return None
            if index < len(parts) - 1:
                if spec.kind != schema.REFERENCE:
                    return None
                table = spec.ref
            else:
                return spec.kind
        return None

    def value(self, row: Row, path: str) -> str:
        _table, record = row
        parts = path.split(".")
        current: Record | None = record
        table = self.table
        for index, name in enumerate(parts):
            if current is None:
                return ""
            if index == len(parts) - 1:
                return current.get(name, "")
            spec = schema.TABLES[table][name]
            table = spec.ref
            found = self.state.find(table, current.get(name, ""))
            current = found[1] if found else None
        return ""

    def compile(self, cond: Condition) -> Predicate | None:
        """A predicate, or None (and `invalid` set) for a condition the instance drops."""
        kind = self.field_kind(cond.field) if cond.valid else None
        if kind is None:
            self.invalid = True
            return None
        try:
            return self._predicate(cond, kind)
        except BadValue:
            self.invalid = True
            return None

    def _literal(self, kind: str, text: str) -> str:
        return normalise(kind, script_value(text, self.user_sys_id))

    def _predicate(self, cond: Condition, kind: str) -> Predicate:
        path, op = cond.field, cond.op
        get = self.value
        if op in ("ISEMPTY", "EMPTYSTRING"):
            return lambda r: get(r, path) == ""
        if op == "ISNOTEMPTY":
            return lambda r: get(r, path) != ""
        if op == "ANYTHING":
            return lambda r: True
        if op in ("SAMEAS", "NSAMEAS"):
            other = cond.value
            if self.field_kind(other) is None:
                raise BadValue(other)
            same = op == "SAMEAS"
            return lambda r: (get(r, path) == get(r, other)) == same
        if op in ("IN", "NOT IN"):
            options = {self._literal(kind, v) for v in cond.value.split(",")}
            inside = op == "IN"
            return lambda r: (get(r, path) in options) == inside
        if op == "BETWEEN":
            low_text, high_text = _split_between(cond.value)
            low, high = self._literal(kind, low_text), self._literal(kind, high_text)
            return lambda r: (
                compare(kind, get(r, path), ">=", low) and compare(kind, get(r, path), "<=", high)
            )
        value = self._literal(kind, cond.value)
        if op == "=":
            return lambda r: get(r, path) == value
        if op == "!=":
            return lambda r: get(r, path) != value
        if op in ("LIKE", "CONTAINS"):
            return lambda r: value in get(r, path)
        if op in ("NOT LIKE", "DOES NOT CONTAIN"):
            return lambda r: value not in get(r, path)
        if op == "STARTSWITH":
            return lambda r: get(r, path).startswith(value)
        if op == "ENDSWITH":
            return lambda r: get(r, path).endswith(value)
        return lambda r: compare(kind, get(r, path), op, value)

    def matcher(self, query: Query) -> Predicate:
        groups: list[list[list[Predicate]]] = []
        for group in query.groups:
            if not group:
                continue  # nothing written there (a leading ^NQ, an empty query)
            clauses = []
            for clause in group:
                compiled = [p for p in (self.compile(c) for c in clause) if p is not None]
                if compiled:
                    clauses.append(compiled)
            groups.append(clauses)
        if not groups or not all(groups):
            return lambda r: True  # a group whose conditions were all dropped matches all

        def match(row: Row) -> bool:
            return any(all(any(p(row) for p in clause) for clause in g) for g in groups)

        return match

    def _sort_key(self, path: str, kind: str) -> Callable[[Row], tuple[int, float, str]]:
        return lambda row: sort_key(kind, self.value(row, path))

    def sort(self, rows: list[Row], order: list[tuple[str, bool]]) -> list[Row]:
        for path, descending in reversed(order):
            kind = self.field_kind(path)
            if kind is None:
                continue  # an unknown sort field is ignored
            rows.sort(key=self._sort_key(path, kind), reverse=descending)
        return rows


def _split_between(text: str) -> tuple[str, str]:
    if "@javascript:" in text:
        low, _, high = text.partition("@javascript:")
        return low, "javascript:" + high
    low, sep, high = text.partition("@")
    if not sep:
        raise BadValue(text)
    return low, high


def run(
    state: InstanceState,
    table: str,
    query: Query,
    extra: Iterable[Condition] = (),
    user_sys_id: str = "",
    invalid_returns_no_rows: bool = False,
) -> list[Row]:
    """The rows of `table` that `query` (AND the `extra` equality filters) selects, sorted."""
    evaluator = Evaluator(state, table, user_sys_id)
    match = evaluator.matcher(query)
    filters = [p for p in (evaluator.compile(c) for c in extra) if p is not None]
    if evaluator.invalid and invalid_returns_no_rows:
        return []
    rows = [row for row in state.rows(table) if match(row) and all(f(row) for f in filters)]
    return evaluator.sort(rows, query.order)
