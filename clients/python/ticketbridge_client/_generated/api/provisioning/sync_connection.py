from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.job_accepted import JobAccepted
from ...models.sync_request import SyncRequest
from ...types import UNSET, Response, Unset


def _get_kwargs(
    org_id: str,
    connection_id: str,
    *,
    body: None | SyncRequest | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/provisioning/organizations/{org_id}/connections/{connection_id}/sync".format(
            org_id=quote(str(org_id), safe=""),
            connection_id=quote(str(connection_id), safe=""),
        ),
    }

    if isinstance(body, SyncRequest):
        _kwargs["json"] = body.to_dict()
    else:
        _kwargs["json"] = body

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | JobAccepted | None:
    if response.status_code == 202:
        response_202 = JobAccepted.from_dict(response.json())

        return response_202

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

    if response.status_code == 413:
        response_413 = Error.from_dict(response.json())

        return response_413

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
) -> Response[Error | JobAccepted]:
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
    body: None | SyncRequest | Unset = UNSET,
) -> Response[Error | JobAccepted]:
    """Sync Connection

     Start a sync now (or get the one already queued or running).

    Body (optional): `{"full": true}` syncs every ticket, not only those updated since the
    last sync.

    Args:
        org_id (str):
        connection_id (str):
        body (None | SyncRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | JobAccepted]
    """

    kwargs = _get_kwargs(
        org_id=org_id,
        connection_id=connection_id,
        body=body,
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
    body: None | SyncRequest | Unset = UNSET,
) -> Error | JobAccepted | None:
    """Sync Connection

     Start a sync now (or get the one already queued or running).

    Body (optional): `{"full": true}` syncs every ticket, not only those updated since the
    last sync.

    Args:
        org_id (str):
        connection_id (str):
        body (None | SyncRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | JobAccepted
    """

    return sync_detailed(
        org_id=org_id,
        connection_id=connection_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    org_id: str,
    connection_id: str,
    *,
    client: AuthenticatedClient,
    body: None | SyncRequest | Unset = UNSET,
) -> Response[Error | JobAccepted]:
    """Sync Connection

     Start a sync now (or get the one already queued or running).

    Body (optional): `{"full": true}` syncs every ticket, not only those updated since the
    last sync.

    Args:
        org_id (str):
        connection_id (str):
        body (None | SyncRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | JobAccepted]
    """

    kwargs = _get_kwargs(
        org_id=org_id,
        connection_id=connection_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    org_id: str,
    connection_id: str,
    *,
    client: AuthenticatedClient,
    body: None | SyncRequest | Unset = UNSET,
) -> Error | JobAccepted | None:
    """Sync Connection

     Start a sync now (or get the one already queued or running).

    Body (optional): `{"full": true}` syncs every ticket, not only those updated since the
    last sync.

    Args:
        org_id (str):
        connection_id (str):
        body (None | SyncRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | JobAccepted
    """

    return (
        await asyncio_detailed(
            org_id=org_id,
            connection_id=connection_id,
            client=client,
            body=body,
        )
    ).parsed
