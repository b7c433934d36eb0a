"""ADF -> Markdown, inline content: `render_inline`, with the plain-paragraph shortcut, the
cautious renderings and the parse-back check. See ``adf_to_markdown``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from markdown_it.rules_block.table import escapedSplit

from .adf_from_markdown import PARSER, canonical_marks, inline_tokens_to_adf, merge_text_nodes
from .adf_md_escape import (
    LINE_START_ESCAPE,
    ORDERED_MARKER,
    alternate_delimiters,
    edge_class,
    edge_slot,
    encode_edge,
    escape_line_starts,
    fix_flanking,
    is_space,
    protect_edges,
    split_lines,
    write_pieces,
)
from .adf_md_pieces import DelimPiece, Item, Mark, Piece, build_pieces, inline_items


def _render_pieces(items: list[Item], mode: str, caution: int = 0) -> tuple[str, bool]:
    """``caution`` 1-2: no two adjacent emphasis delimiters share a character (``__*a*b*c*__``
    instead of ``***a*b*c***``, which CommonMark reads differently), outermost spans using ``_``
    (1; inner, often intraword, spans then get ``*``) or ``*`` (2); 3: also write every
    character next to a delimiter as a character reference. Returns the Markdown and whether
    it is certain to read back (see ``_unambiguous``)."""
    pieces = build_pieces(items, table=mode == "table")
    if caution:
        alternate_delimiters(pieces, "_" if caution == 1 else "*")
    if caution > 2:
        for index, piece in enumerate(pieces):
            if isinstance(piece, DelimPiece):
                encode_edge(pieces[index - 1] if index else None, False)
                encode_edge(pieces[index + 1] if index + 1 < len(pieces) else None, True)
    lines = split_lines(pieces)
    protect_edges(lines)
    fix_flanking(pieces)
    if mode == "block":
        escape_line_starts(lines)
    elif mode == "heading":
        tail, index = edge_slot(pieces[-1] if pieces else None, first=False)
        if tail is not None and tail.text[index] == "#":
            tail.escape.add(index)  # would read as the heading's closing sequence
    return write_pieces(pieces), _unambiguous(pieces)


def _unambiguous(pieces: list[Piece]) -> bool:
    """True when every delimiter stands alone and can only open (or only close).

    Then CommonMark's delimiter matching has a single outcome - each closer pairs with the
    innermost open delimiter, which the stack discipline of ``build_pieces`` makes its own
    opener - so the output needs no parse-back check.
    """
    for index, piece in enumerate(pieces):
        if not isinstance(piece, DelimPiece):
            continue
        before = pieces[index - 1] if index else None
        after = pieces[index + 1] if index + 1 < len(pieces) else None
        if isinstance(before, DelimPiece) or isinstance(after, DelimPiece):
            return False
        last, nxt = edge_class(before, first=False), edge_class(after, first=True)
        left = nxt != "space" and (nxt != "punct" or last != "other")
        right = last != "space" and (last != "punct" or nxt != "other")
        if left == right or left != piece.opening:
            return False
    return True


def _expected(items: list[Item]) -> list[dict[str, Any]]:
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
            marks = [_mark_dict(Mark("link", item.text))]
        node: dict[str, Any] = {"type": "text", "text": text}
        if marks:
            node["marks"] = canonical_marks(marks)
        nodes.append(node)
    return merge_text_nodes(nodes)


def _mark_dict(mark: Mark) -> dict[str, Any]:
    if mark.kind != "link":
        return {"type": mark.kind}
    link_attrs = {"href": mark.href, "title": mark.title} if mark.title else {"href": mark.href}
    return {"type": "link", "attrs": link_attrs}


def _reads_back(markdown: str, items: list[Item], mode: str) -> bool:
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
    character `_escape_text` would touch, no whitespace at its ends (`protect_edges`) and
    nothing a line may not start with (`escape_line_starts`); otherwise None. What it
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
        or is_space(text[0])
        or is_space(text[-1])
        or text[0] in LINE_START_ESCAPE
        or ORDERED_MARKER.match(text)
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
    items = inline_items(nodes, single_line=mode != "block")
    if any(m.kind != "link" for item in items for m in item.marks):
        for caution in (0, 1, 2, 3):
            markdown, certain = _render_pieces(items, mode, caution)
            if certain or _reads_back(markdown, items, mode):
                return markdown
        items = [replace(i, marks=frozenset(m for m in i.marks if m.kind == "link")) for i in items]
    return _render_pieces(items, mode)[0]
