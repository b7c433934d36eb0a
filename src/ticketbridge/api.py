"""Every domain's router; the app mounts each under /v1."""

from ticketbridge.itsm.capabilities import router as capabilities
from ticketbridge.itsm.issue_types.endpoints import router as issue_types
from ticketbridge.itsm.passthrough.endpoints import router as passthrough
from ticketbridge.itsm.projects.endpoints import router as projects
from ticketbridge.itsm.tickets.bulk_endpoints import router as bulk
from ticketbridge.itsm.tickets.endpoints import router as tickets
from ticketbridge.itsm.users.endpoints import router as users
from ticketbridge.jobs.endpoints import router as jobs
from ticketbridge.provisioning.endpoints import oauth_router
from ticketbridge.provisioning.endpoints import router as provisioning

# Mounted one by one on the app, not through one /v1 router: FastAPI matches a request
# against each level of included routers again, so a nested level costs every request.
ROUTERS = (
    provisioning,
    oauth_router,
    tickets,
    bulk,  # after tickets: the OpenAPI document lists /tickets first
    projects,
    users,
    issue_types,
    jobs,
    capabilities,
    passthrough,
)
