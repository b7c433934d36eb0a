from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.ticket_out_priority import TicketOutPriority
from ..models.ticket_out_status import TicketOutStatus

if TYPE_CHECKING:
    from ..models.ticket_out_vendor_attributes import TicketOutVendorAttributes


T = TypeVar("T", bound="TicketOut")


@_attrs_define
class TicketOut:
    """
    Attributes:
        active (bool):
        assigned_user_id (None | UUID):
        assigned_user_vendor_id (None | str):
        closed_at (datetime.datetime | None):
        created_by_user_id (None | UUID):
        description (None | str):
        due_date (datetime.date | None):
        id (UUID):
        identifier (str):
        name (str):
        parent_ticket_id (None | UUID):
        parent_ticket_vendor_id (None | str):
        priority (TicketOutPriority):
        project_id (None | UUID):
        project_vendor_id (None | str):
        status (TicketOutStatus):
        status_updated_at (datetime.datetime | None):
        tags (list[str]):
        ticket_created_at (datetime.datetime | None):
        type_ (None | str):
        type_id (None | UUID):
        type_vendor_id (None | str):
        url (None | str):
        vendor_attributes (TicketOutVendorAttributes):
    """

    active: bool
    assigned_user_id: None | UUID
    assigned_user_vendor_id: None | str
    closed_at: datetime.datetime | None
    created_by_user_id: None | UUID
    description: None | str
    due_date: datetime.date | None
    id: UUID
    identifier: str
    name: str
    parent_ticket_id: None | UUID
    parent_ticket_vendor_id: None | str
    priority: TicketOutPriority
    project_id: None | UUID
    project_vendor_id: None | str
    status: TicketOutStatus
    status_updated_at: datetime.datetime | None
    tags: list[str]
    ticket_created_at: datetime.datetime | None
    type_: None | str
    type_id: None | UUID
    type_vendor_id: None | str
    url: None | str
    vendor_attributes: TicketOutVendorAttributes
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        active = self.active

        assigned_user_id: None | str
        if isinstance(self.assigned_user_id, UUID):
            assigned_user_id = str(self.assigned_user_id)
        else:
            assigned_user_id = self.assigned_user_id

        assigned_user_vendor_id: None | str
        assigned_user_vendor_id = self.assigned_user_vendor_id

        closed_at: None | str
        if isinstance(self.closed_at, datetime.datetime):
            closed_at = self.closed_at.isoformat()
        else:
            closed_at = self.closed_at

        created_by_user_id: None | str
        if isinstance(self.created_by_user_id, UUID):
            created_by_user_id = str(self.created_by_user_id)
        else:
            created_by_user_id = self.created_by_user_id

        description: None | str
        description = self.description

        due_date: None | str
        if isinstance(self.due_date, datetime.date):
            due_date = self.due_date.isoformat()
        else:
            due_date = self.due_date

        id = str(self.id)

        identifier = self.identifier

        name = self.name

        parent_ticket_id: None | str
        if isinstance(self.parent_ticket_id, UUID):
            parent_ticket_id = str(self.parent_ticket_id)
        else:
            parent_ticket_id = self.parent_ticket_id

        parent_ticket_vendor_id: None | str
        parent_ticket_vendor_id = self.parent_ticket_vendor_id

        priority = self.priority.value

        project_id: None | str
        if isinstance(self.project_id, UUID):
            project_id = str(self.project_id)
        else:
            project_id = self.project_id

        project_vendor_id: None | str
        project_vendor_id = self.project_vendor_id

        status = self.status.value

        status_updated_at: None | str
        if isinstance(self.status_updated_at, datetime.datetime):
            status_updated_at = self.status_updated_at.isoformat()
        else:
            status_updated_at = self.status_updated_at

        tags = self.tags

        ticket_created_at: None | str
        if isinstance(self.ticket_created_at, datetime.datetime):
            ticket_created_at = self.ticket_created_at.isoformat()
        else:
            ticket_created_at = self.ticket_created_at

        type_: None | str
        type_ = self.type_

        type_id: None | str
        if isinstance(self.type_id, UUID):
            type_id = str(self.type_id)
        else:
            type_id = self.type_id

        type_vendor_id: None | str
        type_vendor_id = self.type_vendor_id

        url: None | str
        url = self.url

        vendor_attributes = self.vendor_attributes.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "active": active,
                "assigned_user_id": assigned_user_id,
                "assigned_user_vendor_id": assigned_user_vendor_id,
                "closed_at": closed_at,
                "created_by_user_id": created_by_user_id,
                "description": description,
                "due_date": due_date,
                "id": id,
                "identifier": identifier,
                "name": name,
                "parent_ticket_id": parent_ticket_id,
                "parent_ticket_vendor_id": parent_ticket_vendor_id,
                "priority": priority,
                "project_id": project_id,
                "project_vendor_id": project_vendor_id,
                "status": status,
                "status_updated_at": status_updated_at,
                "tags": tags,
                "ticket_created_at": ticket_created_at,
                "type": type_,
                "type_id": type_id,
                "type_vendor_id": type_vendor_id,
                "url": url,
                "vendor_attributes": vendor_attributes,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.ticket_out_vendor_attributes import TicketOutVendorAttributes

        d = dict(src_dict)
        active = d.pop("active")

        def _parse_assigned_user_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                assigned_user_id_type_0 = UUID(data)

                return assigned_user_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        assigned_user_id = _parse_assigned_user_id(d.pop("assigned_user_id"))

        def _parse_assigned_user_vendor_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        assigned_user_vendor_id = _parse_assigned_user_vendor_id(
            d.pop("assigned_user_vendor_id")
        )

        def _parse_closed_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                closed_at_type_0 = datetime.datetime.fromisoformat(data)

                return closed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        closed_at = _parse_closed_at(d.pop("closed_at"))

        def _parse_created_by_user_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                created_by_user_id_type_0 = UUID(data)

                return created_by_user_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        created_by_user_id = _parse_created_by_user_id(d.pop("created_by_user_id"))

        def _parse_description(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        description = _parse_description(d.pop("description"))

        def _parse_due_date(data: object) -> datetime.date | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                due_date_type_0 = datetime.date.fromisoformat(data)

                return due_date_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None, data)

        due_date = _parse_due_date(d.pop("due_date"))

        id = UUID(d.pop("id"))

        identifier = d.pop("identifier")

        name = d.pop("name")

        def _parse_parent_ticket_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                parent_ticket_id_type_0 = UUID(data)

                return parent_ticket_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        parent_ticket_id = _parse_parent_ticket_id(d.pop("parent_ticket_id"))

        def _parse_parent_ticket_vendor_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        parent_ticket_vendor_id = _parse_parent_ticket_vendor_id(
            d.pop("parent_ticket_vendor_id")
        )

        priority = TicketOutPriority(d.pop("priority"))

        def _parse_project_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                project_id_type_0 = UUID(data)

                return project_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        project_id = _parse_project_id(d.pop("project_id"))

        def _parse_project_vendor_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        project_vendor_id = _parse_project_vendor_id(d.pop("project_vendor_id"))

        status = TicketOutStatus(d.pop("status"))

        def _parse_status_updated_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_updated_at_type_0 = datetime.datetime.fromisoformat(data)

                return status_updated_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        status_updated_at = _parse_status_updated_at(d.pop("status_updated_at"))

        tags = cast(list[str], d.pop("tags"))

        def _parse_ticket_created_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                ticket_created_at_type_0 = datetime.datetime.fromisoformat(data)

                return ticket_created_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        ticket_created_at = _parse_ticket_created_at(d.pop("ticket_created_at"))

        def _parse_type_(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        type_ = _parse_type_(d.pop("type"))

        def _parse_type_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                type_id_type_0 = UUID(data)

                return type_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        type_id = _parse_type_id(d.pop("type_id"))

        def _parse_type_vendor_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        type_vendor_id = _parse_type_vendor_id(d.pop("type_vendor_id"))

        def _parse_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        url = _parse_url(d.pop("url"))

        vendor_attributes = TicketOutVendorAttributes.from_dict(
            d.pop("vendor_attributes")
        )

        ticket_out = cls(
            active=active,
            assigned_user_id=assigned_user_id,
            assigned_user_vendor_id=assigned_user_vendor_id,
            closed_at=closed_at,
            created_by_user_id=created_by_user_id,
            description=description,
            due_date=due_date,
            id=id,
            identifier=identifier,
            name=name,
            parent_ticket_id=parent_ticket_id,
            parent_ticket_vendor_id=parent_ticket_vendor_id,
            priority=priority,
            project_id=project_id,
            project_vendor_id=project_vendor_id,
            status=status,
            status_updated_at=status_updated_at,
            tags=tags,
            ticket_created_at=ticket_created_at,
            type_=type_,
            type_id=type_id,
            type_vendor_id=type_vendor_id,
            url=url,
            vendor_attributes=vendor_attributes,
        )

        ticket_out.additional_properties = d
        return ticket_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
