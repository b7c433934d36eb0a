"""`/docs` needs no internet; `GET /` says where the docs are; CORS exposes our headers."""

from __future__ import annotations

import re

import httpx

from ticketbridge import __version__


def test_docs_load_every_asset_from_this_server(http: httpx.Client) -> None:
    page = http.get("/docs")
    assert page.status_code == 200 and "swagger-ui" in page.text
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    assert any(a.endswith(".js") for a in assets) and any(a.endswith(".css") for a in assets)
    for asset in assets:
        assert asset.startswith("/"), f"{asset} is not served by us"
        answer = http.get(asset)
        assert answer.status_code == 200 and len(answer.content) > 100, asset
    assert http.get("/openapi.json").status_code == 200
    assert http.get("/docs/oauth2-redirect").status_code == 200


def test_root_points_to_the_docs_and_names_the_version(http: httpx.Client) -> None:
    body = http.get("/").json()
    assert body["docs"] == "/docs" and body["version"] == __version__
    assert http.get(body["openapi"]).status_code == 200


def test_cors_exposes_the_replay_and_request_id_headers(http: httpx.Client) -> None:
    answer = http.get("/healthz", headers={"Origin": "https://app.example"})
    exposed = {
        h.strip().lower() for h in answer.headers["access-control-expose-headers"].split(",")
    }
    assert {"idempotent-replayed", "x-request-id", "retry-after"} <= exposed
    assert answer.headers["X-Request-ID"]
