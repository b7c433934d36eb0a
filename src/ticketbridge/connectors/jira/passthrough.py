"""The Jira connector's passthrough reads: projects, issue types, users and JQL search, as
Jira pages them (see BEHAVIOR.md, "Passthrough")."""

from __future__ import annotations

from typing import Any

from ticketbridge.connectors.base import Page
from ticketbridge.connectors.jira.client import JiraClient
from ticketbridge.errors import VendorBadQuery, VendorRequestError

# Widest window Jira's user searches accept (maxResults is capped at 1000).
USER_WINDOW = 1000


class JiraPassthrough:
    """Mixed into `JiraConnector`: needs only its client."""

    client: JiraClient

    async def passthrough_projects(self, offset: int, limit: int, expand: bool) -> Page:
        items: list[dict[str, Any]] = []
        total: int | None = None
        start = offset
        while len(items) < limit:
            page = await self.client.search_projects(
                start, min(100, limit - len(items)), expand="issueTypes" if expand else None
            )
            total = page.get("total", total)
            values = page.get("values", [])
            for p in values:
                item: dict[str, Any] = {
                    "vendor_id": p["key"],
                    "name": p.get("name"),
                    "project_type": p.get("projectTypeKey"),
                }
                if expand:
                    item["issue_types"] = [
                        {
                            "vendor_id": str(t["id"]),
                            "name": t["name"],
                            "subtask": bool(t.get("subtask")),
                        }
                        for t in p.get("issueTypes") or []
                    ]
                items.append(item)
            start += len(values)
            if not values or page.get("isLast", True):
                break
        return Page(items=items[:limit], total=total)

    async def passthrough_issue_types(self, project: str, offset: int, limit: int) -> Page:
        items: list[dict[str, Any]] = []
        total: int | None = None
        start = offset
        while len(items) < limit:
            page = await self.client.createmeta_issue_types(
                project, start, min(200, limit - len(items))
            )
            total = page.get("total", total)
            values = page.get("issueTypes", page.get("values", []))
            items += [
                {
                    "vendor_id": str(t["id"]),
                    "name": t["name"],
                    "description": t.get("description"),
                    "subtask": bool(t.get("subtask")),
                }
                for t in values
            ]
            start += len(values)
            if not values or (total is not None and start >= total):
                break
        return Page(items=items[:limit], total=total)

    async def passthrough_users(
        self, query: str | None, project: str | None, offset: int, limit: int
    ) -> Page:
        """Assignable users of ``project``; without a project, the site's user directory."""
        found: list[dict[str, Any]] = []
        if not project:
            # user/search and users/search filter before paging, so startAt is our offset.
            # Only an empty page ends the walk (Jira may still cut a page short).
            while len(found) < limit:
                at, size = offset + len(found), min(USER_WINDOW, limit - len(found))
                if query:
                    page = await self.client.search_users(query, at, size)
                else:
                    page = await self.client.users(at, size)
                if not page:
                    break
                found += page
            return Page(items=[_user_item(u) for u in found[:limit]], total=None)
        # Jira's assignable search takes a window of *all* users, then filters it: offsets
        # count users we return, so windows are walked from the start.
        start = 0
        while len(found) < offset + limit:
            page = await self.client.assignable_users(project, query, start, USER_WINDOW)
            found += page
            start += USER_WINDOW
            # A short (even empty) page does not mean the end: the window may simply hold
            # no assignable match. The end is where the site runs out of users.
            if len(page) < USER_WINDOW and not await self.client.users(start, 1):
                break
        return Page(items=[_user_item(u) for u in found[offset : offset + limit]], total=None)

    async def passthrough_search(self, query: str, cursor: str | None, limit: int) -> Page:
        try:
            page = await self.client.search_jql(
                query, next_page_token=cursor, max_results=limit, fields=["*navigable"]
            )
        except VendorRequestError as exc:
            # Bad JQL, an unbounded query or a stale cursor: the caller's to fix (400).
            detail = exc.detail.replace("the request", "the query", 1)
            raise VendorBadQuery(detail, vendor_errors=exc.vendor_errors) from None
        token = None if page.get("isLast") else page.get("nextPageToken")
        return Page(items=page.get("issues", []), total=None, next_cursor=token or None)


def _user_item(u: dict[str, Any]) -> dict[str, Any]:
    return {
        "vendor_id": u["accountId"],
        "name": u.get("displayName"),
        "email": u.get("emailAddress") or None,
        "active": bool(u.get("active", True)),
        "account_type": u.get("accountType"),
    }
