"""GET /v1/itsm/capabilities: what the connection's vendor supports (declared, as data)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from ticketbridge.auth.dependencies import CurrentConnection
from ticketbridge.connectors.base import Capability
from ticketbridge.connectors.registry import capability_matrix, connector_class

router = APIRouter(prefix="/itsm", tags=["capabilities"])


class CapabilitiesOut(BaseModel):
    vendor: str
    supported: list[str]
    unsupported: list[str]
    operations: dict[str, bool]
    vendors: dict[str, dict[str, bool]] = Field(
        description="Every vendor side by side: vendor -> operation -> supported "
        "(the matrix of docs/api.md, Capabilities)."
    )


@router.get(
    "/capabilities",
    operation_id="get_capabilities",
    response_model=CapabilitiesOut,
    responses={
        404: {"description": "Unknown connection"},
        422: {"description": "X-CONNECTION-ID missing"},
    },
)
async def get_capabilities(connection: CurrentConnection) -> CapabilitiesOut:
    """Which write and passthrough operations this connection's vendor supports, and
    every vendor's side by side (``vendors``).

    Read from the connector registry (each connector declares its capabilities); every
    unsupported call answers 422 "not supported for this vendor" from the same registry.
    """
    declared = connector_class(connection.vendor).capabilities
    ops = {c.value: c in declared for c in Capability}
    return CapabilitiesOut(
        vendor=connection.vendor,
        supported=[k for k, v in ops.items() if v],
        unsupported=[k for k, v in ops.items() if not v],
        operations=ops,
        vendors=capability_matrix(),
    )
