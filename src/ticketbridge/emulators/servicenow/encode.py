"""Records as the Table API returns them: every scalar a string, references as
`{link, value}`, `sysparm_display_value` false/true/all, `sysparm_fields` with dot-walking."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import schema
from .state import InstanceState, Record


@dataclass(frozen=True, slots=True)
class Encoding:
    display: str = "false"  # "false" | "true" | "all"
    exclude_link: bool = False
    fields: tuple[str, ...] = ()
    base: str = ""  # instance origin, for reference links

    @classmethod
    def from_params(cls, params: Any, base: str) -> Encoding:
        display = str(params.get("sysparm_display_value", "false")).lower()
        if display not in ("true", "false", "all"):
            display = "false"
        exclude = str(params.get("sysparm_exclude_reference_link", "false")).lower() == "true"
        raw = params.get("sysparm_fields") or ""
        fields = tuple(f.strip() for f in raw.split(",") if f.strip())
        return cls(display, exclude, fields, base)


def encode(state: InstanceState, table: str, record: Record, enc: Encoding) -> dict[str, Any]:
    """One record, `table` being the table the caller addressed (`task` shows task fields)."""
    spec = schema.TABLES[table]
    names = enc.fields or tuple(spec)
    out: dict[str, Any] = {}
    for name in names:
        resolved = _resolve(state, table, record, name)
        if resolved is None:
            continue  # unknown names in sysparm_fields are ignored
        owner, field, value = resolved
        out[name] = _value(state, owner, field, value, enc)
    return out


def _resolve(
    state: InstanceState, table: str, record: Record, path: str
) -> tuple[str, schema.Field, str] | None:
    """(table owning the field, field, stored value) for a plain or dot-walked name."""
    parts = path.split(".")
    current: Record | None = record
    for index, name in enumerate(parts):
        field = schema.TABLES.get(table, {}).get(name)
        if field is None:
            return None
        value = current.get(name, "") if current is not None else ""
        if index == len(parts) - 1:
            return table, field, value
        if field.kind != schema.REFERENCE:
            return None
        found = state.find(field.ref, value) if value else None
        table, current = field.ref, (found[1] if found else None)
    return None


def display_of(state: InstanceState, table: str, field: schema.Field, value: str) -> str:
    if value == "":
        return ""
    if field.kind == schema.REFERENCE:
        found = state.find(field.ref, value)
        if found is None:
            return ""
        concrete, target = found
        return target.get(schema.display_field(concrete), "")
    if field.kind == schema.JOURNAL:
        return ""
    return schema.choice_label(table, field.name, value)


def _value(state: InstanceState, table: str, field: schema.Field, value: str, enc: Encoding) -> Any:
    if field.kind == schema.REFERENCE and value:
        link = f"{enc.base}/api/now/table/{field.ref}/{value}"
        if enc.display == "false":
            return value if enc.exclude_link else {"link": link, "value": value}
        shown = display_of(state, table, field, value)
        if enc.display == "true":
            return shown if enc.exclude_link else {"display_value": shown, "link": link}
        both: dict[str, str] = {"display_value": shown, "value": value}
        if not enc.exclude_link:
            both["link"] = link
        return both
    if enc.display == "false":
        return value
    shown = display_of(state, table, field, value)
    if enc.display == "true":
        return shown
    return {"display_value": shown, "value": value}
