"""Mounts every domain's router under /v1."""

from fastapi import APIRouter

import ticketbridge.itsm.tickets.bulk_endpoints  # noqa: F401  (registers the bulk routes)
from ticketbridge.itsm.capabilities import router as capabilities
from ticketbridge.itsm.issue_types.endpoints import router as issue_types
from ticketbridge.itsm.passthrough.endpoints import router as passthrough
from ticketbridge.itsm.projects.endpoints import router as projects
from ticketbridge.itsm.tickets.endpoints import router as tickets
from ticketbridge.itsm.users.endpoints import router as users
from ticketbridge.jobs.endpoints import router as jobs
from ticketbridge.provisioning.endpoints import oauth_router
from ticketbridge.provisioning.endpoints import router as provisioning

api_router = APIRouter(prefix="/v1")
for router in (
    provisioning,
    oauth_router,
    tickets,
    projects,
    users,
    issue_types,
    jobs,
    capabilities,
    passthrough,
):
    api_router.include_router(router)
