"""ADF <-> Markdown / plain text conversion (ticketbridge.connectors.jira.adf)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ticketbridge.connectors.jira.adf import (
    adf_to_markdown,
    adf_to_text,
    is_adf_document,
    markdown_to_adf,
    text_to_adf,
)

pytestmark = pytest.mark.store_independent


# --------------------------------------------------------------------------- builders


def doc(*content: dict[str, Any]) -> dict[str, Any]:
    return {"type": "doc", "version": 1, "content": list(content)}


def text(value: str, *marks: dict[str, Any]) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "text", "text": value}
    if marks:
        node["marks"] = list(marks)
    return node


def para(*content: dict[str, Any]) -> dict[str, Any]:
    return {"type": "paragraph", "content": list(content)}


def heading(level: int, *content: dict[str, Any]) -> dict[str, Any]:
    return {"type": "heading", "attrs": {"level": level}, "content": list(content)}


def bullets(*items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "bulletList", "content": [{"type": "listItem", "content": i} for i in items]}


def ordered(order: int, *items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "orderedList",
        "attrs": {"order": order},
        "content": [{"type": "listItem", "content": i} for i in items],
    }


def code_block(value: str, language: str | None = None) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "codeBlock"}
    if language:
        node["attrs"] = {"language": language}
    node["content"] = [text(value)] if value else []
    return node


def quote(*content: dict[str, Any]) -> dict[str, Any]:
    return {"type": "blockquote", "content": list(content)}


def table(header: list[list[dict[str, Any]]], *rows: list[list[dict[str, Any]]]) -> dict[str, Any]:
    def row(cells: list[list[dict[str, Any]]], cell_type: str) -> dict[str, Any]:
        return {
            "type": "tableRow",
            "content": [{"type": cell_type, "content": [para(*c)]} for c in cells],
        }

    return {
        "type": "table",
        "content": [row(header, "tableHeader"), *(row(r, "tableCell") for r in rows)],
    }


EM = {"type": "em"}
STRONG = {"type": "strong"}
STRIKE = {"type": "strike"}
CODE = {"type": "code"}
BREAK = {"type": "hardBreak"}
RULE = {"type": "rule"}


def link(href: str, title: str | None = None) -> dict[str, Any]:
    attrs = {"href": href} if title is None else {"href": href, "title": title}
    return {"type": "link", "attrs": attrs}


def roundtrip(document: dict[str, Any]) -> dict[str, Any]:
    return markdown_to_adf(adf_to_markdown(document))


# --------------------------------------------------------------------------- Markdown -> ADF


def test_empty_markdown_gives_empty_doc() -> None:
    assert markdown_to_adf("") == doc()
    assert markdown_to_adf("\n\n  \n") == doc()


def test_headings_all_levels() -> None:
    source = "\n\n".join(f"{'#' * level} Level {level}" for level in range(1, 7))
    assert markdown_to_adf(source) == doc(
        *(heading(level, text(f"Level {level}")) for level in range(1, 7))
    )
    assert markdown_to_adf("Setext\n===") == doc(heading(1, text("Setext")))


def test_paragraph_marks() -> None:
    assert markdown_to_adf("a *em* **strong** ~~gone~~ `x*y` _u_") == doc(
        para(
            text("a "),
            text("em", EM),
            text(" "),
            text("strong", STRONG),
            text(" "),
            text("gone", STRIKE),
            text(" "),
            text("x*y", CODE),
            text(" "),
            text("u", EM),
        )
    )


def test_nested_marks_are_canonically_ordered() -> None:
    assert markdown_to_adf("***both*** ~~**s**~~") == doc(
        para(text("both", EM, STRONG), text(" "), text("s", STRONG, STRIKE))
    )


def test_code_mark_keeps_only_link() -> None:
    # ADF forbids code together with em/strong/strike.
    assert markdown_to_adf("**`x`** [`y`](https://e.com)") == doc(
        para(text("x", CODE), text(" "), text("y", link("https://e.com"), CODE))
    )


def test_links_with_emphasis_inside_and_title() -> None:
    assert markdown_to_adf('[see *the* docs](https://e.com/a_b "Docs")') == doc(
        para(
            text("see ", link("https://e.com/a_b", "Docs")),
            text("the", link("https://e.com/a_b", "Docs"), EM),
            text(" docs", link("https://e.com/a_b", "Docs")),
        )
    )


def test_link_href_kept_verbatim_and_unsafe_scheme_dropped() -> None:
    assert markdown_to_adf("[a](<https://e.com/x y?q=ä>)") == doc(
        para(text("a", link("https://e.com/x y?q=ä")))
    )
    assert markdown_to_adf("[a](javascript:alert(1))") == doc(
        para(text("[a](javascript:alert(1))"))
    )


def test_autolink() -> None:
    assert markdown_to_adf("<https://e.com/x>") == doc(
        para(text("https://e.com/x", link("https://e.com/x")))
    )


def test_image_degrades_to_linked_alt_text() -> None:
    assert markdown_to_adf('![screen *shot*](https://e.com/s.png "t") ![](https://e.com/i)') == doc(
        para(
            text("screen shot", link("https://e.com/s.png", "t")),
            text(" "),
            text("https://e.com/i", link("https://e.com/i")),
        )
    )


def test_soft_break_is_a_space_and_hard_breaks_are_kept() -> None:
    assert markdown_to_adf("one\ntwo\\\nthree  \nfour") == doc(
        para(text("one two"), BREAK, text("three"), BREAK, text("four"))
    )


def test_nested_lists_three_levels() -> None:
    source = "- one\n  - two\n    1. three\n    2. four\n- five\n"
    assert markdown_to_adf(source) == doc(
        bullets(
            [
                para(text("one")),
                bullets(
                    [para(text("two")), ordered(1, [para(text("three"))], [para(text("four"))])]
                ),
            ],
            [para(text("five"))],
        )
    )


def test_ordered_list_start_number() -> None:
    assert markdown_to_adf("7. seven\n8. eight") == doc(
        ordered(7, [para(text("seven"))], [para(text("eight"))])
    )
    assert markdown_to_adf("0) zero") == doc(ordered(0, [para(text("zero"))]))


def test_fenced_code_with_language_keeps_markdown_literal() -> None:
    source = "```python\n# not a heading\n*not em* [x](y)\n```"
    assert markdown_to_adf(source) == doc(code_block("# not a heading\n*not em* [x](y)", "python"))


def test_indented_and_plain_fenced_code() -> None:
    assert markdown_to_adf("    indented\n      more\n") == doc(code_block("indented\n  more"))
    assert markdown_to_adf("~~~\n```\n~~~") == doc(code_block("```"))
    assert markdown_to_adf("```\n```") == doc(code_block(""))


def test_blockquote_rule_and_table() -> None:
    source = "> quoted *text*\n\n---\n\n| a | **b** |\n| :- | -: |\n| `c` | [d](https://e.com) |\n"
    assert markdown_to_adf(source) == doc(
        quote(para(text("quoted "), text("text", EM))),
        RULE,
        table(
            [[text("a")], [text("b", STRONG)]],
            [[text("c", CODE)], [text("d", link("https://e.com"))]],
        ),
    )


def test_table_cell_escaped_pipe_and_empty_cell() -> None:
    assert markdown_to_adf("| a \\| b | |\n| --- | --- |") == doc(table([[text("a | b")], []]))


def test_raw_html_stays_literal() -> None:
    assert markdown_to_adf("<b>bold</b>\n\n<div>\nx\n</div>") == doc(
        para(text("<b>bold</b>")), para(text("<div> x </div>"))
    )


def test_structure_adf_forbids_is_legalized() -> None:
    result = markdown_to_adf("- # Heading\n- > quote\n  > > deep\n-\n- ***\n\n> # h\n> ***")
    assert result == doc(
        bullets(
            [para(text("Heading"))],
            [para(text("quote")), para(text("deep"))],
            [para()],
            [para()],
        ),
        quote(para(text("h"))),
    )
    assert is_adf_document(result)


def test_list_item_starting_with_a_list_gets_an_empty_paragraph() -> None:
    result = markdown_to_adf("- - inner")
    assert result == doc(bullets([para(), bullets([para(text("inner"))])]))
    assert is_adf_document(result)
    assert roundtrip(result) == result


# --------------------------------------------------------------------------- ADF -> Markdown


def test_adf_to_markdown_none_and_empty() -> None:
    assert adf_to_markdown(None) == ""
    assert adf_to_markdown(doc()) == ""


def test_adf_to_markdown_blocks() -> None:
    document = doc(
        heading(2, text("Title")),
        para(text("a "), text("b", STRONG), text(" "), text("c", EM), text(" "), text("d", STRIKE)),
        para(text("code", CODE), text(" and "), text("link", link("https://e.com", "T"))),
        para(text("x"), BREAK, text("y")),
        bullets([para(text("one")), bullets([para(text("two")), bullets([para(text("3"))])])]),
        ordered(3, [para(text("three"))], [para(text("four"))]),
        code_block("# hi\n*x*", "python"),
        quote(para(text("q"))),
        RULE,
        table([[text("h1")], [text("h2", STRONG)]], [[text("c1", CODE)], [text("c|2")]]),
    )
    assert adf_to_markdown(document) == "\n\n".join(
        [
            "## Title",
            "a **b** *c* ~~d~~",
            '`code` and [link](https://e.com "T")',
            "x\\\ny",
            "- one\n  - two\n    - 3",
            "3. three\n4. four",
            "```python\n# hi\n*x*\n```",
            "> q",
            "---",
            "| h1 | **h2** |\n| --- | --- |\n| `c1` | c\\|2 |",
        ]
    )
    assert roundtrip(document) == document


def test_markdown_syntax_in_text_is_escaped() -> None:
    literal = [
        "# not a heading",
        "1. not a list",
        "- not a list",
        "> not a quote",
        "*not em* _nor this_ **nor** ~~this~~",
        "`not code` [not](link) ![not](image) <not-html>",
        "back\\slash & &amp; &#42; | pipe",
        "===",
        "    not indented code",
        "trailing spaces  ",
    ]
    for value in literal:
        document = doc(para(text(value)))
        assert roundtrip(document) == document, adf_to_markdown(document)
    assert adf_to_markdown(doc(para(text("# a *b*")))) == "\\# a \\*b\\*"


def test_table_with_inline_marks_round_trips() -> None:
    document = doc(
        table(
            [[text("Name", STRONG)], [text("a|b", CODE)], []],
            [[text("x", EM), text(" y")], [text("l", link("https://e.com/|"))], [text("| z")]],
        )
    )
    markdown = adf_to_markdown(document)
    assert markdown.splitlines()[0] == "| **Name** | `a\\|b` |  |"
    assert roundtrip(document) == document


def test_code_block_containing_fences_and_tilde_language() -> None:
    document = doc(
        code_block("```\nnot the end\n````", "md"),
        code_block("x", "we`ird"),
        code_block("~", "~`x"),
    )
    assert roundtrip(document) == document


def test_adjacent_lists_stay_separate() -> None:
    document = doc(
        bullets([para(text("a"))]),
        bullets([para(text("b"))]),
        ordered(1, [para(text("c"))]),
        ordered(5, [para(text("d"))]),
    )
    assert roundtrip(document) == document


def test_marks_at_word_and_punctuation_boundaries() -> None:
    document = doc(
        para(
            text("foo"),
            text("*bar*", EM),
            text("baz "),
            text(" x ", STRONG),
            text("("),
            text("y", STRIKE),
            text(")."),
            text("!", link("https://e.com")),
        )
    )
    assert roundtrip(document) == document


def test_emphasis_needing_cautious_delimiters_round_trips() -> None:
    # "***a*b*c***" is read by CommonMark as <em>abc</em>** - the renderer must avoid it.
    nested = doc(para(text("a", EM, STRONG), text("b", STRONG), text("c", EM, STRONG)))
    assert adf_to_markdown(nested) == "__*a*b*c*__"
    assert roundtrip(nested) == nested
    # Marks closed and reopened around a break: touching delimiters must alternate * and _.
    brackets = doc(
        para(
            BREAK,
            text("[", STRONG),
            text("[[", EM, STRONG),
            text("[", EM),
            text("[", EM, STRONG),
            BREAK,
            text("[", STRONG),
        )
    )
    assert adf_to_markdown(brackets) == "\\\n__\\[*\\[\\[*__*\\[__\\[__*__\\\n\\[__"
    assert roundtrip(brackets) == brackets


def test_most_cautious_rendering_round_trips(monkeypatch: pytest.MonkeyPatch) -> None:
    # Pretend the first three renderings did not read back, to exercise the last one.
    from ticketbridge.connectors.jira import adf_md_inline as module

    real = module._reads_back
    calls: list[str] = []

    def reject_first_three(markdown: str, *args: Any) -> bool:
        calls.append(markdown)
        return len(calls) > 3 and real(markdown, *args)

    monkeypatch.setattr(module, "_reads_back", reject_first_three)
    document = doc(para(text("a"), text(" b.", EM), text("c", STRONG), text("!", STRIKE)))
    markdown = adf_to_markdown(document)
    assert len(calls) == 4
    assert markdown == "&#97;*&#32;b&#46;*__&#99;__~~&#33;~~"
    monkeypatch.undo()
    assert markdown_to_adf(markdown) == document


def test_unverifiable_emphasis_falls_back_to_plain_text(monkeypatch: pytest.MonkeyPatch) -> None:
    from ticketbridge.connectors.jira import adf_md_inline as module

    monkeypatch.setattr(module, "_reads_back", lambda *args: False)
    document = doc(
        para(text("*a*", EM), text(" b", STRONG), text("c", CODE, link("https://e.com")))
    )
    assert roundtrip(document) == doc(para(text("*a* b"), text("c", link("https://e.com"), CODE)))


def test_setext_heading_keeps_hard_breaks() -> None:
    document = doc(
        heading(1, text("one"), BREAK, text("- two")),
        heading(2, BREAK, text("x")),
        heading(3, text("a"), BREAK, text("b")),
    )
    assert adf_to_markdown(document) == "one\\\n\\- two\n===\n\n\\\nx\n---\n\n### a b"
    assert roundtrip(document) == doc(
        heading(1, text("one"), BREAK, text("- two")),
        heading(2, BREAK, text("x")),
        heading(3, text("a b")),
    )


def test_lines_with_pipes_cannot_turn_into_a_table() -> None:
    document = doc(
        code_block("| - | - |", "||"),  # the fence line must not read as a table header
        heading(2, text("a|b"), BREAK, text("`|`", CODE)),  # nor the last setext line
    )
    assert adf_to_markdown(document) == "```&#124;&#124;\n| - | - |\n```\n\na\\|b\\\n`` `|` ``\n-"
    assert roundtrip(document) == document


def test_jira_only_nodes_render_as_text() -> None:
    document = doc(
        para(
            {"type": "mention", "attrs": {"id": "5b10", "text": "@Ann Lee"}},
            text(" "),
            {"type": "emoji", "attrs": {"shortName": ":smile:", "text": "😄"}},
            text(" "),
            {"type": "emoji", "attrs": {"shortName": ":party:"}},
            text(" "),
            {"type": "inlineCard", "attrs": {"url": "https://e.com/x"}},
            text(" "),
            {"type": "status", "attrs": {"text": "DONE", "color": "green"}},
            text(" "),
            {"type": "date", "attrs": {"timestamp": "1700000000000"}},
            {"type": "unknownInline", "content": [text("inner")]},
        ),
        {"type": "panel", "attrs": {"panelType": "info"}, "content": [para(text("note"))]},
        {"type": "mediaSingle", "content": [{"type": "media", "attrs": {"type": "file"}}]},
        {"type": "mysteryBlock", "content": [para(text("kept"))]},
    )
    assert adf_to_markdown(document) == (
        "@Ann Lee 😄 :party: <https://e.com/x> DONE 2023-11-14inner\n\n> note\n\n"
        "\\[attachment\\]\n\nkept"
    )
    assert adf_to_text(document) == (
        "@Ann Lee 😄 :party: https://e.com/x DONE 2023-11-14inner\n\nnote\n\n[attachment]\n\nkept"
    )


def test_task_and_decision_lists() -> None:
    document = doc(
        {
            "type": "taskList",
            "attrs": {"localId": "t"},
            "content": [
                {"type": "taskItem", "attrs": {"state": "DONE"}, "content": [text("done")]},
                {"type": "taskItem", "attrs": {"state": "TODO"}, "content": [text("todo")]},
            ],
        },
        {
            "type": "decisionList",
            "content": [{"type": "decisionItem", "content": [text("decided")]}],
        },
    )
    assert adf_to_markdown(document) == "- [x] done\n- [ ] todo\n\n* decided"


@pytest.mark.parametrize(
    "malformed",
    [
        {"type": "doc"},
        {"type": "doc", "version": 1, "content": None},
        {"type": "doc", "content": [None, 3, "x", {"content": "nope"}, {"type": 5}]},
        {"type": "doc", "content": [{"type": "paragraph", "content": [{"type": "text"}]}]},
        {"type": "doc", "content": [{"type": "heading", "attrs": {"level": "x"}}]},
        {"type": "doc", "content": [{"type": "orderedList", "attrs": {"order": -4}}]},
        {"type": "doc", "content": [{"type": "table", "content": [{"type": "tableRow"}]}]},
        {"type": "doc", "content": [{"type": "text", "text": "loose", "marks": "bad"}]},
        {"type": "doc", "content": [{"type": "text", "text": "x", "marks": [{"type": "link"}]}]},
        {"type": "paragraph", "content": [{"type": "text", "text": "not a doc"}]},
        {"type": "codeBlock", "attrs": {"language": 3}, "content": [{"type": "mention"}]},
    ],
)
def test_malformed_documents_never_raise(malformed: dict[str, Any]) -> None:
    assert isinstance(adf_to_markdown(malformed), str)
    assert isinstance(adf_to_text(malformed), str)
    assert not is_adf_document(malformed)


def test_very_deep_document_does_not_recurse_forever() -> None:
    node: dict[str, Any] = para(text("bottom"))
    for _ in range(5000):
        node = quote(node)
    document = doc(node)
    assert adf_to_markdown(document).endswith("bottom")
    assert adf_to_text(document) == "bottom"
    assert not is_adf_document(document)  # blockquote cannot contain blockquote


# --------------------------------------------------------------------------- plain text


def test_text_to_adf_paragraphs_and_breaks() -> None:
    assert text_to_adf("") == doc()
    assert text_to_adf("a\r\nb\n\n \n c ") == doc(
        para(text("a"), BREAK, text("b")), para(text(" c "))
    )


def test_adf_to_text_layout() -> None:
    document = doc(
        heading(1, text("T")),
        para(text("a", STRONG), BREAK, text("b", link("https://e.com"))),
        bullets([para(text("x")), bullets([para(text("y"))])], [para(text("z"))]),
        code_block("k = 1\n"),
        table([[text("h1")], [text("h2")]], [[text("c1")], [text("c2")]]),
        RULE,
    )
    assert adf_to_text(document) == "T\n\na\nb\n\nx\ny\nz\n\nk = 1\n\n\nh1\th2\nc1\tc2"
    assert adf_to_text(None) == ""


# --------------------------------------------------------------------------- validation


def test_is_adf_document_accepts_jira_shapes() -> None:
    jira_doc = doc(
        para(),
        {"type": "paragraph"},
        heading(3, text("h", {"type": "textColor", "attrs": {"color": "#ff0000"}})),
        {
            "type": "table",
            "attrs": {"isNumberColumnEnabled": False, "layout": "default"},
            "content": [
                {
                    "type": "tableRow",
                    "content": [{"type": "tableCell", "attrs": {}, "content": [para()]}],
                }
            ],
        },
        {"type": "codeBlock", "attrs": {}},
        {"type": "panel", "attrs": {"panelType": "note"}, "content": [para(text("p"))]},
        para(
            {"type": "mention", "attrs": {"id": "1", "text": "@a"}},
            {"type": "emoji", "attrs": {"shortName": ":x:"}},
            text("c", CODE, link("https://e.com")),
        ),
    )
    assert is_adf_document(jira_doc)


@pytest.mark.parametrize(
    "value",
    [
        None,
        "text",
        {"type": "doc", "version": 2, "content": []},
        {"type": "doc", "version": True, "content": []},
        {"type": "doc", "version": 1},
        doc(text("inline at top level")),
        doc(para(text(""))),
        doc(para(para(text("x")))),
        doc(heading(7, text("x"))),
        doc({"type": "bulletList", "content": []}),
        doc(bullets([bullets([para(text("x"))])])),
        doc(quote(heading(1, text("x")))),
        doc(para(text("x", CODE, STRONG))),
        doc(para(text("x", {"type": "blink"}))),
        doc(code_block("x") | {"content": [text("x", EM)]}),
        doc({"type": "rule", "content": [para(text("x"))]}),
        doc({"type": "unknownNode"}),
    ],
)
def test_is_adf_document_rejects(value: Any) -> None:
    assert not is_adf_document(value)


# --------------------------------------------------------------------------- properties

# Text alphabet: every Markdown special, whitespace Markdown strips or reinterprets
# (spaces, tabs, newlines, CR, non-breaking and other Unicode spaces) and arbitrary printable
# Unicode. Only C0/C1 control characters other than \t \n \r and surrogates are left out: they
# are not printable, and NUL/most controls cannot be written as character references at all.
SPECIALS = "*_`~[]()<>!#|\\-+=:.&;\"' \t\n\r0123456789"
FRAGMENTS = ["**", "__", "~~", "```", "&amp;", "&#42;", "1. ", "- ", "> ", "# ", "\\", " \u00a0"]
CHARS = st.one_of(
    st.sampled_from(SPECIALS),
    st.sampled_from("abcxyz"),
    st.characters(exclude_categories=("Cs", "Cc")),
)
TEXT = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(CHARS, min_size=1, max_size=6)),
    min_size=1,
    max_size=4,
).map("".join)
# A code span cannot contain a line ending: CommonMark turns it into a space.
CODE_TEXT = TEXT.map(lambda s: s.replace("\n", "").replace("\r", "")).filter(bool)
HREFS = st.one_of(
    st.sampled_from(
        ["https://e.com", "https://e.com/a_b*c?x=1&amp;y", "https://e.com/a b", "mailto:a@b.c"]
    ),
    st.text(CHARS, max_size=8).map(lambda s: "https://e.com/" + s),
)
LINKS = st.builds(lambda href, title: link(href, title), HREFS, st.one_of(st.none(), TEXT))


@st.composite
def text_nodes(draw: st.DrawFn) -> dict[str, Any]:
    marks: list[dict[str, Any]] = []
    if draw(st.booleans()):
        marks.append(draw(LINKS))
    if draw(st.integers(0, 3)) == 0:  # code: ADF allows only link beside it
        return text(draw(CODE_TEXT), *marks, CODE)
    for mark in (EM, STRONG, STRIKE):
        if draw(st.booleans()):
            marks.append(mark)
    return text(draw(TEXT), *marks)


@st.composite
def inline(draw: st.DrawFn, breaks: bool = True, min_size: int = 1) -> list[dict[str, Any]]:
    nodes = draw(st.lists(text_nodes(), min_size=min_size, max_size=5))
    if breaks and len(nodes) > 1:
        # A hard break cannot end a paragraph in Markdown (a trailing backslash is literal).
        for index in sorted(draw(st.sets(st.integers(0, len(nodes) - 2), max_size=2)))[::-1]:
            nodes.insert(index + 1, BREAK)
        if draw(st.booleans()):
            nodes.insert(0, BREAK)
    return nodes


def paragraphs() -> st.SearchStrategy[dict[str, Any]]:
    return inline().map(lambda nodes: para(*nodes))


def headings() -> st.SearchStrategy[dict[str, Any]]:
    # Levels 3-6 only exist as one-line ATX headings: no hard breaks there.
    return st.integers(1, 6).flatmap(
        lambda level: inline(level <= 2).map(lambda nodes: heading(level, *nodes))
    )


def code_blocks() -> st.SearchStrategy[dict[str, Any]]:
    # CR cannot survive: Markdown normalises line endings before parsing.
    body = st.text(st.one_of(CHARS, st.just("\n")), max_size=30).map(lambda s: s.replace("\r", ""))
    language = st.one_of(st.none(), st.from_regex(r"[a-z0-9+#&;|\\`~.-]{1,8}", fullmatch=True))
    return st.builds(code_block, body, language)


def tables() -> st.SearchStrategy[dict[str, Any]]:
    # Markdown tables: one header row, rectangular, one single-line paragraph per cell.
    def build(width: int, height: int) -> st.SearchStrategy[dict[str, Any]]:
        cell = inline(False, min_size=0)
        row = st.lists(cell, min_size=width, max_size=width)
        return st.builds(lambda h, rs: table(h, *rs), row, st.lists(row, max_size=height))

    return st.tuples(st.integers(1, 3), st.integers(0, 2)).flatmap(lambda wh: build(*wh))


def lists(depth: int) -> st.SearchStrategy[dict[str, Any]]:
    nested = [paragraphs(), code_blocks()]
    if depth > 0:
        nested.append(lists(depth - 1))
    item = st.builds(
        lambda first, rest: [first, *rest], paragraphs(), st.lists(st.one_of(*nested), max_size=2)
    )
    items = st.lists(item, min_size=1, max_size=3)
    return st.one_of(
        items.map(lambda its: bullets(*its)),
        st.builds(lambda n, its: ordered(n, *its), st.integers(0, 999_999_990), items),
    )


def blocks() -> st.SearchStrategy[dict[str, Any]]:
    quote_children = st.one_of(paragraphs(), code_blocks(), lists(1))
    return st.one_of(
        paragraphs(),
        headings(),
        code_blocks(),
        lists(2),
        st.lists(quote_children, min_size=1, max_size=3).map(lambda c: quote(*c)),
        tables(),
        st.just(RULE),
    )


# Documents are drawn in the canonical spelling markdown_to_adf produces (marks ordered link, em,
# strong, strike, code; orderedList always with attrs.order; codeBlock attrs only with a
# language; no attrs on tables and cells). ADF has other spellings of the same content; the test
# does not paper over those, it pins the canonical form.
DOCUMENTS = st.lists(blocks(), max_size=5).map(lambda content: doc(*content))


def normalize(node: Any) -> Any:
    """Merge adjacent text nodes with identical marks - the only normalisation applied.

    ADF can split one run of text into several nodes carrying the same marks; Markdown has no way
    to express that split, so the parser always produces the merged form.
    """
    if isinstance(node, list):
        merged: list[Any] = []
        for child in map(normalize, node):
            prev = merged[-1] if merged else None
            if (
                isinstance(prev, dict)
                and prev.get("type") == child.get("type") == "text"
                and prev.get("marks") == child.get("marks")
            ):
                merged[-1] = {**prev, "text": prev["text"] + child["text"]}
            else:
                merged.append(child)
        return merged
    if isinstance(node, dict):
        return {key: normalize(value) for key, value in node.items()}
    return node


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS)
def test_property_adf_markdown_adf_round_trip(document: dict[str, Any]) -> None:
    assert is_adf_document(document)
    markdown = adf_to_markdown(document)
    assert markdown_to_adf(markdown) == normalize(document), markdown


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), st.text(st.sampled_from(SPECIALS + "ab\n"))))
def test_property_any_text_parses_to_valid_adf(source: str) -> None:
    document = markdown_to_adf(source)
    assert is_adf_document(document)
    assert isinstance(adf_to_markdown(document), str)
    assert isinstance(adf_to_text(document), str)


MARKDOWN_FRAGMENTS = [
    *("- ", "* ", "1. ", "2) ", "> ", "```", "~~~", "| a | b |\n| - | - |\n", "|", "\n", "\n\n"),
    *("    ", "\t", "# ", "===", "---", "***", "*", "**", "_", "~~", "`", "[", "]", "](u)", "!["),
    *("<", "&amp;", "&#32;", "\\", "\\\n", "a", "b c", "\u00a0", ":", "<http://x.y>", "[r]: /u\n"),
]


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(st.text(), st.lists(st.sampled_from(MARKDOWN_FRAGMENTS), max_size=25).map("".join))
)
@example("[\\\n]()")  # a link holding only a hard break: it was kept, and written as nothing
def test_property_converted_markdown_is_a_fixed_point(source: str) -> None:
    # Not required by the round-trip contract, but a strong check of it: whatever
    # markdown_to_adf produces is canonical ADF, so rendering and re-parsing it changes nothing.
    document = markdown_to_adf(source)
    assert markdown_to_adf(adf_to_markdown(document)) == document, adf_to_markdown(document)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_property_plain_text_keeps_every_visible_character(source: str) -> None:
    document = text_to_adf(source)
    assert is_adf_document(document)
    visible = [c for c in source if not c.isspace()]
    assert [c for c in adf_to_text(document) if not c.isspace()] == visible


PLAIN_WORDS = st.text(st.sampled_from("abcxyz ABC.,;:?'\"()-#+=1234567890\u00a0\t"), max_size=12)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(TEXT, PLAIN_WORDS).map(text), min_size=1, max_size=3))
def test_property_plain_paragraph_shortcut_renders_as_the_general_path(
    nodes: list[dict[str, Any]],
) -> None:
    from ticketbridge.connectors.jira import adf_md_inline as renderer

    shortcut = renderer._plain_paragraph(nodes)
    if shortcut is not None:
        assert shortcut == renderer._render_general(nodes, "block")
    assert renderer.render_inline(nodes) == renderer._render_general(nodes, "block")


def test_plain_paragraph_shortcut_takes_the_common_case_only() -> None:
    from ticketbridge.connectors.jira.adf_md_inline import _plain_paragraph

    assert _plain_paragraph([text("Deploy failed on main."), text(" Retry (2x)?")]) == (
        "Deploy failed on main. Retry (2x)?"
    )
    for nodes in (
        [text("bold", STRONG)],
        [text("a_b")],
        [text("1. not a list")],
        [text("# not a heading")],
        [text(" leading space")],
        [text("line\nbreak")],
        [text("a"), BREAK, text("b")],
        [text("")],
    ):
        assert _plain_paragraph(nodes) is None, nodes
