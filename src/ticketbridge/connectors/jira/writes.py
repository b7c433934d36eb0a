"""The Jira connector's writes: creates (one and bulk, reconciled by creation token when
the answer was lost), edits, status moves along the workflow, and the reads that follow a
write (see BEHAVIOR.md, "Writes")."""

from __future__ import annotations

from typing import Any

from ticketbridge.connectors.base import (
    CreateOutcome,
    StatusUnreachable,
    TicketChanges,
    TicketDraft,
    VendorTicket,
)
from ticketbridge.connectors.jira import mapping
from ticketbridge.connectors.jira.client import JiraClient
from ticketbridge.connectors.jira.reads import Reads
from ticketbridge.connectors.jira.workflow import Edge, WorkflowGraph, next_step
from ticketbridge.errors import Unprocessable, VendorNotFound, VendorOutcomeUnknown

BULK_LIMIT = 50
MAX_WALK = 12
# Workflows learned per (connection, project, issue type); process-local cache.
_GRAPHS: dict[tuple[str, str, str], WorkflowGraph] = {}


class JiraWrites:
    """Mixed into `JiraConnector`: needs its client, its reads and its connection id."""

    client: JiraClient
    reads: Reads
    connection_id: str

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
        self,
        ticket: VendorTicket,
        target: str,
        status_mapping: dict[str, str],
        fields: dict[str, Any] | None = None,
    ) -> VendorTicket:
        """Workflow transitions to `target`; `fields` (the request's custom_fields) are left
        to the edit, which follows."""

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
