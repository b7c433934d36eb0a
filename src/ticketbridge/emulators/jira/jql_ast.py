"""JQL syntax tree of the Jira emulator: what `jql_parse` builds and `jql_eval` compiles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias


@dataclass(frozen=True, slots=True)
class Value:
    """An operand: a literal ("str"), the EMPTY/NULL keyword ("empty") or a function ("func")."""

    kind: str
    text: str = ""
    args: tuple[str, ...] = ()

    def render(self) -> str:
        return f"{self.text}({', '.join(self.args)})" if self.kind == "func" else self.text


EMPTY = Value("empty", "EMPTY")


@dataclass(frozen=True, slots=True)
class FieldRef:
    """A field as written; `prop_key` is set for bracket fields like `issue.property[k].a.b`."""

    name: str
    prop_key: str | None = None
    prop_path: tuple[str, ...] = ()

    def display(self) -> str:
        if self.prop_key is None:
            return self.name
        return f"{self.name}[{self.prop_key}]" + "".join(f".{p}" for p in self.prop_path)


@dataclass(frozen=True, slots=True)
class Clause:
    field: FieldRef
    op: str  # = != > >= < <= ~ !~ "in" "not in" "is" "is not"
    values: tuple[Value, ...]


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Node


Node: TypeAlias = Clause | And | Or | Not


@dataclass(frozen=True, slots=True)
class SortItem:
    field: FieldRef
    descending: bool = False


@dataclass(frozen=True, slots=True)
class Query:
    where: Node | None
    order_by: tuple[SortItem, ...] = ()


def iter_clauses(node: Node | None) -> list[Clause]:
    """The clauses of a WHERE tree, left to right."""
    out: list[Clause] = []
    stack = [node] if node is not None else []
    while stack:
        n = stack.pop()
        if isinstance(n, Clause):
            out.append(n)
        elif isinstance(n, Not):
            stack.append(n.item)
        else:
            stack.extend(reversed(n.items))
    return out
