"""Jobs import one way: the composition root (``bootstrap.py``) knows the task modules and
the workers; the task modules, the job layer, webhooks and ``AppContext`` never import
back into one another (an import inside a function or under TYPE_CHECKING counts too)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.store_independent

SRC = Path(__file__).resolve().parents[2] / "src"
# Owned by the move of vendor slots out of jobs/ (its edges are checked there).
IGNORED = {"ticketbridge.jobs.budget"}
CHECKED_PREFIXES = ("ticketbridge.jobs.", "ticketbridge.webhooks.")
CHECKED = {
    "ticketbridge.bootstrap",
    "ticketbridge.context",
    "ticketbridge.itsm.tickets.tasks",
    "ticketbridge.sync.tasks",
    "ticketbridge.provisioning.service",
}


def _modules() -> dict[str, tuple[Path, bool]]:
    found = {}
    for path in SRC.rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        package = parts[-1] == "__init__"
        if package:
            parts = parts[:-1]
        found[".".join(parts)] = (path, package)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, (path, package) in modules.items():
        here = name if package else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = here.split(".")[: len(here.split(".")) - (node.level - 1)]
                    base = ".".join(parts + ([node.module] if node.module else []))
                targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
            else:
                continue
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name and target not in IGNORED:
                    graph[name].add(target)
    return graph


def _reaches(graph: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = set(), list(graph[start])
    while todo:
        current = todo.pop()
        if current == goal:
            return True
        if current not in seen:
            seen.add(current)
            todo.extend(graph[current])
    return False


def test_no_job_module_is_in_an_import_cycle() -> None:
    graph = _graph()
    checked = sorted(
        name
        for name in graph
        if name not in IGNORED and (name in CHECKED or name.startswith(CHECKED_PREFIXES))
    )
    assert "ticketbridge.jobs.runner" in checked
    assert [name for name in checked if _reaches(graph, name, name)] == []


def test_task_modules_do_not_know_the_workers() -> None:
    graph = _graph()
    workers = {"ticketbridge.jobs.runner", "ticketbridge.jobs.runtime", "ticketbridge.jobs.queue"}
    for tasks in ("ticketbridge.itsm.tickets.tasks", "ticketbridge.sync.tasks"):
        assert graph[tasks] & workers == set(), tasks
