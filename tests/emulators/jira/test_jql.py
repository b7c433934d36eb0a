"""JQL engine of the Jira emulator: fields, operators, precedence, dates, properties,
ORDER BY, Jira-worded errors, and property-based checks against a reference evaluator."""

from __future__ import annotations

import itertools
import random
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ticketbridge.emulators.jira.jql import (
    CompiledJql,
    JqlCatalog,
    JqlContext,
    JqlError,
    JqlIssue,
    SimpleJqlIssue,
    compile_jql,
)
from ticketbridge.emulators.jira.jql_values import date_resolver

pytestmark = pytest.mark.store_independent

NOW = datetime(2024, 5, 15, 12, 0, tzinfo=UTC)  # a Wednesday
ME = "acc-me"
CTX = JqlContext(now=NOW, current_account_id=ME)


def dt(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def issue(n: int, project: str = "ABC", **kw: Any) -> SimpleJqlIssue:
    names = {"ABC": ("10000", "Alpha Project"), "XYZ": ("10001", "Xylophone")}
    pid, pname = names.get(project, ("10002", project.title()))
    kw.setdefault("created", NOW - timedelta(days=n))
    kw.setdefault("updated", NOW - timedelta(hours=n))
    return SimpleJqlIssue(
        id=10000 + n,
        key=f"{project}-{n}",
        project_id=pid,
        project_key=project,
        project_name=pname,
        **kw,
    )


ISSUES = [
    issue(
        1,
        summary="Login page is broken",
        description_text="Users cannot log in since the deploy.",
        comments_text="Reproduced on Firefox",
        assignee_account_id=ME,
        reporter_account_id="acc-2",
        labels=("frontend", "Urgent"),
        priority_id="1",
        priority_name="Highest",
        issuetype_id="10004",
        issuetype_name="Bug",
        status_id="3",
        status_name="In Progress",
        status_category_key="indeterminate",
        duedate=date(2024, 5, 14),
        properties={"meta": {"team": {"name": "Core"}, "score": 7, "flags": ["a", "b"]}},
    ),
    issue(
        2,
        summary="Crash on startup",
        assignee_account_id="acc-2",
        reporter_account_id=ME,
        labels=("backend",),
        priority_id="3",
        priority_name="Medium",
        status_id="10001",
        status_name="Done",
        status_category_key="done",
        resolved=dt(2024, 5, 14, 9, 30),
        duedate=date(2024, 5, 20),
        properties={"meta": {"score": 12.5, "team": {"name": "Platform"}, "ok": True}},
    ),
    issue(
        10,
        summary="Add dark mode",
        description_text="Users want a dark theme for the login page.",
        parent_id="10001",
        parent_key="ABC-1",
        issuetype_id="10002",
        issuetype_name="Sub-task",
        properties={"meta": {"team": {"name": "core"}}},
    ),
    issue(
        3,
        project="XYZ",
        summary="Improve search speed",
        assignee_account_id="acc-3",
        priority_id="5",
        priority_name="Lowest",
        labels=("backend", "perf"),
        created=dt(2023, 12, 31, 23, 59),
    ),
]


def keys(jql: str, issues: list[SimpleJqlIssue] = ISSUES, ctx: JqlContext = CTX) -> list[str]:
    compiled = compile_jql(jql)
    return [i.key for i in issues if compiled.matches(i, ctx)]


def errors(jql: str, ctx: JqlContext = CTX) -> list[str]:
    with pytest.raises(JqlError) as info:
        compile_jql(jql).validate(ctx)
    return info.value.messages


# --- fields ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("jql", "expected"),
    [
        ("project = ABC", ["ABC-1", "ABC-2", "ABC-10"]),
        ("project = abc", ["ABC-1", "ABC-2", "ABC-10"]),
        ("project = 10001", ["XYZ-3"]),
        ('project = "Alpha Project"', ["ABC-1", "ABC-2", "ABC-10"]),
        ("PROJECT in (xyz, 'alpha project')", ["ABC-1", "ABC-2", "ABC-10", "XYZ-3"]),
        ("key = ABC-2", ["ABC-2"]),
        ("issuekey = abc-10", ["ABC-10"]),
        ("id = 10003", ["XYZ-3"]),
        ("key in (ABC-1, 10003)", ["ABC-1", "XYZ-3"]),
        ("key != ABC-1", ["ABC-2", "ABC-10", "XYZ-3"]),
        ("key > ABC-2", ["ABC-10"]),
        ("key <= ABC-2", ["ABC-1", "ABC-2"]),
        ("id >= 10003", ["ABC-10", "XYZ-3"]),
        ("issuetype = Bug", ["ABC-1"]),
        ("type = 10002", ["ABC-10"]),
        ("type in (bug, 'SUB-TASK')", ["ABC-1", "ABC-10"]),
        ('status = "In Progress"', ["ABC-1"]),
        ("status = 10001", ["ABC-2"]),
        ('statusCategory = "To Do"', ["ABC-10", "XYZ-3"]),
        ("statuscategory = indeterminate", ["ABC-1"]),
        ("statusCategory in (Done, 2)", ["ABC-2", "ABC-10", "XYZ-3"]),
        ("priority = Highest", ["ABC-1"]),
        ("priority = 3", ["ABC-2"]),
        ("priority is EMPTY", ["ABC-10"]),
        ("assignee = acc-2", ["ABC-2"]),
        ("assignee = currentUser()", ["ABC-1"]),
        ("reporter = currentUser()", ["ABC-2"]),
        ("assignee is empty", ["ABC-10"]),
        ("assignee = NULL", ["ABC-10"]),
        ("reporter is not null", ["ABC-1", "ABC-2"]),
        ("assignee in (acc-3, EMPTY)", ["ABC-10", "XYZ-3"]),
        ("labels = backend", ["ABC-2", "XYZ-3"]),
        ("labels = urgent", ["ABC-1"]),
        ("labels in (perf, frontend)", ["ABC-1", "XYZ-3"]),
        ("labels is EMPTY", ["ABC-10"]),
        ("parent = ABC-1", ["ABC-10"]),
        ("parent = 10001", ["ABC-10"]),
        ("parent is empty", ["ABC-1", "ABC-2", "XYZ-3"]),
    ],
)
def test_field_equality_and_lists(jql: str, expected: list[str]) -> None:
    assert keys(jql) == expected


def test_current_user_without_user_matches_nobody() -> None:
    anonymous = JqlContext(now=NOW, current_account_id=None)
    assert keys("assignee = currentUser()", ctx=anonymous) == []
    assert keys("assignee in (currentUser(), acc-2)", ctx=anonymous) == ["ABC-2"]


def test_bound_predicate_follows_the_context() -> None:
    q = compile_jql("assignee = currentUser()")
    assert q.matches(ISSUES[1], JqlContext(NOW, "acc-2"))
    assert not q.matches(ISSUES[1], JqlContext(NOW, "acc-3"))
    recent = compile_jql("created >= -1d")
    assert recent.matches(ISSUES[0], CTX)
    assert not recent.matches(ISSUES[0], JqlContext(NOW + timedelta(days=3), ME))


# --- != / NOT IN / NOT and empty fields --------------------------------------------------------


@pytest.mark.parametrize(
    ("jql", "expected"),
    [
        ("assignee != acc-2", ["ABC-1", "XYZ-3"]),  # the unassigned ABC-10 is not returned
        ("assignee not in (acc-2, acc-3)", ["ABC-1"]),
        ("NOT assignee = acc-2", ["ABC-1", "ABC-10", "XYZ-3"]),  # NOT is a plain complement
        ("assignee != acc-2 OR assignee is EMPTY", ["ABC-1", "ABC-10", "XYZ-3"]),
        ("assignee != EMPTY", ["ABC-1", "ABC-2", "XYZ-3"]),
        ("assignee not in (acc-2, EMPTY)", ["ABC-1", "XYZ-3"]),
        ("labels != backend", ["ABC-1"]),  # no labels: excluded; has backend: excluded
        ("labels not in (perf)", ["ABC-1", "ABC-2"]),
        ("priority != Highest", ["ABC-2", "XYZ-3"]),
        ("parent != ABC-1", []),
        ("resolved != '2024-05-14 09:30'", []),
        ("description !~ users", []),
        ("description !~ deploy", ["ABC-10"]),
    ],
)
def test_negative_operators_skip_empty_fields(jql: str, expected: list[str]) -> None:
    assert keys(jql) == expected


# --- text search -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("jql", "expected"),
    [
        ("summary ~ login", ["ABC-1"]),
        ("summary ~ LOGIN", ["ABC-1"]),
        ("summary ~ 'page login'", ["ABC-1"]),  # all words, any order
        ("summary ~ 'login crash'", []),
        ('summary ~ "\\"page is broken\\""', ["ABC-1"]),  # phrase
        ('summary ~ "\\"broken page\\""', []),
        ("summary ~ 'brok*'", ["ABC-1"]),
        ("summary ~ 'st?rtup'", ["ABC-2"]),
        ("summary ~ 'the login'", ["ABC-1"]),  # stop words are ignored
        ("summary ~ log", []),  # words, not substrings
        ("summary ~ dark-mode", ["ABC-10"]),  # punctuation inside a term: phrase
        ("summary !~ login", ["ABC-2", "ABC-10", "XYZ-3"]),
        ("description ~ users", ["ABC-1", "ABC-10"]),
        ("description is empty", ["ABC-2", "XYZ-3"]),
        ("comment ~ firefox", ["ABC-1"]),
        ("text ~ firefox", ["ABC-1"]),
        ("text ~ login", ["ABC-1", "ABC-10"]),
        ("text ~ 'dark theme'", ["ABC-10"]),
        ("text ~ 'startup firefox'", []),
    ],
)
def test_text_search(jql: str, expected: list[str]) -> None:
    assert keys(jql) == expected


@pytest.mark.parametrize("field", ["summary", "description", "text", "comment"])
def test_equality_is_not_supported_on_text_fields(field: str) -> None:
    assert errors(f"{field} = login") == [
        f"The operator '=' is not supported by the '{field}' field."
    ]


@pytest.mark.parametrize(
    ("jql", "message"),
    [
        ("summary in (a, b)", "The operator 'in' is not supported by the 'summary' field."),
        ("text is EMPTY", "The operator 'is' is not supported by the 'text' field."),
        ("project ~ abc", "The operator '~' is not supported by the 'project' field."),
        ("status > Done", "The operator '>' is not supported by the 'status' field."),
        ("labels !~ x", "The operator '!~' is not supported by the 'labels' field."),
        ("key is EMPTY", "The operator 'is' is not supported by the 'key' field."),
        ("Summary ~ ''", "The field 'Summary' does not support searching for an empty string."),
        ("created > EMPTY", "The operator '>' does not support searching for EMPTY values."),
    ],
)
def test_unsupported_operators(jql: str, message: str) -> None:
    assert errors(jql) == [message]


# --- precedence ------------------------------------------------------------------------------


def test_precedence_not_and_or() -> None:
    # OR binds weaker than AND: a OR (b AND c)
    assert keys("project = XYZ OR labels = backend AND status = Done") == ["ABC-2", "XYZ-3"]
    assert keys("(project = XYZ OR labels = backend) AND status = Done") == ["ABC-2"]
    # NOT binds stronger than AND: (NOT a) AND b
    assert keys("NOT project = XYZ AND labels = backend") == ["ABC-2"]
    assert keys("NOT (project = XYZ AND labels = backend)") == ["ABC-1", "ABC-2", "ABC-10"]
    assert keys("NOT NOT project = XYZ") == ["XYZ-3"]


def test_symbolic_operators_and_keyword_case() -> None:
    assert keys("project = XYZ || labels = frontend") == ["ABC-1", "XYZ-3"]
    assert keys("project = ABC && !labels = frontend & status != Done") == ["ABC-10"]
    assert keys("ProJect = ABC aNd NoT Status = 'done' Or KEY = XYZ-3") == [
        "ABC-1",
        "ABC-10",
        "XYZ-3",
    ]
    # keywords only count as whole words
    assert compile_jql("project = andy").query.where is not None
    assert keys("labels = orders") == []


def test_quoted_strings_and_escapes() -> None:
    assert keys("summary ~ 'login\\u0020page'") == ["ABC-1"]
    weird = issue(5, labels=('say "hi"', "it's"))
    assert keys('labels = "say \\"hi\\""', [weird]) == ["ABC-5"]
    assert keys("labels = 'it\\'s'", [weird]) == ["ABC-5"]


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("jql", "expected"),
    [
        ("created >= -2d", ["ABC-1", "ABC-2"]),
        ("created > '-1w'", ["ABC-1", "ABC-2"]),
        ("created < -1w", ["ABC-10", "XYZ-3"]),
        ("created >= -36h", ["ABC-1"]),
        ("updated >= -90m", ["ABC-1"]),
        ("created > '-1w 3d'", ["ABC-1", "ABC-2"]),
        ("created >= '-1w3d'", ["ABC-1", "ABC-2", "ABC-10"]),
        ("created < 2024-01-01", ["XYZ-3"]),
        ("created >= '2023/12/31 23:59'", ["ABC-1", "ABC-2", "ABC-10", "XYZ-3"]),
        ("created > '2023/12/31 23:59'", ["ABC-1", "ABC-2", "ABC-10"]),
        ("created = '2023-12-31 23:59'", ["XYZ-3"]),
        ("created in ('2023-12-31 23:59', '2024-05-14 12:00')", ["ABC-1", "XYZ-3"]),
        ("created >= startOfDay(-1)", ["ABC-1"]),
        ("created >= startOfDay(-1d)", ["ABC-1"]),
        ("created < startOfYear()", ["XYZ-3"]),
        ("created > now()", []),
        ("resolved >= 2024-05-14", ["ABC-2"]),
        ("resolutiondate is EMPTY", ["ABC-1", "ABC-10", "XYZ-3"]),
        ("resolved is not empty", ["ABC-2"]),
        ("resolved = EMPTY", ["ABC-1", "ABC-10", "XYZ-3"]),
        ("resolved in ('2024-05-14 09:30', EMPTY)", ["ABC-1", "ABC-2", "ABC-10", "XYZ-3"]),
        ("resolved in ('2024-05-14 09:31', null)", ["ABC-1", "ABC-10", "XYZ-3"]),
        ("resolved not in ('2024-05-14 09:31', EMPTY)", ["ABC-2"]),
        ("duedate < now()", ["ABC-1"]),
        ("duedate = 2024-05-20", ["ABC-2"]),
        ("due <= endOfWeek()", ["ABC-1"]),
        ("duedate >= startOfWeek()", ["ABC-1", "ABC-2"]),  # due date counts from 00:00 UTC
        ("duedate is EMPTY", ["ABC-10", "XYZ-3"]),
        ("duedate != 2024-05-20", ["ABC-1"]),
    ],
)
def test_dates(jql: str, expected: list[str]) -> None:
    assert keys(jql) == expected


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ("now()", NOW),
        ("startOfDay()", dt(2024, 5, 15)),
        ("startOfDay(-1)", dt(2024, 5, 14)),
        ("startOfDay(+1h)", dt(2024, 5, 15, 1)),
        ("endOfDay()", dt(2024, 5, 15, 23, 59, 59, 999999)),
        ("endOfDay(-1d)", dt(2024, 5, 14, 23, 59, 59, 999999)),
        ("startOfWeek()", dt(2024, 5, 13)),
        ("startOfWeek(-1)", dt(2024, 5, 6)),
        ("endOfWeek()", dt(2024, 5, 19, 23, 59, 59, 999999)),
        ("startOfMonth()", dt(2024, 5, 1)),
        ("startOfMonth(+14d)", dt(2024, 5, 15)),
        ("startOfMonth(-1M)", dt(2024, 4, 1)),
        ("endOfMonth()", dt(2024, 5, 31, 23, 59, 59, 999999)),
        ("endOfMonth(+1)", dt(2024, 6, 30, 23, 59, 59, 999999)),
        ("endOfMonth(-3)", dt(2024, 2, 29, 23, 59, 59, 999999)),
        ("startOfYear(-1)", dt(2023, 1, 1)),
        ("endOfYear()", dt(2024, 12, 31, 23, 59, 59, 999999)),
    ],
)
def test_date_functions(call: str, expected: datetime) -> None:
    name, _, rest = call.partition("(")
    args = tuple(a for a in [rest.rstrip(")")] if a)
    resolver = date_resolver(name, args)
    assert resolver is not None and resolver(NOW) == expected


def test_absolute_dates_are_utc_and_context_now_may_be_naive() -> None:
    naive = JqlContext(now=datetime(2024, 5, 15, 12, 0), current_account_id=None)
    early = issue(7, created=dt(2024, 5, 1, 0, 30))
    assert keys("created >= '2024-05-01' AND created < '2024-05-01 01:00'", [early]) == ["ABC-7"]
    assert keys("created >= -15d", [early], naive) == ["ABC-7"]


@pytest.mark.parametrize("value", ["yesterday", "2024-13-01", "'2024-05-01T10:00'", "-5x", "5"])
def test_invalid_dates(value: str) -> None:
    shown = value.strip("'")
    assert errors(f"created > {value}") == [
        f"Date value '{shown}' for field 'created' is invalid. Valid formats include: "
        "'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', "
        "or a period format e.g. '-5d', '4w 2d'."
    ]


def test_huge_relative_dates_do_not_overflow() -> None:
    assert keys("created > -9999999d") == [i.key for i in ISSUES]
    assert keys("created > startOfYear(-999999)") == [i.key for i in ISSUES]
    assert keys("created > 99999d") == []


# --- issue properties ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("jql", "expected"),
    [
        ("issue.property[meta].team.name = core", ["ABC-1", "ABC-10"]),
        ('issue.property["meta"].team.name = "Platform"', ["ABC-2"]),
        ("issue.property[meta].team.name != core", ["ABC-2"]),
        ("issue.property[meta].team.name in (platform, nope)", ["ABC-2"]),
        ("issue.property[meta].score > 10", ["ABC-2"]),
        ("issue.property[meta].score <= 7", ["ABC-1"]),
        ("issue.property[meta].score = 7.0", ["ABC-1"]),
        ("issue.property[meta].score is EMPTY", ["ABC-10", "XYZ-3"]),
        ("issue.property[meta].flags = b", ["ABC-1"]),
        ("issue.property[meta].flags not in (a)", []),
        ("issue.property[meta].ok = true", ["ABC-2"]),
        ("issue.property[meta].team.name ~ plat*", ["ABC-2"]),
        ("issue.property[meta] is not empty", ["ABC-1", "ABC-2", "ABC-10"]),
        ("issue.property[other].x = 1", []),
        ("ISSUE.PROPERTY[meta].score = 7", ["ABC-1"]),
    ],
)
def test_issue_properties(jql: str, expected: list[str]) -> None:
    assert keys(jql) == expected


def test_property_keys_are_case_sensitive_json_objects_walked() -> None:
    i = issue(8, properties={"Cfg.v1": {"a": [{"b": "x"}, {"b": "y"}]}})
    assert keys("issue.property[Cfg.v1].a.b = y", [i]) == ["ABC-8"]
    assert keys("issue.property[cfg.v1].a.b = y", [i]) == []


# --- ORDER BY --------------------------------------------------------------------------------


def order(jql: str, issues: list[SimpleJqlIssue] = ISSUES) -> list[str]:
    q = compile_jql(jql)
    return [i.key for i in q.sort(q.filter(issues, CTX), CTX)]


def test_order_by_key_is_numeric_per_project() -> None:
    assert order("order by key") == ["ABC-1", "ABC-2", "ABC-10", "XYZ-3"]
    assert order("order by key DESC") == ["XYZ-3", "ABC-10", "ABC-2", "ABC-1"]
    assert order("order by id desc") == ["ABC-10", "XYZ-3", "ABC-2", "ABC-1"]


def test_order_by_empty_values_last_for_asc_first_for_desc() -> None:
    assert order("project = ABC ORDER BY duedate") == ["ABC-1", "ABC-2", "ABC-10"]
    assert order("project = ABC ORDER BY duedate desc") == ["ABC-10", "ABC-2", "ABC-1"]
    assert order("order by assignee asc") == ["ABC-2", "XYZ-3", "ABC-1", "ABC-10"]


def test_order_by_priority_highest_first_when_desc() -> None:
    assert order("order by priority desc") == ["ABC-10", "ABC-1", "ABC-2", "XYZ-3"]
    assert order("order by priority") == ["XYZ-3", "ABC-2", "ABC-1", "ABC-10"]


def test_order_by_multiple_fields_and_stability() -> None:
    same = [
        issue(4, summary="b", labels=("x",), created=dt(2024, 1, 2)),
        issue(5, summary="a", labels=("x",), created=dt(2024, 1, 1)),
        issue(6, summary="a", created=dt(2024, 1, 3)),
        issue(7, summary="B", created=dt(2024, 1, 3)),
    ]
    assert order("order by created desc, summary asc", same) == ["ABC-6", "ABC-7", "ABC-4", "ABC-5"]
    assert order("order by summary, created DESC", same) == ["ABC-6", "ABC-5", "ABC-7", "ABC-4"]
    assert order("order by labels, key desc", same) == ["ABC-5", "ABC-4", "ABC-7", "ABC-6"]
    # equal keys keep the input order
    assert order("order by project", same[::-1]) == ["ABC-7", "ABC-6", "ABC-5", "ABC-4"]
    many = "order by status, issuetype, statusCategory, project, updated, resolved, reporter"
    assert len(order(many, same)) == 4
    assert compile_jql(many).has_order_by


def test_order_by_property_and_without_order() -> None:
    assert order("order by issue.property[meta].score desc") == [
        "ABC-10",
        "XYZ-3",
        "ABC-2",
        "ABC-1",
    ]
    assert order("project = ABC") == ["ABC-1", "ABC-2", "ABC-10"]
    assert not compile_jql("project = ABC").has_order_by


@pytest.mark.parametrize(
    ("jql", "message"),
    [
        ("order by description", "Field 'description' does not support sorting."),
        ("order by text", "Field 'text' does not support sorting."),
        ("order by nope", "Field 'nope' does not exist or you do not have permission to view it."),
        (
            "order by key, id, created, updated, summary, status, priority, duedate",
            "The ORDER BY clause may contain at most 7 fields.",
        ),
    ],
)
def test_order_by_errors(jql: str, message: str) -> None:
    assert errors(jql) == [message]


# --- errors ----------------------------------------------------------------------------------

_OPS = (
    "The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', "
    "'IS' and 'IS NOT'."
)


@pytest.mark.parametrize(
    ("jql", "message"),
    [
        (
            "project in (ABC, DEF",
            "Expecting ')' but got the end of the query. (line 1, character 21)",
        ),
        ("(status = Open", "Expecting ')' but got the end of the query. (line 1, character 15)"),
        (
            "project = ",
            "Expecting either a value, list or function but got the end of the query. "
            "(line 1, character 10)",
        ),
        (
            "status = )",
            "Expecting either a value, list or function but got ')'. You must surround ')' in "
            "quotation marks to use it as a value. (line 1, character 10)",
        ),
        ("project ABC", f"Expecting operator but got 'ABC'. {_OPS} (line 1, character 9)"),
        ("project = A B", "Expecting either 'OR' or 'AND' but got 'B'. (line 1, character 13)"),
        ("status = Open)", "Expecting either 'OR' or 'AND' but got ')'. (line 1, character 14)"),
        (
            "key = A-1 ORDER BY key foo",
            "Expecting either ',', 'ASC' or 'DESC' but got 'foo'. (line 1, character 24)",
        ),
        ("project = A\nAND = x", "Expecting a field name but got '='. (line 2, character 5)"),
        ("order by", "Expecting a field name but got the end of the query. (line 1, character 9)"),
        ("status = Open ORDER key", "Expecting 'BY' but got 'key'. (line 1, character 21)"),
        ("status in Open", "Expecting '(' but got 'Open'. (line 1, character 11)"),
        (
            "status is foo",
            "Expecting either 'EMPTY', 'NOT' or 'NULL' but got 'foo'. (line 1, character 11)",
        ),
        (
            'summary ~ "abc',
            "The quoted string 'abc' has not been completed. (line 1, character 11)",
        ),
    ],
)
def test_parse_errors(jql: str, message: str) -> None:
    with pytest.raises(JqlError) as info:
        compile_jql(jql)
    assert info.value.messages == [f"Error in the JQL Query: {message}"]


@pytest.mark.parametrize(
    ("jql", "messages"),
    [
        ("foo = bar", ["Field 'foo' does not exist or you do not have permission to view it."]),
        (
            "cf[10010] = 3",
            ["Field 'cf[10010]' does not exist or you do not have permission to view it."],
        ),
        (
            "foo = 1 AND bar = 2 OR foo = 3",
            [
                "Field 'foo' does not exist or you do not have permission to view it.",
                "Field 'bar' does not exist or you do not have permission to view it.",
            ],
        ),
        ("assignee = whoami()", ["Unable to find JQL function 'whoami()'."]),
        (
            "created > currentUser()",
            ["A value provided by the function 'currentUser' is invalid for the field 'created'."],
        ),
        (
            "assignee = currentUser(x)",
            ["Function 'currentUser' expected '0' arguments but received '1'."],
        ),
        (
            "created > startOfDay(1, 2)",
            ["Function 'startOfDay' expected between '0' and '1' arguments but received '2'."],
        ),
        (
            "created > startOfDay(soon)",
            [
                "Duration for function 'startOfDay' should have the format (+/-)n(yMwdhm), "
                "e.g -1M for 1 month earlier."
            ],
        ),
        ("key = foo", ["The issue key 'foo' for field 'key' is invalid."]),
        (
            "parent = EMPTY AND key = EMPTY",
            ["The field 'key' does not support searching for EMPTY values."],
        ),
    ],
)
def test_semantic_errors(jql: str, messages: list[str]) -> None:
    with pytest.raises(JqlError) as info:
        compile_jql(jql)
    assert info.value.messages == messages


CATALOG = JqlCatalog(
    project_keys_ids_names={"abc", "10000", "alpha project"},
    issuetypes={"task", "bug", "10001"},
    statuses={"to do", "done", "10000"},
    priorities={"high", "2"},
)


def test_validate_against_catalog() -> None:
    ctx = JqlContext(now=NOW, current_account_id=ME, catalog=CATALOG)
    compile_jql("project = abc AND type = Bug AND status = 'To Do' AND priority = 2").validate(ctx)
    compile_jql("assignee = currentUser() AND priority is EMPTY AND project != 10000").validate(ctx)
    assert errors("project = XYZ", ctx) == [
        "The value 'XYZ' does not exist for the field 'project'."
    ]
    assert errors("project in (ABC, XYZ, QQ) AND type = Epic OR status != Nope", ctx) == [
        "The value 'XYZ' does not exist for the field 'project'.",
        "The value 'QQ' does not exist for the field 'project'.",
        "The value 'Epic' does not exist for the field 'type'.",
        "The value 'Nope' does not exist for the field 'status'.",
    ]
    assert errors("NOT priority in (High, Blocker)", ctx) == [
        "The value 'Blocker' does not exist for the field 'priority'."
    ]
    # without a catalog only statusCategory values are checked
    compile_jql("project = XYZ").validate(CTX)
    assert errors("statusCategory = Waiting") == [
        "The value 'Waiting' does not exist for the field 'statusCategory'."
    ]
    empty = JqlContext(NOW, ME, JqlCatalog(set(), set(), set(), set()))
    assert errors("project = ABC", empty) == [
        "The value 'ABC' does not exist for the field 'project'."
    ]


# --- bounded / caching -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("jql", "bounded", "ordered"),
    [
        ("", False, False),
        ("   \n ", False, False),
        ("order by key desc", False, True),
        ("ORDER BY created ASC, key", False, True),
        ("project = ABC", True, False),
        ("NOT status = Done order by key", True, True),
    ],
)
def test_bounded_detection(jql: str, bounded: bool, ordered: bool) -> None:
    compiled = compile_jql(jql)
    assert (compiled.is_bounded, compiled.has_order_by) == (bounded, ordered)
    if not bounded:
        assert [i.key for i in compiled.filter(ISSUES, CTX)] == [i.key for i in ISSUES]


def test_compile_is_cached_by_text() -> None:
    assert compile_jql("project = ABC") is compile_jql("project = ABC")
    assert isinstance(compile_jql("project = XYZ"), CompiledJql)


def test_emulator_issue_class_satisfies_protocol() -> None:
    from ticketbridge.emulators.jira.models import Issue

    wanted = {n for n, v in vars(JqlIssue).items() if isinstance(v, property)}
    assert len(wanted) == 25
    assert wanted <= set(Issue.__dataclass_fields__)
    assert wanted <= set(SimpleJqlIssue.__dataclass_fields__)


# --- property-based tests --------------------------------------------------------------------
# A small universe of fields and values; trees of clauses are rendered to JQL text (random
# keyword case, quoting and minimal parentheses) and compared with a direct evaluation.

EMPTY_V = "<EMPTY>"
ME_V = "<ME>"
PROJECTS = [("ABC", "10000", "Alpha Project"), ("XYZ", "10001", "Xylophone")]
STATUSES = [("To Do", "1"), ("In Progress", "3"), ("Done", "10001")]
PRIORITIES = [None, ("High", "2"), ("Low", "4")]
DATE_VALUES = {
    "2024-05-01": dt(2024, 5, 1),
    "2024/05/14 10:30": dt(2024, 5, 14, 10, 30),
    "-3d": NOW - timedelta(days=3),
    "-1w": NOW - timedelta(weeks=1),
    "-36h": NOW - timedelta(hours=36),
    "startOfDay()": dt(2024, 5, 15),
    "startOfMonth(-1)": dt(2024, 4, 1),
}
DATES = sorted({*DATE_VALUES.values()} | {d + timedelta(minutes=1) for d in DATE_VALUES.values()})
WORDS = ["login", "crash", "page", "dark"]
SUMMARIES = ["", "Login page broken", "crash on login", "Dark page", "Crash"]
ENUM_VALUES: dict[str, list[str]] = {
    "project": ["ABC", "xyz", "10000", "Alpha Project", "nope"],
    "status": ["To Do", "done", "3", "Blocked"],
    "assignee": ["acc-1", "acc-2", EMPTY_V, ME_V],
    "labels": ["x", "Y", "z", EMPTY_V],
    "priority": ["High", "4", "Medium", EMPTY_V],
}


@dataclass(frozen=True)
class ClauseT:
    field: str
    op: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class AndT:
    items: tuple[Any, ...]


@dataclass(frozen=True)
class OrT:
    items: tuple[Any, ...]


@dataclass(frozen=True)
class NotT:
    item: Any


def make_issue(
    n: int,
    project: tuple[str, str, str],
    status: tuple[str, str],
    assignee: str | None,
    labels: list[str],
    priority: tuple[str, str] | None,
    created: datetime,
    resolved: datetime | None,
    summary: str,
) -> SimpleJqlIssue:
    return SimpleJqlIssue(
        id=20000 + n,
        key=f"{project[0]}-{n}",
        project_key=project[0],
        project_id=project[1],
        project_name=project[2],
        status_name=status[0],
        status_id=status[1],
        assignee_account_id=assignee,
        labels=tuple(labels),
        priority_name=priority[0] if priority else None,
        priority_id=priority[1] if priority else None,
        created=created,
        resolved=resolved,
        summary=summary,
    )


issues_st = st.builds(
    make_issue,
    n=st.integers(1, 500),
    project=st.sampled_from(PROJECTS),
    status=st.sampled_from(STATUSES),
    assignee=st.sampled_from([None, "acc-1", "acc-2", ME]),
    labels=st.lists(st.sampled_from(["x", "y", "Z"]), max_size=3, unique=True),
    priority=st.sampled_from(PRIORITIES),
    created=st.sampled_from(DATES),
    resolved=st.sampled_from([None, *DATES]),
    summary=st.sampled_from(SUMMARIES),
)


def _enum_clause(field: str) -> st.SearchStrategy[ClauseT]:
    vals = st.sampled_from(ENUM_VALUES[field])
    return st.one_of(
        st.tuples(st.sampled_from(["=", "!="]), vals).map(lambda t: ClauseT(field, t[0], (t[1],))),
        st.tuples(st.sampled_from(["in", "not in"]), st.lists(vals, min_size=1, max_size=3)).map(
            lambda t: ClauseT(field, t[0], tuple(t[1]))
        ),
        st.sampled_from(["is", "is not"]).map(lambda op: ClauseT(field, op, (EMPTY_V,))),
    )


clause_st = st.one_of(
    *(_enum_clause(f) for f in ENUM_VALUES),
    st.tuples(
        st.sampled_from(["created", "resolved"]),
        st.sampled_from(["=", "!=", "<", "<=", ">", ">="]),
        st.sampled_from(sorted(DATE_VALUES)),
    ).map(lambda t: ClauseT(t[0], t[1], (t[2],))),
    st.sampled_from(["is", "is not"]).map(lambda op: ClauseT("resolved", op, (EMPTY_V,))),
    st.tuples(st.sampled_from(["~", "!~"]), st.sampled_from(WORDS)).map(
        lambda t: ClauseT("summary", t[0], (t[1],))
    ),
)
tree_st = st.recursive(
    clause_st,
    lambda kids: st.one_of(
        st.lists(kids, min_size=2, max_size=3).map(lambda xs: AndT(tuple(xs))),
        st.lists(kids, min_size=2, max_size=3).map(lambda xs: OrT(tuple(xs))),
        kids.map(NotT),
    ),
    max_leaves=8,
)


def ref_values(i: SimpleJqlIssue, field: str) -> set[str]:
    if field == "project":
        return {i.project_key.lower(), i.project_id, i.project_name.lower()}
    if field == "status":
        return {i.status_name.lower(), i.status_id}
    if field == "assignee":
        return {i.assignee_account_id.lower()} if i.assignee_account_id else set()
    if field == "labels":
        return {x.lower() for x in i.labels}
    assert field == "priority"
    return {i.priority_name.lower(), str(i.priority_id)} if i.priority_name else set()


def ref_clause(c: ClauseT, i: SimpleJqlIssue, me: str | None) -> bool:
    if c.field == "summary":
        words = re.findall(r"\w+", i.summary.lower())
        found = c.values[0] in words
        return found if c.op == "~" else bool(words) and not found
    if c.field in ("created", "resolved"):
        d = i.created if c.field == "created" else i.resolved
        if c.op in ("is", "is not"):
            return (d is None) == (c.op == "is")
        if d is None:
            return False
        point = DATE_VALUES[c.values[0]]
        return {
            "=": d == point,
            "!=": d != point,
            "<": d < point,
            "<=": d <= point,
            ">": d > point,
            ">=": d >= point,
        }[c.op]
    have = ref_values(i, c.field)
    if c.op in ("is", "is not"):
        return (not have) == (c.op == "is")
    wanted = {v.lower() for v in c.values if v not in (EMPTY_V, ME_V)}
    if ME_V in c.values and me:
        wanted.add(me.lower())
    if c.op in ("=", "in"):
        return bool(have & wanted) or (not have and EMPTY_V in c.values)
    return bool(have) and not have & wanted


def ref_eval(node: Any, i: SimpleJqlIssue, me: str | None) -> bool:
    if isinstance(node, ClauseT):
        return ref_clause(node, i, me)
    if isinstance(node, NotT):
        return not ref_eval(node.item, i, me)
    results = [ref_eval(x, i, me) for x in node.items]
    return all(results) if isinstance(node, AndT) else any(results)


def _kw(word: str, rnd: random.Random) -> str:
    return rnd.choice([word.upper(), word.lower(), word.title()])


def render_value(v: str, rnd: random.Random) -> str:
    if v == EMPTY_V:
        return _kw(rnd.choice(["empty", "null"]), rnd)
    if v == ME_V:
        return "currentUser()"
    if v.endswith(")"):
        return v  # a function call
    if re.fullmatch(r"[\w\-/]+", v) and v.lower() not in ("empty", "null") and rnd.random() < 0.5:
        return v
    quote = rnd.choice(['"', "'"])
    return quote + v + quote


def render(node: Any, rnd: random.Random, parent: int = 0) -> str:
    prec = {OrT: 1, AndT: 2, NotT: 3, ClauseT: 4}[type(node)]
    if isinstance(node, ClauseT):
        field = rnd.choice([node.field, node.field.upper(), node.field.title()])
        if node.op in ("in", "not in"):
            vals = ", ".join(render_value(v, rnd) for v in node.values)
            text = f"{field} {_kw(node.op, rnd)} ({vals})"
        elif node.op in ("is", "is not"):
            text = f"{field} {_kw(node.op, rnd)} {render_value(EMPTY_V, rnd)}"
        else:
            text = f"{field} {node.op} {render_value(node.values[0], rnd)}"
    elif isinstance(node, NotT):
        text = f"{_kw('not', rnd)} {render(node.item, rnd, 3)}"
    else:
        joiner = f" {_kw('and' if isinstance(node, AndT) else 'or', rnd)} "
        text = joiner.join(render(x, rnd, prec) for x in node.items)
    if prec < parent or (prec < 4 and rnd.random() < 0.1):
        return f"({text})"
    return text


HYP = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@HYP
@given(
    tree=tree_st,
    issues=st.lists(issues_st, min_size=1, max_size=6),
    me=st.sampled_from([None, ME]),
    rnd=st.randoms(use_true_random=False),
)
def test_compiled_query_matches_reference_evaluation(
    tree: Any, issues: list[SimpleJqlIssue], me: str | None, rnd: random.Random
) -> None:
    text = render(tree, rnd)
    ctx = JqlContext(now=NOW, current_account_id=me)
    compiled = compile_jql(text)
    for i in issues:
        assert compiled.matches(i, ctx) == ref_eval(tree, i, me), (text, i)


@HYP
@given(tree=tree_st, issues=st.lists(issues_st, min_size=1, max_size=6))
def test_not_is_the_exact_complement(tree: Any, issues: list[SimpleJqlIssue]) -> None:
    text = render(tree, random.Random(0))
    q, neg = compile_jql(text), compile_jql(f"NOT ({text})")
    for i in issues:
        assert neg.matches(i, CTX) is not q.matches(i, CTX)


@HYP
@given(a=tree_st, b=tree_st, issues=st.lists(issues_st, min_size=1, max_size=6))
def test_and_or_are_commutative(a: Any, b: Any, issues: list[SimpleJqlIssue]) -> None:
    ra, rb = render(a, random.Random(1), 3), render(b, random.Random(2), 3)
    for op in ("AND", "OR"):
        left, right = compile_jql(f"{ra} {op} {rb}"), compile_jql(f"{rb} {op} {ra}")
        assert [left.matches(i, CTX) for i in issues] == [right.matches(i, CTX) for i in issues]


@HYP
@given(
    field=st.sampled_from(sorted(ENUM_VALUES)),
    values=st.lists(st.sampled_from(["x", "acc-1", "High", "ABC", "done"]), min_size=1),
    issues=st.lists(issues_st, min_size=1, max_size=6),
)
def test_negative_operators_equal_not_of_positive_restricted_to_non_empty(
    field: str, values: list[str], issues: list[SimpleJqlIssue]
) -> None:
    listed = ", ".join(f'"{v}"' for v in values)
    pairs = [
        (f'{field} != "{values[0]}"', f'{field} is not EMPTY AND NOT {field} = "{values[0]}"'),
        (f"{field} NOT IN ({listed})", f"{field} is not EMPTY AND NOT {field} IN ({listed})"),
    ]
    for negative, equivalent in pairs:
        a, b = compile_jql(negative), compile_jql(equivalent)
        assert [a.matches(i, CTX) for i in issues] == [b.matches(i, CTX) for i in issues]


@HYP
@given(issues=st.lists(issues_st, max_size=12), desc=st.booleans())
def test_sort_orders_by_keys_and_is_a_permutation(issues: list[SimpleJqlIssue], desc: bool) -> None:
    direction = "DESC" if desc else "ASC"
    out = compile_jql(f"order by resolved {direction}, key").sort(issues, CTX)
    assert sorted(map(id, out)) == sorted(map(id, issues))

    def rank(i: SimpleJqlIssue) -> tuple[Any, ...]:  # ascending order, empty values last
        return (i.resolved is None, i.resolved or NOW)

    for a, b in itertools.pairwise(out):
        ra, rb = rank(a), rank(b)
        assert (ra <= rb) if not desc else (ra >= rb)
        if a.resolved == b.resolved:
            na, nb = (
                (a.project_key, int(a.key.split("-")[1])),
                (b.project_key, int(b.key.split("-")[1])),
            )
            assert na <= nb


JQL_TOKENS = [
    "project",
    "status",
    "labels",
    "created",
    "summary",
    "text",
    "key",
    "assignee",
    "foo",
    "issue.property[p].a",
    "=",
    "!=",
    "<",
    ">=",
    "~",
    "!~",
    "in",
    "not",
    "is",
    "empty",
    "null",
    "and",
    "or",
    "order",
    "by",
    "asc",
    "desc",
    "(",
    ")",
    ",",
    "!",
    "&&",
    "||",
    "'a b'",
    '"x"',
    "-1d",
    "2024-01-01",
    "ABC-1",
    "10",
    "currentUser()",
    "now()",
    "startOfDay(-1)",
    "*",
    "[",
    "]",
    '"',
    "'",
    "\\",
    "\n",
    "é",
    "😀",
]


def _exercise(text: str) -> None:
    try:
        compiled = compile_jql(text)
    except JqlError as exc:
        assert exc.messages and all(isinstance(m, str) and m for m in exc.messages)
        return
    compiled.filter(ISSUES, CTX)
    compiled.sort(ISSUES, CTX)
    try:
        compiled.validate(JqlContext(NOW, ME, CATALOG))
    except JqlError as exc:
        assert exc.messages


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_arbitrary_text_only_raises_jql_error(text: str) -> None:
    _exercise(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(JQL_TOKENS), max_size=12).map(" ".join))
def test_token_soup_only_raises_jql_error(text: str) -> None:
    _exercise(text)
