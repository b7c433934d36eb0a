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
        """Users whose name, email or user name contains `query`; with `project`, members
        of that assignment group (one ``sys_user_grmember`` query, dot-walking to the user)."""
        q = _clean(query) if query else None
        if project:
            conditions = [f"group={_clean(project)}"]
            if q:
                conditions.append(f"user.nameLIKE{q}^ORuser.emailLIKE{q}^ORuser.user_nameLIKE{q}")
            conditions.append("ORDERBYsys_id")
            members = await self.client.query_table(
                "sys_user_grmember",
                query="^".join(conditions),
                fields=["user", *(f"user.{f}" for f in USER_FIELDS if f != "sys_id")],
                limit=limit,
                offset=offset,
                count=True,
            )
            items = [
                _user_item(
                    {"sys_id": m["user"], **{f: m.get(f"user.{f}") for f in USER_FIELDS[1:]}}
                )
                for m in members.rows
                if m.get("user")
            ]
            return Page(items=items, total=members.total)
        conditions = [f"nameLIKE{q}^ORemailLIKE{q}^ORuser_nameLIKE{q}"] if q else []
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
