from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel


class Progress(BaseModel):
    total: int
    processed: int


class JobOut(BaseModel):
    id: uuid.UUID
    type: Literal["BULK_CREATE_TICKETS", "BULK_UPDATE_TICKETS", "SYNC"]
    status: Literal["QUEUED", "RUNNING", "SUCCESS", "FAILED"]
    connection_id: uuid.UUID
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    progress: Progress
    failure_reason: dict[str, Any] | None
    result: dict[str, Any] | None
