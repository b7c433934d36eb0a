"""Every decoder at the edge gives a value or a clean error, never an exception.

Properties (hypothesis) of the pure decoders behind the query strings and bodies callers
send: list cursors, ``updatedSince`` timestamps, vendor-bound JSON (``custom_fields``) and the
body guard's lone-surrogate scan.
"""

from __future__ import annotations

import base64
import json
import math
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from ticketbridge.errors import Unprocessable
from ticketbridge.itsm.paging import decode_cursor, encode_cursor
from ticketbridge.itsm.tickets.schemas import TicketCreate
from ticketbridge.itsm.timestamps import parse_timestamp
from ticketbridge.itsm.vendor_json import (
    INT_MAX,
    INT_MIN,
    MAX_DEPTH,
    check_vendor_json,
    lone_surrogate,
)

# No wall-clock limit (a loaded machine must not fail a property); more examples than the default.
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text with everything a JSON string can carry, lone surrogates included.
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=20)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=True, allow_infinity=True)
    | ANY_TEXT
)
JSONISH = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=4),
    max_leaves=30,
)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value).encode("utf-8", "surrogatepass")


# --- cursors -------------------------------------------------------------------------


def _cursor_decodes_or_422(cursor: str) -> None:
    try:
        direction, key = decode_cursor(cursor)
    except Unprocessable as exc:
        assert exc.body()["field"] == "cursor"
        return
    assert direction in ("n", "p") and isinstance(key, uuid.UUID)


@PROPERTY
@given(st.text(max_size=300))
def test_any_text_is_a_cursor_or_a_422(cursor: str) -> None:
    _cursor_decodes_or_422(cursor)


@PROPERTY
@given(JSONISH)
def test_any_json_in_base64_is_a_cursor_or_a_422(value: Any) -> None:
    _cursor_decodes_or_422(_b64(_json_bytes(value)))


@PROPERTY
@given(st.dictionaries(st.sampled_from(["d", "k", "x"]), JSONISH, max_size=3))
def test_forged_slots_are_a_cursor_or_a_422(value: dict[str, Any]) -> None:
    _cursor_decodes_or_422(_b64(_json_bytes(value)))


@PROPERTY
@given(st.binary(max_size=150))
def test_any_bytes_in_base64_are_a_cursor_or_a_422(raw: bytes) -> None:
    _cursor_decodes_or_422(_b64(raw))


@PROPERTY
@given(st.sampled_from(["n", "p"]), st.uuids())
def test_cursors_we_make_decode_to_what_they_hold(direction: str, key: uuid.UUID) -> None:
    assert decode_cursor(encode_cursor(direction, key)) == (direction, key)


# --- timestamps ----------------------------------------------------------------------


def _timestamp_or_value_error(text: str) -> datetime | None:
    try:
        parsed = parse_timestamp(text)
    except ValueError as exc:
        str(exc).encode("utf-8")  # a message fit for an answer
        return None
    assert parsed.tzinfo is not None and parsed.utcoffset() == timedelta(0)
    return parsed


@PROPERTY
@given(st.text(max_size=80))
def test_any_text_is_a_utc_timestamp_or_a_value_error(text: str) -> None:
    _timestamp_or_value_error(text)


@PROPERTY
@given(
    st.from_regex(
        r"[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
        r"([Zz]|[+-][0-9]{2}:?[0-9]{2})?)?",
        fullmatch=True,
    )
)
def test_well_formed_looking_text_is_a_utc_timestamp_or_a_value_error(text: str) -> None:
    _timestamp_or_value_error(text)


@PROPERTY
@given(st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=-5))])))
def test_aware_timestamps_read_back_as_the_same_moment(moment: datetime) -> None:
    try:
        moment.astimezone(UTC)
    except OverflowError:  # not a moment in years 1..9999 once in UTC: refused cleanly
        assert _timestamp_or_value_error(moment.isoformat()) is None
        return
    assert parse_timestamp(moment.isoformat()) == moment


@PROPERTY
@given(st.datetimes())
def test_timestamps_without_offset_are_utc(moment: datetime) -> None:
    assert parse_timestamp(moment.isoformat()) == moment.replace(tzinfo=UTC)
    assert parse_timestamp(moment.date().isoformat()) == datetime.combine(
        moment.date(), datetime.min.time(), UTC
    )


# --- vendor-bound JSON ---------------------------------------------------------------


@PROPERTY
@given(JSONISH)
def test_vendor_json_passes_only_what_round_trips_unchanged(value: Any) -> None:
    try:
        check_vendor_json(value)
    except ValueError as exc:
        assert str(exc).startswith("custom_fields")
        str(exc).encode("utf-8")
        return
    # What passes is encoded for the vendor and read back as it was: nothing dropped.
    assert orjson.loads(orjson.dumps(value)) == value


@PROPERTY
@given(st.floats(allow_nan=True, allow_infinity=True) | st.integers(min_value=-(2**70)))
def test_vendor_json_numbers_outside_the_limits_are_refused(number: float | int) -> None:
    fine = isinstance(number, int) and INT_MIN <= number <= INT_MAX
    fine = fine or (isinstance(number, float) and math.isfinite(number))
    if fine:
        check_vendor_json({"n": number})
    else:
        with pytest.raises(ValueError, match=r"custom_fields\.n"):
            check_vendor_json({"n": number})


@PROPERTY
@given(st.integers(min_value=0, max_value=3 * MAX_DEPTH))
def test_vendor_json_depth_limit(depth: int) -> None:
    value: Any = 1
    for _ in range(depth):
        value = {"x": value}
    if depth <= MAX_DEPTH:
        check_vendor_json(value)
    else:
        with pytest.raises(ValueError, match="nests deeper"):
            check_vendor_json(value)


@PROPERTY
@given(st.dictionaries(ANY_TEXT, JSONISH, max_size=4) | JSONISH)
def test_ticket_create_takes_any_custom_fields_or_refuses_them(fields: Any) -> None:
    body = {"name": "x", "project_vendor_id": "ENG", "type": "Task", "custom_fields": fields}
    try:
        TicketCreate.model_validate(body)
    except ValidationError as exc:
        json.dumps(exc.errors(include_input=False, include_context=False)).encode("utf-8")


# --- the body guard's surrogate scan -------------------------------------------------


@PROPERTY
@given(JSONISH)
def test_lone_surrogate_scan_finds_exactly_the_text_utf8_cannot_encode(value: Any) -> None:
    where = lone_surrogate(_json_bytes(value))
    encodable = True
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        encodable = False
    assert (where is None) == encodable
    if where is not None:
        where.encode("utf-8")


@PROPERTY
@given(st.binary(max_size=200))
def test_lone_surrogate_scan_takes_any_bytes(raw: bytes) -> None:
    where = lone_surrogate(raw)
    assert where is None or isinstance(where, str)
