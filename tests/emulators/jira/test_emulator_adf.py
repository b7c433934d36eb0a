"""The emulator's own ADF rules: it refuses the rich text Jira refuses, with Jira's answers,
and takes what Jira takes (over HTTP: create, edit, comment, bulk; and the rules directly)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ticketbridge.emulators.jira import adf
from ticketbridge.emulators.jira.adf_text import document_text, text_to_document

pytestmark = pytest.mark.store_independent

V3 = "/rest/api/3"
V2 = "/rest/api/2"
INVALID_INPUT = {"errorMessages": ["INVALID_INPUT"], "errors": {}}
ADF_REQUIRED = "Operation value must be an Atlassian Document (see the Atlassian Document Format)"


def text(value: str, *marks: dict[str, Any]) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "text", "text": value}
    if marks:
        node["marks"] = list(marks)
    return node


def para(*inline: dict[str, Any]) -> dict[str, Any]:
    return {"type": "paragraph", "content": list(inline)}


def doc(*blocks: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "doc", "version": 1, "content": list(blocks), **extra}


def items(*texts: str) -> list[dict[str, Any]]:
    return [{"type": "listItem", "content": [para(text(t))]} for t in texts]


VALID = {
    "empty": doc(),
    "paragraph": doc(para(text("Hello"))),
    "empty paragraph": doc({"type": "paragraph"}),
    "marks": doc(
        para(
            text("bold", {"type": "strong"}, {"type": "em"}),
            text("code link", {"type": "code"}, {"type": "link", "attrs": {"href": "https://x"}}),
        )
    ),
    "heading": doc({"type": "heading", "attrs": {"level": 3}, "content": [text("Title")]}),
    "lists": doc(
        {"type": "bulletList", "content": items("one", "two")},
        {"type": "orderedList", "attrs": {"order": 3}, "content": items("three")},
    ),
    "code block": doc({"type": "codeBlock", "attrs": {"language": "python"}, "content": []}),
    "table": doc(
        {
            "type": "table",
            "content": [
                {
                    "type": "tableRow",
                    "content": [
                        {"type": "tableHeader", "content": [para(text("a"))]},
                        {"type": "tableCell", "content": [para(text("b"))]},
                    ],
                }
            ],
        }
    ),
    "panel and rule": doc(
        {"type": "panel", "attrs": {"panelType": "info"}, "content": [para(text("Note"))]},
        {"type": "rule"},
    ),
    "inline nodes": doc(
        para(
            {"type": "mention", "attrs": {"id": "abc", "text": "@Mia"}},
            {"type": "hardBreak"},
            {"type": "emoji", "attrs": {"shortName": ":smile:"}},
            {"type": "status", "attrs": {"text": "DONE", "color": "green"}},
            {"type": "date", "attrs": {"timestamp": "1700000000000"}},
        )
    ),
}

INVALID = {
    "wrong version": doc(para(text("x")), version=2),
    "not a doc": {"type": "paragraph", "content": [text("x")]},
    "unknown node": doc({"type": "marquee", "content": [text("x")]}),
    "text at top level": doc(text("x")),
    "empty text": doc(para(text(""))),
    "unknown mark": doc(para(text("x", {"type": "blink"}))),
    "code with strong": doc(para(text("x", {"type": "code"}, {"type": "strong"}))),
    "link without href": doc(para(text("x", {"type": "link", "attrs": {}}))),
    "heading without level": doc({"type": "heading", "content": [text("x")]}),
    "heading level 7": doc({"type": "heading", "attrs": {"level": 7}, "content": [text("x")]}),
    "empty list": doc({"type": "bulletList", "content": []}),
    "list item starting with a list": doc(
        {
            "type": "bulletList",
            "content": [
                {"type": "listItem", "content": [{"type": "bulletList", "content": items("x")}]}
            ],
        }
    ),
    "marked text in a code block": doc(
        {"type": "codeBlock", "content": [text("x", {"type": "strong"})]}
    ),
    "panel without type": doc({"type": "panel", "content": [para(text("x"))]}),
    "heading inside a blockquote": doc(
        {
            "type": "blockquote",
            "content": [{"type": "heading", "attrs": {"level": 1}, "content": [text("x")]}],
        }
    ),
}


@pytest.mark.parametrize("value", VALID.values(), ids=list(VALID))
def test_rules_accept_valid_documents(value: dict[str, Any]) -> None:
    assert adf.problem(value) is None


@pytest.mark.parametrize("value", INVALID.values(), ids=list(INVALID))
def test_rules_refuse_invalid_documents_with_invalid_input(value: dict[str, Any]) -> None:
    assert adf.problem(value) == adf.INVALID_INPUT


@pytest.mark.parametrize("value", ["plain", ["a"], 3, True])
def test_rules_refuse_non_objects_as_not_a_document(value: Any) -> None:
    assert adf.problem(value) == ADF_REQUIRED


def nested_lists(levels: int) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "bulletList", "content": items("x")}
    for _ in range(levels):
        item = {"type": "listItem", "content": [para(text("x")), node]}
        node = {"type": "bulletList", "content": [item]}
    return doc(node)


def test_rules_take_deep_lists_but_refuse_absurd_nesting() -> None:
    assert adf.problem(nested_lists(20)) is None
    assert adf.problem(nested_lists(adf.MAX_NESTING // 2 + 1)) == adf.INVALID_INPUT


def test_plain_text_layout_and_v2_documents() -> None:
    assert document_text(VALID["lists"]) == "one\ntwo\n\nthree"
    assert document_text(VALID["table"]) == "a\tb"
    assert document_text(VALID["inline nodes"]) == "@Mia\n:smile:DONE2023-11-14"
    assert document_text(doc(para(text("a")), {"type": "rule"}, para(text("b")))) == "a\n\nb"
    assert text_to_document("one\ntwo\n\n  \nthree") == doc(
        para(text("one"), {"type": "hardBreak"}, text("two")), para(text("three"))
    )
    assert text_to_document("") == doc()


def task(**fields: Any) -> dict[str, Any]:
    return {
        "fields": {
            "project": {"key": "ENG"},
            "issuetype": {"name": "Task"},
            "summary": "ADF rules",
            **fields,
        }
    }


@pytest.mark.parametrize(
    "value",
    [INVALID["unknown node"], INVALID["code with strong"], INVALID["empty text"]],
    ids=["unknown node", "code with strong", "empty text"],
)
def test_create_edit_and_comment_refuse_invalid_documents_like_jira(
    client: httpx.Client, value: dict[str, Any]
) -> None:
    response = client.post(f"{V3}/issue", json=task(description=value))
    assert response.status_code == 400
    assert response.json() == INVALID_INPUT
    key = client.post(f"{V3}/issue", json=task()).json()["key"]
    response = client.put(f"{V3}/issue/{key}", json={"fields": {"description": value}})
    assert (response.status_code, response.json()) == (400, INVALID_INPUT)
    response = client.post(f"{V3}/issue/{key}/comment", json={"body": value})
    assert (response.status_code, response.json()) == (400, INVALID_INPUT)
    assert client.get(f"{V3}/issue/{key}").json()["fields"]["description"] is None
    assert client.get(f"{V3}/issue/{key}/comment").json()["total"] == 0


def test_a_string_in_v3_is_a_field_error(client: httpx.Client) -> None:
    response = client.post(f"{V3}/issue", json=task(description="plain", summary=""))
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "description": ADF_REQUIRED,
        "summary": "You must specify a summary of the issue.",
    }


def test_bulk_reports_an_invalid_document_per_element(client: httpx.Client) -> None:
    body = {
        "issueUpdates": [task(description=VALID["lists"]), task(description=INVALID["empty list"])]
    }
    response = client.post(f"{V3}/issue/bulk", json=body)
    assert response.status_code == 201
    answer = response.json()
    assert len(answer["issues"]) == 1
    assert answer["errors"] == [
        {"status": 400, "failedElementNumber": 1, "elementErrors": INVALID_INPUT}
    ]


@pytest.mark.parametrize("name", list(VALID))
def test_valid_documents_are_stored_and_read_back(client: httpx.Client, name: str) -> None:
    value = VALID[name]
    response = client.post(f"{V3}/issue", json=task(description=value))
    assert response.status_code == 201, response.text
    key = response.json()["key"]
    assert client.get(f"{V3}/issue/{key}").json()["fields"]["description"] == value
    v2 = client.get(f"{V2}/issue/{key}").json()["fields"]["description"]
    assert v2 == document_text(value)
