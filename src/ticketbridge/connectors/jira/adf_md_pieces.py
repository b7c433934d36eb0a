"""ADF -> Markdown, inline content, first step: ADF inline nodes as items (text, code,
break, autolink with their marks), and items as pieces (text, raw Markdown, emphasis
delimiters) with links and code spans written out. See ``adf_to_markdown``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .adf_from_markdown import PARSER
from .adf_nodes import attr_str, attrs, inline_node_text, node_type

ENTITY_LIKE = re.compile(r"#?[A-Za-z0-9]+;")
_AUTOLINK = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>\x00-\x1f\x7f]*")
_MARK_RANK = {"link": 0, "em": 1, "strong": 2, "strike": 3}
_DELIMITERS = {"em": "*", "strong": "**", "strike": "~~"}


# --------------------------------------------------------------------------- inline items


@dataclass(frozen=True, slots=True)
class Mark:
    kind: str  # link | em | strong | strike
    href: str = ""
    title: str = ""


@dataclass(frozen=True, slots=True)
class Item:
    kind: str  # text | code | break | autolink
    text: str
    marks: frozenset[Mark]


def _item_marks(node: Mapping[str, Any]) -> tuple[frozenset[Mark], bool]:
    marks: list[Mark] = []
    code = False
    raw = node.get("marks")
    for mark in raw if isinstance(raw, list | tuple) else []:
        kind = node_type(mark)
        if kind == "code":
            code = True
        elif kind in _DELIMITERS:
            marks.append(Mark(kind))
        elif kind == "link" and not any(m.kind == "link" for m in marks):
            href = attrs(mark).get("href")
            if isinstance(href, str):
                marks.append(Mark("link", href, attr_str(mark, "title")))
    if code:  # ADF allows only link next to code
        marks = [m for m in marks if m.kind == "link"]
    return frozenset(marks), code


def inline_items(nodes: list[Mapping[str, Any]], single_line: bool) -> list[Item]:
    items: list[Item] = []
    for node in nodes:
        kind = node_type(node)
        if kind == "hardBreak":
            items.append(Item("break", "", frozenset()))
            continue
        url = attr_str(node, "url") if kind == "inlineCard" else ""
        if url and _AUTOLINK.fullmatch(url) and PARSER.validateLink(url):
            items.append(Item("autolink", url, frozenset()))
            continue
        if kind == "text":
            marks, code = _item_marks(node)
        else:
            marks, code = frozenset(), False
        text = inline_node_text(node).replace("\0", "\ufffd")
        if code:
            text = text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
        if not text:
            continue
        item = Item("code" if code else "text", text, marks)
        last = items[-1] if items else None
        if last and last.kind == item.kind != "autolink" and last.marks == marks:
            items[-1] = replace(last, text=last.text + text)  # `a``b` would not parse
        else:
            items.append(item)
    while items and items[-1].kind == "break":  # Markdown cannot end a paragraph with one
        items.pop()
    # A break keeps open the marks shared by its neighbours, so emphasis can span lines and no
    # delimiter ever has to sit at the start or end of a line.
    following: list[frozenset[Mark] | None] = [None] * len(items)
    upcoming: frozenset[Mark] | None = None
    for index in range(len(items) - 1, -1, -1):
        following[index] = upcoming
        if items[index].kind != "break":
            upcoming = items[index].marks
    previous: frozenset[Mark] | None = None
    for index, item in enumerate(items):
        if item.kind != "break":
            previous = item.marks
            continue
        after = following[index]
        marks = previous & after if previous is not None and after is not None else frozenset()
        items[index] = Item("text", " ", marks) if single_line else replace(item, marks=marks)
    return items


# --------------------------------------------------------------------------- inline pieces


@dataclass(slots=True)
class TextPiece:
    """Literal text; ``entity``/``escape`` hold positions that must be written as a numeric
    character reference or backslash-escaped because of where they stand (line edges,
    delimiter neighbours). Everything else is escaped by ``_escape_text``."""

    text: str
    entity: set[int] = field(default_factory=set)
    escape: set[int] = field(default_factory=set)


@dataclass(slots=True)
class RawPiece:
    text: str
    ends_line: bool = False


@dataclass(slots=True)
class DelimPiece:
    text: str
    opening: bool
    span: int


Piece = TextPiece | RawPiece | DelimPiece


def _run_length(items: list[Item], start: int, mark: Mark) -> int:
    length = 0
    while start + length < len(items) and mark in items[start + length].marks:
        length += 1
    return length


def build_pieces(items: list[Item], table: bool) -> list[Piece]:
    pieces: list[Piece] = []
    stack: list[Mark] = []
    spans: dict[Mark, int] = {}

    def close(mark: Mark) -> None:
        if mark.kind == "link":
            pieces.append(RawPiece(f"]({_link_target(mark.href, mark.title)})"))
        else:
            pieces.append(DelimPiece(_DELIMITERS[mark.kind], False, spans.pop(mark)))

    for index, item in enumerate(items):
        keep = 0
        while keep < len(stack) and stack[keep] in item.marks:
            keep += 1
        for mark in reversed(stack[keep:]):
            close(mark)
        del stack[keep:]
        opening = sorted(
            (m for m in item.marks if m not in stack),
            key=lambda m: (-_run_length(items, index, m), _MARK_RANK[m.kind], m.href, m.title),
        )
        for mark in opening:
            stack.append(mark)
            if mark.kind == "link":
                pieces.append(RawPiece("["))
            else:
                spans[mark] = index * 8 + _MARK_RANK[mark.kind]
                pieces.append(DelimPiece(_DELIMITERS[mark.kind], True, spans[mark]))
        if item.kind == "text":
            pieces.append(TextPiece(item.text))
        elif item.kind == "code":
            pieces.append(RawPiece(_code_span(item.text)))
        elif item.kind == "autolink":
            pieces.append(RawPiece(f"<{item.text}>"))
        else:
            pieces.append(RawPiece("\\\n", ends_line=True))
    for mark in reversed(stack):
        close(mark)
    if table:  # a table row splits at every unescaped pipe, even inside code or a link
        for piece in pieces:
            if isinstance(piece, RawPiece):
                piece.text = piece.text.replace("|", "\\|")
    return pieces


def _code_span(text: str) -> str:
    runs = {len(run) for run in re.findall("`+", text)}
    width = 1
    while width in runs:
        width += 1
    pad = text[0] == "`" or text[-1] == "`" or (text[0] == text[-1] == " " and text.strip(" "))
    body = f" {text} " if pad else text
    return "`" * width + body + "`" * width


def _link_target(href: str, title: str) -> str:
    plain = href and not any(ch.isspace() or ord(ch) < 0x20 or ch in "<>" for ch in href)
    target = escape_attr(href, "\\()") if plain else "<" + escape_attr(href, "\\<>") + ">"
    if title:
        target += ' "' + escape_attr(title, '\\"') + '"'
    return target


def escape_attr(value: str, specials: str) -> str:
    """Escape a link destination or title (backslash escapes and references both apply)."""
    out = []
    for index, ch in enumerate(value):
        if ch in "\n\r":
            out.append(f"&#{ord(ch)};")
        elif ch in specials or (ch == "&" and ENTITY_LIKE.match(value, index + 1)):
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)
