from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.connection_patch_state_type_0 import ConnectionPatchStateType0
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.connection_patch_credentials_type_0 import (
        ConnectionPatchCredentialsType0,
    )
    from ..models.connection_patch_options_type_0 import ConnectionPatchOptionsType0


T = TypeVar("T", bound="ConnectionPatch")


@_attrs_define
class ConnectionPatch:
    """
    Attributes:
        credentials (ConnectionPatchCredentialsType0 | None | Unset):
        identifier (None | str | Unset):
        options (ConnectionPatchOptionsType0 | None | Unset): A JSON merge patch (RFC 7396) on the connection's options:
            keys sent replace, keys sent as null are removed, nested objects merge, keys not sent stay. `null` for the whole
            object restores the defaults.
        refresh_interval_secs (int | None | Unset):
        state (ConnectionPatchStateType0 | None | Unset):
        validate (bool | Unset): Check the credentials against the vendor (one cheap call); false skips the check, for
            offline provisioning. Default: True.
    """

    credentials: ConnectionPatchCredentialsType0 | None | Unset = UNSET
    identifier: None | str | Unset = UNSET
    options: ConnectionPatchOptionsType0 | None | Unset = UNSET
    refresh_interval_secs: int | None | Unset = UNSET
    state: ConnectionPatchStateType0 | None | Unset = UNSET
    validate: bool | Unset = True

    def to_dict(self) -> dict[str, Any]:
        from ..models.connection_patch_credentials_type_0 import (
            ConnectionPatchCredentialsType0,
        )
        from ..models.connection_patch_options_type_0 import ConnectionPatchOptionsType0

        credentials: dict[str, Any] | None | Unset
        if isinstance(self.credentials, Unset):
            credentials = UNSET
        elif isinstance(self.credentials, ConnectionPatchCredentialsType0):
            credentials = self.credentials.to_dict()
        else:
            credentials = self.credentials

        identifier: None | str | Unset
        if isinstance(self.identifier, Unset):
            identifier = UNSET
        else:
            identifier = self.identifier

        options: dict[str, Any] | None | Unset
        if isinstance(self.options, Unset):
            options = UNSET
        elif isinstance(self.options, ConnectionPatchOptionsType0):
            options = self.options.to_dict()
        else:
            options = self.options

        refresh_interval_secs: int | None | Unset
        if isinstance(self.refresh_interval_secs, Unset):
            refresh_interval_secs = UNSET
        else:
            refresh_interval_secs = self.refresh_interval_secs

        state: None | str | Unset
        if isinstance(self.state, Unset):
            state = UNSET
        elif isinstance(self.state, ConnectionPatchStateType0):
            state = self.state.value
        else:
            state = self.state

        validate = self.validate

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if credentials is not UNSET:
            field_dict["credentials"] = credentials
        if identifier is not UNSET:
            field_dict["identifier"] = identifier
        if options is not UNSET:
            field_dict["options"] = options
        if refresh_interval_secs is not UNSET:
            field_dict["refresh_interval_secs"] = refresh_interval_secs
        if state is not UNSET:
            field_dict["state"] = state
        if validate is not UNSET:
            field_dict["validate"] = validate

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.connection_patch_credentials_type_0 import (
            ConnectionPatchCredentialsType0,
        )
        from ..models.connection_patch_options_type_0 import ConnectionPatchOptionsType0

        d = dict(src_dict)

        def _parse_credentials(
            data: object,
        ) -> ConnectionPatchCredentialsType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                credentials_type_0 = ConnectionPatchCredentialsType0.from_dict(data)

                return credentials_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ConnectionPatchCredentialsType0 | None | Unset, data)

        credentials = _parse_credentials(d.pop("credentials", UNSET))

        def _parse_identifier(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        identifier = _parse_identifier(d.pop("identifier", UNSET))

        def _parse_options(data: object) -> ConnectionPatchOptionsType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                options_type_0 = ConnectionPatchOptionsType0.from_dict(data)

                return options_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ConnectionPatchOptionsType0 | None | Unset, data)

        options = _parse_options(d.pop("options", UNSET))

        def _parse_refresh_interval_secs(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        refresh_interval_secs = _parse_refresh_interval_secs(
            d.pop("refresh_interval_secs", UNSET)
        )

        def _parse_state(data: object) -> ConnectionPatchStateType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                state_type_0 = ConnectionPatchStateType0(data)

                return state_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ConnectionPatchStateType0 | None | Unset, data)

        state = _parse_state(d.pop("state", UNSET))

        validate = d.pop("validate", UNSET)

        connection_patch = cls(
            credentials=credentials,
            identifier=identifier,
            options=options,
            refresh_interval_secs=refresh_interval_secs,
            state=state,
            validate=validate,
        )

        return connection_patch
