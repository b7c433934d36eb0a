"""A connection's options: JSON merge patch (RFC 7396) and what a change asks of the sync."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ticketbridge.errors import Unprocessable
from ticketbridge.provisioning.schemas import ConnectionOptions

# Options that decide which tickets are stored and how they read: a change to any of them
# makes the next sync a full one, so tickets synced before the change follow it too.
RESYNC_KEYS = ("project_keys_filter", "status_mapping", "priority_mapping")

# Options nest two levels (a mapping's entries); below that a patch is taken as it comes and
# validation refuses it, so a deeply nested body is never walked.
_MAX_DEPTH = 4


def merge_patch(target: Any, patch: Any, depth: int = 0) -> Any:
    """RFC 7396: an object patch merges into an object target key by key (a key set to
    null is removed, nested objects merge the same way); any other patch replaces."""
    if not isinstance(patch, dict):
        return patch
    if depth >= _MAX_DEPTH:
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value, depth + 1)
    return result


def patched(current: dict[str, Any] | None, patch: dict[str, Any] | None) -> dict[str, Any]:
    """The options after `patch` (None: the defaults), validated: a 422 names the field."""
    merged = merge_patch(current or {}, patch) if patch is not None else {}
    try:
        options = ConnectionOptions.model_validate(merged)
    except ValidationError as exc:
        first = exc.errors()[0]
        # Path parts come from the input (mapping keys): cut long ones.
        where = ".".join(_cut(str(p)) for p in ("options", *first.get("loc", ())))
        raise Unprocessable(f"{where}: {first.get('msg', 'invalid')}", field=where) from None
    return options.model_dump(mode="json")


def _cut(part: str, limit: int = 60) -> str:
    return part if len(part) <= limit else part[:limit] + "..."


def needs_full_resync(before: dict[str, Any] | None, after: dict[str, Any] | None) -> bool:
    """Whether a change of options must reach tickets synced before it."""
    old, new = before or {}, after or {}
    return any(_normal(k, old.get(k)) != _normal(k, new.get(k)) for k in RESYNC_KEYS)


def _normal(key: str, value: Any) -> Any:
    if key == "project_keys_filter":  # order does not matter; empty means no filter
        return sorted(set(value)) if value else None
    return value or {}
