from enum import StrEnum


class TicketCreatePriorityType0(StrEnum):
    CRITICAL = "CRITICAL"
    HIGH = "HIGH"
    INFORMATIONAL = "INFORMATIONAL"
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    UNKNOWN = "UNKNOWN"

    def __str__(self) -> str:
        return str(self.value)
