"""The API's typed models (generated from the OpenAPI document)."""

from ticketbridge_client._generated.models import *  # noqa: F403
from ticketbridge_client._generated.models import __all__ as __all__
