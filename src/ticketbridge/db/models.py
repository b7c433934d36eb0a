"""Imports every table so Alembic and metadata see them all."""

from ticketbridge.auth.models import RateLimitCounter
from ticketbridge.db.base import Base
from ticketbridge.idempotency.models import IdempotencyRecord
from ticketbridge.itsm.issue_types.models import IssueType
from ticketbridge.itsm.projects.models import Project, ProjectUser
from ticketbridge.itsm.tickets.models import Ticket
from ticketbridge.itsm.users.models import User
from ticketbridge.jobs.models import Job, JobItem
from ticketbridge.provisioning.models import Account, ApiKey, Connection, Organization

__all__ = [
    "Account",
    "ApiKey",
    "Base",
    "Connection",
    "IdempotencyRecord",
    "IssueType",
    "Job",
    "JobItem",
    "Organization",
    "Project",
    "ProjectUser",
    "RateLimitCounter",
    "Ticket",
    "User",
]
