"""Fixtures: one Jira emulator per test session over real HTTP, reset before every test."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from ticketbridge.emulators.jira.server import EmulatorServer

SEEDED_ISSUES = 700


def _load_spec_module() -> ModuleType:
    # Loaded by path under a unique name: a bare `import spec` could clash with other suites.
    name = "tb_tests_emulator_jira_spec"
    if name not in sys.modules:
        location = Path(__file__).with_name("spec.py")
        module_spec = importlib.util.spec_from_file_location(name, location)
        assert module_spec is not None and module_spec.loader is not None
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[name] = module
        module_spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="session")
def emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(issues=SEEDED_ISSUES, access_token_ttl_seconds=3600) as server:
        yield server


def _may_have_written(emulator: EmulatorServer) -> bool:
    routes = emulator.stats["requests_by_route"]
    return any(not label.startswith("GET ") for label in routes)


@pytest.fixture(autouse=True)
def _fresh(emulator: EmulatorServer) -> None:
    """Zero faults and stats before every test; re-seed the data only after writes
    (re-seeding costs tens of milliseconds, most tests only read)."""
    if _may_have_written(emulator):
        emulator.reset()
    else:
        emulator.emulator.faults.reset()


@pytest.fixture
def client(emulator: EmulatorServer) -> Iterator[httpx.Client]:
    auth = (emulator.config.email, emulator.config.api_token)
    with httpx.Client(base_url=emulator.base_url, auth=auth, timeout=10) as http:
        yield http


@pytest.fixture(scope="session")
def spec() -> ModuleType:
    return _load_spec_module()
