"""Typed comparison of stored values, and the `javascript:` value forms a query may carry.

The session user's time zone is UTC in the emulator, so `gs.dateGenerate` and the
`gs.*Ago*` helpers give UTC date-times directly.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from . import schema
from .state import fmt

_DATE_GENERATE = re.compile(
    r"""gs\.dateGenerate\(\s*(['"])(\d{4}-\d{2}-\d{2})( \d{2}:\d{2}:\d{2})?\1\s*"""
    r"""(?:,\s*(['"])([^'"]*)\4\s*)?\)"""
)
_AGO = re.compile(r"gs\.(daysAgo|daysAgoStart|daysAgoEnd|hoursAgo|minutesAgo)\(\s*(-?\d+)\s*\)")
_PLAIN = re.compile(r"gs\.(beginningOfToday|endOfToday|nowDateTime|getUserID)\(\s*\)")
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


class BadValue(ValueError):
    """A value the instance cannot evaluate (makes its condition invalid)."""


def script_value(text: str, user_sys_id: str, now: datetime | None = None) -> str:
    """Evaluate a `javascript:` value; plain values come back unchanged."""
    if not text.startswith("javascript:"):
        return text
    script = text[len("javascript:") :].strip().rstrip(";")
    moment = now or datetime.now(UTC)
    if match := _DATE_GENERATE.fullmatch(script):
        # ('date', 'time' | 'start' | 'end'), or one 'date time' argument (as pysnow sends)
        day, clock = match.group(2), (match.group(3) or "").strip() or match.group(5) or "start"
        clock = {"start": "00:00:00", "end": "23:59:59"}.get(clock, clock)
        try:
            return fmt(datetime.strptime(f"{day} {clock}", "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC))
        except ValueError:
            raise BadValue(text) from None
    if match := _AGO.fullmatch(script):
        name, amount = match.group(1), int(match.group(2))
        if name == "hoursAgo":
            return fmt(moment - timedelta(hours=amount))
        if name == "minutesAgo":
            return fmt(moment - timedelta(minutes=amount))
        day = moment - timedelta(days=amount)
        if name == "daysAgoStart":
            day = day.replace(hour=0, minute=0, second=0)
        elif name == "daysAgoEnd":
            day = day.replace(hour=23, minute=59, second=59)
        return fmt(day)
    if match := _PLAIN.fullmatch(script):
        name = match.group(1)
        if name == "getUserID":
            return user_sys_id
        if name == "beginningOfToday":
            return fmt(moment.replace(hour=0, minute=0, second=0))
        if name == "endOfToday":
            return fmt(moment.replace(hour=23, minute=59, second=59))
        return fmt(moment)
    raise BadValue(text)


def normalise(kind: str, text: str) -> str:
    """A query literal in the stored form of a field of this kind."""
    if kind == schema.DATETIME and _DATE_ONLY.match(text):
        return f"{text} 00:00:00"
    return text


def sort_key(kind: str, value: str) -> tuple[int, float, str]:
    """Empty values first; integers numerically; everything else as text."""
    if value == "":
        return (0, 0.0, "")
    if kind == schema.INTEGER:
        try:
            return (1, float(value), "")
        except ValueError:
            pass
    return (1, 0.0, value)


def compare(kind: str, left: str, op: str, right: str) -> bool:
    """`left op right` for <, <=, >, >= on a field of `kind` (empty never matches)."""
    if left == "" or right == "":
        return False
    if kind == schema.INTEGER:
        try:
            a, b = float(left), float(right)
        except ValueError:
            return False
        return _cmp(a, op, b)
    if kind == schema.DATETIME and not _DATE_TIME.match(right):
        return False
    return _cmp(left, op, right)


def _cmp(a: float | str, op: str, b: float | str) -> bool:
    if op == "<":
        return a < b  # type: ignore[operator]
    if op == "<=":
        return a <= b  # type: ignore[operator]
    if op == ">":
        return a > b  # type: ignore[operator]
    return a >= b  # type: ignore[operator]
