from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..models.bulk_updates_priority_type_0 import BulkUpdatesPriorityType0
from ..models.bulk_updates_status_type_0 import BulkUpdatesStatusType0
from ..types import UNSET, Unset

T = TypeVar("T", bound="BulkUpdates")


@_attrs_define
class BulkUpdates:
    """
    Attributes:
        assigned_user_id (None | Unset | UUID):
        description (None | str | Unset):
        name (None | str | Unset):
        priority (BulkUpdatesPriorityType0 | None | Unset):
        status (BulkUpdatesStatusType0 | None | Unset):
    """

    assigned_user_id: None | Unset | UUID = UNSET
    description: None | str | Unset = UNSET
    name: None | str | Unset = UNSET
    priority: BulkUpdatesPriorityType0 | None | Unset = UNSET
    status: BulkUpdatesStatusType0 | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        assigned_user_id: None | str | Unset
        if isinstance(self.assigned_user_id, Unset):
            assigned_user_id = UNSET
        elif isinstance(self.assigned_user_id, UUID):
            assigned_user_id = str(self.assigned_user_id)
        else:
            assigned_user_id = self.assigned_user_id

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        priority: None | str | Unset
        if isinstance(self.priority, Unset):
            priority = UNSET
        elif isinstance(self.priority, BulkUpdatesPriorityType0):
            priority = self.priority.value
        else:
            priority = self.priority

        status: None | str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        elif isinstance(self.status, BulkUpdatesStatusType0):
            status = self.status.value
        else:
            status = self.status

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if assigned_user_id is not UNSET:
            field_dict["assigned_user_id"] = assigned_user_id
        if description is not UNSET:
            field_dict["description"] = description
        if name is not UNSET:
            field_dict["name"] = name
        if priority is not UNSET:
            field_dict["priority"] = priority
        if status is not UNSET:
            field_dict["status"] = status

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
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

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_priority(data: object) -> BulkUpdatesPriorityType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                priority_type_0 = BulkUpdatesPriorityType0(data)

                return priority_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(BulkUpdatesPriorityType0 | None | Unset, data)

        priority = _parse_priority(d.pop("priority", UNSET))

        def _parse_status(data: object) -> BulkUpdatesStatusType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_0 = BulkUpdatesStatusType0(data)

                return status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(BulkUpdatesStatusType0 | None | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        bulk_updates = cls(
            assigned_user_id=assigned_user_id,
            description=description,
            name=name,
            priority=priority,
            status=status,
        )

        return bulk_updates
