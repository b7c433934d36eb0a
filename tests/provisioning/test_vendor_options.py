"""Each vendor's connection options, through the registry: ServiceNow's next to Jira's.

ServiceNow's options are checked by the vendor-neutral code against the model the registry
holds for it (``connectors/options.ServiceNowOptions``); the vendor is never called here
(``"validate": false``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.provisioning.helpers import connection_row
from tests.support.factories import Tenant
from ticketbridge.config import Settings

pytestmark = pytest.mark.store_independent

INSTANCE = "https://dev1.service-now.com"


def _create(tenant: Tenant, vendor: str, options: Any = None, **body: Any) -> httpx.Response:
    credentials = (
        {"base_url": INSTANCE, "username": "admin", "password": "pw"}
        if vendor == "SERVICENOW"
        else {"base_url": "https://acme.atlassian.net", "email": "a@b.c", "api_token": "t"}
    )
    payload: dict[str, Any] = {"vendor": vendor, "credentials": credentials, "validate": False}
    if options is not None:
        payload["options"] = options
    return tenant.post(
        f"/v1/provisioning/organizations/{tenant.org_id}/connections", json={**payload, **body}
    )


DEFAULTS = {
    "tables": ["incident"],
    "status_mapping": {},
    "priority_mapping": {},
    "resolve_defaults": {"close_code": None, "close_notes": None},
}


def test_a_servicenow_connection_has_its_own_defaults(
    small_tenant: Callable[..., Tenant],
) -> None:
    tenant = small_tenant(connected=False)
    r = _create(tenant, "SERVICENOW")
    assert r.status_code == 200, r.text
    assert r.json()["vendor"] == "SERVICENOW"
    assert r.json()["options"] == DEFAULTS
    options = {
        "tables": ["incident", "sc_task"],
        "status_mapping": {"incident:3": "TODO", "-5": "OPEN"},
        "priority_mapping": {"5": "LOW"},
        "resolve_defaults": {"close_code": "Solved (Permanently)", "close_notes": "Done"},
    }
    r = _create(tenant, "SERVICENOW", options)
    assert r.status_code == 200, r.text
    assert r.json()["options"] == options


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"tables": ["incident", "cmdb_ci"]}, "options.tables.1"),
        ({"tables": []}, "options.tables"),
        ({"tables": ["incident", "incident"]}, "options.tables"),
        ({"tables": "incident"}, "options.tables"),
        ({"status_mapping": {"incident:6": "DONE"}}, "options.status_mapping.incident:6"),
        ({"status_mapping": {"sys_user:6": "CLOSED"}}, "options.status_mapping"),
        ({"status_mapping": {"incident:": "CLOSED"}}, "options.status_mapping"),
        ({"priority_mapping": {"1": "URGENT"}}, "options.priority_mapping.1"),
        ({"resolve_defaults": {"close_code": ""}}, "options.resolve_defaults.close_code"),
        ({"resolve_defaults": {"code": "x"}}, "options.resolve_defaults.code"),
        ({"project_keys_filter": ["ENG"]}, "options.project_keys_filter"),
    ],
)
def test_bad_servicenow_options_are_a_422_naming_the_field(
    small_tenant: Callable[..., Tenant], options: dict[str, Any], field: str
) -> None:
    tenant = small_tenant(connected=False)
    r = _create(tenant, "SERVICENOW", options)
    assert r.status_code == 422, r.text
    assert field in r.json()["detail"], r.text
    assert tenant.get(f"/v1/provisioning/organizations/{tenant.org_id}/connections").json() == []


def test_each_vendor_refuses_the_others_options(small_tenant: Callable[..., Tenant]) -> None:
    tenant = small_tenant(connected=False)
    r = _create(tenant, "JIRA", {"tables": ["incident"]})
    assert r.status_code == 422 and "options.tables" in r.text, r.text
    r = _create(tenant, "JIRA", {"project_keys_filter": ["ENG"]})
    assert r.status_code == 200, r.text


def test_an_unknown_vendor_is_a_422(small_tenant: Callable[..., Tenant]) -> None:
    tenant = small_tenant(connected=False)
    r = _create(tenant, "ZENDESK")
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "NOT_SUPPORTED" and "ZENDESK" in r.text


def test_a_servicenow_options_patch_merges_and_a_new_table_resets_the_mark(
    small_tenant: Callable[..., Tenant], settings: Settings
) -> None:
    tenant = small_tenant(connected=False)
    r = _create(tenant, "SERVICENOW", {"resolve_defaults": {"close_code": "Solved"}})
    assert r.status_code == 200, r.text
    path = f"/v1/provisioning/organizations/{tenant.org_id}/connections/{r.json()['id']}"
    r = tenant.patch(path, json={"options": {"resolve_defaults": {"close_notes": "By API"}}})
    assert r.status_code == 200, r.text
    assert r.json()["options"]["resolve_defaults"] == {
        "close_code": "Solved",
        "close_notes": "By API",
    }
    row = connection_row(settings, r.json()["id"])
    assert row.options["resolve_defaults"]["close_notes"] == "By API"
    r = tenant.patch(path, json={"options": {"tables": ["incident", "problem", "problem"]}})
    assert r.status_code == 422 and "options.tables" in r.text, r.text
    r = tenant.patch(path, json={"options": {"tables": ["problem", "incident"]}})
    assert r.status_code == 200, r.text
    assert r.json()["options"]["tables"] == ["problem", "incident"]
    r = tenant.patch(path, json={"options": None})
    assert r.json()["options"] == DEFAULTS


def test_a_change_of_tables_or_mappings_asks_for_a_full_resync() -> None:
    from ticketbridge.provisioning.options import needs_full_resync

    before = dict(DEFAULTS)
    assert not needs_full_resync("SERVICENOW", before, {**before, "resolve_defaults": {}})
    assert not needs_full_resync("SERVICENOW", before, {**before, "tables": ["incident"]})
    assert needs_full_resync("SERVICENOW", before, {**before, "tables": ["incident", "problem"]})
    assert needs_full_resync("SERVICENOW", before, {**before, "status_mapping": {"6": "CLOSED"}})
    assert not needs_full_resync(
        "JIRA", {"project_keys_filter": ["A", "B"]}, {"project_keys_filter": ["B", "A"]}
    )
    assert needs_full_resync("JIRA", {"project_keys_filter": None}, {"project_keys_filter": ["A"]})
