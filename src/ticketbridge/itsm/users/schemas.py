from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    name: str | None
    email: str | None
    status: Literal["ACTIVE", "INACTIVE", "DELETED"]
    vendor_id: str
    vendor_attributes: dict[str, Any]
