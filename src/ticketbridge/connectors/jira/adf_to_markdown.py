"""Atlassian Document Format (ADF) -> Markdown, written so that ``markdown_to_adf`` reads it back.

Round-trip contract: for an ADF document in the form ``markdown_to_adf`` produces (see that
module for the canonical shapes), ``markdown_to_adf(adf_to_markdown(doc))`` gives ``doc`` back
up to merging adjacent text nodes with equal marks. Text is escaped so Markdown syntax in it
stays literal: ASCII punctuation that could start syntax gets a backslash, and characters the
parser would otherwise drop or reinterpret become numeric character references (``&#32;``):
whitespace at the start or end of a line, ``\\n``/``\\r`` inside text, and the character next to
an emphasis delimiter when CommonMark's flanking rules would otherwise stop the delimiter from
opening or closing. A paragraph with an emphasis delimiter that could both open and close (or
touches another one) is parsed back and compared; if the output does not reproduce the input,
more cautious renderings are tried (``*``/``_`` alternating where delimiters touch, then every
delimiter neighbour as a reference) and, as a last resort that the property tests never
reached, em/strong/strike are dropped - the text itself is never garbled.

Known losses (Markdown cannot express them):

* marks other than strong/em/strike/code/link (underline, textColor, subsup...) are dropped;
* a hard break at the end of a paragraph is dropped; in table cells and in headings of level
  3-6 hard breaks become spaces (levels 1-2 use setext headings, which keep them);
  ``\\n`` inside code-marked text becomes a space;
* a table's first row is always the header row; cells hold inline content only (other blocks
  in a cell are flattened to text); rows are padded to the widest row;
* ``mention`` -> ``@name``, ``emoji`` -> its text or shortName, ``status`` -> its text,
  ``date`` -> ``YYYY-MM-DD``, ``inlineCard``/``blockCard`` -> the URL, ``panel`` -> block
  quote, ``expand`` -> title plus content, task and decision lists -> bullet lists,
  media -> ``[attachment]`` placeholder, unknown nodes -> their text content.
* control characters that are not valid character references (e.g. NUL) cannot be protected at
  line edges; NUL becomes U+FFFD as in every CommonMark parser.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypeGuard

from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isValidEntityCode, isWhiteSpace
from markdown_it.rules_block.table import escapedSplit

from .adf_from_markdown import (
    PARSER,
    canonical_marks,
    inline_tokens_to_adf,
    merge_text_nodes,
)

#: Deeper nesting than this is rendered as plain text (guards recursion on hostile input).
MAX_DEPTH = 64
ATTACHMENT_PLACEHOLDER = "[attachment]"

INLINE_TYPES = frozenset(
    {
        "text",
        "hardBreak",
        "mention",
        "emoji",
        "date",
        "status",
        "inlineCard",
        "mediaInline",
        "placeholder",
        "inlineExtension",
    }
)
_LIST_TYPES = ("bulletList", "orderedList", "taskList", "decisionList")
_BULLETS = ("-", "*", "+")
_LINE_START_ESCAPE = frozenset("#>-+=:")
_ENTITY_LIKE = re.compile(r"#?[A-Za-z0-9]+;")
_AUTOLINK = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>\x00-\x1f\x7f]*")
_MARK_RANK = {"link": 0, "em": 1, "strong": 2, "strike": 3}
_DELIMITERS = {"em": "*", "strong": "**", "strike": "~~"}


# --------------------------------------------------------------------------- safe access


def _is_mapping(value: Any) -> TypeGuard[Mapping[str, Any]]:
    # JSON gives dicts: checking for one first skips the (slow) ABC check on the hot path.
    return type(value) is dict or isinstance(value, Mapping)


def node_type(node: Any) -> str:
    kind = node.get("type") if _is_mapping(node) else None
    return kind if isinstance(kind, str) else ""


def children(node: Any) -> list[Mapping[str, Any]]:
    content = node.get("content") if _is_mapping(node) else None
    if not isinstance(content, list | tuple):
        return []
    return [child for child in content if _is_mapping(child)]


def attrs(node: Any) -> Mapping[str, Any]:
    value = node.get("attrs") if _is_mapping(node) else None
    return value if _is_mapping(value) else {}


def _attr_str(node: Any, key: str) -> str:
    value = attrs(node).get(key)
    return value if isinstance(value, str) else ""


def inline_node_text(node: Mapping[str, Any], depth: int = 0) -> str:
    """Plain text of one inline node (non-text nodes in their readable form)."""
    kind = node_type(node)
    if kind == "text":
        text = node.get("text")
        return text if isinstance(text, str) else ""
    if kind == "hardBreak":
        return "\n"
    if kind == "mention":
        name = _attr_str(node, "text") or _attr_str(node, "displayName") or _attr_str(node, "id")
        return name if not name or name.startswith("@") else "@" + name
    if kind == "emoji":
        return _attr_str(node, "text") or _attr_str(node, "shortName")
    if kind in ("inlineCard", "blockCard", "embedCard"):
        return _attr_str(node, "url")
    if kind == "status":
        return _attr_str(node, "text")
    if kind == "date":
        return _format_date(attrs(node).get("timestamp"))
    if kind in ("media", "mediaInline", "mediaSingle", "mediaGroup"):
        return ATTACHMENT_PLACEHOLDER
    if kind == "placeholder" or depth > MAX_DEPTH:
        return ""
    inner = "".join(inline_node_text(child, depth + 1) for child in children(node))
    return inner or _attr_str(node, "text")


def _format_date(timestamp: Any) -> str:
    try:
        millis = int(str(timestamp))
        return dt.datetime.fromtimestamp(millis / 1000, tz=dt.UTC).date().isoformat()
    except (ValueError, OverflowError, OSError):
        return str(timestamp) if timestamp is not None else ""


# --------------------------------------------------------------------------- inline items


@dataclass(frozen=True, slots=True)
class _Mark:
    kind: str  # link | em | strong | strike
    href: str = ""
    title: str = ""


@dataclass(frozen=True, slots=True)
class _Item:
    kind: str  # text | code | break | autolink
    text: str
    marks: frozenset[_Mark]


def _item_marks(node: Mapping[str, Any]) -> tuple[frozenset[_Mark], bool]:
    marks: list[_Mark] = []
    code = False
    raw = node.get("marks")
    for mark in raw if isinstance(raw, list | tuple) else []:
        kind = node_type(mark)
        if kind == "code":
            code = True
        elif kind in _DELIMITERS:
            marks.append(_Mark(kind))
        elif kind == "link" and not any(m.kind == "link" for m in marks):
            href = attrs(mark).get("href")
            if isinstance(href, str):
                marks.append(_Mark("link", href, _attr_str(mark, "title")))
    if code:  # ADF allows only link next to code
        marks = [m for m in marks if m.kind == "link"]
    return frozenset(marks), code


def _inline_items(nodes: list[Mapping[str, Any]], single_line: bool) -> list[_Item]:
    items: list[_Item] = []
    for node in nodes:
        kind = node_type(node)
        if kind == "hardBreak":
            items.append(_Item("break", "", frozenset()))
            continue
        url = _attr_str(node, "url") if kind == "inlineCard" else ""
        if url and _AUTOLINK.fullmatch(url) and PARSER.validateLink(url):
            items.append(_Item("autolink", url, frozenset()))
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
        item = _Item("code" if code else "text", text, marks)
        last = items[-1] if items else None
        if last and last.kind == item.kind != "autolink" and last.marks == marks:
            items[-1] = replace(last, text=last.text + text)  # `a``b` would not parse
        else:
            items.append(item)
    while items and items[-1].kind == "break":  # Markdown cannot end a paragraph with one
        items.pop()
    # A break keeps open the marks shared by its neighbours, so emphasis can span lines and no
    # delimiter ever has to sit at the start or end of a line.
    following: list[frozenset[_Mark] | None] = [None] * len(items)
    upcoming: frozenset[_Mark] | None = None
    for index in range(len(items) - 1, -1, -1):
        following[index] = upcoming
        if items[index].kind != "break":
            upcoming = items[index].marks
    previous: frozenset[_Mark] | None = None
    for index, item in enumerate(items):
        if item.kind != "break":
            previous = item.marks
            continue
        after = following[index]
        marks = previous & after if previous is not None and after is not None else frozenset()
        items[index] = _Item("text", " ", marks) if single_line else replace(item, marks=marks)
    return items


# --------------------------------------------------------------------------- inline pieces


@dataclass(slots=True)
class _Text:
    """Literal text; ``entity``/``escape`` hold positions that must be written as a numeric
    character reference or backslash-escaped because of where they stand (line edges,
    delimiter neighbours). Everything else is escaped by ``_escape_text``."""

    text: str
    entity: set[int] = field(default_factory=set)
    escape: set[int] = field(default_factory=set)


@dataclass(slots=True)
class _Raw:
    text: str
    ends_line: bool = False


@dataclass(slots=True)
class _Delim:
    text: str
    opening: bool
    span: int


_Piece = _Text | _Raw | _Delim


def _run_length(items: list[_Item], start: int, mark: _Mark) -> int:
    length = 0
    while start + length < len(items) and mark in items[start + length].marks:
        length += 1
    return length


def _build_pieces(items: list[_Item], table: bool) -> list[_Piece]:
    pieces: list[_Piece] = []
    stack: list[_Mark] = []
    spans: dict[_Mark, int] = {}

    def close(mark: _Mark) -> None:
        if mark.kind == "link":
            pieces.append(_Raw(f"]({_link_target(mark.href, mark.title)})"))
        else:
            pieces.append(_Delim(_DELIMITERS[mark.kind], False, spans.pop(mark)))

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
                pieces.append(_Raw("["))
            else:
                spans[mark] = index * 8 + _MARK_RANK[mark.kind]
                pieces.append(_Delim(_DELIMITERS[mark.kind], True, spans[mark]))
        if item.kind == "text":
            pieces.append(_Text(item.text))
        elif item.kind == "code":
            pieces.append(_Raw(_code_span(item.text)))
        elif item.kind == "autolink":
            pieces.append(_Raw(f"<{item.text}>"))
        else:
            pieces.append(_Raw("\\\n", ends_line=True))
    for mark in reversed(stack):
        close(mark)
    if table:  # a table row splits at every unescaped pipe, even inside code or a link
        for piece in pieces:
            if isinstance(piece, _Raw):
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
    target = _escape_attr(href, "\\()") if plain else "<" + _escape_attr(href, "\\<>") + ">"
    if title:
        target += ' "' + _escape_attr(title, '\\"') + '"'
    return target


def _escape_attr(value: str, specials: str) -> str:
    """Escape a link destination or title (backslash escapes and references both apply)."""
    out = []
    for index, ch in enumerate(value):
        if ch in "\n\r":
            out.append(f"&#{ord(ch)};")
        elif ch in specials or (ch == "&" and _ENTITY_LIKE.match(value, index + 1)):
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


# --------------------------------------------------------------------------- escaping passes


def _cls(ch: str) -> str:
    if isWhiteSpace(ord(ch)):
        return "space"
    if isMdAsciiPunct(ord(ch)) or isPunctChar(ch):
        return "punct"
    return "other"


def _edge(piece: _Piece | None, first: bool) -> tuple[_Text | None, int]:
    """The character slot of ``piece`` facing a neighbour (text pieces only)."""
    if not isinstance(piece, _Text):
        return None, 0
    return piece, 0 if first else len(piece.text) - 1


def _edge_cls(piece: _Piece | None, first: bool) -> str:
    if piece is None:
        return "space"
    if isinstance(piece, _Text):  # backslash escapes only ever apply to punctuation
        index = 0 if first else len(piece.text) - 1
        ch = piece.text[index]
        return "punct" if index in piece.entity or ch in "\n\r" else _cls(ch)
    return _cls(piece.text[0] if first else piece.text[-1])


def _is_space(ch: str) -> bool:
    return ch.isspace() or isWhiteSpace(ord(ch))


def _encode(piece: _Piece | None, first: bool) -> bool:
    """Write the edge character of ``piece`` as a character reference, if that changes it."""
    text, index = _edge(piece, first)
    if text is None or index in text.entity or text.text[index] in "\n\r":
        return False
    if not isValidEntityCode(ord(text.text[index])):
        return False
    text.entity.add(index)
    return True


def _run_ok(run: list[_Delim], before: _Piece | None, after: _Piece | None) -> bool:
    """Would markdown-it let this delimiter run open/close as needed? (its ``scanDelims``)"""
    last, nxt = _edge_cls(before, first=False), _edge_cls(after, first=True)
    left = nxt != "space" and (nxt != "punct" or last != "other")
    right = last != "space" and (last != "punct" or nxt != "other")
    if run[0].text[0] == "_":
        can_open = left and (not right or last == "punct")
        can_close = right and (not left or nxt == "punct")
    else:
        can_open, can_close = left, right
    need_open = any(d.opening for d in run)
    need_close = any(not d.opening for d in run)
    return (can_open or not need_open) and (can_close or not need_close)


def _fix_flanking(pieces: list[_Piece]) -> None:
    """Turn neighbours of delimiter runs into character references until every run works."""
    for _ in range(len(pieces) + 1):
        changed = False
        start = 0
        while start < len(pieces):
            first = pieces[start]
            if not isinstance(first, _Delim):
                start += 1
                continue
            end = start + 1
            while end < len(pieces):
                piece = pieces[end]
                if not isinstance(piece, _Delim) or piece.text[0] != first.text[0]:
                    break
                end += 1
            run = [p for p in pieces[start:end] if isinstance(p, _Delim)]
            before = pieces[start - 1] if start else None
            after = pieces[end] if end < len(pieces) else None
            if not _run_ok(run, before, after):
                changed |= _repair(run, before, after)
            start = end
        if not changed:
            return


def _repair(run: list[_Delim], before: _Piece | None, after: _Piece | None) -> bool:
    """Encode as few delimiter neighbours as possible (spaces first) to make ``run`` work."""
    sides = [(before, False), (after, True)]
    spaces = [side for side in sides if _edge_cls(*side) == "space"]
    for option in (spaces, sides[:1], sides[1:], sides):
        saved = [(t, set(t.entity)) for t, _ in (_edge(*side) for side in option) if t]
        if not any([_encode(*side) for side in option]):
            continue
        if _run_ok(run, before, after):
            return True
        for text, entity in saved:
            text.entity = entity
    return any([_encode(*side) for side in sides])


def _lines(pieces: list[_Piece]) -> list[list[_Piece]]:
    lines: list[list[_Piece]] = [[]]
    for piece in pieces:
        if isinstance(piece, _Raw) and piece.ends_line:
            lines.append([])
        else:
            lines[-1].append(piece)
    return lines


def _protect_edges(lines: list[list[_Piece]]) -> None:
    """Whitespace at a line's start or end would be stripped: write it as a reference."""
    for line in lines:
        if not line:
            continue
        for piece, first in ((line[0], True), (line[-1], False)):
            text, index = _edge(piece, first)
            if text is not None and _is_space(text.text[index]):
                _encode(piece, first)


_ORDERED_MARKER = re.compile(r"[0-9]+[.)]")


def _escape_line_starts(lines: list[list[_Piece]]) -> None:
    """Characters that would start a block construct at the beginning of a line."""
    for line in lines:
        piece = line[0] if line else None
        if not isinstance(piece, _Text) or 0 in piece.entity:
            continue
        if piece.text[0] in _LINE_START_ESCAPE:
            piece.escape.add(0)
        elif marker := _ORDERED_MARKER.match(piece.text):
            piece.escape.add(marker.end() - 1)


def _alternate_delimiters(pieces: list[_Piece], first: str) -> None:
    """No two adjacent emphasis delimiters share a character (so their runs stay apart).

    Spans whose delimiters touch must differ: two-colour that graph with ``*`` and ``_``, the
    outermost span of each connected group getting ``first``.
    """
    spans: dict[int, list[_Delim]] = {}
    touching: dict[int, set[int]] = {}
    for piece in pieces:
        if isinstance(piece, _Delim) and piece.text[0] in "*_":
            spans.setdefault(piece.span, []).append(piece)
    for left, right in itertools.pairwise(pieces):
        if not isinstance(left, _Delim) or not isinstance(right, _Delim):
            continue
        if left.span in spans and right.span in spans:
            touching.setdefault(left.span, set()).add(right.span)
            touching.setdefault(right.span, set()).add(left.span)
    colour: dict[int, str] = {}
    for root in spans:
        if root in colour:
            continue
        colour[root] = first
        queue = [root]
        while queue:
            span = queue.pop()
            for other in touching.get(span, ()):
                if other not in colour:
                    colour[other] = "_" if colour[span] == "*" else "*"
                    queue.append(other)
    for span, delimiters in spans.items():
        for delimiter in delimiters:
            delimiter.text = colour[span] * len(delimiter.text)


_SPECIAL = re.compile(r"[\\`*_\[\]<~|\n\r&!]")


def _escape_text(piece: _Text, suffix: str) -> str:
    text = piece.text
    lookahead = text + suffix
    forced = {i: "entity" for i in piece.entity}
    forced.update((i, "escape") for i in piece.escape if i not in forced)

    def plain(start: int, end: int) -> str:
        out: list[str] = []
        pos = start
        for match in _SPECIAL.finditer(text, start, end):
            at = match.start()
            ch = text[at]
            if ch in "\n\r":
                replacement = f"&#{ord(ch)};"
            elif ch == "&":
                replacement = "\\&" if _ENTITY_LIKE.match(lookahead, at + 1) else "&"
            elif ch == "!":
                replacement = "\\!" if lookahead.startswith("[", at + 1) else "!"
            else:
                replacement = "\\" + ch
            out += (text[pos:at], replacement)
            pos = at + 1
        out.append(text[pos:end])
        return "".join(out)

    parts: list[str] = []
    pos = 0
    for index in sorted(forced):
        ch = text[index]
        parts += (plain(pos, index), f"&#{ord(ch)};" if forced[index] == "entity" else "\\" + ch)
        pos = index + 1
    parts.append(plain(pos, len(text)))
    return "".join(parts)


def _write(pieces: list[_Piece]) -> str:
    out: list[str] = []
    suffix = ""
    for piece in reversed(pieces):
        if isinstance(piece, _Text):
            text = _escape_text(piece, suffix)
        else:
            text = piece.text
        out.append(text)
        suffix = (text + suffix)[:48]
    return "".join(reversed(out))


def _render_pieces(items: list[_Item], mode: str, caution: int = 0) -> tuple[str, bool]:
    """``caution`` 1-2: no two adjacent emphasis delimiters share a character (``__*a*b*c*__``
    instead of ``***a*b*c***``, which CommonMark reads differently), outermost spans using ``_``
    (1; inner, often intraword, spans then get ``*``) or ``*`` (2); 3: also write every
    character next to a delimiter as a character reference. Returns the Markdown and whether
    it is certain to read back (see ``_unambiguous``)."""
    pieces = _build_pieces(items, table=mode == "table")
    if caution:
        _alternate_delimiters(pieces, "_" if caution == 1 else "*")
    if caution > 2:
        for index, piece in enumerate(pieces):
            if isinstance(piece, _Delim):
                _encode(pieces[index - 1] if index else None, False)
                _encode(pieces[index + 1] if index + 1 < len(pieces) else None, True)
    lines = _lines(pieces)
    _protect_edges(lines)
    _fix_flanking(pieces)
    if mode == "block":
        _escape_line_starts(lines)
    elif mode == "heading":
        tail, index = _edge(pieces[-1] if pieces else None, first=False)
        if tail is not None and tail.text[index] == "#":
            tail.escape.add(index)  # would read as the heading's closing sequence
    return _write(pieces), _unambiguous(pieces)


def _unambiguous(pieces: list[_Piece]) -> bool:
    """True when every delimiter stands alone and can only open (or only close).

    Then CommonMark's delimiter matching has a single outcome - each closer pairs with the
    innermost open delimiter, which the stack discipline of ``_build_pieces`` makes its own
    opener - so the output needs no parse-back check.
    """
    for index, piece in enumerate(pieces):
        if not isinstance(piece, _Delim):
            continue
        before = pieces[index - 1] if index else None
        after = pieces[index + 1] if index + 1 < len(pieces) else None
        if isinstance(before, _Delim) or isinstance(after, _Delim):
            return False
        last, nxt = _edge_cls(before, first=False), _edge_cls(after, first=True)
        left = nxt != "space" and (nxt != "punct" or last != "other")
        right = last != "space" and (last != "punct" or nxt != "other")
        if left == right or left != piece.opening:
            return False
    return True


def _expected(items: list[_Item]) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    for item in items:
        marks = [_mark_dict(m) for m in item.marks]
        if item.kind == "break":
            nodes.append({"type": "hardBreak"})
            continue
        text = item.text
        if item.kind == "code":
            marks.append({"type": "code"})
        elif item.kind == "autolink":
            text = PARSER.normalizeLinkText(item.text)
            marks = [_mark_dict(_Mark("link", item.text))]
        node: dict[str, Any] = {"type": "text", "text": text}
        if marks:
            node["marks"] = canonical_marks(marks)
        nodes.append(node)
    return merge_text_nodes(nodes)


def _mark_dict(mark: _Mark) -> dict[str, Any]:
    if mark.kind != "link":
        return {"type": mark.kind}
    link_attrs = {"href": mark.href, "title": mark.title} if mark.title else {"href": mark.href}
    return {"type": "link", "attrs": link_attrs}


def _reads_back(markdown: str, items: list[_Item], mode: str) -> bool:
    if mode == "table":
        cells = escapedSplit(markdown)
        if len(cells) != 1:
            return False
        markdown = cells[0]
    tokens = PARSER.parseInline(markdown)
    parsed = inline_tokens_to_adf(tokens[0].children or []) if tokens else []
    return parsed == _expected(items)


# Characters whose meaning depends on context (escaped by `_escape_text`) or replaced (NUL).
_NOT_PLAIN = re.compile(r"[\\`*_\[\]<~|\n\r&!\0]")


def _plain_paragraph(nodes: list[Mapping[str, Any]]) -> str | None:
    """The common case, unmarked text that Markdown reads as it is, without the general
    machinery (the sync renders every description: this makes it ~10x cheaper).

    Returns the text when every node is an unmarked text node and the joined text holds no
    character `_escape_text` would touch, no whitespace at its ends (`_protect_edges`) and
    nothing a line may not start with (`_escape_line_starts`); otherwise None. What it
    returns is exactly what the general path renders (a property test checks it).
    """
    parts: list[str] = []
    for node in nodes:
        text = node.get("text")
        if node.get("type") != "text" or node.get("marks") or not isinstance(text, str):
            return None
        parts.append(text)
    text = "".join(parts)
    if (
        not text
        or _is_space(text[0])
        or _is_space(text[-1])
        or text[0] in _LINE_START_ESCAPE
        or _ORDERED_MARKER.match(text)
        or _NOT_PLAIN.search(text)
    ):
        return None
    return text


def render_inline(nodes: list[Mapping[str, Any]], mode: str = "block") -> str:
    """Markdown for inline content in ``mode``: ``block`` (paragraph, setext heading),
    ``heading`` (ATX heading) or ``table`` (cell).

    Emphasis delimiters are the one place where the escaping rules cannot be local (CommonMark's
    flanking rules look at both neighbours), so output whose delimiters are not all
    unambiguous is parsed back and checked; if it does not reproduce the input, more cautious
    renderings are tried, and as a last resort em/strong/strike are dropped (text, links and
    code are always kept).
    """
    if mode == "block" and (plain := _plain_paragraph(nodes)) is not None:
        return plain
    return _render_general(nodes, mode)


def _render_general(nodes: list[Mapping[str, Any]], mode: str) -> str:
    items = _inline_items(nodes, single_line=mode != "block")
    if any(m.kind != "link" for item in items for m in item.marks):
        for caution in (0, 1, 2, 3):
            markdown, certain = _render_pieces(items, mode, caution)
            if certain or _reads_back(markdown, items, mode):
                return markdown
        items = [replace(i, marks=frozenset(m for m in i.marks if m.kind == "link")) for i in items]
    return _render_pieces(items, mode)[0]


# --------------------------------------------------------------------------- blocks


def adf_to_markdown(doc: Mapping[str, Any] | None) -> str:
    """Render an ADF document (or a single node) as CommonMark + GFM tables/strikethrough."""
    if not isinstance(doc, Mapping):
        return ""
    nodes = children(doc) if node_type(doc) == "doc" else [doc]
    return "\n\n".join(text for _, text in _blocks(nodes, 0) if text)


def _blocks(nodes: list[Mapping[str, Any]], depth: int) -> list[tuple[str, str]]:
    """(type, markdown) per block; empty markdown for blocks that render to nothing."""
    out: list[tuple[str, str]] = []
    previous_marker = ""
    index = 0
    while index < len(nodes):
        node = nodes[index]
        kind = node_type(node)
        if kind in INLINE_TYPES:  # stray inline nodes at block level: one paragraph per run
            run = [node]
            while index + 1 < len(nodes) and node_type(nodes[index + 1]) in INLINE_TYPES:
                index += 1
                run.append(nodes[index])
            text, marker = render_inline(run), ""
            kind = "paragraph"
        elif kind in _LIST_TYPES and depth <= MAX_DEPTH:
            text, marker = _list(node, depth, previous_marker)
        else:
            text, marker = _block(node, depth), ""
        out.append((kind, text))
        if text:
            previous_marker = marker
        index += 1
    return out


def _block(node: Mapping[str, Any], depth: int) -> str:
    kind = node_type(node)
    if depth > MAX_DEPTH:
        return render_inline([{"type": "text", "text": flat_text(node)}])
    if kind == "paragraph":
        return render_inline(children(node))
    if kind == "heading":
        level = attrs(node).get("level")
        level = level if isinstance(level, int) and 1 <= level <= 6 else 1
        if level <= 2:  # setext headings can hold hard breaks
            lines = render_inline(children(node))
            if "\n" in lines:
                # A line holding a "|" above "---" would read as a table; "-" cannot.
                return lines + ("\n===" if level == 1 else "\n-" if "|" in lines else "\n---")
        text = render_inline(children(node), "heading")
        return f"{'#' * level} {text}" if text else "#" * level
    if kind == "codeBlock":
        return _code_block(node)
    if kind in ("blockquote", "panel"):
        inner = "\n\n".join(text for _, text in _blocks(children(node), depth + 1) if text)
        return "\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))
    if kind == "rule":
        return "---"
    if kind == "table":
        return _table(node, depth)
    if kind in ("mediaSingle", "mediaGroup", "media"):
        names = [_attr_str(m, "alt") for m in [node, *children(node)] if _attr_str(m, "alt")]
        label = f"[attachment: {names[0]}]" if names else ATTACHMENT_PLACEHOLDER
        return render_inline([{"type": "text", "text": label}])
    if kind in ("blockCard", "embedCard"):
        return render_inline([{"type": "inlineCard", "attrs": {"url": _attr_str(node, "url")}}])
    parts: list[str] = []
    if kind in ("expand", "nestedExpand") and _attr_str(node, "title"):
        title = {"type": "text", "text": _attr_str(node, "title"), "marks": [{"type": "strong"}]}
        parts.append(render_inline([title]))
    kids = children(node)
    if kids and all(node_type(k) in INLINE_TYPES for k in kids):
        parts.append(render_inline(kids))
    elif kids:
        parts.extend(text for _, text in _blocks(kids, depth + 1) if text)
    elif _attr_str(node, "text"):
        parts.append(render_inline([{"type": "text", "text": _attr_str(node, "text")}]))
    return "\n\n".join(p for p in parts if p)


def flat_text(node: Mapping[str, Any]) -> str:
    """All text below ``node``, iteratively (safe on arbitrarily deep or cyclic input)."""
    out: list[str] = []
    stack: list[Mapping[str, Any]] = [node]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        kids = children(current)
        if kids:
            stack.extend(reversed(kids))
        elif node_type(current) == "hardBreak":
            out.append(" ")
        else:
            out.append(inline_node_text(current, MAX_DEPTH + 1))
    return " ".join(part for part in "".join(out).split() if part)


def _code_block(node: Mapping[str, Any]) -> str:
    text = "".join(inline_node_text(child) for child in children(node))
    words = _attr_str(node, "language").split()
    language = words[0] if words else ""  # the info string's first word is the language
    fence_char = "~" if "`" in language else "`"
    longest = max((len(run) for run in re.findall(re.escape(fence_char) + "+", text)), default=0)
    fence = fence_char * max(3, longest + 1)
    # A "|" on the fence line plus a delimiter-like first code line would read as a table.
    info = _escape_attr(language, "\\").replace("|", "&#124;")
    if info.startswith(fence_char):  # would lengthen the fence
        info = "\\" + info
    body = f"{text}\n" if text else ""
    return f"{fence}{info}\n{body}{fence}"


def _list(node: Mapping[str, Any], depth: int, avoid: str) -> tuple[str, str]:
    kind = node_type(node)
    item_types = ("listItem", "taskItem", "decisionItem", "taskList")  # taskList: nested
    items = [c for c in children(node) if node_type(c) in item_types]
    if not items:
        return "", ""
    if kind == "orderedList":
        order = attrs(node).get("order")
        start = min(order, 999_999_999) if isinstance(order, int) and order >= 0 else 1
        delimiter = ")" if avoid == "." else "."
        markers = [f"{min(start + i, 999_999_999)}{delimiter}" for i in range(len(items))]
        marker = delimiter
    else:
        marker = next(b for b in _BULLETS if b != avoid)
        markers = [marker] * len(items)
    rendered = [_list_item(item, m, depth) for item, m in zip(items, markers, strict=True)]
    return "\n".join(rendered), marker


def _list_item(item: Mapping[str, Any], marker: str, depth: int) -> str:
    kind = node_type(item)
    if kind == "taskList":
        blocks = [("list", _list(item, depth + 1, "")[0])]
    elif kind in ("taskItem", "decisionItem"):
        prefix = ""
        if kind == "taskItem":
            prefix = "[x] " if _attr_str(item, "state") == "DONE" else "[ ] "
        blocks = [("paragraph", prefix + render_inline(children(item)))]
    else:
        blocks = _blocks(children(item), depth + 1)
    parts: list[str] = []
    previous = ""
    for kind, text in blocks:
        if not text:
            if not parts:
                parts.append("")  # a leading empty paragraph: content starts on the next line
            continue
        if parts == [""]:
            parts.append("\n")
        elif parts:
            tight = previous == "paragraph" and kind in _LIST_TYPES and _interrupts(text)
            parts.append("\n" if tight else "\n\n")
        parts.append("___" if text == "---" else text)  # "- ---" would be a thematic break
        previous = kind
    lines = "".join(parts).split("\n")
    indent = " " * (len(marker) + 1)
    first = f"{marker} {lines[0]}" if lines[0] else marker
    return "\n".join([first, *(indent + line if line else "" for line in lines[1:])])


def _interrupts(list_markdown: str) -> bool:
    """Can this list start right after a paragraph line (no blank line in between)?"""
    return re.match(r"(?:[-*+]|1[.)]) \S", list_markdown) is not None


def _table(node: Mapping[str, Any], depth: int) -> str:
    rows = []
    for row in children(node):
        if node_type(row) != "tableRow":
            continue
        cells = [c for c in children(row) if node_type(c) in ("tableCell", "tableHeader")]
        if cells:
            rows.append([_cell(cell, depth) for cell in cells])
    if not rows:
        return ""
    width = max(len(row) for row in rows)
    lines = [rows[0], ["---"] * width, *rows[1:]]
    return "\n".join("| " + " | ".join(row + [""] * (width - len(row))) + " |" for row in lines)


def _cell(cell: Mapping[str, Any], depth: int) -> str:
    parts = []
    for block in children(cell):
        if node_type(block) in ("paragraph", "heading"):
            parts.append(render_inline(children(block), "table"))
        else:
            text = {"type": "text", "text": flat_text(block)}
            parts.append(render_inline([text], "table"))
    return " ".join(p for p in parts if p)
