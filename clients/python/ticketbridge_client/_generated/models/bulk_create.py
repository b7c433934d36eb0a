from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.ticket_create import TicketCreate


T = TypeVar("T", bound="BulkCreate")


@_attrs_define
class BulkCreate:
    """
    Attributes:
        tickets (list[TicketCreate]):
    """

    tickets: list[TicketCreate]

    def to_dict(self) -> dict[str, Any]:
        tickets = []
        for tickets_item_data in self.tickets:
            tickets_item = tickets_item_data.to_dict()
            tickets.append(tickets_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "tickets": tickets,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.ticket_create import TicketCreate

        d = dict(src_dict)
        tickets = []
        _tickets = d.pop("tickets")
        for tickets_item_data in _tickets:
            tickets_item = TicketCreate.from_dict(tickets_item_data)

            tickets.append(tickets_item)

        bulk_create = cls(
            tickets=tickets,
        )

        return bulk_create
