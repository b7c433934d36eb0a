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

import re
from collections.abc import Mapping
from typing import Any

from .adf_md_inline import render_inline
from .adf_md_pieces import escape_attr
from .adf_nodes import (
    ATTACHMENT_PLACEHOLDER,
    INLINE_TYPES,
    LIST_TYPES,
    MAX_DEPTH,
    attr_str,
    attrs,
    children,
    flat_text,
    inline_node_text,
    node_type,
)

_BULLETS = ("-", "*", "+")

__all__ = ["adf_to_markdown", "render_inline"]


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
        elif kind in LIST_TYPES and depth <= MAX_DEPTH:
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
        names = [attr_str(m, "alt") for m in [node, *children(node)] if attr_str(m, "alt")]
        label = f"[attachment: {names[0]}]" if names else ATTACHMENT_PLACEHOLDER
        return render_inline([{"type": "text", "text": label}])
    if kind in ("blockCard", "embedCard"):
        return render_inline([{"type": "inlineCard", "attrs": {"url": attr_str(node, "url")}}])
    parts: list[str] = []
    if kind in ("expand", "nestedExpand") and attr_str(node, "title"):
        title = {"type": "text", "text": attr_str(node, "title"), "marks": [{"type": "strong"}]}
        parts.append(render_inline([title]))
    kids = children(node)
    if kids and all(node_type(k) in INLINE_TYPES for k in kids):
        parts.append(render_inline(kids))
    elif kids:
        parts.extend(text for _, text in _blocks(kids, depth + 1) if text)
    elif attr_str(node, "text"):
        parts.append(render_inline([{"type": "text", "text": attr_str(node, "text")}]))
    return "\n\n".join(p for p in parts if p)


def _code_block(node: Mapping[str, Any]) -> str:
    text = "".join(inline_node_text(child) for child in children(node))
    words = attr_str(node, "language").split()
    language = words[0] if words else ""  # the info string's first word is the language
    fence_char = "~" if "`" in language else "`"
    longest = max((len(run) for run in re.findall(re.escape(fence_char) + "+", text)), default=0)
    fence = fence_char * max(3, longest + 1)
    # A "|" on the fence line plus a delimiter-like first code line would read as a table.
    info = escape_attr(language, "\\").replace("|", "&#124;")
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
            prefix = "[x] " if attr_str(item, "state") == "DONE" else "[ ] "
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
            tight = previous == "paragraph" and kind in LIST_TYPES and _interrupts(text)
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
