"""Table API handlers (`/api/now[/v1|/v2]/table/{table}[/{sys_id}]`) and the Aggregate count."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from . import schema
from .calls import Call, Reply
from .encode import Encoding, encode
from .errors import SNError, invalid_table, no_record
from .query import Condition, QuerySyntaxError, parse
from .query_eval import run
from .state import InstanceState

DEFAULT_LIMIT = 10000


def _flag(call: Call, name: str) -> bool:
    return str(call.params.get(name, "false")).lower() == "true"


def _int_param(call: Call, name: str, default: int) -> int:
    raw = call.params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        return default


def _known(state: InstanceState, table: str) -> None:
    if not state.known(table):
        raise invalid_table(table)


def _user_sys_id(state: InstanceState, call: Call) -> str:
    user = state.user_by_name(call.user)
    return user["sys_id"] if user else ""


def _name_value_filters(state: InstanceState, table: str, call: Call) -> list[Condition]:
    """`&field=value` pairs; choices and references also take display values."""
    conditions = []
    for name, value in call.params.multi_items():
        if name.startswith("sysparm_"):
            continue
        spec = schema.TABLES[table].get(name)
        if spec is not None and spec.kind == schema.REFERENCE and value:
            value = _reference_id(state, spec.ref, value)
        elif spec is not None:
            value = schema.choice_value(table, name, value)
        conditions.append(Condition(name, "=", value, valid=spec is not None))
    return conditions


def _reference_id(state: InstanceState, table: str, text: str) -> str:
    """A sys_id as is; otherwise the record whose display value is `text`."""
    if state.find(table, text) is not None:
        return text
    for concrete, record in state.rows(table):
        if record.get(schema.display_field(concrete)) == text:
            return record["sys_id"]
    return text


def list_records(
    state: InstanceState, call: Call, table: str, version: str, no_rows_on_invalid: bool
) -> tuple[Reply, int]:
    """The page and its headers; also the page size (for the transaction quota)."""
    _known(state, table)
    limit = _int_param(call, "sysparm_limit", DEFAULT_LIMIT)
    offset = _int_param(call, "sysparm_offset", 0)
    if offset < 0:
        raise SNError(400, "Invalid value for sysparm_offset", "Negative offset is not supported")
    if limit <= 0:
        limit = DEFAULT_LIMIT
    text = call.params.get("sysparm_query", "")
    try:
        query = parse(text)
    except QuerySyntaxError as exc:
        raise SNError(400, "Invalid query", str(exc)) from None
    extra = [] if text else _name_value_filters(state, table, call)
    rows = run(state, table, query, extra, _user_sys_id(state, call), no_rows_on_invalid)
    total = len(rows)
    page = rows[offset : offset + limit]
    enc = Encoding.from_params(call.params, call.base)
    result = [encode(state, table, record, enc) for _, record in page]
    headers: dict[str, str] = {}
    if not _flag(call, "sysparm_no_count"):
        headers["X-Total-Count"] = str(total)
    if not _flag(call, "sysparm_suppress_pagination_header"):
        link = _link_header(call, total, limit, offset)
        if link:
            headers["Link"] = link
    if not result and version == "v1":
        raise no_record()
    return Reply(200, {"result": result}, headers), len(page)


def _link_header(call: Call, total: int, limit: int, offset: int) -> str:
    if offset == 0 and total <= limit:
        return ""
    last = max(0, (total - 1) // limit * limit)
    targets = [("first", 0)]
    if offset > 0:
        targets.append(("prev", max(0, offset - limit)))
    if offset + limit < total:
        targets.append(("next", offset + limit))
    targets.append(("last", last))
    parts = []
    for rel, target in targets:
        params = [(k, v) for k, v in call.params.multi_items() if k not in _PAGING]
        params += [("sysparm_offset", str(target)), ("sysparm_limit", str(limit))]
        parts.append(f'<{call.base}{call.path}?{urlencode(params)}>;rel="{rel}"')
    return ",".join(parts)


_PAGING = ("sysparm_offset", "sysparm_limit")


def get_record(state: InstanceState, call: Call, table: str, sys_id: str) -> Reply:
    _, record = state.get(table, sys_id)
    return Reply(200, {"result": encode(state, table, record, _enc(call))})


def _enc(call: Call) -> Encoding:
    return Encoding.from_params(call.params, call.base)


def write_values(state: InstanceState, table: str, call: Call) -> dict[str, str]:
    """The body's fields as stored strings (first element of an array; display values
    resolved with sysparm_input_display_value=true)."""
    body = call.json_body()
    if isinstance(body, list):
        body = body[0] if body else {}
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise SNError(400, "Exception while reading request", "The payload is not valid JSON.")
    display = _flag(call, "sysparm_input_display_value")
    spec = schema.TABLES[table if table != "task" else "task"]
    values: dict[str, str] = {}
    for name, raw in body.items():
        value = _as_string(raw)
        field = spec.get(name)
        if display and field is not None and value:
            if field.kind == schema.REFERENCE:
                value = _reference_id(state, field.ref, value)
            else:
                value = schema.choice_value(table, name, value)
        values[str(name)] = value
    return values


def _as_string(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, dict):
        return _as_string(raw.get("value", raw.get("sys_id", "")))
    if isinstance(raw, list):
        return ",".join(_as_string(v) for v in raw)
    return str(raw)


def create_record(state: InstanceState, call: Call, table: str) -> Reply:
    _known(state, table)
    record = state.insert(table, write_values(state, table, call), call.user)
    location = f"{call.base}/api/now/table/{table}/{record['sys_id']}"
    body = {"result": encode(state, table, record, _enc(call))}
    return Reply(201, body, {"Location": location})


def update_record(state: InstanceState, call: Call, table: str, sys_id: str) -> Reply:
    _known(state, table)
    state.get(table, sys_id)
    auto_sys = not _flag(call, "sysparm_suppress_auto_sys_field")
    record = state.update(table, sys_id, write_values(state, table, call), call.user, auto_sys)
    return Reply(200, {"result": encode(state, table, record, _enc(call))})


def delete_record(state: InstanceState, call: Call, table: str, sys_id: str) -> Reply:
    state.delete(table, sys_id, call.user)
    return Reply(204, None)


def count_records(state: InstanceState, call: Call, table: str) -> Reply:
    """`GET /api/now/stats/{table}?sysparm_count=true` (Aggregate API, count only)."""
    _known(state, table)
    try:
        query = parse(call.params.get("sysparm_query", ""))
    except QuerySyntaxError as exc:
        raise SNError(400, "Invalid query", str(exc)) from None
    rows = run(state, table, query, (), _user_sys_id(state, call))
    stats: dict[str, Any] = {"count": str(len(rows))} if _flag(call, "sysparm_count") else {}
    return Reply(200, {"result": {"stats": stats}})
