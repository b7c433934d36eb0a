"""Rebuilds ``jira-platform-subset.json`` from Atlassian's full Jira Cloud platform OpenAPI
document: the paths the Jira emulator serves, and every component they reference.

    python tests/emulators/jira/openapi/extract.py FULL_SPEC.json

FULL_SPEC.json is Atlassian's published document ("The Jira Cloud platform REST API",
Apache License 2.0, from developer.atlassian.com: swagger-v3.v3.json). Run it again when the
emulator gains a route, then commit the subset.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
OUT = HERE / "jira-platform-subset.json"


def emulator_paths() -> set[str]:
    """The spec templates of the emulator's REST routes (``/rest/api/3`` + its route path)."""
    from ticketbridge.emulators.jira import routes_issues, routes_meta, routes_search, routes_users

    paths = set()
    for module in (routes_meta, routes_issues, routes_search, routes_users):
        for route in module.ROUTES:
            paths.add("/rest/api/3" + re.sub(r"\{(\w+)(:\w+)?\}", r"{\1}", route.path))
    return paths


def refs(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                found.add(value)
            else:
                found |= refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= refs(value)
    return found


def _template_key(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path)


def subset(full: dict[str, Any], wanted: set[str]) -> dict[str, Any]:
    by_shape = {_template_key(p): p for p in full["paths"]}
    paths = {}
    for path in sorted(wanted):
        template = path if path in full["paths"] else by_shape.get(_template_key(path))
        if template is not None:
            paths[template] = full["paths"][template]
    components: dict[str, dict[str, Any]] = {}
    pending = refs(paths)
    seen: set[str] = set()
    while pending:
        ref = pending.pop()
        if ref in seen or not ref.startswith("#/components/"):
            continue
        seen.add(ref)
        _, _, kind, name = ref.split("/", 3)
        node = full["components"][kind][name]
        components.setdefault(kind, {})[name] = node
        pending |= refs(node)
    return {
        "openapi": full["openapi"],
        "info": {
            **full["info"],
            "x-subset": "Only the paths the TicketBridge Jira emulator serves, and the "
            "components they reference; see extract.py beside this file.",
        },
        "paths": paths,
        "components": {kind: dict(sorted(v.items())) for kind, v in sorted(components.items())},
    }


def main() -> None:
    full = json.loads(Path(sys.argv[1]).read_text())
    out = subset(full, emulator_paths())
    OUT.write_text(json.dumps(out, indent=1, sort_keys=False) + "\n")
    print(f"{len(out['paths'])} paths, {sum(map(len, out['components'].values()))} components")


if __name__ == "__main__":
    main()
