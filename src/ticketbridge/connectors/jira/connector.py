"""The Jira Cloud connector: the connector contract in terms of Jira's REST API v3."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from ticketbridge.aio import merged
from ticketbridge.config import Settings
from ticketbridge.connectors.base import (
    Capability,
    CreateOutcome,
    StatusUnreachable,
    TicketChanges,
    TicketDraft,
    TicketPage,
    VendorIssueType,
    VendorProject,
    VendorTicket,
    VendorUser,
    register,
)
from ticketbridge.connectors.http import RetryPolicy
from ticketbridge.connectors.jira import mapping
from ticketbridge.connectors.jira.client import JiraClient
from ticketbridge.connectors.jira.config import (
    JiraCredentials,
    accessible_site,
    authorize_url,
    check_base_url,
    request_token,
)
from ticketbridge.connectors.jira.passthrough import JiraPassthrough
from ticketbridge.connectors.jira.reads import Reads
from ticketbridge.connectors.jira.workflow import Edge, WorkflowGraph, next_step
from ticketbridge.errors import (
    Unprocessable,
    VendorNotFound,
    VendorOutcomeUnknown,
)
from ticketbridge.provisioning.credentials import ConnectionCredentials

if TYPE_CHECKING:
    from ticketbridge.context import AppContext

BULK_LIMIT = 50
SEARCH_PAGE = 100
# Disjoint searches paged at once by a sync (`iter_tickets`); each holds one vendor slot.
SEARCH_STREAMS = 2
MAX_WALK = 12
# Workflows learned per (connection, project, issue type); process-local cache.
_GRAPHS: dict[tuple[str, str, str], WorkflowGraph] = {}


@register
class JiraConnector(JiraPassthrough):
    vendor: ClassVar[str] = "JIRA"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(Capability)
    credentials_model: ClassVar[type[JiraCredentials]] = JiraCredentials
    reserved_fields: ClassVar[dict[str, str]] = mapping.RESERVED_FIELDS

    def __init__(self, ctx: AppContext, connection_id: str, credentials: dict[str, Any]) -> None:
        from ticketbridge.jobs.budget import vendor_limit  # shared across processes on PG

        settings = ctx.settings
        self.connection_id = connection_id
        self.credentials = ConnectionCredentials(ctx, connection_id, credentials)
        self.client = JiraClient(
            ctx.http,
            self.credentials,
            policy=RetryPolicy(
                max_retries=settings.vendor_max_retries,
                max_delay=settings.vendor_max_backoff_seconds,
                total_timeout=settings.vendor_total_timeout,
            ),
            semaphore=vendor_limit(ctx, connection_id),
            oauth_token_url=settings.jira_oauth_auth_url.rstrip("/") + "/oauth/token",
            oauth_client=(settings.jira_oauth_client_id, settings.jira_oauth_client_secret),
        )
        self.reads = Reads(self.client, connection_id)

    # --- class-level hooks used by provisioning ------------------------------------

    @staticmethod
    def check_credentials(settings: Settings, creds: JiraCredentials) -> None:
        if creds.base_url:
            check_base_url(settings, creds.base_url)

    @staticmethod
    def oauth_authorize_url(settings: Settings, state: str) -> str:
        return authorize_url(settings, state)

    @staticmethod
    async def exchange_oauth_code(ctx: AppContext, code: str) -> dict[str, Any]:
        settings = ctx.settings
        from ticketbridge.connectors.jira.config import CALLBACK_PATH

        token = await request_token(
            ctx.http,
            settings.jira_oauth_auth_url.rstrip("/") + "/oauth/token",
            {
                "grant_type": "authorization_code",
                "client_id": settings.jira_oauth_client_id,
                "client_secret": settings.jira_oauth_client_secret,
                "code": code,
                "redirect_uri": settings.public_url.rstrip("/") + CALLBACK_PATH,
            },
            refused="Jira refused the authorization code",
        )
        site = await accessible_site(
            ctx.http,
            settings.jira_oauth_api_url.rstrip("/") + "/oauth/token/accessible-resources",
            token["access_token"],
        )
        return {
            "oauth": True,
            "cloud_id": site["id"],
            "base_url": str(site.get("url") or "").rstrip("/"),
            "api_base_url": f"{settings.jira_oauth_api_url.rstrip('/')}/ex/jira/{site['id']}",
            "access_token": token["access_token"],
            "refresh_token": token.get("refresh_token"),
            "expires_at": time.time() + float(token.get("expires_in", 3600)),
        }

    # --- normalization ----------------------------------------------------------

    def default_status(self, status_name: str, category: str | None) -> str:
        return mapping.normalize_status(status_name, category, {})

    def normalize_priority(self, name: str | None) -> str:
        return mapping.normalize_priority(name, {})

    def priority_vendor_name(self, priority: str) -> str:
        return mapping.priority_to_vendor(priority, {})

    # --- writes -------------------------------------------------------------------

    async def test(self) -> str:
        me = await self.client.myself()
        return f"Authenticated to Jira as {me.get('displayName') or me.get('accountId')}"

    async def get_ticket(self, vendor_id: str) -> VendorTicket:
        issue = await self.client.get_issue(
            vendor_id, fields=",".join(mapping.ISSUE_FIELDS), properties=mapping.PROPERTY_KEY
        )
        ticket = mapping.issue_to_ticket(issue, self.client.site_url, self.connection_id)
        self.reads.remember(ticket.key, ticket.internal_id)
        return ticket

    async def get_tickets(self, vendor_ids: list[str]) -> dict[str, VendorTicket]:
        """Tickets by key or id, one search per 50 (recently created ids reconciled); ids
        missing from the answers are left out: read those with `get_ticket`."""
        return await self.reads.tickets(vendor_ids)

    async def create_ticket(self, draft: TicketDraft) -> VendorTicket:
        payload = mapping.draft_to_payload(draft, self.connection_id)
        if unsendable := mapping.unencodable([payload]):
            raise Unprocessable(f"The ticket cannot be sent to Jira: {unsendable[0]}")
        try:
            created = await self.client.create_issue(payload)
        except VendorOutcomeUnknown:
            if not draft.creation_token:
                raise
            found = await self.find_by_creation_token(draft.creation_token)
            if found is not None:
                return found
            # The create never landed: the one retry that cannot duplicate.
            created = await self.client.create_issue(payload)
        # Jira's answer holds only id, key and self: status, dates and reporter need a read
        # (by key: consistent, unlike a search).
        self.reads.remember(created["key"], created.get("id"))
        return await self.get_ticket(created["key"])

    async def find_by_creation_token(self, token: str) -> VendorTicket | None:
        found = await self.reads.by_tokens([token], full=True)
        if token not in found:
            return None
        return mapping.issue_to_ticket(found[token], self.client.site_url, self.connection_id)

    async def find_by_creation_tokens(self, tokens: list[str]) -> dict[str, str]:
        """Creation token -> issue key, for tokens whose issue exists in Jira (a token not
        found is looked up again within `reads.TOKEN_LOOKUP_WAITS`: search lags commits)."""
        found = await self.reads.by_tokens(tokens, full=False)
        return {token: str(issue["key"]) for token, issue in found.items()}

    async def bulk_create(self, drafts: list[TicketDraft]) -> list[CreateOutcome]:
        outcomes: list[CreateOutcome] = []
        for start in range(0, len(drafts), BULK_LIMIT):
            chunk = drafts[start : start + BULK_LIMIT]
            outcomes += await self._bulk_chunk(chunk, start)
        return outcomes

    async def _bulk_chunk(self, chunk: list[TicketDraft], offset: int) -> list[CreateOutcome]:
        payloads = [mapping.draft_to_payload(d, self.connection_id) for d in chunk]
        unsendable = mapping.unencodable(payloads)
        if unsendable:  # those entries fail alone, the others are sent
            refused = [
                CreateOutcome(index=offset + i, error=f"The ticket cannot be sent to Jira: {why}")
                for i, why in unsendable.items()
            ]
            rest = [(i, d) for i, d in enumerate(chunk) if i not in unsendable]
            sent = await self._bulk_chunk([d for _, d in rest], 0) if rest else []
            for (i, _), outcome in zip(rest, sent, strict=True):
                outcome.index = offset + i
            return sorted(refused + sent, key=lambda o: o.index)
        try:
            _status, body = await self.client.bulk_create(payloads)
        except VendorOutcomeUnknown:
            tokens = [d.creation_token for d in chunk if d.creation_token]
            if len(tokens) != len(chunk):
                raise
            found = await self.find_by_creation_tokens(tokens)
            done = [
                CreateOutcome(index=offset + i, key=found[d.creation_token])  # type: ignore[index]
                for i, d in enumerate(chunk)
                if d.creation_token in found
            ]
            missing = [(i, d) for i, d in enumerate(chunk) if d.creation_token not in found]
            if not missing:
                return done
            retried = await self._bulk_chunk([d for _, d in missing], 0)
            for (i, _), outcome in zip(missing, retried, strict=True):
                outcome.index = offset + i
            return sorted(done + retried, key=lambda o: o.index)
        failed = {
            int(err.get("failedElementNumber", -1)): err.get("elementErrors") or {}
            for err in body.get("errors", [])
        }
        created = iter(body.get("issues", []))
        outcomes = []
        for i in range(len(chunk)):
            if i in failed:
                errors = failed[i]
                text = "; ".join(
                    list(errors.get("errorMessages") or [])
                    + [f"{k}: {v}" for k, v in (errors.get("errors") or {}).items()]
                )
                outcomes.append(
                    CreateOutcome(
                        index=offset + i,
                        error=f"Jira rejected the ticket: {text}",
                        vendor_errors={
                            "errorMessages": errors.get("errorMessages") or [],
                            "errors": errors.get("errors") or {},
                        },
                    )
                )
            else:
                issue = next(created)
                self.reads.remember(issue["key"], issue.get("id"))
                outcomes.append(
                    CreateOutcome(index=offset + i, internal_id=issue["id"], key=issue["key"])
                )
        return outcomes

    async def update_ticket(self, vendor_id: str, changes: TicketChanges) -> None:
        payload = mapping.changes_to_payload(changes)
        if payload["fields"]:
            await self.client.edit_issue(vendor_id, payload)

    async def move_to_status(
        self, ticket: VendorTicket, target: str, status_mapping: dict[str, str]
    ) -> VendorTicket:
        def maps(name: str, category: str | None) -> bool:
            return mapping.normalize_status(name, category, status_mapping) == target

        current_category = ticket.vendor_attributes["data"].get("statusCategory")
        if maps(ticket.status_name, current_category):
            return ticket
        graph = _GRAPHS.setdefault(
            (self.connection_id, ticket.project_vendor_id or "", ticket.type_vendor_id or ""),
            WorkflowGraph(),
        )
        wanted = target.replace("_", " ").casefold()

        def goal(edge: Edge) -> bool:
            return maps(edge.to_status, edge.to_category)

        # Refuse a status no workflow status maps to before moving anything.
        workflow = await self._workflow_statuses(ticket)
        if workflow is not None:
            offered = {mapping.normalize_status(n, c, status_mapping) for n, c in workflow}
            if target not in offered:
                raise StatusUnreachable(target, sorted(offered))
        current = ticket.status_name
        visited = {current}
        for _ in range(MAX_WALK):
            transitions = await self.client.get_transitions(ticket.key)
            edges = [
                Edge(
                    str(t["id"]),
                    t["to"]["name"],
                    (t["to"].get("statusCategory") or {}).get("key"),
                )
                for t in transitions
            ]
            graph.learn(current, edges)
            direct = sorted(
                (e for e in edges if goal(e)), key=lambda e: e.to_status.casefold() != wanted
            )
            step = direct[0] if direct else next_step(graph, current, goal, visited)
            if step is None:
                break
            await self.client.do_transition(ticket.key, step.transition_id)
            current = step.to_status
            visited.add(current)
            if goal(step):
                return await self.get_ticket(ticket.key)
        categories = graph.categories()
        reachable = sorted(
            {
                mapping.normalize_status(s, categories.get(s), status_mapping)
                for s in graph.reachable(current)
            }
            | {mapping.normalize_status(ticket.status_name, current_category, status_mapping)}
        )
        raise StatusUnreachable(target, reachable)

    async def _workflow_statuses(self, ticket: VendorTicket) -> list[tuple[str, str | None]] | None:
        """(name, category) of every status in the ticket's workflow; None if unknown."""
        if not ticket.project_vendor_id:
            return None
        try:
            per_type = await self.client.project_statuses(ticket.project_vendor_id)
        except VendorNotFound:
            return None
        for entry in per_type:
            if str(entry.get("id")) == ticket.type_vendor_id:
                return [
                    (s["name"], (s.get("statusCategory") or {}).get("key"))
                    for s in entry.get("statuses", [])
                ]
        return None

    # --- sync reads -------------------------------------------------------------------

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
