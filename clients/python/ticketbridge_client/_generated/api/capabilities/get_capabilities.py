from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.capabilities_out import CapabilitiesOut
from ...models.error import Error
from ...types import Response


def _get_kwargs() -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/itsm/capabilities",
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CapabilitiesOut | Error | None:
    if response.status_code == 200:
        response_200 = CapabilitiesOut.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

    if response.status_code == 422:
        response_422 = Error.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = Error.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[CapabilitiesOut | Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[CapabilitiesOut | Error]:
    """Get Capabilities

     Which write and passthrough operations this connection's vendor supports, and
    every vendor's side by side (``vendors``).

    Read from the connector registry (each connector declares its capabilities); every
    unsupported call answers 422 "not supported for this vendor" from the same registry.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CapabilitiesOut | Error]
    """

    kwargs = _get_kwargs()

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
) -> CapabilitiesOut | Error | None:
    """Get Capabilities

     Which write and passthrough operations this connection's vendor supports, and
    every vendor's side by side (``vendors``).

    Read from the connector registry (each connector declares its capabilities); every
    unsupported call answers 422 "not supported for this vendor" from the same registry.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CapabilitiesOut | Error
    """

    return sync_detailed(
        client=client,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[CapabilitiesOut | Error]:
    """Get Capabilities

     Which write and passthrough operations this connection's vendor supports, and
    every vendor's side by side (``vendors``).

    Read from the connector registry (each connector declares its capabilities); every
    unsupported call answers 422 "not supported for this vendor" from the same registry.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CapabilitiesOut | Error]
    """

    kwargs = _get_kwargs()

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
) -> CapabilitiesOut | Error | None:
    """Get Capabilities

     Which write and passthrough operations this connection's vendor supports, and
    every vendor's side by side (``vendors``).

    Read from the connector registry (each connector declares its capabilities); every
    unsupported call answers 422 "not supported for this vendor" from the same registry.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CapabilitiesOut | Error
    """

    return (
        await asyncio_detailed(
            client=client,
        )
    ).parsed
