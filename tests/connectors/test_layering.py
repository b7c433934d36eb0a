"""The connector contract names no vendor, and the registry serves the built-in vendor's hooks
(that nothing under ``connectors/`` reaches up into the application is an import-linter
contract in pyproject.toml, run by ``make lint``)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import ticketbridge.connectors
from ticketbridge.connectors import registry
from ticketbridge.connectors.base import Capability

pytestmark = pytest.mark.store_independent

ROOT = Path(ticketbridge.connectors.__file__).parent


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, anywhere in it (relative imports made absolute)."""
    package = ".".join(("ticketbridge", *path.parent.relative_to(ROOT.parent).parts))
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            parts = [*base, node.module] if node.module else base
            module = ".".join(parts) if node.level else node.module or ""
            found |= {module} | {f"{module}.{alias.name}" for alias in node.names}
    return found


def test_the_contract_names_no_vendor() -> None:
    for module in ("base.py", "limits.py", "http.py"):
        vendors = {
            n for n in _imports(ROOT / module) if n.startswith("ticketbridge.connectors.jira")
        }
        assert not vendors, module


def test_the_registry_serves_the_builtin_vendor_and_its_hooks() -> None:
    jira = registry.connector_class("JIRA")
    assert "JIRA" in registry.vendors()
    assert jira.capabilities == frozenset(Capability)
    assert jira.normalize_priority("highest", {}) == "CRITICAL"
    assert jira.normalize_priority("Blocker", {"blocker": "CRITICAL"}) == "CRITICAL"
    assert jira.priority_to_vendor("LOW", {}) == "Low"
    assert jira.normalize_status("Review", "indeterminate", {}) == "IN_PROGRESS"
    assert "summary" in jira.reserved_fields
