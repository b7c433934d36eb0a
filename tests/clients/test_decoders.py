"""The SDK's and the import's decoders at the edge: a value or a clean error, never a crash."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import typer
from hypothesis import given
from hypothesis import strategies as st

from ticketbridge.cli_import import read_rows, to_ticket
from ticketbridge_client.errors import TicketBridgeError, error_from, retry_after_seconds

pytestmark = pytest.mark.store_independent

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(
    status=st.integers(min_value=300, max_value=599),
    body=st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode()),
    retry_after=st.none()
    | st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=12),
)
def test_any_error_answer_becomes_a_typed_error(
    status: int, body: bytes, retry_after: str | None
) -> None:
    headers = httpx.Headers(
        {"Retry-After": retry_after}
        if retry_after is not None and retry_after.isprintable()
        else {}
    )
    error = error_from(status, body, headers)
    assert isinstance(error, TicketBridgeError)
    assert error.status == status and isinstance(error.code, str) and error.code
    assert "\n" not in str(error).strip() or isinstance(error.detail, str)
    assert error.retry_after is None or error.retry_after >= 0


@given(st.text(max_size=20))
def test_retry_after_is_seconds_or_none(value: str) -> None:
    seconds = retry_after_seconds({"retry-after": value})
    assert seconds is None or seconds >= 0


@given(st.dictionaries(st.text(max_size=20), st.none() | st.text(max_size=40), max_size=8))
def test_a_csv_row_is_a_ticket_or_a_value_error(row: dict[str, str | None]) -> None:
    try:
        ticket = to_ticket(row)
    except ValueError as exc:
        assert str(exc)
    else:
        assert ticket["name"]


@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_a_file_is_rows_or_reasons(tmp_path_factory: pytest.TempPathFactory, raw: bytes) -> None:
    folder = tmp_path_factory.mktemp("rows")
    for name in ("rows.jsonl", "rows.csv"):
        path = folder / name
        path.write_bytes(raw)
        try:
            rows = list(read_rows(path))
        except typer.Exit as exc:  # not UTF-8 (or not CSV): one error line (test below)
            assert exc.exit_code == 2
            continue
        for n, row in rows:
            assert n >= 1 and isinstance(row, dict | str)


def test_a_file_that_is_not_utf8_is_one_clean_line(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from ticketbridge.cli import app

    path = tmp_path / "rows.csv"
    path.write_bytes(b"name\n\xff\xfe bad\n")
    result = CliRunner().invoke(
        app,
        ["tickets", "import", str(path)],
        env={"TICKETBRIDGE_API_URL": "http://127.0.0.1:9", "TICKETBRIDGE_API_KEY": "tb_x"},
    )
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().startswith("error:") and len(result.stderr.splitlines()) == 1
