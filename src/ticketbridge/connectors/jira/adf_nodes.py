"""The ADF vocabulary shared by the converters and the validator: node kinds, safe access to
nodes of untrusted shape, and the readable text of inline nodes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, TypeGuard

#: Deeper nesting than this is rendered as plain text (guards recursion on hostile input).
MAX_DEPTH = 64
ATTACHMENT_PLACEHOLDER = "[attachment]"

#: The inline nodes (content of paragraphs, headings, captions, task and decision items).
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
#: Nodes that take no content: the inline ones and these blocks.
LEAF_TYPES = INLINE_TYPES | {"rule", "media", "blockCard", "embedCard", "extension"}
LIST_TYPES = ("bulletList", "orderedList", "taskList", "decisionList")


# --------------------------------------------------------------------------- safe access


def is_mapping(value: Any) -> TypeGuard[Mapping[str, Any]]:
    # JSON gives dicts: checking for one first skips the (slow) ABC check on the hot path.
    return type(value) is dict or isinstance(value, Mapping)


def node_type(node: Any) -> str:
    kind = node.get("type") if is_mapping(node) else None
    return kind if isinstance(kind, str) else ""


def children(node: Any) -> list[Mapping[str, Any]]:
    content = node.get("content") if is_mapping(node) else None
    if not isinstance(content, list | tuple):
        return []
    return [child for child in content if is_mapping(child)]


def attrs(node: Any) -> Mapping[str, Any]:
    value = node.get("attrs") if is_mapping(node) else None
    return value if is_mapping(value) else {}


def attr_str(node: Any, key: str) -> str:
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
        name = attr_str(node, "text") or attr_str(node, "displayName") or attr_str(node, "id")
        return name if not name or name.startswith("@") else "@" + name
    if kind == "emoji":
        return attr_str(node, "text") or attr_str(node, "shortName")
    if kind in ("inlineCard", "blockCard", "embedCard"):
        return attr_str(node, "url")
    if kind == "status":
        return attr_str(node, "text")
    if kind == "date":
        return _format_date(attrs(node).get("timestamp"))
    if kind in ("media", "mediaInline", "mediaSingle", "mediaGroup"):
        return ATTACHMENT_PLACEHOLDER
    if kind == "placeholder" or depth > MAX_DEPTH:
        return ""
    inner = "".join(inline_node_text(child, depth + 1) for child in children(node))
    return inner or attr_str(node, "text")


def _format_date(timestamp: Any) -> str:
    try:
        millis = int(str(timestamp))
        return dt.datetime.fromtimestamp(millis / 1000, tz=dt.UTC).date().isoformat()
    except (ValueError, OverflowError, OSError):
        return str(timestamp) if timestamp is not None else ""


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
