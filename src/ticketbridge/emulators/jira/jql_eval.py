"""JQL semantics for the Jira emulator: compilation into closures, sort keys, validation.

`jql_parse.py` turns query text into the nodes of `jql_ast.py`; `jql.py` is the public
entry point. This module turns a tree into a *binder* once per query:
`binder(ctx) -> predicate(issue) -> bool`.
Values that depend on the request (`now()`, relative dates, `currentUser()`) are resolved
when binding, so filtering tens of thousands of issues never re-walks the tree.
Compilation collects Jira-worded messages in `Compiler.errors` instead of raising, so that
one query can report several problems (Jira returns them all in `errorMessages`).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any, TypeAlias

from .jql_ast import Clause, FieldRef, Node, Not, Or, Query, SortItem, Value, iter_clauses
from .jql_text import text_conditions, text_matcher
from .jql_types import JqlCatalog, JqlContext
from .jql_values import (
    ALIASES,
    CATEGORY_VALUES,
    DATE_FIELDS,
    ENUM_FIELDS,
    FUNCTIONS,
    SINGLE_TEXT_FIELDS,
    SORT_VALUES,
    TEXT_FIELDS,
    USER_FIELDS,
    date_resolver,
    parse_increment,
    parse_issue_ref,
    property_comparer,
    property_getter,
    property_rank,
    split_key,
    utc_now,
)

Pred: TypeAlias = Callable[[Any], bool]
Binder: TypeAlias = Callable[[JqlContext], Pred]
SortKey: TypeAlias = Callable[[Any], tuple[Any, ...]]


# --- operators per field ---------------------------------------------------------------------

_EQ_OPS = frozenset({"=", "!=", "in", "not in"})
_REL_OPS = frozenset({">", ">=", "<", "<="})
_IS_OPS = frozenset({"is", "is not"})
_LIKE_OPS = frozenset({"~", "!~"})
_NEGATIVE = frozenset({"!=", "not in", "!~"})  # never match issues where the field is empty
_CMP = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}
_OPS: dict[str, frozenset[str]] = {
    **dict.fromkeys(ENUM_FIELDS, _EQ_OPS | _IS_OPS),
    **dict.fromkeys(DATE_FIELDS, _EQ_OPS | _REL_OPS | _IS_OPS),
    **dict.fromkeys(("summary", "description", "comment"), _LIKE_OPS | _IS_OPS),
    "text": _LIKE_OPS,
    "key": _EQ_OPS | _REL_OPS,
    "id": _EQ_OPS | _REL_OPS,
    "property": _EQ_OPS | _REL_OPS | _IS_OPS | _LIKE_OPS,
}


def canonical(field: FieldRef) -> str | None:
    """The canonical field name, "property" for issue properties, None if unknown."""
    low = field.name.lower()
    if field.prop_key is not None:
        return "property" if low == "issue.property" else None
    name = ALIASES.get(low, low)
    return name if name in _OPS and name != "property" else None


def _never(_issue: Any) -> bool:
    return False


def _const(pred: Pred) -> Binder:
    return lambda _ctx: pred


def _any_of(preds: tuple[Pred, ...]) -> Pred:
    if len(preds) == 2:
        first, second = preds
        return lambda i: first(i) or second(i)

    return lambda i: any(p(i) for p in preds)


def _all_of(preds: tuple[Pred, ...]) -> Pred:
    if len(preds) == 2:
        first, second = preds
        return lambda i: first(i) and second(i)

    return lambda i: all(p(i) for p in preds)


def _is_empty(acc: Callable[[Any], Any], op: str) -> Binder:
    want_empty = op == "is"
    return _const(lambda i: (not acc(i)) is want_empty)


# --- compiler --------------------------------------------------------------------------------


class Compiler:
    """Compiles WHERE trees into binders and ORDER BY items into sort keys."""

    MAX_DEPTH = 200

    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, message: str) -> None:
        if message not in self.errors:
            self.errors.append(message)

    def node(self, n: Node, depth: int = 0) -> Binder:
        if depth > self.MAX_DEPTH:
            self.error("Error in the JQL Query: The query is nested too deeply.")
            return _const(_never)
        if isinstance(n, Clause):
            return self.clause(n)
        if isinstance(n, Not):
            inner = self.node(n.item, depth + 1)

            def bind_not(ctx: JqlContext) -> Pred:
                p = inner(ctx)
                return lambda i: not p(i)

            return bind_not
        parts = [self.node(x, depth + 1) for x in n.items]
        combine = _any_of if isinstance(n, Or) else _all_of
        return lambda ctx: combine(tuple(b(ctx) for b in parts))

    def clause(self, c: Clause) -> Binder:
        name = canonical(c.field)
        shown = c.field.display()
        if name is None:
            self.error(f"Field '{shown}' does not exist or you do not have permission to view it.")
            return _const(_never)
        if c.op not in _OPS[name]:
            self.error(f"The operator '{c.op}' is not supported by the '{shown}' field.")
            return _const(_never)
        if c.op in _REL_OPS | _LIKE_OPS and c.values[0].kind == "empty":
            self.error(f"The operator '{c.op}' does not support searching for EMPTY values.")
            return _const(_never)
        bad_function = False
        for v in c.values:
            if v.kind == "func":
                bad_function |= not self._check_function(v, name, shown)
        if bad_function:
            return _const(_never)
        if name in ENUM_FIELDS:
            return self._enum(name, c)
        if name in DATE_FIELDS:
            return self._date(name, c, shown)
        if name in TEXT_FIELDS:
            return self._text(name, c, shown)
        if name == "property":
            return self._property(c, shown)
        return self._issuekey(c, shown)

    def _check_function(self, v: Value, field: str, shown: str) -> bool:
        fn = v.text.lower()
        spec = FUNCTIONS.get(fn)
        if spec is None:
            self.error(f"Unable to find JQL function '{v.render()}'.")
        elif (fn == "currentuser") != (field in USER_FIELDS) or (
            fn != "currentuser" and field not in DATE_FIELDS
        ):
            fname = spec.name
            self.error(
                f"A value provided by the function '{fname}' is invalid for the field '{shown}'."
            )
        elif len(v.args) > spec.max_args:
            allowed = "'0'" if spec.max_args == 0 else "between '0' and '1'"
            got = len(v.args)
            self.error(f"Function '{spec.name}' expected {allowed} arguments but received '{got}'.")
        elif v.args and parse_increment(v.args[0], spec.unit) is None:
            self.error(
                f"Duration for function '{spec.name}' should have the format (+/-)n(yMwdhm), "
                "e.g -1M for 1 month earlier."
            )
        else:
            return True
        return False

    def _enum(self, name: str, c: Clause) -> Binder:
        acc = ENUM_FIELDS[name]
        if c.op in _IS_OPS:
            return _is_empty(acc, c.op)
        static = frozenset(v.text.lower() for v in c.values if v.kind == "str")
        with_user = any(v.kind == "func" for v in c.values)
        with_empty = any(v.kind == "empty" for v in c.values)
        negative = c.op in _NEGATIVE

        def make(vals: frozenset[str]) -> Pred:
            if negative:
                return lambda i: bool(alts := acc(i)) and vals.isdisjoint(alts)
            if with_empty:
                return lambda i: not (alts := acc(i)) or not vals.isdisjoint(alts)
            return lambda i: not vals.isdisjoint(acc(i))

        if not with_user:
            return _const(make(static))

        def bind(ctx: JqlContext) -> Pred:
            me = ctx.current_account_id
            return make(static | {me.lower()} if me else static)

        return bind

    def _date(self, name: str, c: Clause, shown: str) -> Binder:
        acc = DATE_FIELDS[name]
        if c.op in _IS_OPS:
            return _is_empty(acc, c.op)
        resolvers = []
        for v in c.values:
            if v.kind == "empty":
                continue
            resolver = date_resolver(v.text, v.args if v.kind == "func" else None)
            if resolver is None:
                self.error(
                    f"Date value '{v.text}' for field '{shown}' is invalid. Valid formats include: "
                    "'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', "
                    "or a period format e.g. '-5d', '4w 2d'."
                )
                return _const(_never)
            resolvers.append(resolver)
        with_empty = len(resolvers) < len(c.values)
        op = c.op

        def bind(ctx: JqlContext) -> Pred:
            now = utc_now(ctx.now)
            points = frozenset(r(now) for r in resolvers)
            if op in _CMP:
                cmp, (point,) = _CMP[op], points
                return lambda i: (d := acc(i)) is not None and cmp(d, point)
            if op in _NEGATIVE:
                return lambda i: (d := acc(i)) is not None and d not in points
            return lambda i: with_empty if (d := acc(i)) is None else d in points

        return bind

    def _text(self, name: str, c: Clause, shown: str) -> Binder:
        acc, single = TEXT_FIELDS[name], SINGLE_TEXT_FIELDS.get(name)
        if c.op in _IS_OPS:
            return _is_empty(lambda i: any(acc(i)), c.op)
        text = c.values[0].text
        if not text.strip():
            self.error(f"The field '{shown}' does not support searching for an empty string.")
            return _const(_never)
        conds = text_conditions(text)
        if single is not None:
            match = text_matcher(conds)
            hit: Pred = lambda i: match(single(i))  # noqa: E731
        else:

            def hit(i: Any) -> bool:  # each term may be found in another of the fields
                texts = [(s, s.lower()) for s in acc(i) if s]
                for cond in conds:
                    for text, low in texts:
                        if cond.matches(text, low):
                            break
                    else:
                        return False
                return bool(conds)

        if c.op == "!~":
            return _const(lambda i: any(acc(i)) and not hit(i))
        return _const(hit)

    def _issuekey(self, c: Clause, shown: str) -> Binder:
        ids: set[int] = set()
        keys: set[str] = set()
        refs: list[int | tuple[str, int]] = []
        for v in c.values:
            ref = parse_issue_ref(v.text) if v.kind == "str" else None
            if ref is None:
                if v.kind == "empty":
                    self.error(f"The field '{shown}' does not support searching for EMPTY values.")
                else:
                    self.error(f"The issue key '{v.text}' for field '{shown}' is invalid.")
                return _const(_never)
            refs.append(ref)
            if isinstance(ref, int):
                ids.add(ref)
            else:
                keys.add(f"{ref[0]}-{ref[1]}")
        if c.op in _CMP:
            cmp, ref = _CMP[c.op], refs[0]
            if isinstance(ref, int):
                return _const(lambda i: cmp(int(i.id), ref))
            project, number = ref
            return _const(
                lambda i: (
                    (k := split_key(i.key)) is not None and k[0] == project and cmp(k[1], number)
                )
            )
        negative = c.op in _NEGATIVE
        return _const(lambda i: (int(i.id) in ids or i.key.upper() in keys) is not negative)

    def _property(self, c: Clause, shown: str) -> Binder:
        get = property_getter(c.field.prop_key or "", c.field.prop_path)
        if c.op in _IS_OPS:
            return _is_empty(get, c.op)
        lits = [v.text for v in c.values if v.kind == "str"]
        with_empty = len(lits) < len(c.values)
        one: Callable[[Any], bool]
        if c.op in _LIKE_OPS:
            if not lits[0].strip():
                self.error(f"The field '{shown}' does not support searching for an empty string.")
                return _const(_never)
            match = text_matcher(text_conditions(lits[0]))

            def one(x: Any) -> bool:
                return isinstance(x, str) and match(x)

        elif c.op in _CMP:
            one = property_comparer(_CMP[c.op], lits[0])
        else:
            eqs = [property_comparer(operator.eq, q) for q in lits]

            def one(x: Any) -> bool:
                return any(eq(x) for eq in eqs)

        if c.op in _NEGATIVE:
            return _const(lambda i: bool(xs := get(i)) and not any(one(x) for x in xs))
        return _const(lambda i: any(one(x) for x in xs) if (xs := get(i)) else with_empty)

    def sort_key(self, item: SortItem) -> SortKey | None:
        """A key giving (0, value), or (1,) for an empty value: last for ASC, first for DESC."""
        name = canonical(item.field)
        shown = item.field.display()
        if name is None:
            self.error(f"Field '{shown}' does not exist or you do not have permission to view it.")
            return None
        if name == "property":
            get = property_getter(item.field.prop_key or "", item.field.prop_path)
            return lambda i: (0, property_rank(xs[0])) if (xs := get(i)) else (1,)
        raw = SORT_VALUES.get(name)
        if raw is None:
            self.error(f"Field '{shown}' does not support sorting.")
            return None
        return lambda i: (1,) if (v := raw(i)) is None else (0, v)


# --- catalog validation ----------------------------------------------------------------------


def validate(query: Query, catalog: JqlCatalog | None) -> list[str]:
    """Messages for literal values that do not exist (statusCategory always, others per catalog)."""
    known: dict[str, frozenset[str]] = {"statuscategory": CATEGORY_VALUES}
    if catalog is not None:
        known["project"] = frozenset(s.lower() for s in catalog.project_keys_ids_names)
        known["issuetype"] = frozenset(s.lower() for s in catalog.issuetypes)
        known["status"] = frozenset(s.lower() for s in catalog.statuses)
        known["priority"] = frozenset(s.lower() for s in catalog.priorities)
    messages: list[str] = []
    for clause in iter_clauses(query.where):
        allowed = known.get(canonical(clause.field) or "")
        if allowed is None:
            continue
        for v in clause.values:
            msg = f"The value '{v.text}' does not exist for the field '{clause.field.name}'."
            if v.kind == "str" and v.text.lower() not in allowed and msg not in messages:
                messages.append(msg)
    return messages
