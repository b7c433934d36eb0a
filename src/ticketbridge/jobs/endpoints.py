from __future__ import annotations

from fastapi import APIRouter

from ticketbridge.auth.dependencies import CurrentAccount, Session, parse_uuid
from ticketbridge.jobs import service
from ticketbridge.jobs.schemas import JobOut

router = APIRouter(prefix="/jobs", tags=["jobs"])


@router.get(
    "/{job_id}",
    operation_id="get_job",
    response_model=JobOut,
    responses={404: {"description": "Job not found"}},
)
async def get_job(job_id: str, session: Session, account: CurrentAccount) -> JobOut:
    """Get a job's status, progress and per-item outcomes."""
    job = await service.get_job(session, account.id, parse_uuid(job_id, "Job"))
    return service.job_out(job)
