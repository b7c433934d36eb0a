"""Reading issues back after writes, and creation-token lookups, through `search/jql`.

Jira's search is eventually consistent: an issue created a moment ago may be missing from
an answer. Two remedies, as Jira documents them:

- where the issue ids are known (a create's answer holds them), they are passed as
  `reconcileIssues` (at most 50 per request), which makes the search see them;
- where they are not (the create's answer was lost), a token lookup that misses is repeated
  after short waits (`TOKEN_LOOKUP_WAITS`) before the caller resends the create.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from ticketbridge.connectors.base import VendorTicket
from ticketbridge.connectors.jira import mapping
from ticketbridge.connectors.jira.client import JiraClient

# Issues read per search: `reconcileIssues` takes at most 50 ids (and 50 <= a page of 100).
READ_CHUNK = 50
# Tokens per lookup search (one JQL clause each).
TOKEN_CHUNK = 50
SEARCH_PAGE = 100
# Seconds waited before each further lookup of creation tokens not found: an issue committed
# just before a lost answer may take a moment to become searchable. 2.5 s in all.
TOKEN_LOOKUP_WAITS = (0.25, 0.75, 1.5)
# Key -> id of issues this connector created, found or read lately (for `reconcileIssues`).
KNOWN_IDS = 2000


class Reads:
    """The search-based reads of one connection's connector."""

    def __init__(self, client: JiraClient, connection_id: str) -> None:
        self.client = client
        self.connection_id = connection_id
        self._ids: OrderedDict[str, str] = OrderedDict()
        self.waits: Sequence[float] = TOKEN_LOOKUP_WAITS

    def remember(self, key: str, issue_id: Any) -> None:
        """Note an issue's id (created, found or read), so reading it again after a write
        can reconcile it."""
        if key and str(issue_id).isdigit():
            self._ids[key] = str(issue_id)
            self._ids.move_to_end(key)
            while len(self._ids) > KNOWN_IDS:
                self._ids.popitem(last=False)

    async def tickets(self, refs: Sequence[str]) -> dict[str, VendorTicket]:
        """Tickets by key or id, one search per 50; refs missing from the answers are left
        out (the caller reads those one by one, which is consistent).

        Refs whose id is known are searched by id and reconciled (read-after-write)."""
        wanted = list(dict.fromkeys(r for r in refs if r))
        found: dict[str, VendorTicket] = {}
        for start in range(0, len(wanted), READ_CHUNK):
            chunk = wanted[start : start + READ_CHUNK]
            ids = {ref: ref if ref.isdigit() else self._ids.get(ref) for ref in chunk}
            reconcile = sorted({int(i) for i in ids.values() if i})
            terms = [i if i else _quoted(ref) for ref, i in ids.items()]
            page = await self.client.search_jql(
                f"id in ({', '.join(terms)})",
                next_page_token=None,
                max_results=SEARCH_PAGE,
                fields=mapping.ISSUE_FIELDS,
                properties=[mapping.PROPERTY_KEY],
                reconcile_issues=reconcile,
            )
            by_ref = {i: ref for ref, i in ids.items() if i} | {ref: ref for ref in chunk}
            site_url = self.client.site_url
            for issue in page.get("issues", []):
                ticket = mapping.issue_to_ticket(issue, site_url, self.connection_id)
                self.remember(ticket.key, ticket.internal_id)
                for seen in (str(issue.get("key")), str(issue.get("id"))):
                    if seen in by_ref:
                        found[by_ref[seen]] = ticket
        return found

    async def by_tokens(self, tokens: Sequence[str], *, full: bool) -> dict[str, dict[str, Any]]:
        """Creation token -> issue (JSON) for tokens whose issue exists, looking again after
        `waits` for tokens not found. With `full`, issues carry the fields a ticket needs."""
        found = await self._lookup(tokens, full)
        for wait in self.waits:
            missing = [t for t in tokens if t not in found]
            if not missing:
                break
            await asyncio.sleep(wait)
            found.update(await self._lookup(missing, full))
        return found

    async def _lookup(self, tokens: Sequence[str], full: bool) -> dict[str, dict[str, Any]]:
        result: dict[str, dict[str, Any]] = {}
        for start in range(0, len(tokens), TOKEN_CHUNK):
            chunk = list(tokens[start : start + TOKEN_CHUNK])
            page_token: str | None = None
            while True:
                page = await self.client.search_jql(
                    mapping.token_jql(chunk),
                    next_page_token=page_token,
                    max_results=SEARCH_PAGE,
                    fields=mapping.ISSUE_FIELDS if full else ["key"],
                    properties=[mapping.PROPERTY_KEY],
                )
                for issue in page.get("issues", []):
                    prop = (issue.get("properties") or {}).get(mapping.PROPERTY_KEY) or {}
                    token = prop.get("token") if isinstance(prop, dict) else None
                    if token:
                        result[token] = issue
                        self.remember(str(issue.get("key") or ""), issue.get("id"))
                page_token = page.get("nextPageToken")
                if not page_token:
                    break
        return result


def _quoted(ref: str) -> str:
    return '"' + ref.replace("\\", "\\\\").replace('"', '\\"') + '"'
