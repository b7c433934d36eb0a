"""Free-form JSON a caller sends on to the vendor (``custom_fields``), checked at the edge.

Whatever passes here can be stored, encoded for the vendor and read back unchanged, so a
value that would fail deep in a job (an encoder's TypeError) or vanish on the way (a NaN
serialized as null) is refused with a message naming where it sits. Limits, documented in
docs/api.md ("Input validation"):

- objects nest at most ``MAX_DEPTH`` levels (the vendor's fields are a few levels deep);
- integers fit in 64 bits (signed); floats are finite (no NaN, Infinity, 1e999);
- text and keys are valid Unicode (no lone surrogates); keys are 1 to 255 characters;
- at most ``MAX_NODES`` values in all.

`lone_surrogate` is the request-wide half: the API's input guard uses it to refuse any JSON
body with text that is not valid Unicode, whatever field it sits in.
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_DEPTH = 32
MAX_NODES = 10_000
MAX_KEY_LENGTH = 255
INT_MIN = -(2**63)
INT_MAX = 2**63 - 1


def printable(text: str) -> str:
    """`text` safe to put in a JSON answer: lone surrogates become ``\\udXXX`` escapes."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _valid_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _path(root: str, parts: list[str | int]) -> str:
    out = root
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{printable(part)}"
    return out


def check_vendor_json(value: Any, root: str = "custom_fields") -> None:
    """Raises ValueError naming the first offending place under `root`; returns otherwise.

    Iterative (an explicit stack), so no input can exhaust the interpreter's recursion.
    """
    stack: list[tuple[Any, list[str | int]]] = [(value, [])]
    nodes = 0
    while stack:
        item, parts = stack.pop()
        nodes += 1
        if len(parts) > MAX_DEPTH:
            raise ValueError(f"{_path(root, parts)} nests deeper than {MAX_DEPTH} levels")
        if item is None or isinstance(item, bool):
            continue
        if isinstance(item, int):
            if not INT_MIN <= item <= INT_MAX:
                raise ValueError(f"{_path(root, parts)}: integers must fit in 64 bits (signed)")
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise ValueError(
                    f"{_path(root, parts)}: numbers must be finite (no NaN or Infinity)"
                )
        elif isinstance(item, str):
            if not _valid_unicode(item):
                raise ValueError(
                    f"{_path(root, parts)}: text must be valid Unicode (lone surrogate)"
                )
        elif isinstance(item, dict | list):
            if nodes + len(stack) + len(item) > MAX_NODES:
                raise ValueError(f"{root} holds more than {MAX_NODES} values")
            if isinstance(item, list):
                stack.extend((child, [*parts, i]) for i, child in enumerate(item))
                continue
            for key, child in item.items():
                if not isinstance(key, str):
                    raise ValueError(f"{_path(root, parts)}: keys must be text")
                if not _valid_unicode(key):
                    raise ValueError(
                        f"{_path(root, parts)}: key '{printable(key)}' must be valid Unicode "
                        "(lone surrogate)"
                    )
                if not 1 <= len(key) <= MAX_KEY_LENGTH:
                    raise ValueError(
                        f"{_path(root, parts)}: keys must be 1 to {MAX_KEY_LENGTH} characters"
                    )
                stack.append((child, [*parts, key]))
        else:
            raise ValueError(f"{_path(root, parts)}: {type(item).__name__} is not a JSON value")


def lone_surrogate(document: bytes) -> str | None:
    """Where the JSON `document` holds a lone UTF-16 surrogate (``"a\\ud800"``), in a value
    or a key, as a path (``tags[0]``, ``custom_fields.x``); None when it holds none or is not
    JSON (the body parser reports that). Such text passes ``json.loads`` but cannot be
    encoded as UTF-8 again: by the database drivers, the vendor client or our answers."""
    try:
        value = json.loads(document)
    except (ValueError, RecursionError):
        return None
    # Each entry carries its place as a linked list (key, parent): no path is copied per value.
    Place = tuple[str | int, Any] | None
    stack: list[tuple[Any, Place]] = [(value, None)]
    while stack:
        item, place = stack.pop()
        if isinstance(item, str):
            if not _valid_unicode(item):
                return _place_path(place)
        elif isinstance(item, list):
            stack.extend((child, (i, place)) for i, child in reversed(list(enumerate(item))))
        elif isinstance(item, dict):
            for key, child in reversed(item.items()):
                if not _valid_unicode(key):
                    return _place_path((key, place))
                stack.append((child, (key, place)))
    return None


def _place_path(place: tuple[str | int, Any] | None) -> str:
    parts: list[str | int] = []
    while place is not None:
        parts.append(place[0])
        place = place[1]
    return _path("", parts[::-1]).lstrip(".") or "body"
