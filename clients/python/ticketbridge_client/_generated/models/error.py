from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Error")


@_attrs_define
class Error:
    """Every error body (docs/api.md, Error codes): branch on `code`.

    Attributes:
        code (str): Stable machine code
        detail (Any): For people; may change
        field (str | Unset):
        ticket_id (str | Unset):
        vendor_errors (Any | Unset):
    """

    code: str
    detail: Any
    field: str | Unset = UNSET
    ticket_id: str | Unset = UNSET
    vendor_errors: Any | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        detail = self.detail

        field = self.field

        ticket_id = self.ticket_id

        vendor_errors = self.vendor_errors

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "detail": detail,
            }
        )
        if field is not UNSET:
            field_dict["field"] = field
        if ticket_id is not UNSET:
            field_dict["ticket_id"] = ticket_id
        if vendor_errors is not UNSET:
            field_dict["vendor_errors"] = vendor_errors

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        code = d.pop("code")

        detail = d.pop("detail")

        field = d.pop("field", UNSET)

        ticket_id = d.pop("ticket_id", UNSET)

        vendor_errors = d.pop("vendor_errors", UNSET)

        error = cls(
            code=code,
            detail=detail,
            field=field,
            ticket_id=ticket_id,
            vendor_errors=vendor_errors,
        )

        error.additional_properties = d
        return error

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
