from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict


class IssueTypeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    name: str
    vendor_id: str
    description: str | None
    subtask: bool
    project_id: uuid.UUID
