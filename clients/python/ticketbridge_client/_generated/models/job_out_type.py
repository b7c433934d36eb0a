from enum import StrEnum


class JobOutType(StrEnum):
    BULK_CREATE_TICKETS = "BULK_CREATE_TICKETS"
    BULK_UPDATE_TICKETS = "BULK_UPDATE_TICKETS"
    SYNC = "SYNC"

    def __str__(self) -> str:
        return str(self.value)
