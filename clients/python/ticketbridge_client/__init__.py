"""TicketBridge's Python SDK: ``TicketBridge`` (sync) and ``AsyncTicketBridge`` (async).

The typed models are the generated ones (``ticketbridge_client.models``); the raw
generated client and functions are in ``ticketbridge_client._generated``.
"""

from ticketbridge_client._core import BULK_SIZE, BulkProgress
from ticketbridge_client.aio import AsyncTicketBridge
from ticketbridge_client.client import TicketBridge
from ticketbridge_client.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    RateLimitError,
    TicketBridgeError,
    ValidationError,
    VendorError,
)

__all__ = [
    "BULK_SIZE",
    "AsyncTicketBridge",
    "AuthenticationError",
    "BulkProgress",
    "ConflictError",
    "NotFoundError",
    "RateLimitError",
    "TicketBridge",
    "TicketBridgeError",
    "ValidationError",
    "VendorError",
]
