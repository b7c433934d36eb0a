from enum import StrEnum


class TicketUpdateStatusType0(StrEnum):
    CLOSED = "CLOSED"
    IN_PROGRESS = "IN_PROGRESS"
    IN_REVIEW = "IN_REVIEW"
    OPEN = "OPEN"
    RESOLVED = "RESOLVED"
    TODO = "TODO"
    UNKNOWN = "UNKNOWN"

    def __str__(self) -> str:
        return str(self.value)
