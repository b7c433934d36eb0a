from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.connection_out_state import ConnectionOutState

if TYPE_CHECKING:
    from ..models.connection_out_options import ConnectionOutOptions
    from ..models.health import Health


T = TypeVar("T", bound="ConnectionOut")


@_attrs_define
class ConnectionOut:
    """
    Attributes:
        created_at (datetime.datetime):
        health (Health | None):
        id (UUID):
        identifier (None | str):
        is_active (bool):
        last_synced_at (datetime.datetime | None):
        oauth2_authorize_url (None | str):
        options (ConnectionOutOptions): The vendor's options, defaults filled in.
        organization_id (UUID):
        organization_name (None | str):
        refresh_interval_secs (int):
        state (ConnectionOutState):
        timeout_secs (int):
        updated_at (datetime.datetime):
        vendor (str):
    """

    created_at: datetime.datetime
    health: Health | None
    id: UUID
    identifier: None | str
    is_active: bool
    last_synced_at: datetime.datetime | None
    oauth2_authorize_url: None | str
    options: ConnectionOutOptions
    organization_id: UUID
    organization_name: None | str
    refresh_interval_secs: int
    state: ConnectionOutState
    timeout_secs: int
    updated_at: datetime.datetime
    vendor: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.health import Health

        created_at = self.created_at.isoformat()

        health: dict[str, Any] | None
        if isinstance(self.health, Health):
            health = self.health.to_dict()
        else:
            health = self.health

        id = str(self.id)

        identifier: None | str
        identifier = self.identifier

        is_active = self.is_active

        last_synced_at: None | str
        if isinstance(self.last_synced_at, datetime.datetime):
            last_synced_at = self.last_synced_at.isoformat()
        else:
            last_synced_at = self.last_synced_at

        oauth2_authorize_url: None | str
        oauth2_authorize_url = self.oauth2_authorize_url

        options = self.options.to_dict()

        organization_id = str(self.organization_id)

        organization_name: None | str
        organization_name = self.organization_name

        refresh_interval_secs = self.refresh_interval_secs

        state = self.state.value

        timeout_secs = self.timeout_secs

        updated_at = self.updated_at.isoformat()

        vendor = self.vendor

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "health": health,
                "id": id,
                "identifier": identifier,
                "is_active": is_active,
                "last_synced_at": last_synced_at,
                "oauth2_authorize_url": oauth2_authorize_url,
                "options": options,
                "organization_id": organization_id,
                "organization_name": organization_name,
                "refresh_interval_secs": refresh_interval_secs,
                "state": state,
                "timeout_secs": timeout_secs,
                "updated_at": updated_at,
                "vendor": vendor,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.connection_out_options import ConnectionOutOptions
        from ..models.health import Health

        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_health(data: object) -> Health | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                health_type_0 = Health.from_dict(data)

                return health_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Health | None, data)

        health = _parse_health(d.pop("health"))

        id = UUID(d.pop("id"))

        def _parse_identifier(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        identifier = _parse_identifier(d.pop("identifier"))

        is_active = d.pop("is_active")

        def _parse_last_synced_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_synced_at_type_0 = datetime.datetime.fromisoformat(data)

                return last_synced_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        last_synced_at = _parse_last_synced_at(d.pop("last_synced_at"))

        def _parse_oauth2_authorize_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        oauth2_authorize_url = _parse_oauth2_authorize_url(
            d.pop("oauth2_authorize_url")
        )

        options = ConnectionOutOptions.from_dict(d.pop("options"))

        organization_id = UUID(d.pop("organization_id"))

        def _parse_organization_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        organization_name = _parse_organization_name(d.pop("organization_name"))

        refresh_interval_secs = d.pop("refresh_interval_secs")

        state = ConnectionOutState(d.pop("state"))

        timeout_secs = d.pop("timeout_secs")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        vendor = d.pop("vendor")

        connection_out = cls(
            created_at=created_at,
            health=health,
            id=id,
            identifier=identifier,
            is_active=is_active,
            last_synced_at=last_synced_at,
            oauth2_authorize_url=oauth2_authorize_url,
            options=options,
            organization_id=organization_id,
            organization_name=organization_name,
            refresh_interval_secs=refresh_interval_secs,
            state=state,
            timeout_secs=timeout_secs,
            updated_at=updated_at,
            vendor=vendor,
        )

        connection_out.additional_properties = d
        return connection_out

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
