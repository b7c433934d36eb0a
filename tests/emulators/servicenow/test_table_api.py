"""The Table API over real HTTP with httpx: encodings, CRUD, paging headers, errors."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ticketbridge.emulators.servicenow.server import ServiceNowServer

pytestmark = pytest.mark.store_independent
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


def _one(client: httpx.Client, table: str = "incident", **params: str) -> dict:
    response = client.get(f"/api/now/table/{table}", params={"sysparm_limit": "1", **params})
    assert response.status_code == 200, response.text
    return response.json()["result"][0]


def _with_assignee(client: httpx.Client, **params: str) -> dict:
    return _one(client, sysparm_query="assigned_toISNOTEMPTY^ORDERBYnumber", **params)


def test_every_value_is_a_string_and_references_are_link_value(
    client: httpx.Client, sn: ServiceNowServer
) -> None:
    record = _with_assignee(client)
    for name, value in record.items():
        assert isinstance(value, str | dict), name
    assert re.fullmatch(r"[0-9a-f]{32}", record["sys_id"])
    assert re.fullmatch(r"INC\d{7}", record["number"])
    assert DATETIME.match(record["sys_created_on"]) and DATETIME.match(record["opened_at"])
    assert record["active"] in ("true", "false") and record["sys_mod_count"].isdigit()
    assigned = record["assigned_to"]
    assert set(assigned) == {"link", "value"}
    assert assigned["link"] == f"{sn.base_url}/api/now/table/sys_user/{assigned['value']}"
    assert record["sys_class_name"] == "incident"
    assert record["comments"] == "" and record["work_notes"] == ""


def test_empty_reference_is_an_empty_string(client: httpx.Client) -> None:
    record = _one(client, sysparm_query="assigned_toISEMPTY")
    assert record["assigned_to"] == ""


def test_exclude_reference_link_and_display_values(
    client: httpx.Client, sn: ServiceNowServer
) -> None:
    plain = _with_assignee(client, sysparm_exclude_reference_link="true")
    user = sn.state.tables["sys_user"][plain["assigned_to"]]
    shown = _with_assignee(client, sysparm_display_value="true")
    assert shown["assigned_to"]["display_value"] == user["name"]
    assert "value" not in shown["assigned_to"]
    assert shown["priority"].startswith(plain["priority"] + " - ")
    both = _with_assignee(client, sysparm_display_value="all")
    assert both["assigned_to"] == {
        "display_value": user["name"],
        "value": plain["assigned_to"],
        "link": f"{sn.base_url}/api/now/table/sys_user/{plain['assigned_to']}",
    }
    assert both["number"] == {"display_value": plain["number"], "value": plain["number"]}
    bare = _with_assignee(
        client, sysparm_display_value="all", sysparm_exclude_reference_link="true"
    )
    assert "link" not in bare["assigned_to"]


def test_fields_and_dot_walking(client: httpx.Client, sn: ServiceNowServer) -> None:
    fields = "number,assigned_to.user_name,assigned_to.email,nonexistent"
    record = _with_assignee(client, sysparm_fields=fields, sysparm_exclude_reference_link="true")
    assert set(record) == {"number", "assigned_to.user_name", "assigned_to.email"}
    user = sn.state.user_by_name(record["assigned_to.user_name"])
    assert user is not None and record["assigned_to.email"] == user["email"]


def test_create_defaults_priority_and_numbering(client: httpx.Client, sn: ServiceNowServer) -> None:
    body = {"short_description": "New one", "impact": 2, "urgency": "2", "correlation_id": "c-9"}
    created = client.post("/api/now/table/incident", json=body)
    assert created.status_code == 201
    record = created.json()["result"]
    assert created.headers["location"].endswith(f"/api/now/table/incident/{record['sys_id']}")
    assert record["number"] == f"INC{sn.state.counters['incident']:07d}"
    assert (record["state"], record["incident_state"], record["priority"]) == ("1", "1", "3")
    assert record["active"] == "true" and record["sys_mod_count"] == "0"
    assert record["sys_created_by"] == sn.config.username
    assert record["opened_by"]["value"] == sn.state.user_by_name("admin")["sys_id"]  # type: ignore[index]
    assert record["impact"] == "2"
    found = client.get("/api/now/table/incident", params={"sysparm_query": "correlation_id=c-9"})
    assert [r["sys_id"] for r in found.json()["result"]] == [record["sys_id"]]


@pytest.mark.parametrize(
    ("table", "prefix", "state"),
    [("problem", "PRB", "101"), ("change_request", "CHG", "-5"), ("sc_task", "SCTASK", "1")],
)
def test_other_task_tables(client: httpx.Client, table: str, prefix: str, state: str) -> None:
    record = client.post(f"/api/now/table/{table}", json={"short_description": "x"}).json()
    assert record["result"]["number"].startswith(prefix)
    assert record["result"]["state"] == state
    listed = client.get(
        "/api/now/table/task", params={"sysparm_query": f"number={record['result']['number']}"}
    ).json()["result"]
    assert listed[0]["sys_class_name"] == table


def test_array_body_uses_the_first_element_and_unknown_fields_are_ignored(
    client: httpx.Client,
) -> None:
    body = [{"short_description": "first", "bogus": "1"}, {"short_description": "second"}]
    record = client.post("/api/now/table/incident", json=body).json()["result"]
    assert record["short_description"] == "first" and "bogus" not in record


def test_patch_put_and_journal_fields(client: httpx.Client, sn: ServiceNowServer) -> None:
    sys_id = _one(client, sysparm_query="state=1")["sys_id"]
    patched = client.patch(
        f"/api/now/table/incident/{sys_id}", json={"urgency": "1", "comments": "hello"}
    )
    assert patched.status_code == 200
    result = patched.json()["result"]
    assert result["comments"] == "" and result["sys_mod_count"] == "1"
    journal = [
        j for j in sn.state.tables["sys_journal_field"].values() if j["element_id"] == sys_id
    ]
    assert [j["value"] for j in journal] == ["hello"]
    put = client.put(f"/api/now/v2/table/incident/{sys_id}", json={"short_description": "renamed"})
    assert put.status_code == 200
    assert put.json()["result"]["urgency"] == "1"  # PUT does not blank fields left out
    assert put.json()["result"]["short_description"] == "renamed"


def test_input_display_value_resolves_names(client: httpx.Client, sn: ServiceNowServer) -> None:
    group = next(iter(sn.state.tables["sys_user_group"].values()))
    record = client.post(
        "/api/now/table/incident",
        params={"sysparm_input_display_value": "true", "sysparm_exclude_reference_link": "true"},
        json={
            "short_description": "by name",
            "assignment_group": group["name"],
            "impact": "1 - High",
        },
    ).json()["result"]
    assert record["assignment_group"] == group["sys_id"] and record["impact"] == "1"


def test_delete_then_404_and_audit(client: httpx.Client, sn: ServiceNowServer) -> None:
    sys_id = _one(client)["sys_id"]
    deleted = client.delete(f"/api/now/table/incident/{sys_id}")
    assert deleted.status_code == 204 and deleted.content == b""
    missing = client.get(f"/api/now/table/incident/{sys_id}")
    assert missing.status_code == 404
    assert missing.json() == {
        "error": {
            "message": "No Record found",
            "detail": "Record doesn't exist or ACL restricts the record retrieval",
        },
        "status": "failure",
    }
    audit = client.get(
        "/api/now/table/sys_audit_delete",
        params={"sysparm_query": f"tablename=incident^documentkey={sys_id}"},
    ).json()["result"]
    assert len(audit) == 1 and sys_id in audit[0]["payload"]
    assert (audit[0]["tablename"], audit[0]["documentkey"]) == ("incident", sys_id)
    assert DATETIME.match(audit[0]["sys_created_on"])
    since = client.get(
        "/api/now/table/sys_audit_delete",
        params={"sysparm_query": f"sys_created_on>={audit[0]['sys_created_on']}"},
    ).json()["result"]
    assert [r["documentkey"] for r in since] == [sys_id]
    deleted_rows = client.get(
        "/api/now/table/sys_audit", params={"sysparm_query": "fieldname=DELETED"}
    ).json()["result"]
    assert [r["documentkey"] for r in deleted_rows] == [sys_id]


def test_paging_headers(client: httpx.Client) -> None:
    total = len(
        client.get("/api/now/table/incident", params={"sysparm_fields": "sys_id"}).json()["result"]
    )
    response = client.get(
        "/api/now/table/incident",
        params={"sysparm_limit": "50", "sysparm_offset": "100", "sysparm_query": "ORDERBYnumber"},
    )
    assert response.headers["x-total-count"] == str(total)
    links = dict(
        (rel, parse_qs(urlsplit(url).query))
        for url, rel in re.findall(r'<([^>]+)>;rel="(\w+)"', response.headers["link"])
    )
    assert list(links) == ["first", "prev", "next", "last"]
    assert links["prev"]["sysparm_offset"] == ["50"] and links["next"]["sysparm_offset"] == ["150"]
    assert links["last"]["sysparm_offset"] == [str((total - 1) // 50 * 50)]
    assert links["next"]["sysparm_query"] == ["ORDERBYnumber"]
    assert ",<" in response.headers["link"] and ", <" not in response.headers["link"]
    first = client.get("/api/now/table/incident", params={"sysparm_limit": "50"})
    assert 'rel="prev"' not in first.headers["link"]
    quiet = client.get(
        "/api/now/table/incident",
        params={
            "sysparm_limit": "5",
            "sysparm_no_count": "true",
            "sysparm_suppress_pagination_header": "true",
        },
    )
    assert "x-total-count" not in quiet.headers and "link" not in quiet.headers
    single = client.get("/api/now/table/sys_user_group")
    assert "link" not in single.headers and single.headers["x-total-count"] == "4"


def test_walk_pages_with_link_next(client: httpx.Client) -> None:
    seen: list[str] = []
    url: str | None = "/api/now/table/problem?sysparm_limit=20&sysparm_fields=number"
    while url:
        response = client.get(url)
        seen += [r["number"] for r in response.json()["result"]]
        match = re.search(r'<([^>]+)>;rel="next"', response.headers.get("link", ""))
        url = match.group(1) if match else None
    assert len(seen) == len(set(seen)) == int(response.headers["x-total-count"])


def test_v1_empty_list_is_404_v2_is_empty(client: httpx.Client) -> None:
    params = {"sysparm_query": "number=NOPE"}
    assert client.get("/api/now/v1/table/incident", params=params).status_code == 404
    v2 = client.get("/api/now/v2/table/incident", params=params)
    assert v2.status_code == 200 and v2.json() == {"result": []}
    assert client.get("/api/now/table/incident", params=params).json() == {"result": []}


def test_name_value_filters_take_display_values(client: httpx.Client) -> None:
    by_value = client.get(
        "/api/now/table/incident", params={"state": "7", "sysparm_fields": "number"}
    )
    by_label = client.get(
        "/api/now/table/incident", params={"state": "Closed", "sysparm_fields": "number"}
    )
    assert by_value.json() == by_label.json() and by_value.json()["result"]


@pytest.mark.parametrize(
    ("method", "path", "status", "message"),
    [
        ("GET", "/api/now/table/nosuch", 400, "Invalid table nosuch"),
        ("GET", "/api/now/table/incident/" + "0" * 32, 404, "No Record found"),
        ("PATCH", "/api/now/table/incident/" + "0" * 32, 404, "No Record found"),
        ("DELETE", "/api/now/table/incident/" + "0" * 32, 404, "No Record found"),
        ("GET", "/api/now/nothing/here", 400, "Requested URI does not represent any resource"),
    ],
)
def test_error_envelope(
    client: httpx.Client, method: str, path: str, status: int, message: str
) -> None:
    response = client.request(method, path, json={} if method == "PATCH" else None)
    assert response.status_code == status
    body = response.json()
    assert body["status"] == "failure" and body["error"]["message"] == message


def test_bad_json_negative_offset_and_formats(client: httpx.Client) -> None:
    bad = client.post(
        "/api/now/table/incident", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["message"] == "Exception while reading request"
    negative = client.get("/api/now/table/incident", params={"sysparm_offset": "-1"})
    assert negative.status_code == 400
    assert negative.json()["error"]["detail"] == "Negative offset is not supported"
    xml = client.get("/api/now/table/incident", headers={"accept": "text/csv"})
    assert xml.status_code == 406
    form = client.post(
        "/api/now/table/incident", content=b"a=b", headers={"content-type": "text/plain"}
    )
    assert form.status_code == 415


def test_unauthenticated(sn: ServiceNowServer, cert: str) -> None:
    for auth in (None, ("admin", "wrong"), ("nobody", sn.config.password)):
        response = httpx.get(f"{sn.base_url}/api/now/table/incident", auth=auth, verify=cert)
        assert response.status_code == 401
        assert response.json()["error"] == {
            "message": "User Not Authenticated",
            "detail": "Required to provide Auth information",
        }


def test_method_override_and_head(client: httpx.Client) -> None:
    sys_id = _one(client)["sys_id"]
    response = client.post(
        f"/api/now/table/incident/{sys_id}",
        json={"short_description": "overridden"},
        headers={"X-http-method-override": "PATCH"},
    )
    assert response.status_code == 200
    assert response.json()["result"]["short_description"] == "overridden"
    head = client.head("/api/now/table/incident", params={"sysparm_limit": "1"})
    assert head.status_code == 200 and head.content == b""


def test_aggregate_count(client: httpx.Client, sn: ServiceNowServer) -> None:
    response = client.get(
        "/api/now/stats/incident", params={"sysparm_count": "true", "sysparm_query": "active=true"}
    )
    want = sum(1 for r in sn.state.tables["incident"].values() if r["active"] == "true")
    assert response.json() == {"result": {"stats": {"count": str(want)}}}


def test_choices_and_groups_tables(client: httpx.Client) -> None:
    choices = client.get(
        "/api/now/table/sys_choice",
        params={
            "sysparm_query": "name=incident^element=state^ORDERBYsequence",
            "sysparm_fields": "value,label",
        },
    ).json()["result"]
    assert [c["value"] for c in choices] == ["1", "2", "3", "6", "7", "8"]
    assert choices[3]["label"] == "Resolved"
    members = client.get("/api/now/table/sys_user_grmember", params={"sysparm_limit": "1"})
    assert set(members.json()["result"][0]["group"]) == {"link", "value"}


def test_chosen_sys_id_and_suppressed_sys_fields(client: httpx.Client) -> None:
    chosen = "ab" * 16
    created = client.post("/api/now/table/incident", json={"sys_id": chosen})
    assert created.json()["result"]["sys_id"] == chosen
    again = client.post("/api/now/table/problem", json={"sys_id": chosen})
    assert again.status_code == 403
    assert again.json()["error"]["detail"] == "Unique Key violation detected by database"
    before = created.json()["result"]
    quiet = client.patch(
        f"/api/now/table/incident/{chosen}",
        params={"sysparm_suppress_auto_sys_field": "true"},
        json={"short_description": "silent"},
    ).json()["result"]
    assert quiet["short_description"] == "silent"
    assert (quiet["sys_mod_count"], quiet["sys_updated_on"]) == (
        before["sys_mod_count"],
        before["sys_updated_on"],
    )


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
FIELDS = st.sampled_from(
    ["state", "impact", "urgency", "assigned_to", "close_code", "sys_id", "number", "x", "comments"]
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.one_of(JSON, st.dictionaries(FIELDS, JSON, max_size=4)),
    st.sampled_from(["incident", "problem", "task", "sys_user"]),
)
def test_any_write_body_gives_a_record_or_a_clean_4xx(
    client: httpx.Client, body: object, table: str
) -> None:
    response = client.post(f"/api/now/table/{table}", json=body)
    assert response.status_code in (201, 400, 403), response.text
    if response.status_code != 201:
        assert response.json()["status"] == "failure"


@pytest.mark.parametrize("roles", ["itil", "", "itil, admin"])
def test_the_audit_tables_need_the_admin_role(roles: str) -> None:
    """sys_audit_delete and sys_audit are admin-only: any other user gets 403 on them (the
    delete still writes its audit rows), and reads the task tables as before."""
    with ServiceNowServer(records=4, users=2, groups=1, roles=roles) as server:
        auth = (server.config.username, server.config.password)
        with httpx.Client(base_url=server.base_url, auth=auth) as http:
            sys_id = http.get("/api/now/table/incident").json()["result"][0]["sys_id"]
            assert http.delete(f"/api/now/table/incident/{sys_id}").status_code == 204
            assert len(server.state.tables["sys_audit_delete"]) == 1
            answers = [
                http.get("/api/now/table/sys_audit_delete"),
                http.get("/api/now/v2/table/sys_audit", params={"sysparm_limit": "1"}),
                http.get("/api/now/stats/sys_audit_delete", params={"sysparm_count": "true"}),
            ]
            admin = "admin" in {r.strip() for r in roles.split(",")}
            for answer in answers:
                if admin:
                    assert answer.status_code == 200, answer.text
                    continue
                assert answer.status_code == 403, answer.text
                assert answer.json()["error"]["message"] == "User Not Authorized"
                assert answer.json()["status"] == "failure"
            assert http.get("/api/now/table/incident").status_code == 200
