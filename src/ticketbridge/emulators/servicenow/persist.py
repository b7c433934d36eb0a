"""`--state-file`: the instance's tables and number counters as one JSON document."""

from __future__ import annotations

import json
import os
from pathlib import Path

from .state import InstanceState

FORMAT = "ticketbridge-servicenow-emulator/1"


def save(state: InstanceState, path: Path) -> None:
    document = {"format": FORMAT, "tables": state.tables, "counters": state.counters}
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(document))
    os.replace(temporary, path)


def load(state: InstanceState, path: Path) -> bool:
    """Replace the state with the file's (False when there is no file); ValueError if bad."""
    if not path.exists():
        return False
    try:
        document = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read state file {path}: {exc}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f"{path} is not a ServiceNow emulator state file")
    tables = document.get("tables", {})
    for name in state.tables:
        state.tables[name] = {str(k): dict(v) for k, v in tables.get(name, {}).items()}
    state.counters.update({k: int(v) for k, v in document.get("counters", {}).items()})
    for user in state.tables["sys_user"].values():  # saved before users had roles
        if "roles" not in user:
            mine = user.get("user_name") == state.params.username
            user["roles"] = state.params.roles if mine else "itil"
    return True
