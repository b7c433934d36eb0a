from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..models.ticket_update_priority_type_0 import TicketUpdatePriorityType0
from ..models.ticket_update_status_type_0 import TicketUpdateStatusType0
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.ticket_update_custom_fields_type_0 import (
        TicketUpdateCustomFieldsType0,
    )


T = TypeVar("T", bound="TicketUpdate")


@_attrs_define
class TicketUpdate:
    """
    Attributes:
        assigned_user_id (None | Unset | UUID):
        assigned_user_vendor_id (None | str | Unset):
        custom_fields (None | TicketUpdateCustomFieldsType0 | Unset): Raw vendor fields merged into the update
            (docs/api.md, Input validation).
        description (None | str | Unset):
        due_date (datetime.date | None | Unset):
        name (None | str | Unset):
        priority (None | TicketUpdatePriorityType0 | Unset):
        status (None | TicketUpdateStatusType0 | Unset):
        tags (list[str] | None | Unset):
    """

    assigned_user_id: None | Unset | UUID = UNSET
    assigned_user_vendor_id: None | str | Unset = UNSET
    custom_fields: None | TicketUpdateCustomFieldsType0 | Unset = UNSET
    description: None | str | Unset = UNSET
    due_date: datetime.date | None | Unset = UNSET
    name: None | str | Unset = UNSET
    priority: None | TicketUpdatePriorityType0 | Unset = UNSET
    status: None | TicketUpdateStatusType0 | Unset = UNSET
    tags: list[str] | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.ticket_update_custom_fields_type_0 import (
            TicketUpdateCustomFieldsType0,
        )

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
        elif isinstance(self.custom_fields, TicketUpdateCustomFieldsType0):
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

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        priority: None | str | Unset
        if isinstance(self.priority, Unset):
            priority = UNSET
        elif isinstance(self.priority, TicketUpdatePriorityType0):
            priority = self.priority.value
        else:
            priority = self.priority

        status: None | str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        elif isinstance(self.status, TicketUpdateStatusType0):
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

        field_dict: dict[str, Any] = {}

        field_dict.update({})
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
        if name is not UNSET:
            field_dict["name"] = name
        if priority is not UNSET:
            field_dict["priority"] = priority
        if status is not UNSET:
            field_dict["status"] = status
        if tags is not UNSET:
            field_dict["tags"] = tags

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.ticket_update_custom_fields_type_0 import (
            TicketUpdateCustomFieldsType0,
        )

        d = dict(src_dict)

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
        ) -> None | TicketUpdateCustomFieldsType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                custom_fields_type_0 = TicketUpdateCustomFieldsType0.from_dict(data)

                return custom_fields_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TicketUpdateCustomFieldsType0 | Unset, data)

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

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_priority(data: object) -> None | TicketUpdatePriorityType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                priority_type_0 = TicketUpdatePriorityType0(data)

                return priority_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TicketUpdatePriorityType0 | Unset, data)

        priority = _parse_priority(d.pop("priority", UNSET))

        def _parse_status(data: object) -> None | TicketUpdateStatusType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_0 = TicketUpdateStatusType0(data)

                return status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TicketUpdateStatusType0 | Unset, data)

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

        ticket_update = cls(
            assigned_user_id=assigned_user_id,
            assigned_user_vendor_id=assigned_user_vendor_id,
            custom_fields=custom_fields,
            description=description,
            due_date=due_date,
            name=name,
            priority=priority,
            status=status,
            tags=tags,
        )

        return ticket_update
