"""A connection's options: JSON merge patch (RFC 7396) and what a change asks of the sync."""

from __future__ import annotations

from typing import Any

from ticketbridge.connectors.registry import resync_keys, validate_options

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


def patched(
    vendor: str, current: dict[str, Any] | None, patch: dict[str, Any] | None
) -> dict[str, Any]:
    """The options after `patch` (None: the defaults), validated against the vendor's model
    (``connectors.registry.validate_options``): a 422 names the field."""
    merged = merge_patch(current or {}, patch) if patch is not None else {}
    return validate_options(vendor, merged)


def needs_full_resync(
    vendor: str, before: dict[str, Any] | None, after: dict[str, Any] | None
) -> bool:
    """Whether a change of options must reach tickets synced before it (the vendor's
    ``resync_keys``: a filter, the tables, a mapping)."""
    old, new = before or {}, after or {}
    return any(_normal(old.get(k)) != _normal(new.get(k)) for k in resync_keys(vendor))


def _normal(value: Any) -> Any:
    if isinstance(value, list):  # a filter or a set of tables: order does not matter
        return sorted(set(map(str, value))) or None
    return value or None
