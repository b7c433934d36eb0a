"""Encoded queries (`sysparm_query`): a lark grammar and the parsed form.

    query     := part ("^" part)*
    part      := ORDERBYDESC field? | ORDERBY field? | NQ cond? | OR cond? | EQ | cond | (empty)
    cond      := FIELD BINOP VALUE? | FIELD UNOP | BAD

`FIELD` only matches a lower-case name that an operator follows, so anything else in a part
lexes as `BAD`: an invalid condition, which the evaluator drops (or, with the instance's
`glide.invalid_query.returns_no_rows`, turns into "no rows"). `^OR` binds tighter than `^`;
`^NQ` ORs whole groups.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, cast

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import LarkError

BINARY_OPS = (
    "DOES NOT CONTAIN",
    "NOT LIKE",
    "CONTAINS",
    "NOT IN",
    "STARTSWITH",
    "ENDSWITH",
    "NSAMEAS",
    "SAMEAS",
    "BETWEEN",
    "LIKE",
    "IN",
    "!=",
    "<=",
    ">=",
    "=",
    "<",
    ">",
)
UNARY_OPS = ("ISNOTEMPTY", "ISEMPTY", "ANYTHING", "EMPTYSTRING")


def _alternation(ops: tuple[str, ...]) -> str:
    return "|".join(re.escape(op) for op in ops)


_BIN = _alternation(BINARY_OPS)
_UN = _alternation(UNARY_OPS)
GRAMMAR = rf"""
start: part (SEP part)*
part: ORDERBYDESC ORDERFIELD?  -> order_desc
    | ORDERBY ORDERFIELD?      -> order_asc
    | NQ cond?                 -> new_query
    | OR cond?                 -> or_cond
    | EQ                       -> nothing
    | cond                     -> and_cond
    |                          -> nothing
cond: FIELD BINOP VALUE?       -> binary
    | FIELD UNOP               -> unary
    | BAD                      -> bad

SEP: "^"
ORDERBYDESC: "ORDERBYDESC"
ORDERBY: "ORDERBY"
NQ: "NQ"
OR: "OR"
EQ.2: /EQ(?=\^|$)/
FIELD: /[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*(?=(?:{_BIN})|(?:{_UN})(?:\^|$))/
BINOP: /{_BIN}/
UNOP: /(?:{_UN})(?=\^|$)/
VALUE: /[^^]+/
ORDERFIELD: /[^^]+/
BAD.-1: /[^^]+/
"""


@dataclass(frozen=True, slots=True)
class Condition:
    field: str
    op: str
    value: str = ""
    valid: bool = True


@dataclass(slots=True)
class Query:
    """groups (OR-ed) of clauses (AND-ed) of conditions (OR-ed), plus the sort keys."""

    groups: list[list[list[Condition]]] = field(default_factory=lambda: [[]])
    order: list[tuple[str, bool]] = field(default_factory=list)  # (field, descending)


class QuerySyntaxError(ValueError):
    """The query string could not be read at all."""


@v_args(inline=True)
class _Build(Transformer[Token, Query]):
    def binary(self, name: Token, op: Token, value: Token | None = None) -> Condition:
        return Condition(str(name), str(op), str(value) if value is not None else "")

    def unary(self, name: Token, op: Token) -> Condition:
        return Condition(str(name), str(op))

    def bad(self, text: Token) -> Condition:
        return Condition("", "", str(text), valid=False)

    def order_desc(self, _kw: Token, name: Token | None = None) -> tuple[str, object]:
        return ("order", (str(name or ""), True))

    def order_asc(self, _kw: Token, name: Token | None = None) -> tuple[str, object]:
        return ("order", (str(name or ""), False))

    def new_query(self, _kw: Token, cond: Condition | None = None) -> tuple[str, object]:
        return ("nq", cond)

    def or_cond(self, _kw: Token, cond: Condition | None = None) -> tuple[str, object]:
        return ("or", cond) if cond is not None else ("none", None)

    def and_cond(self, cond: Condition) -> tuple[str, object]:
        return ("and", cond)

    def nothing(self, *_: Token) -> tuple[str, object]:
        return ("none", None)

    def start(self, *items: object) -> Query:
        query = Query()
        for item in items:
            if isinstance(item, Token):  # a separator
                continue
            kind, payload = cast(tuple[str, Any], item)
            group = query.groups[-1]
            if kind == "order":
                query.order.append(payload)
            elif kind == "nq":
                query.groups.append([[payload]] if payload is not None else [])
            elif kind == "or" and group:
                group[-1].append(payload)
            elif kind in ("and", "or"):
                group.append([payload])
        return query


_PARSER = Lark(GRAMMAR, parser="lalr", lexer="contextual", maybe_placeholders=False)


@lru_cache(maxsize=512)
def parse(text: str) -> Query:
    """Parse an encoded query; QuerySyntaxError only for text no part of the grammar reads."""
    if not text:
        return Query()
    try:
        tree = _PARSER.parse(text)
    except LarkError as exc:
        raise QuerySyntaxError(str(exc).splitlines()[0]) from None
    return _Build().transform(tree)
