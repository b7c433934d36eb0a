"""The import graph of ``src/ticketbridge`` has no cycle, imports inside functions and under
``TYPE_CHECKING`` included (import-linter's contracts, run by ``make lint``, check the layers;
this test checks what they cannot: any cycle at all, and module size)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.store_independent

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "ticketbridge"
MIGRATIONS = PACKAGE / "db" / "migrations" / "versions"
MAX_LINES = 400


def _modules(root: Path = SRC) -> dict[str, tuple[Path, bool]]:
    """Module name -> (file, is a package) for every module under ``root``."""
    found: dict[str, tuple[Path, bool]] = {}
    for path in root.rglob("*.py"):
        parts = list(path.relative_to(root).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        found[".".join(parts)] = (path, is_package)
    return found


def import_graph(root: Path = SRC) -> dict[str, set[str]]:
    """Module -> the modules of the same tree it imports, wherever the import statement is."""
    modules = _modules(root)
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, (path, is_package) in modules.items():
        package = name if is_package else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, *([node.module] if node.module else [])])
                # `from a import b` imports module a.b when there is one, else names of a.
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                    for alias in node.names
                ]
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_the_import_graph_has_no_cycle() -> None:
    graph = import_graph()
    found = cycles(graph)
    explained = [
        "\n".join(f"  {m} -> {sorted(t for t in graph[m] if t in c)}" for m in c) for c in found
    ]
    assert not found, "import cycles:\n" + "\n\n".join(explained)


def test_the_cycle_finder_finds_a_cycle_hidden_in_a_function(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from pkg import b\n")
    (pkg / "b.py").write_text("def f():\n    from . import c\n")
    (pkg / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.a\n"
    )
    (pkg / "d.py").write_text("import pkg.a\n")
    assert cycles(import_graph(tmp_path)) == [["pkg.a", "pkg.b", "pkg.c"]]


def test_emulators_import_nothing_of_ticketbridge_outside_them() -> None:
    graph = import_graph()
    outside = {
        (module, target)
        for module, targets in graph.items()
        if module.startswith("ticketbridge.emulators")
        for target in targets
        if target.startswith("ticketbridge")
        and not target.startswith("ticketbridge.emulators")
        and target != "ticketbridge"
    }
    assert not outside, sorted(outside)


def test_no_module_is_over_400_lines() -> None:
    long = {
        str(path.relative_to(SRC)): n
        for path in PACKAGE.rglob("*.py")
        if MIGRATIONS not in path.parents and (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines: {long}"


# Test folders for what is not under src/ticketbridge: the SDK (clients/python), the
# examples (examples/) and shared test helpers.
OUTSIDE_SRC = {"clients", "examples", "support"}


def test_the_tests_mirror_src() -> None:
    """tests/<path>/test_*.py tests the package src/ticketbridge/<path>/ (tests of top-level
    modules sit in tests/ itself)."""
    tests = Path(__file__).resolve().parent
    unmatched = sorted(
        str(folder.relative_to(tests))
        for folder in {path.parent for path in tests.rglob("test_*.py")}
        if folder != tests
        and folder.relative_to(tests).parts[0] not in OUTSIDE_SRC
        and not (PACKAGE / folder.relative_to(tests) / "__init__.py").exists()
    )
    assert not unmatched, f"test folders with no package of that path under src: {unmatched}"
