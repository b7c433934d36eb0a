"""The list path's decoder of stored JSON text (orjson, json.loads for what orjson refuses)
gives what ``json.loads`` - the driver's decoder - gives, for every value a page can hold
(orjson encodes integers of at most 64 bits)."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ticketbridge.itsm.tickets.serialize import json_column as json_loads

pytestmark = pytest.mark.store_independent

values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.floats()  # NaN and infinities too (json.dumps writes them)
    | st.text(),  # lone surrogates too
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def same(a: Any, b: Any) -> bool:
    """Equal with equal types (1 is not 1.0 here), NaN equal to NaN."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    return bool(a == b)


@given(values, st.booleans())
def test_decodes_as_json_loads(value: Any, ascii_only: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only)
    assert same(json_loads(text), json.loads(text))


@pytest.mark.parametrize(
    "text",
    [
        "[1e400]",
        '"\\ud800"',
        "NaN",
        "[" * 2000 + "]" * 2000,
        '{"a": 1, "a": 2}',
        "-0",
        "12345678901234567890.5",
        "null",
    ],
)
def test_where_orjson_differs(text: str) -> None:
    assert same(outcome(json_loads, text), outcome(json.loads, text))


def outcome(loads: Any, text: str) -> Any:
    try:
        return loads(text)
    except RecursionError:  # deeper than json.loads goes: the same error
        return "RecursionError"


def test_sql_null_and_big_integers() -> None:
    assert json_loads(None) is None
    assert json_loads("[18446744073709551616]") == [float(2**64)]
