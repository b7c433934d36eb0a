"""Value semantics of the emulator's JQL: field accessors, dates and date functions, issue
keys and issue property values (text search: `jql_text.py`). Pure helpers that know nothing
about the syntax tree; `jql_eval.py` combines them into predicates."""

from __future__ import annotations

import math
from calendar import monthrange
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from operator import attrgetter
from typing import Any

# --- values: dates and functions -------------------------------------------------------------

_UNITS = {
    "w": timedelta(weeks=1),
    "d": timedelta(days=1),
    "h": timedelta(hours=1),
    "m": timedelta(minutes=1),
}
_ABSOLUTE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M")
_MIN = datetime.min.replace(tzinfo=UTC)
_MAX = datetime.max.replace(tzinfo=UTC)


def _digits(s: str) -> bool:
    return s.isascii() and s.isdigit()


@dataclass(frozen=True, slots=True)
class _Func:
    name: str
    max_args: int
    unit: str = ""  # natural period of start/end functions: d w M y
    end: bool = False


FUNCTIONS = {
    f.name.lower(): f
    for f in (
        _Func("currentUser", 0),
        _Func("now", 0),
        _Func("startOfDay", 1, "d"),
        _Func("endOfDay", 1, "d", end=True),
        _Func("startOfWeek", 1, "w"),
        _Func("endOfWeek", 1, "w", end=True),
        _Func("startOfMonth", 1, "M"),
        _Func("endOfMonth", 1, "M", end=True),
        _Func("startOfYear", 1, "y"),
        _Func("endOfYear", 1, "y", end=True),
    )
}


def utc_now(now: datetime) -> datetime:
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)


def parse_absolute(text: str) -> datetime | None:
    """'yyyy-MM-dd', 'yyyy/MM/dd', optionally followed by ' HH:mm'; interpreted in UTC."""
    for fmt in _ABSOLUTE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def parse_period(text: str) -> timedelta | None:
    """Relative periods such as '-7d', '4h', '-2w', '-30m', '4w 2d' (sign applies to all)."""
    s = text.strip()
    sign = -1 if s[:1] == "-" else 1
    s = s[1:] if s[:1] in ("-", "+") else s
    total, number, seen = timedelta(), "", False
    try:
        for ch in s:
            if _digits(ch):
                number += ch
            elif ch in _UNITS and number:
                total += int(number) * _UNITS[ch]
                number, seen = "", True
            elif not (ch == " " and not number):
                return None
    except OverflowError:
        return None
    return sign * total if seen and not number else None


def parse_increment(text: str, default_unit: str) -> tuple[int, str] | None:
    """Function increments '(+/-)n(y|M|w|d|h|m)'; the unit defaults to the function's period."""
    s = text.strip()
    sign = -1 if s[:1] == "-" else 1
    s = s[1:] if s[:1] in ("-", "+") else s
    unit = s[-1] if s and s[-1] in "yMwdhm" else default_unit
    number = s[:-1] if s and s[-1] in "yMwdhm" else s
    if not _digits(number) or len(number) > 6:
        return None
    return sign * int(number), unit


def _add_months(d: datetime, months: int) -> datetime:
    years, month0 = divmod(d.month - 1 + months, 12)
    year, month = d.year + years, month0 + 1
    return d.replace(year=year, month=month, day=min(d.day, monthrange(year, month)[1]))


def _shift(d: datetime, n: int, unit: str) -> datetime:
    if unit in ("y", "M"):
        return _add_months(d, n * 12 if unit == "y" else n)
    return d + n * _UNITS[unit]


def _function_value(spec: _Func, args: tuple[str, ...], now: datetime) -> datetime:
    if not spec.unit:
        return now
    n, unit = (parse_increment(args[0], spec.unit) if args else None) or (0, spec.unit)
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if spec.unit == "w":
        start -= timedelta(days=start.weekday())  # weeks start on Monday
    elif spec.unit in ("M", "y"):
        start = start.replace(day=1, month=1 if spec.unit == "y" else start.month)
    if unit == spec.unit:  # an increment in the natural unit moves the whole period
        start, n = _shift(start, n, unit), 0
    point = _shift(start, 1, spec.unit) - timedelta(microseconds=1) if spec.end else start
    return _shift(point, n, unit)


def _clamped(compute: Callable[[], datetime], negative: bool) -> datetime:
    try:
        return compute()
    except (OverflowError, ValueError):
        return _MIN if negative else _MAX


def date_resolver(
    text: str, func_args: tuple[str, ...] | None = None
) -> Callable[[datetime], datetime] | None:
    """now -> point in time for a literal (`func_args` None) or a date function call `text(...)`;
    None if the literal is no valid date."""
    if func_args is not None:
        spec = FUNCTIONS.get(text.lower(), FUNCTIONS["now"])
        neg = bool(func_args) and func_args[0].strip().startswith("-")
        return lambda now: _clamped(lambda: _function_value(spec, func_args, now), neg)
    absolute = parse_absolute(text)
    if absolute is not None:
        return lambda _now: absolute
    delta = parse_period(text)
    if delta is None:
        return None
    return lambda now: _clamped(lambda: now + delta, delta < timedelta())


# --- values: issue keys and properties -------------------------------------------------------


@lru_cache(maxsize=65536)
def split_key(key: str | None) -> tuple[str, int] | None:
    """'ABC-12' -> ('ABC', 12)."""
    project, _, number = (key or "").rpartition("-")
    if not project or not _digits(number):
        return None
    return project.upper(), int(number)


def parse_issue_ref(text: str) -> int | tuple[str, int] | None:
    """An issue id (digits) or a key whose project part looks like a Jira project key."""
    t = text.strip()
    if _digits(t) and len(t) < 19:
        return int(t)
    ref = split_key(t)
    if ref is None or not ref[0][:1].isalpha() or not ref[0].replace("_", "a").isalnum():
        return None
    return ref


def property_getter(key: str, path: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """Scalars at `path` inside issue property `key`; lists are flattened, () means empty."""

    def get(issue: Any) -> tuple[Any, ...]:
        current = [issue.properties.get(key)]
        for seg in path:
            nxt: list[Any] = []
            for v in current:
                if isinstance(v, dict):
                    nxt.append(v.get(seg))
                elif isinstance(v, list):
                    nxt.extend(x.get(seg) for x in v if isinstance(x, dict))
            current = nxt
        out: list[Any] = []
        for v in current:
            if isinstance(v, list):
                out.extend(x for x in v if x is not None)
            elif v is not None:
                out.append(v)
        return tuple(out)

    return get


def _number(text: str) -> float | None:
    try:
        f = float(text)
    except ValueError:
        return None
    return f if math.isfinite(f) else None


def property_comparer(op: Callable[[Any, Any], bool], query: str) -> Callable[[Any], bool]:
    """Compares a JSON scalar with a JQL literal: numbers numerically, strings and booleans
    case-insensitively (ISO dates in strings therefore compare chronologically)."""
    qnum, qlow = _number(query), query.lower()

    def compare(x: Any) -> bool:
        if isinstance(x, bool):
            return op("true" if x else "false", qlow)
        if isinstance(x, int | float):
            return qnum is not None and op(x, qnum)
        return isinstance(x, str) and op(x.lower(), qlow)

    return compare


def property_rank(x: Any) -> tuple[int, Any]:
    if isinstance(x, bool):
        return (2, x)
    if isinstance(x, int | float):
        return (0, x)
    return (1, x.lower()) if isinstance(x, str) else (3, str(x))


# --- field accessors -------------------------------------------------------------------------

ALIASES = {
    "type": "issuetype",
    "issue": "key",
    "issuekey": "key",
    "resolutiondate": "resolved",
    "due": "duedate",
    "createddate": "created",
    "updateddate": "updated",
}
USER_FIELDS = frozenset({"assignee", "reporter"})
_CATEGORIES = ("undefined", "new", "indeterminate", "done")
_CATEGORY_ALTS = {
    "new": ("new", "to do", "2"),
    "indeterminate": ("indeterminate", "in progress", "4"),
    "done": ("done", "3"),
    "undefined": ("undefined", "no category", "1"),
}
CATEGORY_VALUES = frozenset(v for alts in _CATEGORY_ALTS.values() for v in alts)


def _opt(*vals: str | None) -> tuple[str, ...]:
    return tuple(v.lower() for v in vals if v)


# "Enum" fields: lowercase names/ids/keys an issue answers to; () means the field is empty.
# Labels are multi-valued: every label is one alternative, so `=` means "contains".
ENUM_FIELDS: dict[str, Callable[[Any], tuple[str, ...]]] = {
    "project": lambda i: (i.project_key.lower(), i.project_id.lower(), i.project_name.lower()),
    "issuetype": lambda i: (i.issuetype_name.lower(), i.issuetype_id.lower()),
    "status": lambda i: (i.status_name.lower(), i.status_id.lower()),
    "statuscategory": lambda i: _CATEGORY_ALTS.get(i.status_category_key, (i.status_category_key,)),
    "priority": lambda i: _opt(i.priority_name, i.priority_id),
    "assignee": lambda i: _opt(i.assignee_account_id),
    "reporter": lambda i: _opt(i.reporter_account_id),
    "labels": lambda i: tuple(x.lower() for x in i.labels),
    "parent": lambda i: _opt(i.parent_key, i.parent_id),
}


def _aware(d: datetime | None) -> datetime | None:
    return d.replace(tzinfo=UTC) if d is not None and d.tzinfo is None else d


def _due(d: date | None) -> datetime | None:
    if d is None or isinstance(d, datetime):
        return _aware(d)
    return datetime(d.year, d.month, d.day, tzinfo=UTC)  # a due date counts from midnight UTC


DATE_FIELDS: dict[str, Callable[[Any], datetime | None]] = {
    "created": lambda i: _aware(i.created),
    "updated": lambda i: _aware(i.updated),
    "resolved": lambda i: _aware(i.resolved),
    "duedate": lambda i: _due(i.duedate),
}
TEXT_FIELDS: dict[str, Callable[[Any], tuple[str, ...]]] = {
    "summary": lambda i: (i.summary,),
    "description": lambda i: (i.description_text,),
    "comment": lambda i: (i.comments_text,),
    "text": lambda i: (i.summary, i.description_text, i.comments_text),
}
SINGLE_TEXT_FIELDS: dict[str, Callable[[Any], str]] = {
    "summary": attrgetter("summary"),
    "description": attrgetter("description_text"),
    "comment": attrgetter("comments_text"),
}


def _priority_rank(pid: str | None) -> tuple[int, Any] | None:
    """Priority ids grow with decreasing importance (1 = Highest): ASC puts Lowest first."""
    if pid is None:
        return None
    return (0, -int(pid)) if _digits(pid) else (1, pid)


# ORDER BY values; None sorts last for ASC. Fields missing here do not support sorting.
SORT_VALUES: dict[str, Callable[[Any], Any]] = {
    "key": lambda i: split_key(i.key) or (i.key, -1),
    "id": lambda i: int(i.id),
    **DATE_FIELDS,
    "priority": lambda i: _priority_rank(i.priority_id),
    "summary": lambda i: i.summary.lower() or None,
    "status": lambda i: i.status_name.lower(),
    "statuscategory": lambda i: (
        _CATEGORIES.index(k) if (k := i.status_category_key) in _CATEGORY_ALTS else None
    ),
    "issuetype": lambda i: i.issuetype_name.lower(),
    "project": lambda i: i.project_name.lower(),
    "assignee": lambda i: i.assignee_account_id or None,
    "reporter": lambda i: i.reporter_account_id or None,
    "labels": lambda i: tuple(sorted(x.lower() for x in i.labels)) or None,
    "parent": lambda i: split_key(i.parent_key) if i.parent_key else None,
}
