from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.users_page import UsersPage
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    project_key: None | str | Unset = UNSET,
    query: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_project_key: None | str | Unset
    if isinstance(project_key, Unset):
        json_project_key = UNSET
    else:
        json_project_key = project_key
    params["project_key"] = json_project_key

    json_query: None | str | Unset
    if isinstance(query, Unset):
        json_query = UNSET
    else:
        json_query = query
    params["query"] = json_query

    params["limit"] = limit

    params["offset"] = offset

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/itsm/passthrough/users",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | UsersPage | None:
    if response.status_code == 200:
        response_200 = UsersPage.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

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

    if response.status_code == 502:
        response_502 = Error.from_dict(response.json())

        return response_502

    if response.status_code == 503:
        response_503 = Error.from_dict(response.json())

        return response_503

    if response.status_code == 504:
        response_504 = Error.from_dict(response.json())

        return response_504

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | UsersPage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    project_key: None | str | Unset = UNSET,
    query: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
) -> Response[Error | UsersPage]:
    """List Users

     Users, live: assignable in `project_key`, or the whole directory without it.

    `total` is null (Jira gives none). Emails the users keep private are null.

    Args:
        project_key (None | str | Unset): Only users who can be assigned tickets in this project.
            Without it (or empty), the vendor's whole user directory, inactive and app accounts
            included: see `active` and `account_type`.
        query (None | str | Unset): Prefix of a name or email; empty matches all
        limit (int | Unset):  Default: 50.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | UsersPage]
    """

    kwargs = _get_kwargs(
        project_key=project_key,
        query=query,
        limit=limit,
        offset=offset,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    project_key: None | str | Unset = UNSET,
    query: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
) -> Error | UsersPage | None:
    """List Users

     Users, live: assignable in `project_key`, or the whole directory without it.

    `total` is null (Jira gives none). Emails the users keep private are null.

    Args:
        project_key (None | str | Unset): Only users who can be assigned tickets in this project.
            Without it (or empty), the vendor's whole user directory, inactive and app accounts
            included: see `active` and `account_type`.
        query (None | str | Unset): Prefix of a name or email; empty matches all
        limit (int | Unset):  Default: 50.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | UsersPage
    """

    return sync_detailed(
        client=client,
        project_key=project_key,
        query=query,
        limit=limit,
        offset=offset,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    project_key: None | str | Unset = UNSET,
    query: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
) -> Response[Error | UsersPage]:
    """List Users

     Users, live: assignable in `project_key`, or the whole directory without it.

    `total` is null (Jira gives none). Emails the users keep private are null.

    Args:
        project_key (None | str | Unset): Only users who can be assigned tickets in this project.
            Without it (or empty), the vendor's whole user directory, inactive and app accounts
            included: see `active` and `account_type`.
        query (None | str | Unset): Prefix of a name or email; empty matches all
        limit (int | Unset):  Default: 50.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | UsersPage]
    """

    kwargs = _get_kwargs(
        project_key=project_key,
        query=query,
        limit=limit,
        offset=offset,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    project_key: None | str | Unset = UNSET,
    query: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
) -> Error | UsersPage | None:
    """List Users

     Users, live: assignable in `project_key`, or the whole directory without it.

    `total` is null (Jira gives none). Emails the users keep private are null.

    Args:
        project_key (None | str | Unset): Only users who can be assigned tickets in this project.
            Without it (or empty), the vendor's whole user directory, inactive and app accounts
            included: see `active` and `account_type`.
        query (None | str | Unset): Prefix of a name or email; empty matches all
        limit (int | Unset):  Default: 50.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | UsersPage
    """

    return (
        await asyncio_detailed(
            client=client,
            project_key=project_key,
            query=query,
            limit=limit,
            offset=offset,
        )
    ).parsed
