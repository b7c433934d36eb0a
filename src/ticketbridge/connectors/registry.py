"""Which connector class serves which vendor, and the class-level hooks vendor-neutral code
needs: credential schema and checks, OAuth, default status and priority mappings,
capabilities, reserved custom-field names, the options model, what a create must name,
whether its connectors read a deletion log.

Services ask this module, never a vendor package. It is filled explicitly: the built-in
connectors are imported here (the contract, ``connectors/base.py``, names no vendor);
``register`` adds another one (tests register a stub vendor).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from pydantic import BaseModel, ValidationError

from ticketbridge.connectors.base import Capability, Connector, ConnectorClass, DeletionLog
from ticketbridge.connectors.jira.connector import JiraConnector
from ticketbridge.connectors.options import MappingOptions, ServiceNowOptions
from ticketbridge.connectors.servicenow.connector import ServiceNowConnector
from ticketbridge.errors import NotSupported, Unprocessable

_BUILTIN: tuple[Any, ...] = (JiraConnector, ServiceNowConnector)
_REGISTRY: dict[str, ConnectorClass] = {cls.vendor: cast(ConnectorClass, cls) for cls in _BUILTIN}

# Class-level facts of a built-in connector that its class does not state itself (yet):
# read as if the class declared them (a class attribute of the same name wins).
_DECLARED: dict[str, dict[str, Any]] = {
    "JIRA": {"label": "Jira"},
    "SERVICENOW": {
        "label": "ServiceNow",
        "options_model": ServiceNowOptions,
    },
}


def _declared(vendor: str, name: str, default: Any) -> Any:
    cls = connector_class(vendor)
    if hasattr(cls, name):
        return getattr(cls, name)
    return _DECLARED.get(vendor, {}).get(name, default)


def register(cls: Any) -> Any:
    """Adds (or replaces) the connector class of ``cls.vendor``; returns ``cls``."""
    _REGISTRY[cls.vendor] = cls
    return cls


def connector_class(vendor: str) -> ConnectorClass:
    try:
        return _REGISTRY[vendor]
    except KeyError:
        raise NotSupported(f"Vendor {vendor!r} is not supported") from None


def vendors() -> list[str]:
    return sorted(_REGISTRY)


def require(vendor: str, capability: Capability) -> None:
    """Answers 422 'not supported for this vendor' before any work is done."""
    cls = connector_class(vendor)
    if capability not in cls.capabilities:
        raise NotSupported(f"'{capability.value}' is not supported for this vendor ({vendor})")


def check_custom_fields(vendor: str, custom_fields: dict[str, Any] | None, where: str = "") -> None:
    """422 naming the first key of `custom_fields` that a normalized field sets for `vendor`
    (`where` prefixes the field path, e.g. ``tickets[3].``), before any vendor call."""
    reserved: dict[str, str] = getattr(connector_class(vendor), "reserved_fields", {})
    for key in custom_fields or {}:
        if key in reserved:
            raise Unprocessable(
                f"custom_fields may not set {key!r}: it is set by {reserved[key]}",
                field=f"{where}custom_fields.{key}",
            )


def capability_matrix() -> dict[str, dict[str, bool]]:
    """Every registered vendor's operations side by side: vendor -> capability -> declared."""
    return {
        vendor: {c.value: c in connector_class(vendor).capabilities for c in Capability}
        for vendor in vendors()
    }


def options_model(vendor: str) -> type[BaseModel]:
    """The vendor's options model (``connectors/options.py``); a class that declares none
    has the two mappings only."""
    model: type[BaseModel] = _declared(vendor, "options_model", MappingOptions)
    return model


def resync_keys(vendor: str) -> tuple[str, ...]:
    """The options whose change makes the next sync a full one."""
    keys: tuple[str, ...] = getattr(options_model(vendor), "resync_keys", ())
    return keys


def validate_options(vendor: str, options: dict[str, Any] | None) -> dict[str, Any]:
    """`options` checked against the vendor's model, defaults filled in: a 422 names the
    first field it refuses (``options.tables.1``)."""
    try:
        model = options_model(vendor).model_validate(options or {})
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        # Path parts come from the input (mapping keys): cut long ones.
        where = ".".join(_cut(str(p)) for p in ("options", *first.get("loc", ())))
        message = str(first.get("msg", "invalid")).removeprefix("Value error, ")
        raise Unprocessable(f"{where}: {message}", field=where) from None
    return model.model_dump(mode="json")


def _cut(part: str, limit: int = 60) -> str:
    return part if len(part) <= limit else part[:limit] + "..."


def label(vendor: str) -> str:
    """The vendor's name in messages (Jira, ServiceNow); an unknown vendor's own code."""
    if vendor not in _REGISTRY:
        return vendor
    found: str = _declared(vendor, "label", vendor.title())
    return found


def _status_name_only(name: str, type_vendor_id: str | None) -> list[str]:
    return [name]


def status_keys(vendor: str) -> Callable[[str, str | None], list[str]]:
    """How the vendor's status mapping names a ticket's status: ``(raw status, type vendor
    id) -> keys``, most specific first (matched without regard to case). By default the
    raw status alone (Jira: the status name; ServiceNow: ``"<table>:<state>"``, its
    ``"<state>"`` keys being applied by the connector's own default)."""
    keys: Callable[[str, str | None], list[str]] = _declared(
        vendor, "status_keys", _status_name_only
    )
    return keys


def references_internal_id(vendor: str) -> bool:
    """Whether the vendor's references to a ticket (its parent) hold the ticket's internal
    id rather than its key (ServiceNow: sys_ids; Jira: keys, the default)."""
    return bool(_declared(vendor, "references_internal_id", False))


def check_draft(
    vendor: str,
    *,
    has_project: bool | None = None,
    has_type: bool | None = None,
    has_tags: bool = False,
    where: str = "",
) -> None:
    """The vendor's rules on a create or an update the schema cannot know: a project
    required (``has_project``: None for an update), a type required (``has_type``, as
    ``type_required``; a vendor that needs none picks its default) and tags supported; 422
    naming the field, before any vendor call."""
    if has_project is False and _declared(vendor, "project_required", True):
        raise Unprocessable(
            "One of project_id or project_vendor_id is required",
            field=f"{where}project_id",
        )
    if has_type is False and _declared(vendor, "type_required", True):
        raise Unprocessable(
            "One of type, type_id or type_vendor_id is required", field=f"{where}type"
        )
    if has_tags and not _declared(vendor, "tags_supported", True):
        raise Unprocessable(
            f"tags are not supported for this vendor ({vendor})", field=f"{where}tags"
        )


def deletion_log(connector: Connector) -> DeletionLog | None:
    """The connector as a reader of the vendor's deletion log when its class has one (the
    optional ``deleted_ticket_ids``, `connectors.base.DeletionLog`); None: an incremental
    sync finds deletions by an id scan."""
    if _declared(connector.vendor, "deleted_ticket_ids", None) is None:
        return None
    return cast(DeletionLog, connector)
