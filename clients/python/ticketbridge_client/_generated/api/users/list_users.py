import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.list_envelope_user_out import ListEnvelopeUserOut
from ...models.list_users_status_type_0 import ListUsersStatusType0
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    name: None | str | Unset = UNSET,
    email: None | str | Unset = UNSET,
    status: ListUsersStatusType0 | None | Unset = UNSET,
    project_id: None | str | Unset = UNSET,
    updated_since: datetime.date | datetime.datetime | Unset = UNSET,
    limit: int | Unset = 100,
    cursor: None | str | Unset = UNSET,
    offset: int | None | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_name: None | str | Unset
    if isinstance(name, Unset):
        json_name = UNSET
    else:
        json_name = name
    params["name"] = json_name

    json_email: None | str | Unset
    if isinstance(email, Unset):
        json_email = UNSET
    else:
        json_email = email
    params["email"] = json_email

    json_status: None | str | Unset
    if isinstance(status, Unset):
        json_status = UNSET
    elif isinstance(status, ListUsersStatusType0):
        json_status = status.value
    else:
        json_status = status
    params["status"] = json_status

    json_project_id: None | str | Unset
    if isinstance(project_id, Unset):
        json_project_id = UNSET
    else:
        json_project_id = project_id
    params["projectId"] = json_project_id

    json_updated_since: str | Unset
    if isinstance(updated_since, Unset):
        json_updated_since = UNSET
    elif isinstance(updated_since, datetime.datetime):
        json_updated_since = updated_since.isoformat()
    else:
        json_updated_since = updated_since.isoformat()

    params["updatedSince"] = json_updated_since

    params["limit"] = limit

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    json_offset: int | None | Unset
    if isinstance(offset, Unset):
        json_offset = UNSET
    else:
        json_offset = offset
    params["offset"] = json_offset

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/itsm/users",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | ListEnvelopeUserOut | None:
    if response.status_code == 200:
        response_200 = ListEnvelopeUserOut.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

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
) -> Response[Error | ListEnvelopeUserOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    name: None | str | Unset = UNSET,
    email: None | str | Unset = UNSET,
    status: ListUsersStatusType0 | None | Unset = UNSET,
    project_id: None | str | Unset = UNSET,
    updated_since: datetime.date | datetime.datetime | Unset = UNSET,
    limit: int | Unset = 100,
    cursor: None | str | Unset = UNSET,
    offset: int | None | Unset = UNSET,
) -> Response[Error | ListEnvelopeUserOut]:
    """List Users

     List synced users.

    Args:
        name (None | str | Unset):
        email (None | str | Unset):
        status (ListUsersStatusType0 | None | Unset):
        project_id (None | str | Unset):
        updated_since (datetime.date | datetime.datetime | Unset):
        limit (int | Unset):  Default: 100.
        cursor (None | str | Unset):
        offset (int | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | ListEnvelopeUserOut]
    """

    kwargs = _get_kwargs(
        name=name,
        email=email,
        status=status,
        project_id=project_id,
        updated_since=updated_since,
        limit=limit,
        cursor=cursor,
        offset=offset,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    name: None | str | Unset = UNSET,
    email: None | str | Unset = UNSET,
    status: ListUsersStatusType0 | None | Unset = UNSET,
    project_id: None | str | Unset = UNSET,
    updated_since: datetime.date | datetime.datetime | Unset = UNSET,
    limit: int | Unset = 100,
    cursor: None | str | Unset = UNSET,
    offset: int | None | Unset = UNSET,
) -> Error | ListEnvelopeUserOut | None:
    """List Users

     List synced users.

    Args:
        name (None | str | Unset):
        email (None | str | Unset):
        status (ListUsersStatusType0 | None | Unset):
        project_id (None | str | Unset):
        updated_since (datetime.date | datetime.datetime | Unset):
        limit (int | Unset):  Default: 100.
        cursor (None | str | Unset):
        offset (int | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | ListEnvelopeUserOut
    """

    return sync_detailed(
        client=client,
        name=name,
        email=email,
        status=status,
        project_id=project_id,
        updated_since=updated_since,
        limit=limit,
        cursor=cursor,
        offset=offset,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    name: None | str | Unset = UNSET,
    email: None | str | Unset = UNSET,
    status: ListUsersStatusType0 | None | Unset = UNSET,
    project_id: None | str | Unset = UNSET,
    updated_since: datetime.date | datetime.datetime | Unset = UNSET,
    limit: int | Unset = 100,
    cursor: None | str | Unset = UNSET,
    offset: int | None | Unset = UNSET,
) -> Response[Error | ListEnvelopeUserOut]:
    """List Users

     List synced users.

    Args:
        name (None | str | Unset):
        email (None | str | Unset):
        status (ListUsersStatusType0 | None | Unset):
        project_id (None | str | Unset):
        updated_since (datetime.date | datetime.datetime | Unset):
        limit (int | Unset):  Default: 100.
        cursor (None | str | Unset):
        offset (int | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | ListEnvelopeUserOut]
    """

    kwargs = _get_kwargs(
        name=name,
        email=email,
        status=status,
        project_id=project_id,
        updated_since=updated_since,
        limit=limit,
        cursor=cursor,
        offset=offset,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    name: None | str | Unset = UNSET,
    email: None | str | Unset = UNSET,
    status: ListUsersStatusType0 | None | Unset = UNSET,
    project_id: None | str | Unset = UNSET,
    updated_since: datetime.date | datetime.datetime | Unset = UNSET,
    limit: int | Unset = 100,
    cursor: None | str | Unset = UNSET,
    offset: int | None | Unset = UNSET,
) -> Error | ListEnvelopeUserOut | None:
    """List Users

     List synced users.

    Args:
        name (None | str | Unset):
        email (None | str | Unset):
        status (ListUsersStatusType0 | None | Unset):
        project_id (None | str | Unset):
        updated_since (datetime.date | datetime.datetime | Unset):
        limit (int | Unset):  Default: 100.
        cursor (None | str | Unset):
        offset (int | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | ListEnvelopeUserOut
    """

    return (
        await asyncio_detailed(
            client=client,
            name=name,
            email=email,
            status=status,
            project_id=project_id,
            updated_since=updated_since,
            limit=limit,
            cursor=cursor,
            offset=offset,
        )
    ).parsed
