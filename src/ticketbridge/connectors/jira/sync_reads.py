"""The Jira connector's sync reads: projects, issue types, users and pages of tickets
(JQL searches paged in disjoint streams at once), see BEHAVIOR.md, "Sync"."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from ticketbridge.aio import merged
from ticketbridge.connectors.base import TicketPage, VendorIssueType, VendorProject, VendorUser
from ticketbridge.connectors.jira import mapping
from ticketbridge.connectors.jira.client import JiraClient

SEARCH_PAGE = 100
# Disjoint searches paged at once by a sync (`iter_tickets`); each holds one vendor slot.
SEARCH_STREAMS = 2


class JiraSyncReads:
    """Mixed into `JiraConnector`: needs its client and its connection id."""

    client: JiraClient
    connection_id: str

    async def iter_projects(self, keys: list[str] | None) -> AsyncIterator[VendorProject]:
        wanted = {k.upper() for k in keys} if keys else None
        start = 0
        while True:
            page = await self.client.search_projects(start, 50, expand="description,url")
            values = page.get("values", [])
            for p in values:
                if wanted is None or p["key"].upper() in wanted:
                    yield VendorProject(
                        vendor_id=p["key"],
                        internal_id=str(p["id"]),
                        name=p.get("name") or p["key"],
                        description=p.get("description") or None,
                        project_type=p.get("projectTypeKey"),
                        url=f"{self.client.site_url}/browse/{p['key']}",
                        attributes={
                            "id": p["key"],
                            "vendor": "JIRA",
                            "data": {
                                "vendor": "JIRA",
                                "id": str(p["id"]),
                                "style": p.get("style"),
                                "simplified": p.get("simplified"),
                            },
                        },
                    )
            start += len(values)
            if page.get("isLast", True) or not values:
                return

    async def iter_issue_types(self, project: VendorProject) -> AsyncIterator[VendorIssueType]:
        start = 0
        while True:
            page = await self.client.createmeta_issue_types(project.vendor_id, start, 200)
            values = page.get("issueTypes", page.get("values", []))
            for t in values:
                yield VendorIssueType(
                    vendor_id=str(t["id"]),
                    name=t["name"],
                    description=t.get("description") or None,
                    subtask=bool(t.get("subtask")),
                    attributes={"hierarchyLevel": t.get("hierarchyLevel")},
                )
            start += len(values)
            if not values or start >= int(page.get("total", start)):
                return

    async def iter_users(self) -> AsyncIterator[VendorUser]:
        start = 0
        while True:
            users = await self.client.users(start, 100)
            if not users:
                return
            for u in users:
                yield _user(u)
            start += len(users)

    async def iter_assignable_users(self, project_vendor_id: str) -> AsyncIterator[str]:
        # Jira filters after paging, so pages may be short while more users exist:
        # stop only on an empty page.
        start = 0
        while True:
            users = await self.client.assignable_users(project_vendor_id, None, start, 100)
            if not users:
                return
            for u in users:
                yield u["accountId"]
            start += 100

    def iter_tickets(
        self,
        updated_since: datetime | None,
        project_keys: list[str] | None,
        known_projects: Sequence[str] = (),
    ) -> AsyncIterator[TicketPage]:
        """Pages of tickets updated since `updated_since` (all of them without it).

        The search is cut into `SEARCH_STREAMS` disjoint JQL queries by project, paged at the
        same time: Jira's pages of one query come one after the other (each needs the last
        one's token), so one stream leaves Jira idle while we take in a page. The cut needs
        the project keys (`project_keys`, else `known_projects`); the last query takes every
        project not named (``project not in (...)``), so nothing is missed if the list is
        stale. Pages of different streams interleave; each stream keeps its order.
        """
        updated = _updated_clause(updated_since)
        order = " ORDER BY updated ASC, id ASC"
        if project_keys:
            groups = [project_keys[n::SEARCH_STREAMS] for n in range(SEARCH_STREAMS)]
            queries = [f"project in ({_jql_keys(g)}) AND {updated}" for g in groups if g]
        elif len(known_projects) >= SEARCH_STREAMS:
            groups = [list(known_projects[n::SEARCH_STREAMS]) for n in range(SEARCH_STREAMS)]
            named = [k for g in groups[:-1] for k in g]
            queries = [f"project in ({_jql_keys(g)}) AND {updated}" for g in groups[:-1]]
            queries.append(f"project not in ({_jql_keys(named)}) AND {updated}")
        else:
            queries = [updated]
        streams = [self._ticket_pages(q + order) for q in queries]
        return merged(streams, depth=SEARCH_STREAMS)

    async def count_tickets(
        self,
        updated_since: datetime | None,
        project_keys: list[str] | None,
        known_projects: Sequence[str] = (),
    ) -> int | None:
        """How many tickets `iter_tickets` will bring, by Jira's approximate count (one call;
        issues changed a moment ago may be missing from it, so it can be a little short)."""
        jql = _updated_clause(updated_since)
        if project_keys:
            jql = f"project in ({_jql_keys(project_keys)}) AND {jql}"
        answer = await self.client.approximate_count(jql)
        count = answer.get("count") if isinstance(answer, dict) else None
        return count if isinstance(count, int) and not isinstance(count, bool) else None

    async def _ticket_pages(self, jql: str) -> AsyncIterator[TicketPage]:
        def fetch(token: str | None) -> asyncio.Task[dict[str, Any]]:
            return asyncio.ensure_future(
                self.client.search_jql(
                    jql,
                    next_page_token=token,
                    max_results=SEARCH_PAGE,
                    fields=mapping.ISSUE_FIELDS,
                    properties=[mapping.PROPERTY_KEY],
                )
            )

        # The next page is requested before this one is mapped: Jira prepares page n+1 while
        # we convert page n. (Mapping in a thread or a process measured no faster: the work
        # is pure Python and contends for the GIL either way.)
        pending = fetch(None)
        try:
            while True:
                page = await pending
                token = page.get("nextPageToken")
                last = not token or page.get("isLast")
                if not last:
                    pending = fetch(token)
                    await asyncio.sleep(0)  # let it send the request before we map this page
                issues = page.get("issues", [])
                if issues:
                    site_url = self.client.site_url
                    yield _tickets_of(issues, site_url, self.connection_id)
                if last:
                    return
        finally:
            pending.cancel()

    async def iter_ticket_ids(self, project_keys: list[str] | None) -> AsyncIterator[list[str]]:
        clause = (
            f"project in ({_jql_keys(project_keys)})" if project_keys else 'created >= "1970-01-01"'
        )
        token: str | None = None
        while True:
            page = await self.client.search_jql(
                clause, next_page_token=token, max_results=5000, fields=["id"]
            )
            yield [str(i["id"]) for i in page.get("issues", [])]
            token = page.get("nextPageToken")
            if not token or page.get("isLast"):
                return


def _updated_clause(updated_since: datetime | None) -> str:
    """Tickets updated since the mark minus two minutes (JQL compares whole minutes)."""
    since = (updated_since - timedelta(minutes=2)) if updated_since else None
    stamp = since.strftime("%Y-%m-%d %H:%M") if since else "1970-01-01 00:00"
    return f'updated >= "{stamp}"'


def _jql_keys(keys: Sequence[str]) -> str:
    return ", ".join('"' + k.replace("\\", "\\\\").replace('"', '\\"') + '"' for k in keys)


def _tickets_of(issues: list[dict[str, Any]], site_url: str, connection_id: str) -> TicketPage:
    """The page's tickets; an issue in a shape we cannot read is set aside with a reason
    (the sync reports it as skipped), never failing the page."""
    page = TicketPage()
    for issue in issues:
        try:
            if not isinstance(issue.get("key"), str) or not isinstance(issue.get("id"), str | int):
                raise _Unreadable("Jira sent it without a usable key or id")
            page.append(mapping.issue_to_ticket(issue, site_url, connection_id))
        except (_Unreadable, KeyError, ValueError, TypeError, AttributeError) as exc:
            ref = issue.get("key") or issue.get("id") if isinstance(issue, dict) else None
            page.unreadable.append((str(ref) if ref else None, _unreadable_reason(exc)))
    return page


class _Unreadable(Exception):
    """An issue we cannot take; the message says why, for people."""


def _unreadable_reason(exc: Exception) -> str:
    if isinstance(exc, _Unreadable):
        return str(exc)
    if isinstance(exc, KeyError):
        return f"Jira sent it without its {exc.args[0]!r} field"
    if isinstance(exc, ValueError):
        return "Jira sent a field of it in a format we cannot read (a date, say)"
    return "Jira sent a field of it in a shape we cannot read"


def _user(u: dict[str, Any]) -> VendorUser:
    return VendorUser(
        vendor_id=u["accountId"],
        name=u.get("displayName"),
        email=u.get("emailAddress") or None,
        active=bool(u.get("active", True)),
        account_type=u.get("accountType"),
        attributes={
            "id": u["accountId"],
            "vendor": "JIRA",
            "data": {"vendor": "JIRA", "accountType": u.get("accountType")},
        },
    )
