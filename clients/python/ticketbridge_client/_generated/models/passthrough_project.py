from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.project_issue_type import ProjectIssueType


T = TypeVar("T", bound="PassthroughProject")


@_attrs_define
class PassthroughProject:
    """
    Attributes:
        name (None | str):
        project_type (None | str):
        vendor_id (str):
        issue_types (list[ProjectIssueType] | None | Unset):
    """

    name: None | str
    project_type: None | str
    vendor_id: str
    issue_types: list[ProjectIssueType] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name: None | str
        name = self.name

        project_type: None | str
        project_type = self.project_type

        vendor_id = self.vendor_id

        issue_types: list[dict[str, Any]] | None | Unset
        if isinstance(self.issue_types, Unset):
            issue_types = UNSET
        elif isinstance(self.issue_types, list):
            issue_types = []
            for issue_types_type_0_item_data in self.issue_types:
                issue_types_type_0_item = issue_types_type_0_item_data.to_dict()
                issue_types.append(issue_types_type_0_item)

        else:
            issue_types = self.issue_types

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "project_type": project_type,
                "vendor_id": vendor_id,
            }
        )
        if issue_types is not UNSET:
            field_dict["issue_types"] = issue_types

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.project_issue_type import ProjectIssueType

        d = dict(src_dict)

        def _parse_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        name = _parse_name(d.pop("name"))

        def _parse_project_type(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        project_type = _parse_project_type(d.pop("project_type"))

        vendor_id = d.pop("vendor_id")

        def _parse_issue_types(data: object) -> list[ProjectIssueType] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                issue_types_type_0 = []
                _issue_types_type_0 = data
                for issue_types_type_0_item_data in _issue_types_type_0:
                    issue_types_type_0_item = ProjectIssueType.from_dict(
                        issue_types_type_0_item_data
                    )

                    issue_types_type_0.append(issue_types_type_0_item)

                return issue_types_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[ProjectIssueType] | None | Unset, data)

        issue_types = _parse_issue_types(d.pop("issue_types", UNSET))

        passthrough_project = cls(
            name=name,
            project_type=project_type,
            vendor_id=vendor_id,
            issue_types=issue_types,
        )

        passthrough_project.additional_properties = d
        return passthrough_project

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
