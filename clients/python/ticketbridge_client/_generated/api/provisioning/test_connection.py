from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.connection_test_out import ConnectionTestOut
from ...models.error import Error
from ...types import Response


def _get_kwargs(
    org_id: str,
    connection_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/provisioning/organizations/{org_id}/connections/{connection_id}/test".format(
            org_id=quote(str(org_id), safe=""),
            connection_id=quote(str(connection_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ConnectionTestOut | Error | None:
    if response.status_code == 200:
        response_200 = ConnectionTestOut.from_dict(response.json())

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
) -> Response[ConnectionTestOut | Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    org_id: str,
    connection_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[ConnectionTestOut | Error]:
    """Test Connection

     Check the credentials against the vendor.

    Args:
        org_id (str):
        connection_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ConnectionTestOut | Error]
    """

    kwargs = _get_kwargs(
        org_id=org_id,
        connection_id=connection_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    org_id: str,
    connection_id: str,
    *,
    client: AuthenticatedClient,
) -> ConnectionTestOut | Error | None:
    """Test Connection

     Check the credentials against the vendor.

    Args:
        org_id (str):
        connection_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ConnectionTestOut | Error
    """

    return sync_detailed(
        org_id=org_id,
        connection_id=connection_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    org_id: str,
    connection_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[ConnectionTestOut | Error]:
    """Test Connection

     Check the credentials against the vendor.

    Args:
        org_id (str):
        connection_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ConnectionTestOut | Error]
    """

    kwargs = _get_kwargs(
        org_id=org_id,
        connection_id=connection_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    org_id: str,
    connection_id: str,
    *,
    client: AuthenticatedClient,
) -> ConnectionTestOut | Error | None:
    """Test Connection

     Check the credentials against the vendor.

    Args:
        org_id (str):
        connection_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ConnectionTestOut | Error
    """

    return (
        await asyncio_detailed(
            org_id=org_id,
            connection_id=connection_id,
            client=client,
        )
    ).parsed
