"""The documentation stays complete and the repository stands alone.

- docs/api.md names every route the app serves (method and path), so a new route cannot
  ship without its reference.
- No tracked file points outside the repository (a sibling checkout, an absolute path of the
  machine it was written on, a contract file that is not in the repository).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from fastapi.routing import APIRoute

from ticketbridge.app import create_app
from ticketbridge.config import Settings

pytestmark = pytest.mark.store_independent

ROOT = Path(__file__).resolve().parent.parent
API_MD = ROOT / "docs" / "api.md"

# Built from parts so that this file does not match itself.
OUTSIDE = (
    "../" + "shared",
    "/" + "work/",
    "API" + ".md",  # the external contract; the reference is docs/api.md
    "jira" + "-notes",
)


def _mentioned(doc: str, method: str, path: str) -> bool:
    """`METHOD /path` not followed by more path (GET /v1/itsm/tickets is not
    GET /v1/itsm/tickets/bulk)."""
    return re.search(re.escape(f"{method} {path}") + r"(?![\w/{}-])", doc) is not None


def missing_routes(doc: str, routes: list[tuple[str, str]]) -> list[str]:
    return [f"{m} {p}" for m, p in routes if not _mentioned(doc, m, p)]


def _app_routes() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    app = create_app(Settings(env="test"))
    spec = app.openapi()
    documented = [(m.upper(), path) for path, ops in spec["paths"].items() for m in ops]
    hidden = [
        (m, r.path)
        for r in app.routes
        if isinstance(r, APIRoute) and not r.include_in_schema
        for m in sorted(r.methods - {"HEAD"})
    ]
    return documented, hidden


def test_every_openapi_route_is_in_the_api_reference() -> None:
    documented, _ = _app_routes()
    assert len(documented) > 30
    assert missing_routes(API_MD.read_text(encoding="utf-8"), documented) == []


def test_every_route_outside_the_schema_is_in_the_api_reference() -> None:
    _, hidden = _app_routes()
    assert ("GET", "/healthz") in hidden
    assert missing_routes(API_MD.read_text(encoding="utf-8"), hidden) == []


def test_the_route_check_tells_a_route_from_its_longer_sibling() -> None:
    doc = "`GET /v1/itsm/tickets/{ticket_id}` and `POST /v1/itsm/tickets/bulk`"
    routes = [("GET", "/v1/itsm/tickets"), ("POST", "/v1/itsm/tickets/bulk")]
    assert missing_routes(doc, routes) == ["GET /v1/itsm/tickets"]


def _tracked_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    return [ROOT / name for name in listed.decode().split("\0") if name]


def test_no_tracked_file_points_outside_the_repository() -> None:
    files = _tracked_files()
    assert API_MD in files
    offenders = []
    for path in files:
        if not path.is_file():  # deleted in the work tree, not yet committed
            continue
        text = path.read_bytes()
        offenders += [
            f"{path.relative_to(ROOT)}: {needle}" for needle in OUTSIDE if needle.encode() in text
        ]
    assert offenders == []
