"""A connection's options: JSON merge patch (RFC 7396) and size caps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.factories import Tenant
from ticketbridge.errors import Unprocessable
from ticketbridge.provisioning.options import merge_patch, patched
from ticketbridge.provisioning.schemas import (
    MAX_MAPPING_ENTRIES,
    MAX_PROJECT_KEY_LENGTH,
    MAX_PROJECT_KEYS,
    MAX_VENDOR_NAME_LENGTH,
)

pytestmark = pytest.mark.store_independent


def _patch_options(tenant: Tenant, options: Any) -> Any:
    return tenant.patch(tenant.connection_path, json={"options": options})


def test_options_patch_merges_and_null_removes(small_tenant: Callable[..., Tenant]) -> None:
    tenant = small_tenant()
    r = _patch_options(
        tenant,
        {"project_keys_filter": ["ENG"], "status_mapping": {"In Review": "IN_REVIEW"}},
    )
    assert r.status_code == 200, r.text
    r = _patch_options(tenant, {"priority_mapping": {"Highest": "CRITICAL"}})
    assert r.status_code == 200, r.text
    assert r.json()["options"] == {
        "project_keys_filter": ["ENG"],
        "status_mapping": {"In Review": "IN_REVIEW"},
        "priority_mapping": {"Highest": "CRITICAL"},
    }
    # Nested objects merge; a key sent as null goes, in a mapping or at the top.
    r = _patch_options(
        tenant,
        {"status_mapping": {"Blocked": "TODO", "In Review": None}, "project_keys_filter": None},
    )
    assert r.status_code == 200, r.text
    assert r.json()["options"] == {
        "project_keys_filter": None,
        "status_mapping": {"Blocked": "TODO"},
        "priority_mapping": {"Highest": "CRITICAL"},
    }
    stored = tenant.get(tenant.connection_path).json()["options"]
    assert stored == r.json()["options"]
    # A PATCH without options leaves them; null for the whole object restores the defaults.
    assert (
        tenant.patch(tenant.connection_path, json={"identifier": "x"}).json()["options"] == stored
    )
    r = _patch_options(tenant, None)
    assert r.json()["options"] == {
        "project_keys_filter": None,
        "status_mapping": {},
        "priority_mapping": {},
    }


def test_a_bad_merged_value_is_a_422_naming_the_field(small_tenant: Callable[..., Tenant]) -> None:
    tenant = small_tenant()
    r = _patch_options(tenant, {"status_mapping": {"In Review": "NOT_A_STATUS"}})
    assert r.status_code == 422 and "options.status_mapping" in r.text, r.text
    r = _patch_options(tenant, {"colour": "blue"})
    assert r.status_code == 422 and "options.colour" in r.text, r.text
    assert tenant.get(tenant.connection_path).json()["options"]["status_mapping"] == {}


@pytest.mark.parametrize(
    ("options", "field"),
    [
        (
            {"project_keys_filter": [f"P{i}" for i in range(MAX_PROJECT_KEYS + 1)]},
            "project_keys_filter",
        ),
        ({"project_keys_filter": ["K" * (MAX_PROJECT_KEY_LENGTH + 1)]}, "project_keys_filter"),
        ({"project_keys_filter": [""]}, "project_keys_filter"),
        (
            {"status_mapping": {f"S{i}": "TODO" for i in range(MAX_MAPPING_ENTRIES + 1)}},
            "status_mapping",
        ),
        ({"status_mapping": {"S" * (MAX_VENDOR_NAME_LENGTH + 1): "TODO"}}, "status_mapping"),
        (
            {"priority_mapping": {f"P{i}": "LOW" for i in range(MAX_MAPPING_ENTRIES + 1)}},
            "priority_mapping",
        ),
    ],
)
def test_options_over_the_caps_are_refused_on_create_and_patch(
    small_tenant: Callable[..., Tenant], small_jira: Any, options: dict[str, Any], field: str
) -> None:
    tenant = small_tenant()
    r = _patch_options(tenant, options)
    assert r.status_code == 422 and field in r.text, r.text
    body = {
        "vendor": "JIRA",
        "credentials": {
            "base_url": small_jira.base_url,
            "email": small_jira.config.email,
            "api_token": small_jira.config.api_token,
        },
        "options": options,
    }
    r = tenant.post(f"/v1/provisioning/organizations/{tenant.org_id}/connections", json=body)
    assert r.status_code == 422 and field in r.text, r.text


def test_merge_patch_follows_the_rfc_examples() -> None:
    # RFC 7396, appendix A (a selection).
    assert merge_patch({"a": "b"}, {"a": "c"}) == {"a": "c"}
    assert merge_patch({"a": "b"}, {"b": "c"}) == {"a": "b", "b": "c"}
    assert merge_patch({"a": "b"}, {"a": None}) == {}
    assert merge_patch({"a": ["b"]}, {"a": "c"}) == {"a": "c"}
    assert merge_patch({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}) == {"a": {"b": "d"}}
    assert merge_patch({"e": None}, {"a": 1}) == {"e": None, "a": 1}
    assert merge_patch({}, {"a": {"bb": {"ccc": None}}}) == {"a": {"bb": {}}}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=20), children, max_size=4)
    ),
    max_leaves=30,
)
option_like = st.dictionaries(
    st.sampled_from(["project_keys_filter", "status_mapping", "priority_mapping", "other"]),
    json_values,
)


@settings(max_examples=300, deadline=None)
@given(current=option_like, patch=st.none() | st.dictionaries(st.text(max_size=30), json_values))
def test_an_options_patch_is_options_or_a_clean_422(current: Any, patch: Any) -> None:
    try:
        result = patched("JIRA", current, patch)
    except Unprocessable as exc:
        assert exc.extra["field"].startswith("options")
    else:
        assert set(result) == {"project_keys_filter", "status_mapping", "priority_mapping"}
