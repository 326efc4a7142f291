from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.core.enums import KeyRole
from app.core.schemas import RequestModel


class WorkspaceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    created_at: datetime


class ApiKeyCreate(RequestModel):
    name: str = Field(default="default", min_length=1, max_length=200)
    role: KeyRole = Field(
        default=KeyRole.ADMIN,
        description="admin: everything; send: contacts, templates, campaigns (not API keys or "
        "sender numbers); read: GET only.",
    )


class ApiKeyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    role: KeyRole
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyIssued(ApiKeyOut):
    api_key: str = Field(description="The secret. Shown only in this response; store it now.")
