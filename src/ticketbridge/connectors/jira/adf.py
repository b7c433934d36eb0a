"""Atlassian Document Format (ADF) <-> Markdown / plain text for Jira Cloud.

Public interface:

* ``markdown_to_adf`` / ``adf_to_markdown`` - see ``adf_from_markdown`` and ``adf_to_markdown``
  for the mapping, the canonical ADF shapes and what cannot round-trip.
* ``adf_to_text`` - plain text (Jira REST v2 and full-text search): blocks separated by a blank
  line, list items and table rows one per line, table cells separated by a tab, hard breaks as
  newlines, no markup.
* ``text_to_adf`` - plain text (REST v2 input) -> paragraphs split at blank lines, each
  remaining line break a ``hardBreak``.
* ``is_adf_document`` - structural validation against the ADF content model (what Jira answers
  with 400 ``INVALID_INPUT`` when it fails).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .adf_from_markdown import (
    BLOCKQUOTE_CHILDREN,
    LIST_ITEM_CHILDREN,
    LIST_ITEM_FIRST,
    TABLE_CELL_CHILDREN,
    markdown_to_adf,
)
from .adf_nodes import (
    ATTACHMENT_PLACEHOLDER,
    INLINE_TYPES,
    LEAF_TYPES,
    MAX_DEPTH,
    attrs,
    children,
    flat_text,
    inline_node_text,
    node_type,
)
from .adf_to_markdown import adf_to_markdown

__all__ = [
    "adf_to_markdown",
    "adf_to_text",
    "is_adf_document",
    "markdown_to_adf",
    "text_to_adf",
]

# --------------------------------------------------------------------------- plain text


def text_to_adf(text: str) -> dict[str, Any]:
    """Plain text -> ADF: blank lines separate paragraphs, other line breaks are hardBreaks."""
    paragraphs: list[list[str]] = [[]]
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.strip():
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    content = []
    for lines in paragraphs:
        if not lines:
            continue
        inline: list[dict[str, Any]] = []
        for index, line in enumerate(lines):
            if index:
                inline.append({"type": "hardBreak"})
            inline.append({"type": "text", "text": line})
        content.append({"type": "paragraph", "content": inline})
    return {"type": "doc", "version": 1, "content": content}


def adf_to_text(doc: Mapping[str, Any] | None) -> str:
    """Plain text of an ADF document (see module docstring for the layout)."""
    if not isinstance(doc, Mapping):
        return ""
    nodes = children(doc) if node_type(doc) == "doc" else [doc]
    return "\n\n".join(text for text in (_block_text(n, 0) for n in nodes) if text)


def _block_text(node: Mapping[str, Any], depth: int) -> str:
    kind = node_type(node)
    kids = children(node)
    if depth > MAX_DEPTH:
        return flat_text(node)
    if kind in INLINE_TYPES:
        return inline_node_text(node)
    if kind in ("paragraph", "heading", "taskItem", "decisionItem", "caption"):
        return "".join(inline_node_text(child) for child in kids)
    if kind == "codeBlock":
        return "".join(inline_node_text(child) for child in kids)
    if kind in ("bulletList", "orderedList", "taskList", "decisionList", "listItem"):
        lines = (_block_text(child, depth + 1) for child in kids)
        return "\n".join(line for line in lines if line)
    if kind == "table":
        return "\n".join(_row_text(row, depth) for row in kids)
    if kind in ("mediaSingle", "mediaGroup", "media"):
        return ATTACHMENT_PLACEHOLDER
    if kind == "rule":
        return ""
    if kind in ("blockCard", "embedCard"):
        return inline_node_text(node)
    parts = [_block_text(child, depth + 1) for child in kids]
    if kind in ("expand", "nestedExpand"):
        parts.insert(0, str(attrs(node).get("title") or ""))
    return "\n\n".join(part for part in parts if part)


def _row_text(row: Mapping[str, Any], depth: int) -> str:
    cells = []
    for cell in children(row):
        blocks = (_block_text(block, depth + 2) for block in children(cell))
        cells.append(" ".join(" ".join(b.split("\n")) for b in blocks if b))
    return "\t".join(cells)


# --------------------------------------------------------------------------- validation

_TOP_BLOCKS = frozenset(
    {
        "paragraph",
        "heading",
        "bulletList",
        "orderedList",
        "codeBlock",
        "blockquote",
        "rule",
        "table",
        "panel",
        "mediaSingle",
        "mediaGroup",
        "expand",
        "taskList",
        "decisionList",
        "blockCard",
        "embedCard",
        "extension",
        "bodiedExtension",
        "layoutSection",
    }
)
_NESTED_BLOCKS = (_TOP_BLOCKS - {"layoutSection", "expand"}) | {"nestedExpand"}
_PANEL_CHILDREN = frozenset(
    {
        "paragraph",
        "heading",
        "bulletList",
        "orderedList",
        "blockCard",
        "mediaGroup",
        "mediaSingle",
        "codeBlock",
        "taskList",
        "rule",
        "decisionList",
        "extension",
    }
)
#: node type -> allowed child types (None: leaf node that takes no content)
_CONTENT: dict[str, frozenset[str] | None] = {
    "doc": _TOP_BLOCKS,
    "paragraph": INLINE_TYPES,
    "heading": INLINE_TYPES,
    "caption": INLINE_TYPES,
    "taskItem": INLINE_TYPES,
    "decisionItem": INLINE_TYPES,
    "bulletList": frozenset({"listItem"}),
    "orderedList": frozenset({"listItem"}),
    "listItem": LIST_ITEM_CHILDREN,
    "blockquote": BLOCKQUOTE_CHILDREN,
    "codeBlock": frozenset({"text"}),
    "panel": _PANEL_CHILDREN,
    "table": frozenset({"tableRow"}),
    "tableRow": frozenset({"tableHeader", "tableCell"}),
    "tableHeader": TABLE_CELL_CHILDREN,
    "tableCell": TABLE_CELL_CHILDREN,
    "mediaSingle": frozenset({"media", "caption"}),
    "mediaGroup": frozenset({"media"}),
    "taskList": frozenset({"taskItem", "taskList"}),
    "decisionList": frozenset({"decisionItem"}),
    "expand": _NESTED_BLOCKS,
    "nestedExpand": _NESTED_BLOCKS - {"nestedExpand", "table"},
    "bodiedExtension": _NESTED_BLOCKS,
    "layoutSection": frozenset({"layoutColumn"}),
    "layoutColumn": _NESTED_BLOCKS,
}
#: Containers whose ``content`` must be a non-empty list.
_NON_EMPTY = frozenset(
    {
        "bulletList",
        "orderedList",
        "listItem",
        "blockquote",
        "panel",
        "table",
        "tableRow",
        "tableHeader",
        "tableCell",
        "mediaSingle",
        "mediaGroup",
        "taskList",
        "decisionList",
        "expand",
        "nestedExpand",
        "bodiedExtension",
        "layoutSection",
        "layoutColumn",
    }
)
_TEXT_MARKS = frozenset(
    {
        "em",
        "strong",
        "strike",
        "code",
        "link",
        "underline",
        "subsup",
        "textColor",
        "backgroundColor",
        "annotation",
    }
)
_CODE_COMPANIONS = frozenset({"code", "link", "annotation"})
_BLOCK_MARKS = frozenset(
    {"alignment", "indentation", "breakout", "border", "link", "dataConsumer", "fragment"}
)
#: node type -> attribute keys that must be present
_REQUIRED_ATTRS = {
    "heading": ("level",),
    "mention": ("id",),
    "emoji": ("shortName",),
    "status": ("text", "color"),
    "date": ("timestamp",),
    "media": ("type",),
    "panel": ("panelType",),
    "extension": ("extensionKey", "extensionType"),
    "bodiedExtension": ("extensionKey", "extensionType"),
    "inlineExtension": ("extensionKey", "extensionType"),
}


def is_adf_document(value: Any) -> bool:
    """Is ``value`` a well-formed ADF document (``doc``, version 1, valid content model)?"""
    if not isinstance(value, Mapping) or value.get("type") != "doc":
        return False
    version = value.get("version")
    if version != 1 or isinstance(version, bool):
        return False
    return isinstance(value.get("content"), list) and _valid(value, 0, set())


def _valid(node: Mapping[str, Any], depth: int, path: set[int]) -> bool:
    kind = node.get("type")
    if depth > 4 * MAX_DEPTH or id(node) in path or not isinstance(kind, str):
        return False
    if kind not in _CONTENT and kind not in LEAF_TYPES:
        return False
    if not _valid_attrs(node, kind) or not _valid_node_marks(node, kind):
        return False
    if kind == "text":
        return isinstance(node.get("text"), str) and node["text"] != "" and "content" not in node
    content = node.get("content")
    allowed = _CONTENT.get(kind)
    if allowed is None or content is None:
        return kind not in _NON_EMPTY and (content is None or content == [])
    if not isinstance(content, list) or (kind in _NON_EMPTY and not content):
        return False
    if kind == "listItem" and node_type(content[0]) not in LIST_ITEM_FIRST:
        return False
    path.add(id(node))
    try:
        for child in content:
            if not isinstance(child, Mapping) or child.get("type") not in allowed:
                return False
            if kind == "codeBlock" and child.get("marks"):
                return False
            if not _valid(child, depth + 1, path):
                return False
    finally:
        path.discard(id(node))
    return True


def _valid_attrs(node: Mapping[str, Any], kind: str) -> bool:
    raw = node.get("attrs")
    if raw is None:
        return kind not in _REQUIRED_ATTRS
    if not isinstance(raw, Mapping) or any(key not in raw for key in _REQUIRED_ATTRS.get(kind, ())):
        return False
    if kind == "heading":
        level = raw["level"]
        return isinstance(level, int) and not isinstance(level, bool) and 1 <= level <= 6
    if kind == "orderedList" and "order" in raw:
        order = raw["order"]
        return isinstance(order, int) and not isinstance(order, bool) and order >= 0
    if kind == "codeBlock" and raw.get("language") is not None:
        return isinstance(raw["language"], str)
    return True


def _valid_node_marks(node: Mapping[str, Any], kind: str) -> bool:
    marks = node.get("marks")
    if marks is None:
        return True
    if not isinstance(marks, list):
        return False
    allowed = _TEXT_MARKS if kind == "text" else _BLOCK_MARKS
    seen: set[str] = set()
    for mark in marks:
        mark_type = mark.get("type") if isinstance(mark, Mapping) else None
        if not isinstance(mark_type, str) or mark_type not in allowed or mark_type in seen:
            return False
        seen.add(mark_type)
        mark_attrs = mark.get("attrs")
        if mark_attrs is not None and not isinstance(mark_attrs, Mapping):
            return False
        if mark_type == "link" and not isinstance((mark_attrs or {}).get("href"), str):
            return False
    return "code" not in seen or seen <= _CODE_COMPANIONS
