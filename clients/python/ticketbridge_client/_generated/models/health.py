from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Health")


@_attrs_define
class Health:
    """
    Attributes:
        name (str):
        status (str):
        description (None | str | Unset):
        resolution_owner (None | str | Unset):
        skipped_items (int | None | Unset): After a sync that skipped items it could not store (status stays HEALTHY):
            how many; the sync job's result.skipped lists them with reasons.
    """

    name: str
    status: str
    description: None | str | Unset = UNSET
    resolution_owner: None | str | Unset = UNSET
    skipped_items: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        status = self.status

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        resolution_owner: None | str | Unset
        if isinstance(self.resolution_owner, Unset):
            resolution_owner = UNSET
        else:
            resolution_owner = self.resolution_owner

        skipped_items: int | None | Unset
        if isinstance(self.skipped_items, Unset):
            skipped_items = UNSET
        else:
            skipped_items = self.skipped_items

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "status": status,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if resolution_owner is not UNSET:
            field_dict["resolution_owner"] = resolution_owner
        if skipped_items is not UNSET:
            field_dict["skipped_items"] = skipped_items

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        status = d.pop("status")

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        def _parse_resolution_owner(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        resolution_owner = _parse_resolution_owner(d.pop("resolution_owner", UNSET))

        def _parse_skipped_items(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        skipped_items = _parse_skipped_items(d.pop("skipped_items", UNSET))

        health = cls(
            name=name,
            status=status,
            description=description,
            resolution_owner=resolution_owner,
            skipped_items=skipped_items,
        )

        health.additional_properties = d
        return health

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
