"""Connection options as each vendor reads them (docs/api.md, "Connection options").

A connector class names its model as ``options_model``; vendor-neutral code validates and
merges options through ``connectors.registry.options_model`` only. The building blocks
(caps, the normalized enums, the two mappings every vendor has) live here so each
vendor's model is the same shape where it can be; ``resync_keys`` names the options whose
change makes the next sync a full one.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

Status = Literal["OPEN", "TODO", "IN_PROGRESS", "IN_REVIEW", "RESOLVED", "CLOSED", "UNKNOWN"]
Priority = Literal["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNKNOWN"]

# Caps on a connection's options: a filter or a mapping is read on every sync and every
# write, and the filter goes into every search query.
MAX_PROJECT_KEYS = 500
MAX_PROJECT_KEY_LENGTH = 100
MAX_MAPPING_ENTRIES = 200
MAX_VENDOR_NAME_LENGTH = 255
MAX_CLOSE_NOTES_LENGTH = 4000

ProjectKey = Annotated[str, StringConstraints(min_length=1, max_length=MAX_PROJECT_KEY_LENGTH)]
VendorName = Annotated[str, StringConstraints(min_length=1, max_length=MAX_VENDOR_NAME_LENGTH)]


class MappingOptions(BaseModel):
    """What every vendor's options have: the connection's own status and priority mappings
    (vendor value -> normalized), which win over the vendor's defaults."""

    model_config = ConfigDict(extra="forbid")
    resync_keys: ClassVar[tuple[str, ...]] = ("status_mapping", "priority_mapping")

    status_mapping: dict[VendorName, Status] = Field(
        default_factory=dict, max_length=MAX_MAPPING_ENTRIES
    )
    priority_mapping: dict[VendorName, Priority] = Field(
        default_factory=dict, max_length=MAX_MAPPING_ENTRIES
    )


class JiraOptions(MappingOptions):
    """Jira: mappings by status and priority name, and an optional project filter."""

    resync_keys: ClassVar[tuple[str, ...]] = (
        "project_keys_filter",
        "status_mapping",
        "priority_mapping",
    )

    project_keys_filter: list[ProjectKey] | None = Field(default=None, max_length=MAX_PROJECT_KEYS)


# ServiceNow's task tables a connection may sync and write (docs/api.md, "ServiceNow").
SERVICENOW_TABLES = ("incident", "problem", "change_request", "sc_task")
ServiceNowTable = Literal["incident", "problem", "change_request", "sc_task"]


def _default_tables() -> list[ServiceNowTable]:
    return ["incident"]


class ResolveDefaults(BaseModel):
    """What a write to RESOLVED/CLOSED sets when the request's custom_fields do not."""

    model_config = ConfigDict(extra="forbid")
    close_code: str | None = Field(default=None, min_length=1, max_length=MAX_VENDOR_NAME_LENGTH)
    close_notes: str | None = Field(default=None, min_length=1, max_length=MAX_CLOSE_NOTES_LENGTH)


class ServiceNowOptions(MappingOptions):
    """ServiceNow: which task tables; mappings keyed by state value (``"<table>:<value>"``
    for one table, ``"<value>"`` for every table) and by priority value (``"1"``..``"5"``)."""

    resync_keys: ClassVar[tuple[str, ...]] = ("tables", "status_mapping", "priority_mapping")

    tables: list[ServiceNowTable] = Field(
        default_factory=_default_tables, min_length=1, max_length=len(SERVICENOW_TABLES)
    )
    resolve_defaults: ResolveDefaults = Field(default_factory=ResolveDefaults)

    @field_validator("tables")
    @classmethod
    def _tables_once(cls, tables: list[str]) -> list[str]:
        if len(set(tables)) != len(tables):
            raise ValueError("each table at most once")
        return tables

    @field_validator("status_mapping")
    @classmethod
    def _state_keys(cls, mapping: dict[str, str]) -> dict[str, str]:
        for key in mapping:
            table, sep, value = key.rpartition(":")
            if sep and table not in SERVICENOW_TABLES:
                raise ValueError(
                    f"{key[:60]!r}: the table must be one of {', '.join(SERVICENOW_TABLES)}"
                )
            if not value.strip():
                raise ValueError(f"{key[:60]!r}: a state value is required")
        return mapping
