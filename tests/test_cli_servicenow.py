"""`ticketbridge connections create --vendor SERVICENOW` against the ServiceNow emulator over
HTTP: basic auth, OAuth client credentials and the password grant, tables and options; a
wrong vendor, a flag of the other vendor or half a credential pair is one line, exit 2."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
import typer
from hypothesis import given
from hypothesis import strategies as st

from tests.support.cli import Cli, cli_session
from ticketbridge.cli_connections import decode_options, vendor_of
from ticketbridge.emulators.servicenow.server import ServiceNowServer

INCIDENTS = 12
BASIC = ["--vendor", "SERVICENOW", "--base-url", "{url}", "--username", "a", "--password", "b"]


@pytest.fixture(scope="module")
def sn() -> Iterator[ServiceNowServer]:
    with ServiceNowServer(records=INCIDENTS, users=3, groups=2) as server:
        yield server


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    with cli_session(tmp_path_factory.mktemp("cli-sn")) as tool:
        yield tool


@pytest.fixture(scope="module")
def org(cli: Cli) -> tuple[str, str]:
    """(API key, organization id), made through the CLI."""
    key = cli.json("accounts", "create", "--name", "Ops")["api_key"]
    org_id = cli.json("orgs", "create", "--name", "Initech", "--api-key", key)["organization_id"]
    return key, org_id


def _create(cli: Cli, org: tuple[str, str], *args: str, code: int = 0) -> str:
    key, org_id = org
    return cli("connections", "create", "--org", org_id, "--api-key", key, *args, code=code)


def _one_line_error(output: str) -> str:
    assert "Traceback" not in output, output
    lines = output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), output
    return lines[0]


def test_basic_auth_with_tables_connects_syncs_and_tests(
    cli: Cli, org: tuple[str, str], sn: ServiceNowServer
) -> None:
    key, _ = org
    output = _create(
        cli,
        org,
        "--vendor",
        "servicenow",  # any case
        "--base-url",
        sn.base_url,
        "--username",
        sn.config.username,
        "--password",
        sn.config.password,
        "--table",
        "incident",
        "--table",
        "problem",
        "--options",
        json.dumps({"status_mapping": {"incident:2": "IN_REVIEW"}}),
        "--json",
    )
    connection = json.loads(output.strip().splitlines()[-1])
    assert connection["vendor"] == "SERVICENOW" and connection["state"] == "ACTIVE", connection
    assert "credentials" not in connection
    listed = {c["id"]: c for c in cli.json("connections", "list", "--api-key", key)}
    assert listed[connection["id"]]["vendor"] == "SERVICENOW"
    assert cli.json("connections", "test", connection["id"], "--api-key", key)["ok"] is True
    job = cli.json("connections", "sync", connection["id"], "--api-key", key)
    assert job["status"] == "SUCCESS", job
    expected = len(sn.state.tables["incident"]) + len(sn.state.tables["problem"])
    assert job["result"]["tickets"] == expected, job["result"]


def test_oauth_client_credentials_and_the_password_grant(
    cli: Cli, org: tuple[str, str], sn: ServiceNowServer
) -> None:
    client = ["--client-id", sn.config.client_id, "--client-secret", sn.config.client_secret]
    user = ["--username", sn.config.username, "--password", sn.config.password]
    for credentials in (client, client + user):
        output = _create(
            cli, org, "--vendor", "SERVICENOW", "--base-url", sn.base_url, *credentials
        )
        assert "(SERVICENOW, state ACTIVE)" in output, output
    # The secret may come from the environment, as Jira's API token does.
    key, org_id = org
    output = cli(
        "connections",
        "create",
        "--org",
        org_id,
        "--api-key",
        key,
        "--vendor",
        "SERVICENOW",
        "--base-url",
        sn.base_url,
        "--client-id",
        sn.config.client_id,
        "--json",
        SERVICENOW_CLIENT_SECRET=sn.config.client_secret,
    )
    assert json.loads(output.strip().splitlines()[-1])["state"] == "ACTIVE"


def test_the_instance_refusing_the_credentials_is_one_line_and_nothing_is_stored(
    cli: Cli, org: tuple[str, str], sn: ServiceNowServer
) -> None:
    key, _ = org
    before = cli.json("connections", "list", "--api-key", key)
    base = ["--vendor", "SERVICENOW", "--base-url", sn.base_url, "--username", "admin"]
    line = _one_line_error(_create(cli, org, *base, "--password", "wrong", code=2))
    assert "ServiceNow rejected the connection's credentials" in line, line
    assert "wrong" not in line
    assert cli.json("connections", "list", "--api-key", key) == before
    stored = _create(cli, org, *base, "--password", "wrong", "--no-validate", "--json")
    assert json.loads(stored.strip().splitlines()[-1])["state"] == "ACTIVE"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--vendor", "zendesk"],
            "unknown vendor 'zendesk': --vendor takes one of JIRA, SERVICENOW",
        ),
        (["--vendor", ""], "unknown vendor ''"),
        (["--vendor", "SERVICENOW"], "a ServiceNow connection needs --base-url"),
        (
            ["--vendor", "SERVICENOW", "--base-url", "{url}"],
            "a ServiceNow connection needs --username and --password (basic auth), --client-id "
            "and --client-secret (OAuth client credentials), or all four",
        ),
        (
            ["--vendor", "SERVICENOW", "--base-url", "{url}", "--username", "admin"],
            "--username and --password go together",
        ),
        (
            ["--vendor", "SERVICENOW", "--base-url", "{url}", "--client-secret", "s"],
            "--client-id and --client-secret go together",
        ),
        (
            ["--vendor", "SERVICENOW", "--base-url", "{url}", "--email", "a@b.c"],
            "--email is not for SERVICENOW connections (it is for --vendor JIRA)",
        ),
        (
            ["--vendor", "SERVICENOW", "--oauth"],
            "--oauth is not for SERVICENOW connections (it is for --vendor JIRA)",
        ),
        (
            ["--base-url", "{url}", "--table", "incident"],
            "--table is not for JIRA connections (it is for --vendor SERVICENOW)",
        ),
        (
            ["--vendor", "SERVICENOW", "--table", "incident", "--options", '{"tables": []}'],
            "give tables either with --table or in --options, not both",
        ),
        (["--options", "{nope"], "--options must be a JSON object"),
        (["--options", "[1]"], "--options must be a JSON object, not a JSON array"),
        (["--options", '{"a": "\\u0000"}'], "--options may not hold a NUL character"),
        (
            [*BASIC, "--table", "cmdb_ci"],
            "options.tables.0:",
        ),
        (
            [*BASIC, "--options", '{"project_keys_filter": ["X"]}'],
            "options.project_keys_filter",
        ),
    ],
)
def test_bad_input_is_one_line_naming_what_to_give(
    cli: Cli, org: tuple[str, str], sn: ServiceNowServer, args: list[str], message: str
) -> None:
    key, _ = org
    before = cli.json("connections", "list", "--api-key", key)
    filled = [a.replace("{url}", sn.base_url) for a in args]
    line = _one_line_error(_create(cli, org, *filled, code=2))
    assert message in line, line
    assert cli.json("connections", "list", "--api-key", key) == before


def test_jira_is_still_the_default(cli: Cli, org: tuple[str, str]) -> None:
    output = _create(
        cli,
        org,
        "--base-url",
        cli.jira.base_url,
        "--email",
        cli.jira.config.email,
        "--api-token",
        cli.jira.config.api_token,
        "--project",
        "ENG",
        "--json",
    )
    connection = json.loads(output.strip().splitlines()[-1])
    assert connection["vendor"] == "JIRA" and connection["state"] == "ACTIVE"
    uuid.UUID(connection["id"])


JSON = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@pytest.mark.store_independent
@given(st.one_of(st.text(), JSON.map(json.dumps), st.from_regex(r"\{.*\}", fullmatch=True)))
def test_decode_options_is_a_value_or_a_clean_error(text: str) -> None:
    try:
        value = decode_options(text)
    except typer.Exit as exc:
        assert exc.exit_code == 2
        return
    assert isinstance(value, dict)


@pytest.mark.store_independent
@given(st.one_of(st.text(), st.sampled_from(["jira", " ServiceNow ", "SERVICENOW", "zendesk"])))
def test_vendor_of_is_a_registered_vendor_or_a_clean_error(text: str) -> None:
    try:
        vendor = vendor_of(text)
    except typer.Exit as exc:
        assert exc.exit_code == 2
        return
    assert vendor in ("JIRA", "SERVICENOW") and vendor == text.strip().upper()
