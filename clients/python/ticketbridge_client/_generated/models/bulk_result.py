from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.bulk_result_vendor_errors_type_0 import BulkResultVendorErrorsType0


T = TypeVar("T", bound="BulkResult")


@_attrs_define
class BulkResult:
    """
    Attributes:
        request_index (int):
        success (bool):
        code (None | str | Unset): Stable machine code of `error` (docs/api.md, Error codes)
        error (None | str | Unset):
        identifier (None | str | Unset):
        ticket_id (None | Unset | UUID):
        vendor_errors (BulkResultVendorErrorsType0 | None | Unset):
        vendor_ticket_id (None | str | Unset):
    """

    request_index: int
    success: bool
    code: None | str | Unset = UNSET
    error: None | str | Unset = UNSET
    identifier: None | str | Unset = UNSET
    ticket_id: None | Unset | UUID = UNSET
    vendor_errors: BulkResultVendorErrorsType0 | None | Unset = UNSET
    vendor_ticket_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.bulk_result_vendor_errors_type_0 import (
            BulkResultVendorErrorsType0,
        )

        request_index = self.request_index

        success = self.success

        code: None | str | Unset
        if isinstance(self.code, Unset):
            code = UNSET
        else:
            code = self.code

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error

        identifier: None | str | Unset
        if isinstance(self.identifier, Unset):
            identifier = UNSET
        else:
            identifier = self.identifier

        ticket_id: None | str | Unset
        if isinstance(self.ticket_id, Unset):
            ticket_id = UNSET
        elif isinstance(self.ticket_id, UUID):
            ticket_id = str(self.ticket_id)
        else:
            ticket_id = self.ticket_id

        vendor_errors: dict[str, Any] | None | Unset
        if isinstance(self.vendor_errors, Unset):
            vendor_errors = UNSET
        elif isinstance(self.vendor_errors, BulkResultVendorErrorsType0):
            vendor_errors = self.vendor_errors.to_dict()
        else:
            vendor_errors = self.vendor_errors

        vendor_ticket_id: None | str | Unset
        if isinstance(self.vendor_ticket_id, Unset):
            vendor_ticket_id = UNSET
        else:
            vendor_ticket_id = self.vendor_ticket_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "request_index": request_index,
                "success": success,
            }
        )
        if code is not UNSET:
            field_dict["code"] = code
        if error is not UNSET:
            field_dict["error"] = error
        if identifier is not UNSET:
            field_dict["identifier"] = identifier
        if ticket_id is not UNSET:
            field_dict["ticket_id"] = ticket_id
        if vendor_errors is not UNSET:
            field_dict["vendor_errors"] = vendor_errors
        if vendor_ticket_id is not UNSET:
            field_dict["vendor_ticket_id"] = vendor_ticket_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.bulk_result_vendor_errors_type_0 import (
            BulkResultVendorErrorsType0,
        )

        d = dict(src_dict)
        request_index = d.pop("request_index")

        success = d.pop("success")

        def _parse_code(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        code = _parse_code(d.pop("code", UNSET))

        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        def _parse_identifier(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        identifier = _parse_identifier(d.pop("identifier", UNSET))

        def _parse_ticket_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                ticket_id_type_0 = UUID(data)

                return ticket_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        ticket_id = _parse_ticket_id(d.pop("ticket_id", UNSET))

        def _parse_vendor_errors(
            data: object,
        ) -> BulkResultVendorErrorsType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                vendor_errors_type_0 = BulkResultVendorErrorsType0.from_dict(data)

                return vendor_errors_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(BulkResultVendorErrorsType0 | None | Unset, data)

        vendor_errors = _parse_vendor_errors(d.pop("vendor_errors", UNSET))

        def _parse_vendor_ticket_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        vendor_ticket_id = _parse_vendor_ticket_id(d.pop("vendor_ticket_id", UNSET))

        bulk_result = cls(
            request_index=request_index,
            success=success,
            code=code,
            error=error,
            identifier=identifier,
            ticket_id=ticket_id,
            vendor_errors=vendor_errors,
            vendor_ticket_id=vendor_ticket_id,
        )

        bulk_result.additional_properties = d
        return bulk_result

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
