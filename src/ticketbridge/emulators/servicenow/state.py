"""The instance's data: records as ServiceNow stores them (every value a string), numbering,
and the insert/update/delete rules (defaults, priority lookup, data policy, delete audit)."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from . import schema
from .errors import (
    NOT_AUTHORIZED,
    OPERATION_FAILED,
    SNError,
    data_policy,
    invalid_table,
    no_record,
)

Record = dict[str, str]
Seeder = Callable[["InstanceState", "SeedParams"], None]
FMT = "%Y-%m-%d %H:%M:%S"
SYS_ID = re.compile(r"[0-9a-f]{32}")


def fmt(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(FMT)


@dataclass(frozen=True, slots=True)
class SeedParams:
    seed: int = 42
    users: int = 25
    groups: int = 4
    records: int = 200
    username: str = "admin"
    roles: str = "admin"  # the API user's roles, comma-separated
    incident_data_policy: bool = True


class InstanceState:
    """All tables of one instance, in memory."""

    def __init__(self, params: SeedParams, seeder: Seeder) -> None:
        self.params = params
        self.seeder = seeder  # fills a fresh instance (seed.seed), through `insert`
        self.reset()

    def reset(self) -> None:
        self.tables: dict[str, dict[str, Record]] = {t: {} for t in schema.TABLES}
        self.counters: dict[str, int] = dict.fromkeys(schema.NUMBER_PREFIX, 10000)
        self.rng = random.Random(self.params.seed)
        self.clock: datetime | None = None  # fixed while seeding
        self.incident_data_policy = self.params.incident_data_policy
        self.seeder(self, self.params)

    # -- reading -------------------------------------------------------------------------
    def known(self, table: str) -> bool:
        return table in self.tables

    def rows(self, table: str) -> Iterator[tuple[str, Record]]:
        """(concrete table, record) pairs; `task` yields the rows of every task table."""
        if table == "task":
            for name in ("task", *schema.TASK_TABLES):
                for record in self.tables[name].values():
                    yield name, record
            return
        for record in self.tables[table].values():
            yield table, record

    def count(self, table: str) -> int:
        if table == "task":
            return sum(len(self.tables[t]) for t in ("task", *schema.TASK_TABLES))
        return len(self.tables[table])

    def find(self, table: str, sys_id: str) -> tuple[str, Record] | None:
        if table == "task":
            for name in ("task", *schema.TASK_TABLES):
                if sys_id in self.tables[name]:
                    return name, self.tables[name][sys_id]
            return None
        record = self.tables.get(table, {}).get(sys_id)
        return (table, record) if record is not None else None

    def get(self, table: str, sys_id: str) -> tuple[str, Record]:
        if not self.known(table):
            raise invalid_table(table)
        found = self.find(table, sys_id)
        if found is None:
            raise no_record()
        return found

    def user_by_name(self, user_name: str) -> Record | None:
        return next(
            (u for u in self.tables["sys_user"].values() if u["user_name"] == user_name), None
        )

    def check_table_access(self, user_name: str, table: str) -> None:
        """The table's ACL: 403 when it needs a role the user lacks (`sys_user.roles`)."""
        role = schema.TABLE_ROLES.get(table)
        if role is None:
            return
        user = self.user_by_name(user_name)
        roles = {r.strip() for r in (user or {}).get("roles", "").split(",")}
        if role not in roles:
            raise SNError(403, NOT_AUTHORIZED, f"ACL restricts access to the table {table}")

    # -- writing -------------------------------------------------------------------------
    def now(self) -> str:
        return fmt(self.clock or datetime.now(UTC))

    def new_sys_id(self) -> str:
        return f"{self.rng.getrandbits(128):032x}"

    def insert(self, table: str, values: dict[str, str], user: str) -> Record:
        if not self.known(table):
            raise invalid_table(table)
        fields = schema.TABLES[table]
        now = self.now()
        record: Record = dict.fromkeys(fields, "")
        record.update(
            sys_id=self.new_sys_id(),
            sys_created_on=now,
            sys_updated_on=now,
            sys_created_by=user,
            sys_updated_by=user,
            sys_mod_count="0",
        )
        if schema.is_task(table):
            self._task_defaults(table, record, user, now)
        record.update({k: v for k, v in values.items() if k in fields and not k.startswith("sys_")})
        wanted = values.get("sys_id", "")
        if SYS_ID.fullmatch(wanted):  # a client may choose the sys_id of a new record
            if any(self.find(t, wanted) for t in ("task", *self.tables)):
                raise SNError(403, OPERATION_FAILED, "Unique Key violation detected by database")
            record["sys_id"] = wanted
        if schema.is_task(table):
            self._task_rules(table, record, {}, user, now)
        self._journal(table, record, user, now)
        self.tables[table][record["sys_id"]] = record
        return record

    def update(
        self, table: str, sys_id: str, values: dict[str, str], user: str, auto_sys: bool = True
    ) -> Record:
        """Apply `values`; with `auto_sys` False (sysparm_suppress_auto_sys_field) the
        sys_updated_* fields and sys_mod_count stay as they were."""
        concrete, record = self.get(table, sys_id)
        fields = schema.TABLES[concrete]
        changes = {k: v for k, v in values.items() if k in fields and not k.startswith("sys_")}
        candidate = {**record, **changes}
        now = self.now()
        if schema.is_task(concrete):
            self._task_rules(concrete, candidate, record, user, now)
        self._journal(concrete, candidate, user, now)
        if auto_sys:
            candidate["sys_mod_count"] = str(int(record["sys_mod_count"] or 0) + 1)
            candidate["sys_updated_on"] = now
            candidate["sys_updated_by"] = user
        record.update(candidate)
        return record

    def delete(self, table: str, sys_id: str, user: str) -> None:
        concrete, record = self.get(table, sys_id)
        del self.tables[concrete][sys_id]
        payload = "".join(f"<{k}>{_xml(v)}</{k}>" for k, v in record.items())
        display = record.get(schema.display_field(concrete), "")
        self.insert(
            "sys_audit_delete",
            {
                "tablename": concrete,
                "documentkey": sys_id,
                "display_value": display,
                "payload": f'<?xml version="1.0" encoding="UTF-8"?><{concrete}>{payload}'
                f"</{concrete}>",
            },
            user,
        )
        audit = {"tablename": concrete, "documentkey": sys_id, "fieldname": "DELETED"}
        audit |= {"oldvalue": "DELETED", "newvalue": "DELETED", "user": user}
        self.insert("sys_audit", audit, user)

    # -- task rules ----------------------------------------------------------------------
    def _task_defaults(self, table: str, record: Record, user: str, now: str) -> None:
        me = self.user_by_name(user)
        record.update(
            sys_class_name=table,
            number=self._next_number(table),
            state=schema.DEFAULT_STATE.get(table, "1"),
            active="true",
            impact="3",
            urgency="3",
            opened_at=now,
            opened_by=me["sys_id"] if me else "",
            approval="not requested",
            escalation="0",
            reassignment_count="0",
        )
        if table == "incident":
            record.update(severity="3", notify="1", reopen_count="0", child_incidents="0")
            record.update(made_sla="true", category="inquiry")
        if table == "change_request":
            record.update(type="normal", risk="3")

    def _next_number(self, table: str) -> str:
        self.counters[table] += 1
        return f"{schema.NUMBER_PREFIX[table]}{self.counters[table]:07d}"

    def _task_rules(self, table: str, new: Record, old: Record, user: str, now: str) -> None:
        """Business rules and the data policy, applied to the record as it would be saved."""
        new["priority"] = schema.PRIORITY_MATRIX.get((new["impact"], new["urgency"]), "5")
        state = new["state"]
        if table == "incident":
            new["incident_state"] = state
            if state in ("6", "7") and self.incident_data_policy:
                labels = {"close_code": "Resolution code", "close_notes": "Close notes"}
                missing = [label for name, label in labels.items() if not new.get(name)]
                if missing:
                    raise data_policy(missing)
            me = self.user_by_name(user)
            if state == "6" and old.get("state") != "6":
                new["resolved_at"] = now
                new["resolved_by"] = me["sys_id"] if me else ""
        if table == "problem":
            new["problem_state"] = state
        inactive = state in schema.INACTIVE_STATES.get(table, set())
        new["active"] = "false" if inactive else "true"
        if inactive and old.get("active", "true") == "true":
            me = self.user_by_name(user)
            new["closed_at"] = now
            new["closed_by"] = me["sys_id"] if me else ""

    def _journal(self, table: str, record: Record, user: str, now: str) -> None:
        """Journal fields are kept in sys_journal_field and never read back as values."""
        for name in ("comments", "work_notes"):
            text = record.get(name, "")
            if text and schema.TABLES[table].get(name) is not None:
                entry: Record = dict.fromkeys(schema.TABLES["sys_journal_field"], "")
                entry.update(sys_id=self.new_sys_id(), sys_created_on=now, sys_updated_on=now)
                entry.update(sys_created_by=user, sys_updated_by=user, sys_mod_count="0")
                entry.update(name=table, element=name, element_id=record["sys_id"], value=text)
                self.tables["sys_journal_field"][entry["sys_id"]] = entry
            if name in record:
                record[name] = ""

    def advance(self, seconds: float) -> None:
        """Seeding only: move the fixed clock forward."""
        if self.clock is not None:
            self.clock += timedelta(seconds=seconds)


def _xml(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
