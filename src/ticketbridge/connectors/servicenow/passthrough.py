"""The ServiceNow connector's passthrough reads: assignment groups (projects), the
connection's tables (issue types) and users, as the Table API pages them (see BEHAVIOR.md,
"Passthrough"). There is no JQL: search is not offered."""

from __future__ import annotations

from typing import Any

from ticketbridge.connectors.base import Page
from ticketbridge.connectors.servicenow import mapping
from ticketbridge.connectors.servicenow.client import ServiceNowClient
from ticketbridge.connectors.servicenow.config import ServiceNowOptions
from ticketbridge.errors import NotSupported

USER_FIELDS = ["sys_id", "user_name", "name", "email", "active"]


def _clean(text: str) -> str:
    """A value for an encoded query: `^` would start another condition."""
    return text.replace("^", " ")


class ServiceNowPassthrough:
    """Mixed into `ServiceNowConnector`: needs its client and options."""

    client: ServiceNowClient
    options: ServiceNowOptions

    async def passthrough_projects(self, offset: int, limit: int, expand: bool) -> Page:
        page = await self.client.query_table(
            "sys_user_group",
            query="ORDERBYname^ORDERBYsys_id",
            fields=["sys_id", "name", "description", "type", "active"],
            limit=limit,
            offset=offset,
            count=True,
        )
        items: list[dict[str, Any]] = []
        for g in page.rows:
            item: dict[str, Any] = {
                "vendor_id": g["sys_id"],
                "name": g.get("name"),
                "project_type": g.get("type") or None,
            }
            if expand:
                item["issue_types"] = self._tables()
            items.append(item)
        return Page(items=items, total=page.total)

    def _tables(self) -> list[dict[str, Any]]:
        return [
            {"vendor_id": t, "name": mapping.label_of(t), "subtask": False}
            for t in self.options.tables
        ]

    async def passthrough_issue_types(self, project: str, offset: int, limit: int) -> Page:
        """The connection's tables (any group may be given any of them)."""
        tables = [{**t, "description": None} for t in self._tables()]
        return Page(items=tables[offset : offset + limit], total=len(tables))

    async def passthrough_users(
        self, query: str | None, project: str | None, offset: int, limit: int
    ) -> Page:
        """Users whose name or email contains `query`; with `project`, members of that
        assignment group."""
        conditions = []
        if query:
            q = _clean(query)
            conditions.append(f"nameLIKE{q}^ORemailLIKE{q}^ORuser_nameLIKE{q}")
        if project:
            members = await self.client.query_table(
                "sys_user_grmember",
                query=f"group={_clean(project)}^ORDERBYsys_id",
                fields=["user"],
                limit=10000,
            )
            ids = [str(m["user"]) for m in members.rows if m.get("user")]
            if not ids:
                return Page(items=[], total=0)
            conditions.append(f"sys_idIN{','.join(ids)}")
        conditions.append("ORDERBYname^ORDERBYsys_id")
        page = await self.client.query_table(
            "sys_user",
            query="^".join(conditions),
            fields=USER_FIELDS,
            limit=limit,
            offset=offset,
            count=True,
        )
        return Page(items=[_user_item(u) for u in page.rows], total=page.total)

    async def passthrough_search(self, query: str, cursor: str | None, limit: int) -> Page:
        raise NotSupported("'passthrough_search' is not supported for this vendor (SERVICENOW)")


def _user_item(u: dict[str, Any]) -> dict[str, Any]:
    return {
        "vendor_id": u["sys_id"],
        "name": u.get("name") or u.get("user_name"),
        "email": u.get("email") or None,
        "active": u.get("active", "true") != "false",
        "account_type": None,
    }
