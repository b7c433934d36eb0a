"""Which connector class serves which vendor, and the class-level hooks vendor-neutral code
needs: credential schema and checks, OAuth, default status and priority mappings,
capabilities, reserved custom-field names.

Services ask this module, never a vendor package. It is filled explicitly: the built-in
connectors are imported here (the contract, ``connectors/base.py``, names no vendor);
``register`` adds another one (tests register a stub vendor).
"""

from __future__ import annotations

from typing import Any, cast

from ticketbridge.connectors.base import Capability, ConnectorClass
from ticketbridge.connectors.jira.connector import JiraConnector
from ticketbridge.connectors.servicenow.connector import ServiceNowConnector
from ticketbridge.errors import NotSupported, Unprocessable

_BUILTIN: tuple[Any, ...] = (JiraConnector, ServiceNowConnector)
_REGISTRY: dict[str, ConnectorClass] = {cls.vendor: cast(ConnectorClass, cls) for cls in _BUILTIN}


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
