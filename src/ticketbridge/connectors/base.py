"""The connector contract: what every vendor offers, in normalized terms.

Nothing vendor-specific (Jira keys, JQL, ADF, transitions) crosses this boundary: services
and the store only see these dataclasses and ``vendor_attributes`` dictionaries.

A connector is pure: everything it needs is handed to it when it is built (the shared
vendor HTTP client, the connection's ``CredentialStore``, its ``CallLimiter`` from
``connectors/limits.py``, the settings). Which class serves which vendor is the registry's
business (``connectors/registry.py``); this module names no vendor.
"""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from pydantic import BaseModel

if TYPE_CHECKING:
    import httpx

    from ticketbridge.config import Settings
    from ticketbridge.connectors.limits import CallLimiter


class Capability(enum.StrEnum):
    CREATE_TICKET = "create_ticket"
    UPDATE_TICKET = "update_ticket"
    BULK_CREATE = "bulk_create"
    BULK_UPDATE = "bulk_update"
    SYNC = "sync"
    PASSTHROUGH_PROJECTS = "passthrough_projects"
    PASSTHROUGH_ISSUE_TYPES = "passthrough_issue_types"
    PASSTHROUGH_USERS = "passthrough_users"
    PASSTHROUGH_SEARCH = "passthrough_search"


# Normalized enums (docs/api.md, "Enums").
STATUSES = ("OPEN", "TODO", "IN_PROGRESS", "IN_REVIEW", "RESOLVED", "CLOSED", "UNKNOWN")
PRIORITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNKNOWN")


@dataclass
class VendorProject:
    vendor_id: str
    internal_id: str
    name: str
    description: str | None
    project_type: str | None
    url: str | None
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class VendorIssueType:
    vendor_id: str
    name: str
    description: str | None
    subtask: bool
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class VendorUser:
    vendor_id: str
    name: str | None
    email: str | None
    active: bool
    account_type: str | None
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class VendorTicket:
    """A ticket as read from the vendor, already in our vocabulary where it can be."""

    internal_id: str  # writes address the ticket by it (Jira id, ServiceNow sys_id)
    key: str  # what people call it, the identifier it takes (ENG-12, INC0010001)
    url: str
    name: str
    description: str | None  # Markdown
    status_name: str  # raw vendor status
    status_default: str  # normalized status by the connector's default rule
    priority_name: str | None
    type_name: str | None
    type_vendor_id: str | None
    project_vendor_id: str | None
    parent_vendor_id: str | None
    assignee_vendor_id: str | None
    reporter_vendor_id: str | None
    labels: list[str]
    due_date: date | None
    created_at: datetime | None
    updated_at: datetime | None
    status_changed_at: datetime | None
    closed_at: datetime | None
    creation_token: str | None
    vendor_attributes: dict[str, Any]
    # The caller's identifier, when the ticket was created through us (kept in the vendor,
    # so tickets created with vendor ids keep it once the sync brings them in).
    identifier: str | None = None


class TicketPage(list[VendorTicket]):
    """A page of vendor tickets, with the items of it that could not be read: (the vendor's
    id of the item if known, why), so one malformed item never fails a whole page."""

    def __init__(
        self,
        tickets: Iterable[VendorTicket] = (),
        unreadable: Iterable[tuple[str | None, str]] = (),
    ) -> None:
        super().__init__(tickets)
        self.unreadable = list(unreadable)


@dataclass
class TicketDraft:
    """A create request with every reference resolved to vendor ids (``project_vendor_id``
    empty: the create names no project, where the vendor's project is optional)."""

    project_vendor_id: str
    name: str
    type_vendor_id: str | None = None
    type_name: str | None = None
    description: str | None = None  # Markdown
    priority_vendor_name: str | None = None
    assignee_vendor_id: str | None = None
    parent_vendor_id: str | None = None
    tags: list[str] | None = None
    due_date: date | None = None
    custom_fields: dict[str, Any] | None = None
    creation_token: str | None = None
    identifier: str | None = None


UNSET: Any = object()


@dataclass
class TicketChanges:
    """Field edits; ``UNSET`` leaves a field alone, ``None`` clears it where allowed."""

    name: Any = UNSET
    description: Any = UNSET
    priority_vendor_name: Any = UNSET
    assignee_vendor_id: Any = UNSET
    tags: Any = UNSET
    due_date: Any = UNSET
    custom_fields: Any = UNSET

    def is_empty(self) -> bool:
        return all(getattr(self, f) is UNSET for f in self.__dataclass_fields__)


@dataclass
class CreateOutcome:
    """Per-entry outcome of a bulk create, in request order."""

    index: int
    internal_id: str | None = None
    key: str | None = None
    error: str | None = None
    vendor_errors: dict[str, Any] | None = None


@dataclass
class Page:
    items: list[dict[str, Any]]
    total: int | None
    next_cursor: str | None = None


class StatusUnreachable(Exception):
    def __init__(self, target: str, reachable: list[str]) -> None:
        super().__init__(target)
        self.target = target
        self.reachable = reachable


Refresh = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


class CredentialStore(Protocol):
    """A connection's credentials as handed to its connector: the current ones, and a safe
    way to replace them (OAuth token rotation). The application's store persists rotated
    credentials in a transaction of its own (``provisioning/credentials.py``)."""

    @property
    def current(self) -> dict[str, Any]: ...

    async def rotate(self, refresh: Refresh) -> dict[str, Any]:
        """Calls ``refresh(stored)`` and keeps its answer as the new credentials, unless
        another holder rotated them meanwhile (then returns theirs, without refreshing)."""
        ...


class Connector(Protocol):
    """What a vendor connector offers; each method maps to a declared capability."""

    vendor: ClassVar[str]
    capabilities: ClassVar[frozenset[Capability]]

    async def test(self) -> str: ...
    async def create_ticket(self, draft: TicketDraft) -> VendorTicket: ...
    async def bulk_create(self, drafts: list[TicketDraft]) -> list[CreateOutcome]: ...
    async def find_by_creation_token(self, token: str) -> VendorTicket | None: ...
    async def find_by_creation_tokens(self, tokens: list[str]) -> dict[str, str]: ...
    async def get_ticket(self, vendor_id: str) -> VendorTicket: ...
    async def get_tickets(self, vendor_ids: list[str]) -> dict[str, VendorTicket]: ...
    async def update_ticket(self, vendor_id: str, changes: TicketChanges) -> None: ...
    async def move_to_status(
        self,
        ticket: VendorTicket,
        target: str,
        status_mapping: dict[str, str],
        fields: dict[str, Any] | None = None,
    ) -> VendorTicket:
        """``fields``: the request's raw vendor fields (``custom_fields``), for a vendor whose
        status write needs some of them (ServiceNow: close_code, close_notes)."""
        ...

    def iter_projects(self, keys: list[str] | None) -> AsyncIterator[VendorProject]: ...
    def iter_issue_types(self, project: VendorProject) -> AsyncIterator[VendorIssueType]: ...
    def iter_users(self) -> AsyncIterator[VendorUser]: ...
    def iter_assignable_users(self, project_vendor_id: str) -> AsyncIterator[str]: ...
    def iter_tickets(
        self,
        updated_since: datetime | None,
        project_keys: list[str] | None,
        known_projects: Sequence[str] = (),
    ) -> AsyncIterator[TicketPage]: ...
    async def count_tickets(
        self,
        updated_since: datetime | None,
        project_keys: list[str] | None,
        known_projects: Sequence[str] = (),
    ) -> int | None:
        """How many tickets `iter_tickets` will bring (the vendor's estimate; None if it
        cannot tell)."""
        ...

    def iter_ticket_ids(self, project_keys: list[str] | None) -> AsyncIterator[list[str]]:
        """Every ticket id still at the vendor (the id scan an incremental sync finds
        deletions with, unless the connector reads a deletion log: `DeletionLog`)."""
        ...

    async def passthrough_projects(self, offset: int, limit: int, expand: bool) -> Page: ...
    async def passthrough_issue_types(self, project: str, offset: int, limit: int) -> Page: ...
    async def passthrough_users(
        self, query: str | None, project: str | None, offset: int, limit: int
    ) -> Page: ...
    async def passthrough_search(self, query: str, cursor: str | None, limit: int) -> Page: ...


class DeletionLog(Protocol):
    """An optional part of a connector (a class has it or not; vendor-neutral code asks
    ``registry.deletion_log``): the vendor's own record of deleted tickets, so an
    incremental sync need not scan every id to find them (ServiceNow: ``sys_audit_delete``;
    Jira has none and keeps its id scan)."""

    async def deleted_ticket_ids(self, since: datetime) -> list[str] | None:
        """Internal ids of the connection's tickets deleted at the vendor since `since`
        (minus the overlap of the connector's incremental reads), only of what the
        connection syncs (its tables, ...) and not restored since; None when the log cannot
        be read (a missing permission, say): then only an id scan finds deletions."""
        ...


class ConnectorClass(Protocol):
    """A connector class as the registry holds it: how to build one for a connection, and
    the class-level hooks vendor-neutral code asks the registry for (no connection needed).

    ``reserved_fields``: vendor field names the normalized fields set, each with the field
    that sets it; ``custom_fields`` may not name them (the caller would silently override
    their own project, name, ...). The status and priority hooks take the connection's own
    mapping (``options.status_mapping``/``priority_mapping``, vendor name -> normalized),
    which wins over the vendor's defaults. ``options_model``: the connection's options
    (``connectors/options.py``). Optional, read by the registry with defaults:
    ``project_required`` (a create must name a project; default true), ``type_required``
    (a create must name a type; default true, else the connector picks its default),
    ``tags_supported`` (tickets carry tags; default true), ``references_internal_id``
    (references to a ticket, its parent, hold its internal id, not its key; default false)
    and ``deleted_ticket_ids`` (its connectors read a deletion log, `DeletionLog`; default
    none: the sync's id scan).
    """

    vendor: str
    capabilities: frozenset[Capability]
    credentials_model: type[BaseModel]
    reserved_fields: dict[str, str]
    options_model: type[BaseModel]

    def __call__(
        self,
        *,
        connection_id: str,
        http: httpx.AsyncClient,
        credentials: CredentialStore,
        limiter: CallLimiter | None,
        settings: Settings,
        options: dict[str, Any],
    ) -> Connector: ...

    @staticmethod
    def check_credentials(settings: Settings, creds: Any) -> None:
        """Vendor rules on credentials beyond their model (allowed hosts, say): 422."""
        ...

    @staticmethod
    def oauth_authorize_url(settings: Settings, state: str) -> str: ...

    @staticmethod
    async def exchange_oauth_code(
        http: httpx.AsyncClient, settings: Settings, code: str
    ) -> dict[str, Any]:
        """The credentials to store for an OAuth callback's code."""
        ...

    @staticmethod
    def normalize_status(name: str, category: str | None, mapping: dict[str, str]) -> str: ...

    @staticmethod
    def normalize_priority(name: str | None, mapping: dict[str, str]) -> str: ...

    @staticmethod
    def priority_to_vendor(priority: str, mapping: dict[str, str]) -> str: ...
