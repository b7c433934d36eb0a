from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict


class ProjectOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    name: str
    description: str | None
    vendor_id: str
    project_type: str | None
    url: str | None
    vendor_attributes: dict[str, Any]
