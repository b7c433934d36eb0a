"""`--state-file`: the instance's tables and counters survive a save and a load."""

from __future__ import annotations

from pathlib import Path

import pytest

from ticketbridge.emulators.servicenow import persist
from ticketbridge.emulators.servicenow.seed import seed
from ticketbridge.emulators.servicenow.state import InstanceState, SeedParams

pytestmark = pytest.mark.store_independent


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    params = SeedParams(records=20, users=5)
    state = InstanceState(params, seed)
    created = state.insert("incident", {"short_description": "kept"}, "admin")
    state.delete("problem", next(iter(state.tables["problem"])), "admin")
    path = tmp_path / "sn.json"
    persist.save(state, path)

    again = InstanceState(params, seed)
    assert persist.load(again, path)
    assert again.tables == state.tables and again.counters == state.counters
    assert again.tables["incident"][created["sys_id"]]["short_description"] == "kept"
    assert again.insert("incident", {}, "admin")["number"] == "INC0010022"


def test_missing_and_bad_files(tmp_path: Path) -> None:
    state = InstanceState(SeedParams(records=4, users=2), seed)
    assert not persist.load(state, tmp_path / "none.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "other"}')
    with pytest.raises(ValueError, match="not a ServiceNow emulator state file"):
        persist.load(state, bad)
    bad.write_text("{nope")
    with pytest.raises(ValueError, match="cannot read"):
        persist.load(state, bad)


def test_seed_is_deterministic() -> None:
    params = SeedParams(seed=7, records=40, users=6, groups=3)
    first, second = InstanceState(params, seed), InstanceState(params, seed)
    assert first.tables == second.tables
    assert len(first.tables["incident"]) == 40 and len(first.tables["problem"]) == 10
    assert len(first.tables["sys_user"]) == 7 and len(first.tables["sys_user_group"]) == 3
    other = InstanceState(SeedParams(seed=8, records=40, users=6, groups=3), seed)
    assert other.tables["incident"] != first.tables["incident"]
    first.insert("incident", {}, "admin")
    first.reset()
    assert first.tables == second.tables


def test_a_file_saved_before_users_had_roles_keeps_the_api_user_an_admin(tmp_path: Path) -> None:
    params = SeedParams(records=4, users=2)
    state = InstanceState(params, seed)
    for user in state.tables["sys_user"].values():
        del user["roles"]
    path = tmp_path / "old.json"
    persist.save(state, path)
    again = InstanceState(params, seed)
    assert persist.load(again, path)
    roles = {u["user_name"]: u["roles"] for u in again.tables["sys_user"].values()}
    assert roles.pop(params.username) == "admin" and set(roles.values()) == {"itil"}
