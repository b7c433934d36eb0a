"""The committed generated SDK matches what the app's OpenAPI document generates."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "clients" / "python" / "regenerate.py"

pytestmark = pytest.mark.store_independent


def _regenerate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("regenerate", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_sdk_is_what_the_document_generates() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_an_endpoint_change_without_regenerating_is_caught(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    regenerate = _regenerate()
    original = regenerate.document

    def changed() -> dict[str, Any]:
        document = original()
        op = document["paths"]["/v1/itsm/tickets"]["get"]
        op["parameters"].append(
            {"name": "label", "in": "query", "required": False, "schema": {"type": "string"}}
        )
        return document  # type: ignore[no-any-return]

    monkeypatch.setattr(regenerate, "document", changed)
    fresh = regenerate.generate(tmp_path)
    assert regenerate.differences(fresh, regenerate.TARGET) == ["api/tickets/list_tickets.py"]
