"""JQL grammar and parser of the Jira emulator: query text -> `jql_ast.Query`.

A lark LALR grammar; syntax errors become `JqlError`s worded like Jira's.
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedInput, UnexpectedToken

from .jql_ast import EMPTY, And, Clause, FieldRef, Node, Not, Or, Query, SortItem, Value
from .jql_types import JqlError

# --- grammar ---------------------------------------------------------------------------------
# Keywords end where a bare word would end (_KWEND), so `andy` or `orders` stay bare words.
# Reserved words are accepted as bare values where no keyword can follow (lenient).

_GRAMMAR = r"""
start: or_expr? order_by?

?or_expr: and_expr
        | or_expr _OR and_expr              -> or_
?and_expr: not_expr
         | and_expr _AND not_expr           -> and_
?not_expr: atom
         | (_NOT | _BANG) not_expr          -> not_
?atom: clause
     | _LPAR or_expr _RPAR

clause: field cmp_op operand                -> cmp
      | field _IN value_list                -> in_
      | field _NOT _IN value_list           -> not_in
      | field _IS empty                     -> is_
      | field _IS _NOT empty                -> is_not
cmp_op: EQ | NE | GT | GE | LT | LE | LIKE | NOT_LIKE

?operand: value | empty | func
value_list: _LPAR operand (_COMMA operand)* _RPAR
empty: EMPTY | NULL
func: WORD _LPAR (value (_COMMA value)*)? _RPAR
value: WORD | STRING

field: WORD                                         -> plain_field
     | STRING                                       -> plain_field
     | WORD _LSQB (WORD | STRING) _RSQB PROP_PATH?  -> bracket_field

order_by: _ORDER _BY sort_item (_COMMA sort_item)*
sort_item: field (ASC | DESC)?

_KWEND: /(?![^\s"'(),=!<>~&|\[\]])/
_AND.2: "and"i _KWEND | "&&" | "&"
_OR.2: "or"i _KWEND | "||" | "|"
_NOT.2: "not"i _KWEND
_IN.2: "in"i _KWEND
_IS.2: "is"i _KWEND
EMPTY.2: "empty"i _KWEND
NULL.2: "null"i _KWEND
_ORDER.2: "order"i _KWEND
_BY.2: "by"i _KWEND
ASC.2: "asc"i _KWEND
DESC.2: "desc"i _KWEND
_BANG: "!"
EQ: "="
NE: "!="
GT: ">"
GE: ">="
LT: "<"
LE: "<="
LIKE: "~"
NOT_LIKE: "!~"
_LPAR: "("
_RPAR: ")"
_LSQB: "["
_RSQB: "]"
_COMMA: ","
STRING: /"(?:[^"\\]|\\.)*"/s | /'(?:[^'\\]|\\.)*'/s
WORD: /[^\s"'(),=!<>~&|\[\]]+/
PROP_PATH: /(?:\.[^\s"'(),=!<>~&|\[\].]+)+/
%ignore /\s+/
"""

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}


def _text(tok: Token) -> str:
    """A bare word as is; a quoted string without quotes, with \\-escapes (\\uXXXX too)."""
    if tok.type != "STRING":
        return str(tok)
    body, out, k = tok[1:-1], [], 0
    while k < len(body):
        ch = body[k]
        if ch == "\\":
            nxt, hexa = body[k + 1], body[k + 2 : k + 6]
            if nxt == "u" and len(hexa) == 4 and all(c in "0123456789abcdefABCDEF" for c in hexa):
                out.append(chr(int(hexa, 16)))
                k += 6
                continue
            out.append(_ESCAPES.get(nxt, nxt))
            k += 2
            continue
        out.append(ch)
        k += 1
    return "".join(out)


N = TypeVar("N", And, Or)


def _flat(kind: type[N], a: Node, b: Node) -> N:
    left = a.items if isinstance(a, kind) else (a,)
    right = b.items if isinstance(b, kind) else (b,)
    return kind(left + right)


@v_args(inline=True)
class _ToAst(Transformer[Token, Any]):
    """Builds the `jql_eval` syntax tree while the LALR parser reduces (no parse tree)."""

    def start(self, *parts: Node | tuple[SortItem, ...]) -> Query:
        order = next((p for p in parts if isinstance(p, tuple)), ())
        where = next((p for p in parts if not isinstance(p, tuple)), None)
        return Query(where, order)

    def or_(self, a: Node, b: Node) -> Or:
        return _flat(Or, a, b)

    def and_(self, a: Node, b: Node) -> And:
        return _flat(And, a, b)

    def not_(self, item: Node) -> Not:
        return Not(item)

    def cmp(self, f: FieldRef, op: str, value: Value) -> Clause:
        return Clause(f, op, (value,))

    def in_(self, f: FieldRef, values: tuple[Value, ...]) -> Clause:
        return Clause(f, "in", values)

    def not_in(self, f: FieldRef, values: tuple[Value, ...]) -> Clause:
        return Clause(f, "not in", values)

    def is_(self, f: FieldRef, _empty: Value) -> Clause:
        return Clause(f, "is", (EMPTY,))

    def is_not(self, f: FieldRef, _empty: Value) -> Clause:
        return Clause(f, "is not", (EMPTY,))

    def cmp_op(self, tok: Token) -> str:
        return str(tok)

    def value_list(self, *values: Value) -> tuple[Value, ...]:
        return values

    def empty(self, _tok: Token) -> Value:
        return EMPTY

    def value(self, tok: Token) -> Value:
        return Value("str", _text(tok))

    def func(self, name: Token, *args: Value) -> Value:
        return Value("func", str(name), tuple(a.text for a in args))

    def plain_field(self, tok: Token) -> FieldRef:
        return FieldRef(_text(tok))

    def bracket_field(self, name: Token, key: Token, path: Token | None = None) -> FieldRef:
        segments = tuple(str(path)[1:].split(".")) if path is not None else ()
        return FieldRef(str(name), _text(key), segments)

    def order_by(self, *items: SortItem) -> tuple[SortItem, ...]:
        return items

    def sort_item(self, f: FieldRef, direction: Token | None = None) -> SortItem:
        return SortItem(f, direction is not None and direction.type == "DESC")


_PARSER = Lark(_GRAMMAR, parser="lalr", lexer="contextual", transformer=_ToAst())


# --- syntax errors ---------------------------------------------------------------------------

_SHOWN = {
    "_RPAR": "')'",
    "_LPAR": "'('",
    "_COMMA": "','",
    "_AND": "'AND'",
    "_OR": "'OR'",
    "_NOT": "'NOT'",
    "_BY": "'BY'",
    "_ORDER": "'ORDER BY'",
    "EMPTY": "'EMPTY'",
    "NULL": "'NULL'",
    "ASC": "'ASC'",
    "DESC": "'DESC'",
    "WORD": "a value",
    "STRING": "a string",
}
_OPERATORS = (
    "The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', "
    "'IS' and 'IS NOT'."
)


def _either(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"either {', '.join(names[:-1])} or {names[-1]}"


def _unexpected_token(text: str, exc: UnexpectedToken) -> tuple[str, int, int]:
    tok, expected = exc.token, set(exc.accepts or exc.expected)
    at_end = tok.type == "$END"
    got = "the end of the query" if at_end else f"'{tok}'"
    if at_end:
        before = text.rstrip()
        line, column = before.count("\n") + 1, len(before.rsplit("\n", 1)[-1]) + 1
    else:
        line, column = tok.line or 1, tok.column or 1
    if "EQ" in expected:
        return f"Expecting operator but got {got}. {_OPERATORS}", line, column
    if "EMPTY" in expected and "WORD" in expected:
        hint = (
            "" if at_end else f" You must surround {got} in quotation marks to use it as a value."
        )
        return f"Expecting either a value, list or function but got {got}.{hint}", line, column
    if "WORD" in expected and ("_LPAR" in expected or "_RPAR" not in expected):
        return f"Expecting a field name but got {got}.", line, column
    if "_RPAR" in expected and (at_end or not expected & {"_AND", "_OR"}):
        return f"Expecting ')' but got {got}.", line, column
    if expected & {"_AND", "_OR"}:
        return f"Expecting either 'OR' or 'AND' but got {got}.", line, column
    names = sorted(_SHOWN.get(n, n) for n in expected if n not in ("$END", "_LSQB"))
    return f"Expecting {_either(names or ['the end of the query'])} but got {got}.", line, column


def _syntax_error(text: str, exc: UnexpectedInput) -> JqlError:
    if isinstance(exc, UnexpectedToken):
        message, line, column = _unexpected_token(text, exc)
    else:
        pos = exc.pos_in_stream or 0
        char = text[pos] if pos < len(text) else ""
        line, column = exc.line, exc.column
        if char in ("'", '"'):
            message = f"The quoted string '{text[pos + 1 :]}' has not been completed."
        else:
            message = (
                f"The character '{char}' is a reserved JQL character. You must enclose it in a "
                f"string or use the escape '\\u{ord(char or ' '):04x}' instead."
            )
    return JqlError([f"Error in the JQL Query: {message} (line {line}, character {column})"])


def parse_jql(text: str) -> Query:
    """The syntax tree of `text`; raises `JqlError` with Jira's parse-error wording."""
    try:
        return cast(Query, _PARSER.parse(text))
    except UnexpectedInput as exc:
        raise _syntax_error(text, exc) from None
