from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..models.ticket_create_priority_type_0 import TicketCreatePriorityType0
from ..models.ticket_create_status_type_0 import TicketCreateStatusType0
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.ticket_create_custom_fields_type_0 import (
        TicketCreateCustomFieldsType0,
    )


T = TypeVar("T", bound="TicketCreate")


@_attrs_define
class TicketCreate:
    """
    Attributes:
        name (str):
        assigned_user_id (None | Unset | UUID):
        assigned_user_vendor_id (None | str | Unset):
        custom_fields (None | TicketCreateCustomFieldsType0 | Unset): Raw vendor fields merged into the create
            (docs/api.md, Input validation).
        description (None | str | Unset):
        due_date (datetime.date | None | Unset):
        identifier (None | str | Unset):
        parent_ticket_id (None | Unset | UUID):
        parent_ticket_vendor_id (None | str | Unset):
        priority (None | TicketCreatePriorityType0 | Unset):
        project_id (None | Unset | UUID):
        project_vendor_id (None | str | Unset):
        status (None | TicketCreateStatusType0 | Unset):
        tags (list[str] | None | Unset):
        type_ (None | str | Unset):
        type_id (None | Unset | UUID): Deprecated: our issue type id
        type_vendor_id (None | str | Unset):
    """

    name: str
    assigned_user_id: None | Unset | UUID = UNSET
    assigned_user_vendor_id: None | str | Unset = UNSET
    custom_fields: None | TicketCreateCustomFieldsType0 | Unset = UNSET
    description: None | str | Unset = UNSET
    due_date: datetime.date | None | Unset = UNSET
    identifier: None | str | Unset = UNSET
    parent_ticket_id: None | Unset | UUID = UNSET
    parent_ticket_vendor_id: None | str | Unset = UNSET
    priority: None | TicketCreatePriorityType0 | Unset = UNSET
    project_id: None | Unset | UUID = UNSET
    project_vendor_id: None | str | Unset = UNSET
    status: None | TicketCreateStatusType0 | Unset = UNSET
    tags: list[str] | None | Unset = UNSET
    type_: None | str | Unset = UNSET
    type_id: None | Unset | UUID = UNSET
    type_vendor_id: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.ticket_create_custom_fields_type_0 import (
            TicketCreateCustomFieldsType0,
        )

        name = self.name

        assigned_user_id: None | str | Unset
        if isinstance(self.assigned_user_id, Unset):
            assigned_user_id = UNSET
        elif isinstance(self.assigned_user_id, UUID):
            assigned_user_id = str(self.assigned_user_id)
        else:
            assigned_user_id = self.assigned_user_id

        assigned_user_vendor_id: None | str | Unset
        if isinstance(self.assigned_user_vendor_id, Unset):
            assigned_user_vendor_id = UNSET
        else:
            assigned_user_vendor_id = self.assigned_user_vendor_id

        custom_fields: dict[str, Any] | None | Unset
        if isinstance(self.custom_fields, Unset):
            custom_fields = UNSET
        elif isinstance(self.custom_fields, TicketCreateCustomFieldsType0):
            custom_fields = self.custom_fields.to_dict()
        else:
            custom_fields = self.custom_fields

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        due_date: None | str | Unset
        if isinstance(self.due_date, Unset):
            due_date = UNSET
        elif isinstance(self.due_date, datetime.date):
            due_date = self.due_date.isoformat()
        else:
            due_date = self.due_date

        identifier: None | str | Unset
        if isinstance(self.identifier, Unset):
            identifier = UNSET
        else:
            identifier = self.identifier

        parent_ticket_id: None | str | Unset
        if isinstance(self.parent_ticket_id, Unset):
            parent_ticket_id = UNSET
        elif isinstance(self.parent_ticket_id, UUID):
            parent_ticket_id = str(self.parent_ticket_id)
        else:
            parent_ticket_id = self.parent_ticket_id

        parent_ticket_vendor_id: None | str | Unset
        if isinstance(self.parent_ticket_vendor_id, Unset):
            parent_ticket_vendor_id = UNSET
        else:
            parent_ticket_vendor_id = self.parent_ticket_vendor_id

        priority: None | str | Unset
        if isinstance(self.priority, Unset):
            priority = UNSET
        elif isinstance(self.priority, TicketCreatePriorityType0):
            priority = self.priority.value
        else:
            priority = self.priority

        project_id: None | str | Unset
        if isinstance(self.project_id, Unset):
            project_id = UNSET
        elif isinstance(self.project_id, UUID):
            project_id = str(self.project_id)
        else:
            project_id = self.project_id

        project_vendor_id: None | str | Unset
        if isinstance(self.project_vendor_id, Unset):
            project_vendor_id = UNSET
        else:
            project_vendor_id = self.project_vendor_id

        status: None | str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        elif isinstance(self.status, TicketCreateStatusType0):
            status = self.status.value
        else:
            status = self.status

        tags: list[str] | None | Unset
        if isinstance(self.tags, Unset):
            tags = UNSET
        elif isinstance(self.tags, list):
            tags = self.tags

        else:
            tags = self.tags

        type_: None | str | Unset
        if isinstance(self.type_, Unset):
            type_ = UNSET
        else:
            type_ = self.type_

        type_id: None | str | Unset
        if isinstance(self.type_id, Unset):
            type_id = UNSET
        elif isinstance(self.type_id, UUID):
            type_id = str(self.type_id)
        else:
            type_id = self.type_id

        type_vendor_id: None | str | Unset
        if isinstance(self.type_vendor_id, Unset):
            type_vendor_id = UNSET
        else:
            type_vendor_id = self.type_vendor_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
            }
        )
        if assigned_user_id is not UNSET:
            field_dict["assigned_user_id"] = assigned_user_id
        if assigned_user_vendor_id is not UNSET:
            field_dict["assigned_user_vendor_id"] = assigned_user_vendor_id
        if custom_fields is not UNSET:
            field_dict["custom_fields"] = custom_fields
        if description is not UNSET:
            field_dict["description"] = description
        if due_date is not UNSET:
            field_dict["due_date"] = due_date
        if identifier is not UNSET:
            field_dict["identifier"] = identifier
        if parent_ticket_id is not UNSET:
            field_dict["parent_ticket_id"] = parent_ticket_id
        if parent_ticket_vendor_id is not UNSET:
            field_dict["parent_ticket_vendor_id"] = parent_ticket_vendor_id
        if priority is not UNSET:
            field_dict["priority"] = priority
        if project_id is not UNSET:
            field_dict["project_id"] = project_id
        if project_vendor_id is not UNSET:
            field_dict["project_vendor_id"] = project_vendor_id
        if status is not UNSET:
            field_dict["status"] = status
        if tags is not UNSET:
            field_dict["tags"] = tags
        if type_ is not UNSET:
            field_dict["type"] = type_
        if type_id is not UNSET:
            field_dict["type_id"] = type_id
        if type_vendor_id is not UNSET:
            field_dict["type_vendor_id"] = type_vendor_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.ticket_create_custom_fields_type_0 import (
            TicketCreateCustomFieldsType0,
        )

        d = dict(src_dict)
        name = d.pop("name")

        def _parse_assigned_user_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                assigned_user_id_type_0 = UUID(data)

                return assigned_user_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        assigned_user_id = _parse_assigned_user_id(d.pop("assigned_user_id", UNSET))

        def _parse_assigned_user_vendor_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        assigned_user_vendor_id = _parse_assigned_user_vendor_id(
            d.pop("assigned_user_vendor_id", UNSET)
        )

        def _parse_custom_fields(
            data: object,
        ) -> None | TicketCreateCustomFieldsType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                custom_fields_type_0 = TicketCreateCustomFieldsType0.from_dict(data)

                return custom_fields_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TicketCreateCustomFieldsType0 | Unset, data)

        custom_fields = _parse_custom_fields(d.pop("custom_fields", UNSET))

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        def _parse_due_date(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                due_date_type_0 = datetime.date.fromisoformat(data)

                return due_date_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        due_date = _parse_due_date(d.pop("due_date", UNSET))

        def _parse_identifier(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        identifier = _parse_identifier(d.pop("identifier", UNSET))

        def _parse_parent_ticket_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                parent_ticket_id_type_0 = UUID(data)

                return parent_ticket_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        parent_ticket_id = _parse_parent_ticket_id(d.pop("parent_ticket_id", UNSET))

        def _parse_parent_ticket_vendor_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        parent_ticket_vendor_id = _parse_parent_ticket_vendor_id(
            d.pop("parent_ticket_vendor_id", UNSET)
        )

        def _parse_priority(data: object) -> None | TicketCreatePriorityType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                priority_type_0 = TicketCreatePriorityType0(data)

                return priority_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TicketCreatePriorityType0 | Unset, data)

        priority = _parse_priority(d.pop("priority", UNSET))

        def _parse_project_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                project_id_type_0 = UUID(data)

                return project_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        project_id = _parse_project_id(d.pop("project_id", UNSET))

        def _parse_project_vendor_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        project_vendor_id = _parse_project_vendor_id(d.pop("project_vendor_id", UNSET))

        def _parse_status(data: object) -> None | TicketCreateStatusType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_0 = TicketCreateStatusType0(data)

                return status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TicketCreateStatusType0 | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        def _parse_tags(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                tags_type_0 = cast(list[str], data)

                return tags_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        tags = _parse_tags(d.pop("tags", UNSET))

        def _parse_type_(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        type_ = _parse_type_(d.pop("type", UNSET))

        def _parse_type_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                type_id_type_0 = UUID(data)

                return type_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        type_id = _parse_type_id(d.pop("type_id", UNSET))

        def _parse_type_vendor_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        type_vendor_id = _parse_type_vendor_id(d.pop("type_vendor_id", UNSET))

        ticket_create = cls(
            name=name,
            assigned_user_id=assigned_user_id,
            assigned_user_vendor_id=assigned_user_vendor_id,
            custom_fields=custom_fields,
            description=description,
            due_date=due_date,
            identifier=identifier,
            parent_ticket_id=parent_ticket_id,
            parent_ticket_vendor_id=parent_ticket_vendor_id,
            priority=priority,
            project_id=project_id,
            project_vendor_id=project_vendor_id,
            status=status,
            tags=tags,
            type_=type_,
            type_id=type_id,
            type_vendor_id=type_vendor_id,
        )

        return ticket_create
