from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.job_out import JobOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    org_id: str,
    connection_id: str,
    *,
    limit: int | Unset = 100,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/provisioning/organizations/{org_id}/connections/{connection_id}/jobs".format(
            org_id=quote(str(org_id), safe=""),
            connection_id=quote(str(connection_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | list[JobOut] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in _response_200:
            response_200_item = JobOut.from_dict(response_200_item_data)

            response_200.append(response_200_item)

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
) -> Response[Error | list[JobOut]]:
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
    limit: int | Unset = 100,
) -> Response[Error | list[JobOut]]:
    """List Connection Jobs

     The connection's jobs, newest first.

    Args:
        org_id (str):
        connection_id (str):
        limit (int | Unset):  Default: 100.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | list[JobOut]]
    """

    kwargs = _get_kwargs(
        org_id=org_id,
        connection_id=connection_id,
        limit=limit,
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
    limit: int | Unset = 100,
) -> Error | list[JobOut] | None:
    """List Connection Jobs

     The connection's jobs, newest first.

    Args:
        org_id (str):
        connection_id (str):
        limit (int | Unset):  Default: 100.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | list[JobOut]
    """

    return sync_detailed(
        org_id=org_id,
        connection_id=connection_id,
        client=client,
        limit=limit,
    ).parsed


async def asyncio_detailed(
    org_id: str,
    connection_id: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 100,
) -> Response[Error | list[JobOut]]:
    """List Connection Jobs

     The connection's jobs, newest first.

    Args:
        org_id (str):
        connection_id (str):
        limit (int | Unset):  Default: 100.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | list[JobOut]]
    """

    kwargs = _get_kwargs(
        org_id=org_id,
        connection_id=connection_id,
        limit=limit,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    org_id: str,
    connection_id: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 100,
) -> Error | list[JobOut] | None:
    """List Connection Jobs

     The connection's jobs, newest first.

    Args:
        org_id (str):
        connection_id (str):
        limit (int | Unset):  Default: 100.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | list[JobOut]
    """

    return (
        await asyncio_detailed(
            org_id=org_id,
            connection_id=connection_id,
            client=client,
            limit=limit,
        )
    ).parsed
