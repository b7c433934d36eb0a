from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="IssueTypeOut")


@_attrs_define
class IssueTypeOut:
    """
    Attributes:
        description (None | str):
        id (UUID):
        name (str):
        project_id (UUID):
        subtask (bool):
        vendor_id (str):
    """

    description: None | str
    id: UUID
    name: str
    project_id: UUID
    subtask: bool
    vendor_id: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        description: None | str
        description = self.description

        id = str(self.id)

        name = self.name

        project_id = str(self.project_id)

        subtask = self.subtask

        vendor_id = self.vendor_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "description": description,
                "id": id,
                "name": name,
                "project_id": project_id,
                "subtask": subtask,
                "vendor_id": vendor_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_description(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        description = _parse_description(d.pop("description"))

        id = UUID(d.pop("id"))

        name = d.pop("name")

        project_id = UUID(d.pop("project_id"))

        subtask = d.pop("subtask")

        vendor_id = d.pop("vendor_id")

        issue_type_out = cls(
            description=description,
            id=id,
            name=name,
            project_id=project_id,
            subtask=subtask,
            vendor_id=vendor_id,
        )

        issue_type_out.additional_properties = d
        return issue_type_out

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
