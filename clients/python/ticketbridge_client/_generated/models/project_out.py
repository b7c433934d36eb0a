from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.project_out_vendor_attributes import ProjectOutVendorAttributes


T = TypeVar("T", bound="ProjectOut")


@_attrs_define
class ProjectOut:
    """
    Attributes:
        description (None | str):
        id (UUID):
        name (str):
        project_type (None | str):
        url (None | str):
        vendor_attributes (ProjectOutVendorAttributes):
        vendor_id (str):
    """

    description: None | str
    id: UUID
    name: str
    project_type: None | str
    url: None | str
    vendor_attributes: ProjectOutVendorAttributes
    vendor_id: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        description: None | str
        description = self.description

        id = str(self.id)

        name = self.name

        project_type: None | str
        project_type = self.project_type

        url: None | str
        url = self.url

        vendor_attributes = self.vendor_attributes.to_dict()

        vendor_id = self.vendor_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "description": description,
                "id": id,
                "name": name,
                "project_type": project_type,
                "url": url,
                "vendor_attributes": vendor_attributes,
                "vendor_id": vendor_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.project_out_vendor_attributes import ProjectOutVendorAttributes

        d = dict(src_dict)

        def _parse_description(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        description = _parse_description(d.pop("description"))

        id = UUID(d.pop("id"))

        name = d.pop("name")

        def _parse_project_type(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        project_type = _parse_project_type(d.pop("project_type"))

        def _parse_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        url = _parse_url(d.pop("url"))

        vendor_attributes = ProjectOutVendorAttributes.from_dict(
            d.pop("vendor_attributes")
        )

        vendor_id = d.pop("vendor_id")

        project_out = cls(
            description=description,
            id=id,
            name=name,
            project_type=project_type,
            url=url,
            vendor_attributes=vendor_attributes,
            vendor_id=vendor_id,
        )

        project_out.additional_properties = d
        return project_out

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
