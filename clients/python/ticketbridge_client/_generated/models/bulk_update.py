from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.bulk_updates import BulkUpdates


T = TypeVar("T", bound="BulkUpdate")


@_attrs_define
class BulkUpdate:
    """
    Attributes:
        ticket_ids (list[UUID]):
        updates (BulkUpdates):
    """

    ticket_ids: list[UUID]
    updates: BulkUpdates

    def to_dict(self) -> dict[str, Any]:
        ticket_ids = []
        for ticket_ids_item_data in self.ticket_ids:
            ticket_ids_item = str(ticket_ids_item_data)
            ticket_ids.append(ticket_ids_item)

        updates = self.updates.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "ticket_ids": ticket_ids,
                "updates": updates,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.bulk_updates import BulkUpdates

        d = dict(src_dict)
        ticket_ids = []
        _ticket_ids = d.pop("ticket_ids")
        for ticket_ids_item_data in _ticket_ids:
            ticket_ids_item = UUID(ticket_ids_item_data)

            ticket_ids.append(ticket_ids_item)

        updates = BulkUpdates.from_dict(d.pop("updates"))

        bulk_update = cls(
            ticket_ids=ticket_ids,
            updates=updates,
        )

        return bulk_update
