from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.capabilities_out_operations import CapabilitiesOutOperations
    from ..models.capabilities_out_vendors import CapabilitiesOutVendors


T = TypeVar("T", bound="CapabilitiesOut")


@_attrs_define
class CapabilitiesOut:
    """
    Attributes:
        operations (CapabilitiesOutOperations):
        supported (list[str]):
        unsupported (list[str]):
        vendor (str):
        vendors (CapabilitiesOutVendors): Every vendor side by side: vendor -> operation -> supported (the matrix of
            docs/api.md, Capabilities).
    """

    operations: CapabilitiesOutOperations
    supported: list[str]
    unsupported: list[str]
    vendor: str
    vendors: CapabilitiesOutVendors
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        operations = self.operations.to_dict()

        supported = self.supported

        unsupported = self.unsupported

        vendor = self.vendor

        vendors = self.vendors.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "operations": operations,
                "supported": supported,
                "unsupported": unsupported,
                "vendor": vendor,
                "vendors": vendors,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.capabilities_out_operations import CapabilitiesOutOperations
        from ..models.capabilities_out_vendors import CapabilitiesOutVendors

        d = dict(src_dict)
        operations = CapabilitiesOutOperations.from_dict(d.pop("operations"))

        supported = cast(list[str], d.pop("supported"))

        unsupported = cast(list[str], d.pop("unsupported"))

        vendor = d.pop("vendor")

        vendors = CapabilitiesOutVendors.from_dict(d.pop("vendors"))

        capabilities_out = cls(
            operations=operations,
            supported=supported,
            unsupported=unsupported,
            vendor=vendor,
            vendors=vendors,
        )

        capabilities_out.additional_properties = d
        return capabilities_out

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
