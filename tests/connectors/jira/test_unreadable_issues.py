"""An issue in a shape the mapping cannot read is set aside with a reason, never raised."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ticketbridge.connectors.jira import mapping
from ticketbridge.connectors.jira.sync_reads import _tickets_of
from ticketbridge.emulators.jira.server import EmulatorServer

pytestmark = pytest.mark.store_independent


@pytest.fixture(scope="module")
def issues() -> Iterator[list[dict[str, Any]]]:
    """Issues as Jira's search sends them to the sync (from the emulator, over HTTP)."""
    with EmulatorServer(projects=1, users=5, issues=5, seed=3) as site:
        found = httpx.post(
            site.base_url + "/rest/api/3/search/jql",
            auth=(site.config.email, site.config.api_token),
            json={
                "jql": 'updated >= "1970-01-01 00:00"',
                "fields": mapping.ISSUE_FIELDS,
                "maxResults": 5,
            },
        ).json()["issues"]
    assert len(found) == 5
    yield found


def test_malformed_issues_are_set_aside_and_the_rest_is_read(
    issues: list[dict[str, Any]],
) -> None:
    no_id, bad_date, odd_fields = (copy.deepcopy(i) for i in issues[:3])
    del no_id["id"]
    bad_date["fields"]["created"] = "yesterday"
    odd_fields["fields"]["status"] = ["not", "an", "object"]
    page = _tickets_of([no_id, bad_date, odd_fields, *issues[3:]], "https://x", "c")
    assert [t.key for t in page] == [i["key"] for i in issues[3:]]
    reasons = dict(page.unreadable)
    assert set(reasons) == {no_id["key"], bad_date["key"], odd_fields["key"]}
    assert "key or id" in reasons[no_id["key"]]
    assert "format" in reasons[bad_date["key"]]
    for reason in reasons.values():
        assert "Error" not in reason and "Traceback" not in reason


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_any_issue_shape_is_a_ticket_or_set_aside(
    issues: list[dict[str, Any]], data: st.DataObject
) -> None:
    issue = copy.deepcopy(issues[0])
    field = data.draw(st.sampled_from([*sorted(issue["fields"]), "id", "key", "properties"]))
    value = data.draw(json_values)
    if field in ("id", "key", "properties"):
        issue[field] = value
    else:
        issue["fields"][field] = value
    page = _tickets_of([issue], "https://x", "c")
    assert len(page) + len(page.unreadable) == 1
    for ticket in page:  # what is read has the types the store needs for its ids
        assert isinstance(ticket.key, str) and isinstance(ticket.internal_id, str)
