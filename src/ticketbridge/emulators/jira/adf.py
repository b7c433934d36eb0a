"""The emulator's own Atlassian Document Format (ADF) rules: what Jira Cloud accepts in a
rich-text value (REST v3 `description`, comment `body`). Plain text: `adf_text.py`.

Written from Atlassian's ADF documentation (developer.atlassian.com, "Atlassian Document
Format", node and mark reference), independently of the connector's converter, so that the
fake vendor does not share its checks with the code under test. The node table below is the
content model: which children a node takes, whether it may be empty, which attributes it
needs; text carries inline marks, other nodes block marks.

Jira's answers (400) for a rich-text value it refuses:

* not a JSON object (a string, a list, ...): the field error `ADF_REQUIRED`;
* an object that breaks the rules (not `doc` version 1, unknown node or mark, a child where
  the model forbids it, an empty text node, a missing attribute, `code` with `strong`, ...):
  `{"errorMessages": ["INVALID_INPUT"], "errors": {}}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ADF_REQUIRED = "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
INVALID_INPUT = "INVALID_INPUT"
#: Deepest nesting accepted (Jira refuses absurdly deep documents; ours stops recursion too).
MAX_NESTING = 256


@dataclass(frozen=True, slots=True)
class NodeRule:
    """One node type of the content model."""

    children: frozenset[str] | None = None  # None: a leaf, no `content` (or an empty one)
    non_empty: bool = False  # `content` must hold at least one child
    first: frozenset[str] | None = None  # allowed types of the first child
    attrs: tuple[str, ...] = ()  # attributes that must be present


def _set(*names: str) -> frozenset[str]:
    return frozenset(names)


INLINE = _set(
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
)
#: What a document holds at its top level.
TOP_LEVEL = _set(
    "paragraph",
    "heading",
    "bulletList",
    "orderedList",
    "taskList",
    "decisionList",
    "codeBlock",
    "blockquote",
    "panel",
    "rule",
    "table",
    "mediaSingle",
    "mediaGroup",
    "expand",
    "blockCard",
    "embedCard",
    "extension",
    "bodiedExtension",
    "layoutSection",
)
#: Blocks allowed inside an expand, a layout column or a bodied extension.
NESTABLE = (TOP_LEVEL - {"expand", "layoutSection"}) | {"nestedExpand"}
LIST_ITEM_FIRST = _set("paragraph", "codeBlock", "mediaSingle", "extension")
CELL = _set(
    "paragraph",
    "heading",
    "bulletList",
    "orderedList",
    "taskList",
    "decisionList",
    "codeBlock",
    "blockquote",
    "panel",
    "rule",
    "mediaSingle",
    "mediaGroup",
    "blockCard",
    "embedCard",
    "extension",
    "nestedExpand",
)
_EXTENSION_ATTRS = ("extensionKey", "extensionType")

RULES: dict[str, NodeRule] = {
    "doc": NodeRule(TOP_LEVEL),
    # blocks holding inline content
    "paragraph": NodeRule(INLINE),
    "heading": NodeRule(INLINE, attrs=("level",)),
    "caption": NodeRule(INLINE),
    "taskItem": NodeRule(INLINE),
    "decisionItem": NodeRule(INLINE),
    "codeBlock": NodeRule(_set("text")),
    # lists
    "bulletList": NodeRule(_set("listItem"), non_empty=True),
    "orderedList": NodeRule(_set("listItem"), non_empty=True),
    "listItem": NodeRule(
        LIST_ITEM_FIRST | {"bulletList", "orderedList", "taskList"},
        non_empty=True,
        first=LIST_ITEM_FIRST,
    ),
    "taskList": NodeRule(_set("taskItem", "taskList"), non_empty=True),
    "decisionList": NodeRule(_set("decisionItem"), non_empty=True),
    # containers
    "blockquote": NodeRule(
        _set(
            "paragraph",
            "bulletList",
            "orderedList",
            "codeBlock",
            "mediaGroup",
            "mediaSingle",
            "extension",
        ),
        non_empty=True,
    ),
    "panel": NodeRule(
        _set(
            "paragraph",
            "heading",
            "bulletList",
            "orderedList",
            "taskList",
            "decisionList",
            "codeBlock",
            "rule",
            "mediaGroup",
            "mediaSingle",
            "blockCard",
            "extension",
        ),
        non_empty=True,
        attrs=("panelType",),
    ),
    "expand": NodeRule(NESTABLE, non_empty=True),
    "nestedExpand": NodeRule(NESTABLE - {"nestedExpand", "table"}, non_empty=True),
    "bodiedExtension": NodeRule(NESTABLE, non_empty=True, attrs=_EXTENSION_ATTRS),
    "layoutSection": NodeRule(_set("layoutColumn"), non_empty=True),
    "layoutColumn": NodeRule(NESTABLE, non_empty=True),
    # tables
    "table": NodeRule(_set("tableRow"), non_empty=True),
    "tableRow": NodeRule(_set("tableHeader", "tableCell"), non_empty=True),
    "tableHeader": NodeRule(CELL, non_empty=True),
    "tableCell": NodeRule(CELL, non_empty=True),
    # media
    "mediaSingle": NodeRule(_set("media", "caption"), non_empty=True),
    "mediaGroup": NodeRule(_set("media"), non_empty=True),
    "media": NodeRule(attrs=("type",)),
    # leaves
    "text": NodeRule(),
    "rule": NodeRule(),
    "hardBreak": NodeRule(),
    "mention": NodeRule(attrs=("id",)),
    "emoji": NodeRule(attrs=("shortName",)),
    "date": NodeRule(attrs=("timestamp",)),
    "status": NodeRule(attrs=("text", "color")),
    "inlineCard": NodeRule(),
    "blockCard": NodeRule(),
    "embedCard": NodeRule(),
    "mediaInline": NodeRule(),
    "placeholder": NodeRule(),
    "extension": NodeRule(attrs=_EXTENSION_ATTRS),
    "inlineExtension": NodeRule(attrs=_EXTENSION_ATTRS),
}
TEXT_MARKS = _set(
    "strong",
    "em",
    "strike",
    "underline",
    "code",
    "link",
    "subsup",
    "textColor",
    "backgroundColor",
    "annotation",
)
#: The only marks `code` combines with.
CODE_COMPANIONS = _set("code", "link", "annotation")
BLOCK_MARKS = _set(
    "alignment", "indentation", "breakout", "border", "link", "dataConsumer", "fragment"
)


# --------------------------------------------------------------------------- validation


def problem(value: Any) -> str | None:
    """None when Jira accepts `value` as a rich-text document, else its answer:
    `ADF_REQUIRED` (a field error) or `INVALID_INPUT` (an error message)."""
    if not isinstance(value, Mapping):
        return ADF_REQUIRED
    return None if is_document(value) else INVALID_INPUT


def is_document(value: Any) -> bool:
    """A `doc` of version 1 whose every node follows the content model."""
    if not isinstance(value, Mapping) or value.get("type") != "doc":
        return False
    version = value.get("version")
    if isinstance(version, bool) or version != 1 or not isinstance(value.get("content"), list):
        return False
    return _node_ok(value, 0)


def _node_ok(node: Mapping[str, Any], depth: int) -> bool:
    kind = kind_of(node)
    rule = RULES.get(kind) if kind is not None else None
    if kind is None or rule is None or depth > MAX_NESTING:
        return False
    if not _attrs_ok(node, kind, rule) or not _marks_ok(node, kind == "text"):
        return False
    content = node.get("content")
    if kind == "text":
        text = node.get("text")
        return "content" not in node and isinstance(text, str) and text != ""
    if rule.children is None:
        return content is None or content == []
    if content is None:
        return not rule.non_empty
    if not isinstance(content, list) or (rule.non_empty and not content):
        return False
    if rule.first is not None and kind_of(content[0]) not in rule.first:
        return False
    for child in content:
        if not isinstance(child, Mapping) or kind_of(child) not in rule.children:
            return False
        if kind == "codeBlock" and child.get("marks"):
            return False  # code is plain text
        if not _node_ok(child, depth + 1):
            return False
    return True


def kind_of(node: Any) -> str | None:
    kind = node.get("type") if isinstance(node, Mapping) else None
    return kind if isinstance(kind, str) else None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _attrs_ok(node: Mapping[str, Any], kind: str, rule: NodeRule) -> bool:
    attrs = node.get("attrs")
    if attrs is None:
        return not rule.attrs
    if not isinstance(attrs, Mapping) or not all(name in attrs for name in rule.attrs):
        return False
    if kind == "heading":
        return _is_int(attrs["level"]) and 1 <= attrs["level"] <= 6
    if kind == "orderedList" and "order" in attrs:
        return _is_int(attrs["order"]) and attrs["order"] >= 0
    if kind == "codeBlock":
        return attrs.get("language") is None or isinstance(attrs["language"], str)
    return True


def _marks_ok(node: Mapping[str, Any], is_text: bool) -> bool:
    marks = node.get("marks")
    if marks is None:
        return True
    if not isinstance(marks, list):
        return False
    allowed = TEXT_MARKS if is_text else BLOCK_MARKS
    kinds: list[str] = []
    for mark in marks:
        kind = kind_of(mark)
        if kind is None or kind not in allowed or kind in kinds:
            return False
        attrs = mark.get("attrs")
        if attrs is not None and not isinstance(attrs, Mapping):
            return False
        if kind == "link" and not isinstance((attrs or {}).get("href"), str):
            return False
        kinds.append(kind)
    return "code" not in kinds or CODE_COMPANIONS.issuperset(kinds)
