"""Encoded queries (`sysparm_query`) over HTTP: operators, ^OR/^NQ precedence, ordering,
javascript: values, invalid conditions, and a property: no query string gives a 5xx."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ticketbridge.emulators.servicenow.server import ServiceNowServer

pytestmark = pytest.mark.store_independent
Row = dict[str, str]


def numbers(client: httpx.Client, query: str, table: str = "incident") -> list[str]:
    response = client.get(
        f"/api/now/table/{table}", params={"sysparm_query": query, "sysparm_fields": "number"}
    )
    assert response.status_code == 200, response.text
    return [r["number"] for r in response.json()["result"]]


def expect(sn: ServiceNowServer, keep: object, table: str = "incident") -> set[str]:
    rows = sn.state.tables[table].values()
    return {r["number"] for r in rows if keep(r)}  # type: ignore[operator]


CASES = [
    ("state=2", lambda r: r["state"] == "2"),
    ("state!=2", lambda r: r["state"] != "2"),
    ("short_descriptionLIKEVPN", lambda r: "VPN" in r["short_description"]),
    ("short_descriptionNOT LIKEVPN", lambda r: "VPN" not in r["short_description"]),
    ("short_descriptionSTARTSWITHEmail", lambda r: r["short_description"].startswith("Email")),
    ("short_descriptionENDSWITH#7", lambda r: r["short_description"].endswith("#7")),
    ("stateIN1,2,3", lambda r: r["state"] in ("1", "2", "3")),
    ("stateNOT IN1,2,3", lambda r: r["state"] not in ("1", "2", "3")),
    ("assigned_toISEMPTY", lambda r: r["assigned_to"] == ""),
    ("assigned_toISNOTEMPTY", lambda r: r["assigned_to"] != ""),
    ("priority<=2", lambda r: int(r["priority"]) <= 2),
    ("priority>3", lambda r: int(r["priority"]) > 3),
    ("impactBETWEEN1@2", lambda r: r["impact"] in ("1", "2")),
    ("caller_idSAMEASassigned_to", lambda r: r["caller_id"] == r["assigned_to"]),
    ("sys_created_on<2025-01-20 00:00:00", lambda r: r["sys_created_on"] < "2025-01-20 00:00:00"),
    ("number=INC0010005", lambda r: r["number"] == "INC0010005"),
    ("active=false", lambda r: r["active"] == "false"),
    ("state=6^close_codeISNOTEMPTY", lambda r: r["state"] == "6"),
    # ^OR binds tighter than ^: a AND (b OR c)
    ("urgency=1^state=1^ORstate=2", lambda r: r["urgency"] == "1" and r["state"] in "12"),
    # ^NQ ORs whole groups
    (
        "state=1^urgency=1^NQstate=2^urgency=3",
        lambda r: (r["state"], r["urgency"]) in {("1", "1"), ("2", "3")},
    ),
    # invalid conditions are dropped; the rest still filters
    ("nosuchfield=1^state=2", lambda r: r["state"] == "2"),
    ("state=2^ORbogus=1", lambda r: r["state"] == "2"),
    ("%%%garbage^state=3", lambda r: r["state"] == "3"),
    ("", lambda r: True),
    ("^NQstate=2", lambda r: r["state"] == "2"),
    ("state=2^NQbogus=1", lambda r: True),  # the second group lost its only condition
]


@pytest.mark.parametrize(("query", "keep"), CASES, ids=[c[0] or "empty" for c in CASES])
def test_operator(client: httpx.Client, sn: ServiceNowServer, query: str, keep: object) -> None:
    got = numbers(client, query)
    assert set(got) == expect(sn, keep)
    assert len(got) == len(set(got))


def test_dot_walking_in_queries(client: httpx.Client, sn: ServiceNowServer) -> None:
    user = next(u for u in sn.state.tables["sys_user"].values() if u["user_name"] == "beth.anglin")
    got = numbers(client, "assigned_to.user_name=beth.anglin")
    assert got and set(got) == expect(sn, lambda r: r["assigned_to"] == user["sys_id"])


def test_order_by_and_desc_chain(client: httpx.Client, sn: ServiceNowServer) -> None:
    got = numbers(client, "ORDERBYpriority^ORDERBYDESCnumber")
    rows = sorted(sn.state.tables["incident"].values(), key=lambda r: r["number"], reverse=True)
    rows.sort(key=lambda r: int(r["priority"]))
    assert got == [r["number"] for r in rows]


def test_javascript_date_generate_and_between(client: httpx.Client, sn: ServiceNowServer) -> None:
    query = "sys_created_on>=javascript:gs.dateGenerate('2025-01-10','12:00:00')"
    assert set(numbers(client, query)) == expect(
        sn, lambda r: r["sys_created_on"] >= "2025-01-10 12:00:00"
    )
    between = (
        'sys_created_onBETWEENjavascript:gs.dateGenerate("2025-01-08","start")'
        '@javascript:gs.dateGenerate("2025-01-09","end")'
    )
    want = expect(
        sn, lambda r: "2025-01-08 00:00:00" <= r["sys_created_on"] <= "2025-01-09 23:59:59"
    )
    assert want and set(numbers(client, between)) == want
    assert numbers(client, "sys_created_on>javascript:gs.daysAgoStart(0)") == []
    mine = numbers(client, "opened_by=javascript:gs.getUserID()")
    assert len(mine) == len(sn.state.tables["incident"])


def test_keyset_sync_recipe(client: httpx.Client, sn: ServiceNowServer) -> None:
    rows = sorted(
        sn.state.tables["incident"].values(), key=lambda r: (r["sys_updated_on"], r["sys_id"])
    )
    pivot = rows[len(rows) // 2]
    t, last = pivot["sys_updated_on"], pivot["sys_id"]
    query = (
        f"sys_updated_on>{t}^NQsys_updated_on={t}^sys_id>{last}^ORDERBYsys_updated_on^ORDERBYsys_id"
    )
    got = numbers(client, query)
    assert got == [r["number"] for r in rows[len(rows) // 2 + 1 :]]


def test_invalid_query_returns_no_rows_switch(sn: ServiceNowServer, client: httpx.Client) -> None:
    sn.emulator.config.invalid_query_returns_no_rows = True
    try:
        assert numbers(client, "nosuchfield=1^state=2") == []
        assert numbers(client, "state=2")
    finally:
        sn.emulator.config.invalid_query_returns_no_rows = False


def test_task_table_lists_every_subclass(client: httpx.Client, sn: ServiceNowServer) -> None:
    got = numbers(client, "numberSTARTSWITHPRB^ORnumberSTARTSWITHCHG", table="task")
    assert len(got) == len(sn.state.tables["problem"]) + len(sn.state.tables["change_request"])
    assert numbers(client, "caller_idISEMPTY", table="task")  # not a task field: dropped


PIECES = st.sampled_from(
    [
        "state",
        "number",
        "priority",
        "assigned_to",
        "assigned_to.name",
        "sys_created_on",
        "x",
        "=",
        "!=",
        "LIKE",
        "NOT IN",
        "IN",
        "ISEMPTY",
        "BETWEEN",
        "<",
        ">=",
        "@",
        ",",
        "^",
        "^OR",
        "^NQ",
        "ORDERBY",
        "ORDERBYDESC",
        "javascript:",
        "gs.dateGenerate('2025-01-01','x')",
        "1",
        "INC00",
        " ",
        "%",
        "EQ",
        "SAMEAS",
        "\u00e9",
        "\\",
        "'",
        '"',
        "(",
        ")",
    ]
)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.one_of(st.lists(PIECES, max_size=12).map("".join), st.text(max_size=40)))
def test_any_query_gives_records_or_a_clean_4xx(client: httpx.Client, query: str) -> None:
    response = client.get(
        "/api/now/table/incident",
        params={"sysparm_query": query, "sysparm_fields": "number", "sysparm_limit": "5"},
    )
    assert response.status_code < 500, (query, response.text)
    if response.status_code == 200:
        assert isinstance(response.json()["result"], list)
    else:
        assert response.json()["status"] == "failure"
