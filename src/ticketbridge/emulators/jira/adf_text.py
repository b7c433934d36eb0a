"""Plain text and ADF in the emulator: the text Jira derives from a document (REST v2
answers, full-text search) and the document it builds from REST v2 plain text."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from .adf import INLINE, MAX_NESTING, kind_of

ATTACHMENT_TEXT = "[attachment]"


def text_to_document(text: str) -> dict[str, Any]:
    """REST v2 plain text -> ADF: paragraphs at blank lines, other line breaks `hardBreak`."""
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.strip():
            current.append(line)
        elif current:
            paragraphs.append(current)
            current = []
    if current:
        paragraphs.append(current)
    content = []
    for lines in paragraphs:
        inline: list[dict[str, Any]] = []
        for line in lines:
            if inline:
                inline.append({"type": "hardBreak"})
            inline.append({"type": "text", "text": line})
        content.append({"type": "paragraph", "content": inline})
    return {"type": "doc", "version": 1, "content": content}


def document_text(doc: Any) -> str:
    """The plain text Jira shows for a document (REST v2, full-text search): blocks apart by
    a blank line, list items and table rows one per line, table cells apart by a tab, hard
    breaks as line breaks, media as `[attachment]`, no markup."""
    if not isinstance(doc, Mapping):
        return ""
    blocks = _children(doc) if doc.get("type") == "doc" else [doc]
    return _join_blocks(blocks, 0)


def _children(node: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    content = node.get("content")
    if not isinstance(content, list):
        return []
    return [child for child in content if isinstance(child, Mapping)]


def _attr(node: Mapping[str, Any], name: str) -> str:
    attrs = node.get("attrs")
    value = attrs.get(name) if isinstance(attrs, Mapping) else None
    return value if isinstance(value, str) else ""


def _join_blocks(blocks: list[Mapping[str, Any]], depth: int) -> str:
    return "\n\n".join(text for text in (_block(b, depth) for b in blocks) if text)


def _block(node: Mapping[str, Any], depth: int) -> str:
    kind = kind_of(node)
    if depth > MAX_NESTING:
        return ""
    if kind in INLINE:
        return _inline(node, depth)
    if kind in ("paragraph", "heading", "caption", "taskItem", "decisionItem", "codeBlock"):
        return "".join(_inline(child, depth) for child in _children(node))
    if kind in ("bulletList", "orderedList", "taskList", "decisionList", "listItem"):
        lines = (_block(child, depth + 1) for child in _children(node))
        return "\n".join(line for line in lines if line)
    if kind == "table":
        return "\n".join(_row(row, depth) for row in _children(node))
    if kind in ("mediaSingle", "mediaGroup", "media"):
        return ATTACHMENT_TEXT
    if kind == "rule":
        return ""
    if kind in ("blockCard", "embedCard"):
        return _attr(node, "url")
    text = _join_blocks(_children(node), depth + 1)
    if kind in ("expand", "nestedExpand"):
        return "\n\n".join(part for part in (_attr(node, "title"), text) if part)
    return text


def _row(row: Mapping[str, Any], depth: int) -> str:
    cells = []
    for cell in _children(row):
        blocks = (_block(block, depth + 2) for block in _children(cell))
        cells.append(" ".join(text.replace("\n", " ") for text in blocks if text))
    return "\t".join(cells)


def _inline(node: Mapping[str, Any], depth: int) -> str:
    kind = kind_of(node)
    if kind == "text":
        text = node.get("text")
        return text if isinstance(text, str) else ""
    if kind == "hardBreak":
        return "\n"
    if kind == "mention":
        name = _attr(node, "text") or _attr(node, "displayName") or _attr(node, "id")
        return name if not name or name.startswith("@") else f"@{name}"
    if kind == "emoji":
        return _attr(node, "text") or _attr(node, "shortName")
    if kind == "status":
        return _attr(node, "text")
    if kind == "inlineCard":
        return _attr(node, "url")
    if kind == "date":
        return _date(node)
    if kind == "mediaInline":
        return ATTACHMENT_TEXT
    if kind == "placeholder" or depth > MAX_NESTING:
        return ""
    inner = "".join(_inline(child, depth + 1) for child in _children(node))
    return inner or _attr(node, "text")


def _date(node: Mapping[str, Any]) -> str:
    attrs = node.get("attrs")
    stamp = attrs.get("timestamp") if isinstance(attrs, Mapping) else None
    try:
        return datetime.fromtimestamp(int(str(stamp)) / 1000, tz=UTC).date().isoformat()
    except (ValueError, OverflowError, OSError):
        return "" if stamp is None else str(stamp)
