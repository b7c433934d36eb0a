import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.list_envelope_ticket_out import ListEnvelopeTicketOut
from ...models.list_tickets_priority_type_0 import ListTicketsPriorityType0
from ...models.list_tickets_status_type_0 import ListTicketsStatusType0
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    limit: int | Unset = 100,
    cursor: None | str | Unset = UNSET,
    offset: int | None | Unset = UNSET,
    status: ListTicketsStatusType0 | None | Unset = UNSET,
    priority: ListTicketsPriorityType0 | None | Unset = UNSET,
    type_: None | str | Unset = UNSET,
    project_id: None | str | Unset = UNSET,
    assigned_user_id: None | str | Unset = UNSET,
    parent_ticket_id: None | str | Unset = UNSET,
    identifier: None | str | Unset = UNSET,
    updated_since: datetime.date | datetime.datetime | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

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

    json_status: None | str | Unset
    if isinstance(status, Unset):
        json_status = UNSET
    elif isinstance(status, ListTicketsStatusType0):
        json_status = status.value
    else:
        json_status = status
    params["status"] = json_status

    json_priority: None | str | Unset
    if isinstance(priority, Unset):
        json_priority = UNSET
    elif isinstance(priority, ListTicketsPriorityType0):
        json_priority = priority.value
    else:
        json_priority = priority
    params["priority"] = json_priority

    json_type_: None | str | Unset
    if isinstance(type_, Unset):
        json_type_ = UNSET
    else:
        json_type_ = type_
    params["type"] = json_type_

    json_project_id: None | str | Unset
    if isinstance(project_id, Unset):
        json_project_id = UNSET
    else:
        json_project_id = project_id
    params["projectId"] = json_project_id

    json_assigned_user_id: None | str | Unset
    if isinstance(assigned_user_id, Unset):
        json_assigned_user_id = UNSET
    else:
        json_assigned_user_id = assigned_user_id
    params["assignedUserId"] = json_assigned_user_id

    json_parent_ticket_id: None | str | Unset
    if isinstance(parent_ticket_id, Unset):
        json_parent_ticket_id = UNSET
    else:
        json_parent_ticket_id = parent_ticket_id
    params["parentTicketId"] = json_parent_ticket_id

    json_identifier: None | str | Unset
    if isinstance(identifier, Unset):
        json_identifier = UNSET
    else:
        json_identifier = identifier
    params["identifier"] = json_identifier

    json_updated_since: str | Unset
    if isinstance(updated_since, Unset):
        json_updated_since = UNSET
    elif isinstance(updated_since, datetime.datetime):
        json_updated_since = updated_since.isoformat()
    else:
        json_updated_since = updated_since.isoformat()

    params["updatedSince"] = json_updated_since

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/itsm/tickets",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | ListEnvelopeTicketOut | None:
    if response.status_code == 200:
        response_200 = ListEnvelopeTicketOut.from_dict(response.json())

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
) -> Response[Error | ListEnvelopeTicketOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 100,
    cursor: None | str | Unset = UNSET,
    offset: int | None | Unset = UNSET,
    status: ListTicketsStatusType0 | None | Unset = UNSET,
    priority: ListTicketsPriorityType0 | None | Unset = UNSET,
    type_: None | str | Unset = UNSET,
    project_id: None | str | Unset = UNSET,
    assigned_user_id: None | str | Unset = UNSET,
    parent_ticket_id: None | str | Unset = UNSET,
    identifier: None | str | Unset = UNSET,
    updated_since: datetime.date | datetime.datetime | Unset = UNSET,
) -> Response[Error | ListEnvelopeTicketOut]:
    """List Tickets

     List tickets from the local store (synced plus written through the API).

    Args:
        limit (int | Unset):  Default: 100.
        cursor (None | str | Unset):
        offset (int | None | Unset):
        status (ListTicketsStatusType0 | None | Unset):
        priority (ListTicketsPriorityType0 | None | Unset):
        type_ (None | str | Unset):
        project_id (None | str | Unset):
        assigned_user_id (None | str | Unset):
        parent_ticket_id (None | str | Unset):
        identifier (None | str | Unset):
        updated_since (datetime.date | datetime.datetime | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | ListEnvelopeTicketOut]
    """

    kwargs = _get_kwargs(
        limit=limit,
        cursor=cursor,
        offset=offset,
        status=status,
        priority=priority,
        type_=type_,
        project_id=project_id,
        assigned_user_id=assigned_user_id,
        parent_ticket_id=parent_ticket_id,
        identifier=identifier,
        updated_since=updated_since,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 100,
    cursor: None | str | Unset = UNSET,
    offset: int | None | Unset = UNSET,
    status: ListTicketsStatusType0 | None | Unset = UNSET,
    priority: ListTicketsPriorityType0 | None | Unset = UNSET,
    type_: None | str | Unset = UNSET,
    project_id: None | str | Unset = UNSET,
    assigned_user_id: None | str | Unset = UNSET,
    parent_ticket_id: None | str | Unset = UNSET,
    identifier: None | str | Unset = UNSET,
    updated_since: datetime.date | datetime.datetime | Unset = UNSET,
) -> Error | ListEnvelopeTicketOut | None:
    """List Tickets

     List tickets from the local store (synced plus written through the API).

    Args:
        limit (int | Unset):  Default: 100.
        cursor (None | str | Unset):
        offset (int | None | Unset):
        status (ListTicketsStatusType0 | None | Unset):
        priority (ListTicketsPriorityType0 | None | Unset):
        type_ (None | str | Unset):
        project_id (None | str | Unset):
        assigned_user_id (None | str | Unset):
        parent_ticket_id (None | str | Unset):
        identifier (None | str | Unset):
        updated_since (datetime.date | datetime.datetime | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | ListEnvelopeTicketOut
    """

    return sync_detailed(
        client=client,
        limit=limit,
        cursor=cursor,
        offset=offset,
        status=status,
        priority=priority,
        type_=type_,
        project_id=project_id,
        assigned_user_id=assigned_user_id,
        parent_ticket_id=parent_ticket_id,
        identifier=identifier,
        updated_since=updated_since,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 100,
    cursor: None | str | Unset = UNSET,
    offset: int | None | Unset = UNSET,
    status: ListTicketsStatusType0 | None | Unset = UNSET,
    priority: ListTicketsPriorityType0 | None | Unset = UNSET,
    type_: None | str | Unset = UNSET,
    project_id: None | str | Unset = UNSET,
    assigned_user_id: None | str | Unset = UNSET,
    parent_ticket_id: None | str | Unset = UNSET,
    identifier: None | str | Unset = UNSET,
    updated_since: datetime.date | datetime.datetime | Unset = UNSET,
) -> Response[Error | ListEnvelopeTicketOut]:
    """List Tickets

     List tickets from the local store (synced plus written through the API).

    Args:
        limit (int | Unset):  Default: 100.
        cursor (None | str | Unset):
        offset (int | None | Unset):
        status (ListTicketsStatusType0 | None | Unset):
        priority (ListTicketsPriorityType0 | None | Unset):
        type_ (None | str | Unset):
        project_id (None | str | Unset):
        assigned_user_id (None | str | Unset):
        parent_ticket_id (None | str | Unset):
        identifier (None | str | Unset):
        updated_since (datetime.date | datetime.datetime | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | ListEnvelopeTicketOut]
    """

    kwargs = _get_kwargs(
        limit=limit,
        cursor=cursor,
        offset=offset,
        status=status,
        priority=priority,
        type_=type_,
        project_id=project_id,
        assigned_user_id=assigned_user_id,
        parent_ticket_id=parent_ticket_id,
        identifier=identifier,
        updated_since=updated_since,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 100,
    cursor: None | str | Unset = UNSET,
    offset: int | None | Unset = UNSET,
    status: ListTicketsStatusType0 | None | Unset = UNSET,
    priority: ListTicketsPriorityType0 | None | Unset = UNSET,
    type_: None | str | Unset = UNSET,
    project_id: None | str | Unset = UNSET,
    assigned_user_id: None | str | Unset = UNSET,
    parent_ticket_id: None | str | Unset = UNSET,
    identifier: None | str | Unset = UNSET,
    updated_since: datetime.date | datetime.datetime | Unset = UNSET,
) -> Error | ListEnvelopeTicketOut | None:
    """List Tickets

     List tickets from the local store (synced plus written through the API).

    Args:
        limit (int | Unset):  Default: 100.
        cursor (None | str | Unset):
        offset (int | None | Unset):
        status (ListTicketsStatusType0 | None | Unset):
        priority (ListTicketsPriorityType0 | None | Unset):
        type_ (None | str | Unset):
        project_id (None | str | Unset):
        assigned_user_id (None | str | Unset):
        parent_ticket_id (None | str | Unset):
        identifier (None | str | Unset):
        updated_since (datetime.date | datetime.datetime | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | ListEnvelopeTicketOut
    """

    return (
        await asyncio_detailed(
            client=client,
            limit=limit,
            cursor=cursor,
            offset=offset,
            status=status,
            priority=priority,
            type_=type_,
            project_id=project_id,
            assigned_user_id=assigned_user_id,
            parent_ticket_id=parent_ticket_id,
            identifier=identifier,
            updated_since=updated_since,
        )
    ).parsed
