"""Jira-shaped errors (`ErrorCollection`) raised by the emulator's services and routes."""

from __future__ import annotations

from typing import Any

ISSUE_NOT_FOUND = "Issue does not exist or you do not have permission to see it."
NOT_AUTHENTICATED = "Client must be authenticated to access this resource."
SEARCH_REMOVED = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
    "A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"
)
UNBOUNDED_JQL = (
    "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
)


class JiraError(Exception):
    """An HTTP error with a Jira `ErrorCollection` body."""

    def __init__(
        self,
        status: int,
        messages: list[str] | None = None,
        errors: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{status}: {messages or errors}")
        self.status = status
        self.messages = messages or []
        self.errors = errors or {}
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        return {"errorMessages": self.messages, "errors": self.errors, **self.extra}


def bad_request(errors: dict[str, str] | None = None, *messages: str) -> JiraError:
    return JiraError(400, list(messages), errors)


def not_found(message: str = ISSUE_NOT_FOUND) -> JiraError:
    return JiraError(404, [message])
