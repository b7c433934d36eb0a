"""Markdown -> Atlassian Document Format (ADF), by walking markdown-it-py's token stream.

Parser: markdown-it-py's CommonMark preset plus the GFM ``table`` and ``strikethrough`` rules.
Two deliberate settings:

* ``html`` is off: ADF has no HTML node, so raw HTML (``<b>x</b>``) stays literal text.
* link destinations are kept verbatim (no percent-encoding), so an ADF ``href`` survives a
  trip through Markdown unchanged. markdown-it's ``validateLink`` stays on: ``javascript:``,
  ``vbscript:``, ``file:`` and non-image ``data:`` links become plain text.

Mapping choices (documented behaviour, relied on by ``adf_to_markdown``):

* A soft line break becomes a single space (how CommonMark renders it); a hard break
  (backslash or two trailing spaces) becomes ``hardBreak``.
* An image degrades to its alt text (or its URL when the alt text is empty) carrying a ``link``
  mark to the image URL; inside a link, the outer link wins.
* Marks come out in the fixed order of ``MARK_ORDER``; ``code`` keeps only ``link`` beside it
  (ADF allows no other mark together with ``code``), so `` **`x`** `` gives a plain code mark.
* Ordered lists always carry ``attrs.order``; code blocks carry ``attrs.language`` only when the
  info string names one (its first word); tables and cells carry no attrs.
* Paragraphs left empty by the parser's whitespace trimming are dropped; table cells, list
  items and block quotes always hold at least one block (an empty paragraph if need be); a
  list item whose first block is not a paragraph or code block gets an empty paragraph in
  front, as the ADF schema requires.
* Markdown nests blocks more freely than ADF. Where ADF forbids a child the converter keeps the
  text and drops the structure: a heading inside a list item or quote becomes a paragraph, a
  quote or table inside a list item or quote is replaced by its blocks (a table by its cells'
  paragraphs), and a thematic break there is dropped.
* markdown-it stops at 20 levels of block nesting (its ``maxNesting`` guard); content nested
  deeper than that is dropped by the parser.
"""

from __future__ import annotations

from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import unescapeAll
from markdown_it.token import Token

#: Order in which marks appear on a text node produced here.
MARK_ORDER: tuple[str, ...] = ("link", "em", "strong", "strike", "code")
_MARK_RANK = {name: rank for rank, name in enumerate(MARK_ORDER)}

#: ADF content models this converter has to respect (subset of the ADF JSON schema).
LIST_ITEM_FIRST = frozenset({"paragraph", "codeBlock", "mediaSingle", "extension"})
LIST_ITEM_CHILDREN = LIST_ITEM_FIRST | {"bulletList", "orderedList", "taskList"}
BLOCKQUOTE_CHILDREN = frozenset(
    {
        "paragraph",
        "bulletList",
        "orderedList",
        "codeBlock",
        "mediaGroup",
        "mediaSingle",
        "extension",
    }
)
TABLE_CELL_CHILDREN = frozenset(
    {
        "paragraph",
        "panel",
        "blockquote",
        "orderedList",
        "bulletList",
        "rule",
        "heading",
        "codeBlock",
        "mediaGroup",
        "mediaSingle",
        "decisionList",
        "taskList",
        "blockCard",
        "embedCard",
        "extension",
        "nestedExpand",
    }
)
_RESTRICTED_CHILDREN = {
    "listItem": LIST_ITEM_CHILDREN,
    "blockquote": BLOCKQUOTE_CHILDREN,
    "tableCell": TABLE_CELL_CHILDREN,
    "tableHeader": TABLE_CELL_CHILDREN,
}
_NEEDS_CONTENT = frozenset({"listItem", "blockquote", "tableCell", "tableHeader"})


class _Parser(MarkdownIt):
    def normalizeLink(self, url: str) -> str:
        # Keep hrefs exactly as written (markdown-it would percent-encode them).
        return url


def _make_parser() -> MarkdownIt:
    return _Parser("commonmark", {"html": False}).enable(["table", "strikethrough"])


PARSER = _make_parser()

_BLOCK_OPEN = {
    "paragraph_open": "paragraph",
    "blockquote_open": "blockquote",
    "bullet_list_open": "bulletList",
    "ordered_list_open": "orderedList",
    "list_item_open": "listItem",
    "table_open": "table",
    "tr_open": "tableRow",
    "th_open": "tableHeader",
    "td_open": "tableCell",
}
_TRANSPARENT = frozenset({"thead_open", "tbody_open", "thead_close", "tbody_close"})
_INLINE_MARKS = {"em_open": "em", "strong_open": "strong", "s_open": "strike"}
_INLINE_MARK_CLOSE = {"em_close": "em", "strong_close": "strong", "s_close": "strike"}


def markdown_to_adf(markdown: str) -> dict[str, Any]:
    """Convert Markdown to an ADF ``doc`` (``""`` gives a doc with an empty content list)."""
    doc: dict[str, Any] = {"type": "doc", "version": 1, "content": []}
    if not markdown:
        return doc
    stack: list[dict[str, Any]] = [doc]
    for token in PARSER.parse(markdown):
        kind = token.type
        if kind in _TRANSPARENT:
            continue
        if kind in _BLOCK_OPEN:
            node = _open_block(_BLOCK_OPEN[kind], token)
            stack[-1]["content"].append(node)
            stack.append(node)
        elif kind == "heading_open":
            node = {"type": "heading", "attrs": {"level": _heading_level(token)}, "content": []}
            stack[-1]["content"].append(node)
            stack.append(node)
        elif kind.endswith("_close"):
            if len(stack) > 1:
                closed = stack.pop()
                if closed["type"] == "paragraph" and not closed["content"]:
                    stack[-1]["content"].pop()  # only whitespace the parser trimmed away
        elif kind == "inline":
            inline = inline_tokens_to_adf(token.children or [])
            parent = stack[-1]
            if parent["type"] in ("tableCell", "tableHeader"):
                parent["content"].append({"type": "paragraph", "content": inline})
            else:
                parent["content"].extend(inline)
        elif kind in ("fence", "code_block"):
            stack[-1]["content"].append(_code_block(token))
        elif kind == "hr":
            stack[-1]["content"].append({"type": "rule"})
        elif token.content:  # html_block and anything unforeseen: keep the text
            text = token.content.rstrip("\n")
            para = {"type": "paragraph", "content": [{"type": "text", "text": text}]}
            stack[-1]["content"].append(para if text else {"type": "paragraph", "content": []})
    doc["content"] = _legalize_children("doc", doc["content"])
    return doc


def _open_block(adf_type: str, token: Token) -> dict[str, Any]:
    node: dict[str, Any] = {"type": adf_type, "content": []}
    if adf_type == "orderedList":
        start = token.attrGet("start")
        node["attrs"] = {"order": int(start) if isinstance(start, int | str) else 1}
    return node


def _heading_level(token: Token) -> int:
    tag = token.tag
    return int(tag[1]) if len(tag) == 2 and tag[1] in "123456" else 1


def _code_block(token: Token) -> dict[str, Any]:
    text = token.content
    if text.endswith("\n"):
        text = text[:-1]
    node: dict[str, Any] = {"type": "codeBlock"}
    words = unescapeAll(token.info).split()
    language = words[0] if words else ""
    if language:
        node["attrs"] = {"language": language}
    node["content"] = [{"type": "text", "text": text}] if text else []
    return node


# --------------------------------------------------------------------------- inline


def inline_tokens_to_adf(children: list[Token]) -> list[dict[str, Any]]:
    """ADF inline nodes for the children of one markdown-it ``inline`` token."""
    out: list[dict[str, Any]] = []
    active: list[dict[str, Any]] = []

    def add_text(text: str, extra: list[dict[str, Any]] | None = None) -> None:
        if text:
            out.append(_text(text, active + (extra or [])))

    for tok in children:
        kind = tok.type
        if kind in ("text", "text_special", "html_inline"):
            add_text(tok.content)
        elif kind == "softbreak":
            add_text(" ")
        elif kind == "hardbreak":
            out.append({"type": "hardBreak"})
        elif kind == "code_inline":
            add_text(tok.content, [{"type": "code"}])
        elif kind in _INLINE_MARKS:
            active.append({"type": _INLINE_MARKS[kind]})
        elif kind in _INLINE_MARK_CLOSE:
            _pop_mark(active, _INLINE_MARK_CLOSE[kind])
        elif kind == "link_open":
            active.append(_link_mark(tok.attrGet("href"), tok.attrGet("title")))
        elif kind == "link_close":
            _pop_mark(active, "link")
        elif kind == "image":
            src = tok.attrGet("src")
            src = src if isinstance(src, str) else ""
            alt = "".join(" " if c.type == "softbreak" else c.content for c in tok.children or [])
            alt = alt or src
            in_link = any(m["type"] == "link" for m in active)
            add_text(alt, None if in_link else [_link_mark(src, tok.attrGet("title"))])
        else:
            add_text(tok.content)
    # A hard break can end a link's text (`[a\\\n]()`), but not a paragraph: it shows
    # nothing there, and Markdown cannot write it back.
    while out and out[-1]["type"] == "hardBreak":
        out.pop()
    return merge_text_nodes(out)


def _link_mark(href: Any, title: Any) -> dict[str, Any]:
    attrs: dict[str, Any] = {"href": href if isinstance(href, str) else ""}
    if isinstance(title, str) and title:
        attrs["title"] = title
    return {"type": "link", "attrs": attrs}


def _pop_mark(active: list[dict[str, Any]], mark_type: str) -> None:
    for index in range(len(active) - 1, -1, -1):
        if active[index]["type"] == mark_type:
            del active[index]
            return


def _text(text: str, marks: list[dict[str, Any]]) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "text", "text": text}
    canonical = canonical_marks(marks)
    if canonical:
        node["marks"] = canonical
    return node


def canonical_marks(marks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One mark per type (outermost wins), in ``MARK_ORDER``; ``code`` keeps only ``link``."""
    by_type: dict[str, dict[str, Any]] = {}
    for mark in marks:
        by_type.setdefault(mark["type"], mark)
    if "code" in by_type:
        by_type = {k: v for k, v in by_type.items() if k in ("code", "link")}
    return [by_type[k] for k in sorted(by_type, key=lambda k: _MARK_RANK.get(k, 99))]


def merge_text_nodes(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Merge adjacent text nodes whose marks are equal; drop empty ones."""
    merged: list[dict[str, Any]] = []
    for node in nodes:
        if node.get("type") == "text":
            if not node.get("text"):
                continue
            prev = merged[-1] if merged else None
            if prev and prev.get("type") == "text" and prev.get("marks") == node.get("marks"):
                merged[-1] = {**prev, "text": prev["text"] + node["text"]}
                continue
        merged.append(node)
    return merged


# --------------------------------------------------------------------------- legalize


def _legalize_children(parent: str, children: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Content for a ``parent`` node that satisfies ADF's content model."""
    out = _fit(parent, children)
    if parent in _NEEDS_CONTENT and not out:
        out.append({"type": "paragraph", "content": []})
    if parent == "listItem" and out[0]["type"] not in LIST_ITEM_FIRST:
        out.insert(0, {"type": "paragraph", "content": []})
    return out


def _fit(parent: str, children: list[dict[str, Any]]) -> list[dict[str, Any]]:
    allowed = _RESTRICTED_CHILDREN.get(parent)
    out: list[dict[str, Any]] = []
    for child in children:
        kind = child["type"]
        if "content" in child and kind not in ("paragraph", "heading", "codeBlock"):
            child["content"] = _legalize_children(kind, child["content"])
        if allowed is None or kind in allowed:
            out.append(child)
        elif kind == "heading":
            if child["content"]:
                out.append({"type": "paragraph", "content": child["content"]})
        elif kind in ("table", "blockquote"):  # replaced by its blocks, minus empty paragraphs
            if kind == "table":
                cells = [c for row in child["content"] for c in row["content"]]
                hoisted = [b for c in cells for b in c["content"]]
            else:
                hoisted = child["content"]
            out.extend(
                _fit(parent, [b for b in hoisted if b["type"] != "paragraph" or b["content"]])
            )
        # anything else not allowed here (a thematic break) is dropped
    return out
