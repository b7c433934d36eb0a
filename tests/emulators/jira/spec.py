"""Validate emulator responses against Atlassian's official Jira Cloud OpenAPI document.

The spec only covers `/rest/api/3/...`; v2 paths are validated against the v3 operation
with the same suffix (the shapes are identical apart from rich-text fields, which the spec
types as free-form `fields` values).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from openapi_schema_validator import OAS30ReadValidator

# The paths the emulator serves, cut from Atlassian's document (openapi/README.md says how).
SPEC_PATH = Path(__file__).with_name("openapi") / "jira-platform-subset.json"


@cache
def load_spec() -> dict[str, Any]:
    with SPEC_PATH.open() as handle:
        spec: dict[str, Any] = json.load(handle)
    return spec


def response_schema(path: str, method: str, status: int) -> dict[str, Any]:
    """The JSON schema of one documented response (KeyError if the spec lacks it)."""
    spec = load_spec()
    template = path.replace("/rest/api/2/", "/rest/api/3/")
    response = spec["paths"][template][method.lower()]["responses"][str(status)]
    schema: dict[str, Any] = response["content"]["application/json"]["schema"]
    return schema


@cache
def _validator(path: str, method: str, status: int) -> OAS30ReadValidator:
    # Root the schema next to `components` so that `#/components/schemas/...` resolves.
    root = {**response_schema(path, method, status), "components": load_spec()["components"]}
    return OAS30ReadValidator(root)


def validate_response(path: str, method: str, status: int, body: Any) -> None:
    """Raise `jsonschema.ValidationError` if `body` does not match the documented schema."""
    _validator(path, method, status).validate(body)


def schema_errors(path: str, method: str, status: int, body: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in _validator(path, method, status).iter_errors(body)
    ]
