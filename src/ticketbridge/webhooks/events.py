"""Webhook events: ``{type, timestamp, data}`` bodies (the Standard Webhooks payload shape).

Types: ``job.completed`` (data: the job object), ``sync.completed`` (a SYNC job finished)
and ``connection.health_changed`` (a connection's health status changed). docs/api.md
("## Webhooks") documents each payload.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ticketbridge.jobs.models import Job
from ticketbridge.provisioning.models import Connection

JOB_COMPLETED = "job.completed"
SYNC_COMPLETED = "sync.completed"
HEALTH_CHANGED = "connection.health_changed"
_JOB_EVENT_IDS = uuid.UUID("6f1d0c58-4a5e-4b7c-9a38-3c1f3a0e2b71")


@dataclass(frozen=True)
class Event:
    id: str  # the ``webhook-id``: the same on every retry of this event
    type: str
    timestamp: datetime
    data: dict[str, Any]

    def body(self) -> bytes:
        envelope = {"type": self.type, "timestamp": _iso(self.timestamp), "data": self.data}
        return json.dumps(envelope, separators=(",", ":")).encode()

    def to_args(self) -> dict[str, Any]:
        """JSON for a queued delivery (procrastinate task arguments)."""
        return {
            "id": self.id,
            "type": self.type,
            "timestamp": _iso(self.timestamp),
            "data": self.data,
        }

    @classmethod
    def from_args(cls, args: dict[str, Any]) -> Event:
        return cls(
            id=str(args["id"]),
            type=str(args["type"]),
            timestamp=datetime.fromisoformat(str(args["timestamp"])),
            data=dict(args["data"]),
        )


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _new_id() -> str:
    return "msg_" + uuid.uuid4().hex


def _when(moment: datetime | None) -> str | None:
    return _iso(moment) if moment is not None else None


def job_completed(job_id: uuid.UUID, finished_at: datetime | None, job: dict[str, Any]) -> Event:
    """Built from the job row at delivery time, so its id is derived from the job."""
    return Event(
        id="msg_" + uuid.uuid5(_JOB_EVENT_IDS, f"{JOB_COMPLETED}:{job_id}").hex,
        type=JOB_COMPLETED,
        timestamp=finished_at or datetime.now(UTC),
        data=job,
    )


def sync_completed(job: Job, connection: Connection | None) -> Event:
    return Event(
        id=_new_id(),
        type=SYNC_COMPLETED,
        timestamp=job.finished_at or datetime.now(UTC),
        data={
            "job_id": str(job.id),
            "connection_id": str(job.connection_id),
            "organization_id": str(connection.organization_id) if connection else None,
            "status": job.status,
            "full": bool((job.payload or {}).get("full", False)),
            "started_at": _when(job.started_at),
            "finished_at": _when(job.finished_at),
            "result": job.result,
            "failure_reason": job.failure_reason,
        },
    )


def health_changed(
    connection: Connection, previous: dict[str, Any] | None, job_id: uuid.UUID | None = None
) -> Event | None:
    """The event for a new health value, or None when its status did not change."""
    current = connection.health
    if current is None or (previous or {}).get("status") == current.get("status"):
        return None
    return Event(
        id=_new_id(),
        type=HEALTH_CHANGED,
        timestamp=datetime.now(UTC),
        data={
            "connection_id": str(connection.id),
            "organization_id": str(connection.organization_id),
            "vendor": connection.vendor,
            "previous": previous,
            "health": current,
            "job_id": str(job_id) if job_id else None,
        },
    )
