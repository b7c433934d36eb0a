from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.connection_create_credentials import ConnectionCreateCredentials
    from ..models.connection_create_options_type_0 import ConnectionCreateOptionsType0


T = TypeVar("T", bound="ConnectionCreate")


@_attrs_define
class ConnectionCreate:
    """
    Attributes:
        credentials (ConnectionCreateCredentials):
        vendor (str): A vendor of the connector registry: JIRA or SERVICENOW (GET /v1/itsm/capabilities lists them).
        identifier (None | str | Unset):
        options (ConnectionCreateOptionsType0 | None | Unset): The vendor's options (docs/api.md, Connection options),
            checked against the vendor's model: a 422 names the field.
        refresh_interval_secs (int | Unset):  Default: 21600.
        timeout_secs (int | Unset):  Default: 1800.
        validate (bool | Unset): Check the credentials against the vendor (one cheap call); false skips the check, for
            offline provisioning. Default: True.
    """

    credentials: ConnectionCreateCredentials
    vendor: str
    identifier: None | str | Unset = UNSET
    options: ConnectionCreateOptionsType0 | None | Unset = UNSET
    refresh_interval_secs: int | Unset = 21600
    timeout_secs: int | Unset = 1800
    validate: bool | Unset = True

    def to_dict(self) -> dict[str, Any]:
        from ..models.connection_create_options_type_0 import (
            ConnectionCreateOptionsType0,
        )

        credentials = self.credentials.to_dict()

        vendor = self.vendor

        identifier: None | str | Unset
        if isinstance(self.identifier, Unset):
            identifier = UNSET
        else:
            identifier = self.identifier

        options: dict[str, Any] | None | Unset
        if isinstance(self.options, Unset):
            options = UNSET
        elif isinstance(self.options, ConnectionCreateOptionsType0):
            options = self.options.to_dict()
        else:
            options = self.options

        refresh_interval_secs = self.refresh_interval_secs

        timeout_secs = self.timeout_secs

        validate = self.validate

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "credentials": credentials,
                "vendor": vendor,
            }
        )
        if identifier is not UNSET:
            field_dict["identifier"] = identifier
        if options is not UNSET:
            field_dict["options"] = options
        if refresh_interval_secs is not UNSET:
            field_dict["refresh_interval_secs"] = refresh_interval_secs
        if timeout_secs is not UNSET:
            field_dict["timeout_secs"] = timeout_secs
        if validate is not UNSET:
            field_dict["validate"] = validate

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.connection_create_credentials import ConnectionCreateCredentials
        from ..models.connection_create_options_type_0 import (
            ConnectionCreateOptionsType0,
        )

        d = dict(src_dict)
        credentials = ConnectionCreateCredentials.from_dict(d.pop("credentials"))

        vendor = d.pop("vendor")

        def _parse_identifier(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        identifier = _parse_identifier(d.pop("identifier", UNSET))

        def _parse_options(data: object) -> ConnectionCreateOptionsType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                options_type_0 = ConnectionCreateOptionsType0.from_dict(data)

                return options_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ConnectionCreateOptionsType0 | None | Unset, data)

        options = _parse_options(d.pop("options", UNSET))

        refresh_interval_secs = d.pop("refresh_interval_secs", UNSET)

        timeout_secs = d.pop("timeout_secs", UNSET)

        validate = d.pop("validate", UNSET)

        connection_create = cls(
            credentials=credentials,
            vendor=vendor,
            identifier=identifier,
            options=options,
            refresh_interval_secs=refresh_interval_secs,
            timeout_secs=timeout_secs,
            validate=validate,
        )

        return connection_create
