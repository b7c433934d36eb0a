"""TicketBridge: a unified ITSM API, starting with Jira Cloud."""

__version__ = "0.1.0"
