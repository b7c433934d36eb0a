"""Deterministic sample data: users, groups, memberships, choices and task records."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from . import schema

if TYPE_CHECKING:
    from .state import InstanceState, SeedParams

FIRST = ("Abel", "Beth", "Carla", "David", "Ellen", "Fred", "Gina", "Hugo", "Ivy", "John")
LAST = ("Tuter", "Anglin", "Vasquez", "Loo", "Moore", "Luddy", "Singh", "Chen", "Okafor")
GROUPS = ("Service Desk", "Network", "Database", "Hardware", "Software", "Change Management")
SUBJECTS = (
    "VPN connection drops",
    "Email not syncing",
    "Printer out of toner",
    "Password reset",
    "Laptop will not boot",
    "Database latency",
    "Disk space low on server",
    "Cannot access shared drive",
    "Application error on login",
    "Slow network in building 2",
)
START = datetime(2025, 1, 6, 8, 0, 0, tzinfo=UTC)
SHARES = {"incident": 1.0, "problem": 0.25, "change_request": 0.25, "sc_task": 0.25}


def seed(state: InstanceState, params: SeedParams) -> None:
    rng = random.Random(f"servicenow-{params.seed}")
    state.clock = START
    admin = state.insert(
        "sys_user",
        {
            "user_name": params.username,
            "name": "System Administrator",
            "first_name": "System",
            "last_name": "Administrator",
            "email": "admin@example.com",
            "active": "true",
            "locked_out": "false",
            "time_zone": "UTC",
            "roles": params.roles,
        },
        "system",
    )
    users = [admin]
    for i in range(params.users):
        first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST) + i) % len(LAST)]
        suffix = "" if i < len(FIRST) else str(i)
        user_name = f"{first.lower()}.{last.lower()}{suffix}"
        users.append(
            state.insert(
                "sys_user",
                {
                    "user_name": user_name,
                    "name": f"{first} {last}",
                    "first_name": first,
                    "last_name": last,
                    "email": f"{user_name}@example.com",
                    "title": rng.choice(("Analyst", "Engineer", "Manager", "")),
                    "active": "false" if i % 11 == 10 else "true",
                    "locked_out": "false",
                    "time_zone": "UTC",
                    "roles": "itil",
                },
                "system",
            )
        )
    groups = []
    for i in range(max(1, params.groups)):
        name = GROUPS[i] if i < len(GROUPS) else f"Group {i + 1}"
        values = {"name": name, "description": f"{name} team", "active": "true"}
        values |= {"email": name.lower().replace(" ", ".") + "@example.com", "type": "itil"}
        values["manager"] = users[1 + i % max(1, len(users) - 1)]["sys_id"] if users else ""
        groups.append(state.insert("sys_user_group", values, "system"))
    for index, user in enumerate(users[1:]):
        group = groups[index % len(groups)]
        state.insert("sys_user_grmember", {"user": user["sys_id"], "group": group["sys_id"]}, "x")
    _choices(state)
    agents = [u["sys_id"] for u in users[1:] if u["active"] == "true"] or [admin["sys_id"]]
    for table in schema.TASK_TABLES:
        for n in range(int(params.records * SHARES[table])):
            state.advance(rng.randint(60, 7200))
            state.insert(table, _task_values(table, n, rng, agents, groups), params.username)
    state.clock = None


def _task_values(
    table: str, n: int, rng: random.Random, agents: list[str], groups: list[dict[str, str]]
) -> dict[str, str]:
    subject = SUBJECTS[n % len(SUBJECTS)]
    states = list(schema.CHOICES[table]["state"])
    state = rng.choice(states)
    values = {
        "short_description": f"{subject} #{n + 1}",
        "description": f"Seeded {table} {n + 1}: {subject.lower()}.",
        "impact": rng.choice("123"),
        "urgency": rng.choice("123"),
        "state": state,
        "assignment_group": rng.choice(groups)["sys_id"],
        "assigned_to": rng.choice(agents) if rng.random() < 0.7 else "",
    }
    if table == "incident":
        values["caller_id"] = rng.choice(agents)
        values["category"] = rng.choice(("inquiry", "software", "hardware", "network"))
        values["contact_type"] = rng.choice(("phone", "email", "self-service"))
        if state == "3":
            values["hold_reason"] = "1"
        if state in ("6", "7"):
            values["close_code"] = rng.choice(schema.CLOSE_CODES)
            values["close_notes"] = "Fixed by the service desk."
    return values


def _choices(state: InstanceState) -> None:
    for table, by_field in schema.CHOICES.items():
        for element, options in by_field.items():
            for sequence, (value, label) in enumerate(options.items()):
                choice = {"name": table, "element": element, "value": value, "label": label}
                choice |= {"sequence": str(sequence), "inactive": "false", "language": "en"}
                state.insert("sys_choice", choice, "system")
