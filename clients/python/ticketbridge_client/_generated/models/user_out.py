from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.user_out_status import UserOutStatus

if TYPE_CHECKING:
    from ..models.user_out_vendor_attributes import UserOutVendorAttributes


T = TypeVar("T", bound="UserOut")


@_attrs_define
class UserOut:
    """
    Attributes:
        email (None | str):
        id (UUID):
        name (None | str):
        status (UserOutStatus):
        vendor_attributes (UserOutVendorAttributes):
        vendor_id (str):
    """

    email: None | str
    id: UUID
    name: None | str
    status: UserOutStatus
    vendor_attributes: UserOutVendorAttributes
    vendor_id: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        email: None | str
        email = self.email

        id = str(self.id)

        name: None | str
        name = self.name

        status = self.status.value

        vendor_attributes = self.vendor_attributes.to_dict()

        vendor_id = self.vendor_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "email": email,
                "id": id,
                "name": name,
                "status": status,
                "vendor_attributes": vendor_attributes,
                "vendor_id": vendor_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.user_out_vendor_attributes import UserOutVendorAttributes

        d = dict(src_dict)

        def _parse_email(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        email = _parse_email(d.pop("email"))

        id = UUID(d.pop("id"))

        def _parse_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        name = _parse_name(d.pop("name"))

        status = UserOutStatus(d.pop("status"))

        vendor_attributes = UserOutVendorAttributes.from_dict(
            d.pop("vendor_attributes")
        )

        vendor_id = d.pop("vendor_id")

        user_out = cls(
            email=email,
            id=id,
            name=name,
            status=status,
            vendor_attributes=vendor_attributes,
            vendor_id=vendor_id,
        )

        user_out.additional_properties = d
        return user_out

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
