from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.connection_options_priority_mapping import (
        ConnectionOptionsPriorityMapping,
    )
    from ..models.connection_options_status_mapping import (
        ConnectionOptionsStatusMapping,
    )


T = TypeVar("T", bound="ConnectionOptions")


@_attrs_define
class ConnectionOptions:
    """
    Attributes:
        priority_mapping (ConnectionOptionsPriorityMapping | Unset):
        project_keys_filter (list[str] | None | Unset):
        status_mapping (ConnectionOptionsStatusMapping | Unset):
    """

    priority_mapping: ConnectionOptionsPriorityMapping | Unset = UNSET
    project_keys_filter: list[str] | None | Unset = UNSET
    status_mapping: ConnectionOptionsStatusMapping | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        priority_mapping: dict[str, Any] | Unset = UNSET
        if not isinstance(self.priority_mapping, Unset):
            priority_mapping = self.priority_mapping.to_dict()

        project_keys_filter: list[str] | None | Unset
        if isinstance(self.project_keys_filter, Unset):
            project_keys_filter = UNSET
        elif isinstance(self.project_keys_filter, list):
            project_keys_filter = self.project_keys_filter

        else:
            project_keys_filter = self.project_keys_filter

        status_mapping: dict[str, Any] | Unset = UNSET
        if not isinstance(self.status_mapping, Unset):
            status_mapping = self.status_mapping.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if priority_mapping is not UNSET:
            field_dict["priority_mapping"] = priority_mapping
        if project_keys_filter is not UNSET:
            field_dict["project_keys_filter"] = project_keys_filter
        if status_mapping is not UNSET:
            field_dict["status_mapping"] = status_mapping

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.connection_options_priority_mapping import (
            ConnectionOptionsPriorityMapping,
        )
        from ..models.connection_options_status_mapping import (
            ConnectionOptionsStatusMapping,
        )

        d = dict(src_dict)
        _priority_mapping = d.pop("priority_mapping", UNSET)
        priority_mapping: ConnectionOptionsPriorityMapping | Unset
        if isinstance(_priority_mapping, Unset):
            priority_mapping = UNSET
        else:
            priority_mapping = ConnectionOptionsPriorityMapping.from_dict(
                _priority_mapping
            )

        def _parse_project_keys_filter(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                project_keys_filter_type_0 = cast(list[str], data)

                return project_keys_filter_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        project_keys_filter = _parse_project_keys_filter(
            d.pop("project_keys_filter", UNSET)
        )

        _status_mapping = d.pop("status_mapping", UNSET)
        status_mapping: ConnectionOptionsStatusMapping | Unset
        if isinstance(_status_mapping, Unset):
            status_mapping = UNSET
        else:
            status_mapping = ConnectionOptionsStatusMapping.from_dict(_status_mapping)

        connection_options = cls(
            priority_mapping=priority_mapping,
            project_keys_filter=project_keys_filter,
            status_mapping=status_mapping,
        )

        return connection_options
